"""The remote backend's HTTP/1.1 client (``http1.py``) and its keep-alive pool (``pool.py``),
against small servers of the tests' own that answer with exactly the bytes a test gives them:
every way an answer's body is framed, kept-alive connections reused and dropped, the pool's
bound and its timeout, and the body held back while nobody reads it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from emulator.cluster.remote import failures
from emulator.cluster.remote.http1 import (
    ConnectionLost,
    HIGH_WATER,
    MAX_HEAD_BYTES,
    PoolTimedOut,
    ProtocolError,
    ReadTimedOut,
    UpstreamError,
    request_head,
)
from emulator.cluster.remote.pool import Answer, ConnectionPool

WAIT = 5.0  # seconds any test may take, so none can hang
T = TypeVar("T")
Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await asyncio.wait_for(coro, WAIT)
    return asyncio.run(main())


class Server:
    """A plain-TCP server running ``script`` for each connection; counts the connections."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                await self.script(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        self._server = await asyncio.start_server(accepted, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    def pool(self, *, limit: int = 4, keep_idle: int = 2) -> ConnectionPool:
        return ConnectionPool(self.url, None, limit=limit, keep_idle=keep_idle)

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(head)
        return head


def answering(*answers: bytes) -> Callable[[Server], Script]:
    """A script that reads one request per answer and writes that answer's bytes, all on one
    connection, which it then keeps open until the client closes it."""
    def make(server: Server) -> Script:
        async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for answer in answers:
                await server.read_request(reader)
                writer.write(answer)
                await writer.drain()
            await reader.read()  # until the client closes
        return script
    return make


def served(make: Callable[[Server], Script]) -> Server:
    server = Server(lambda r, w: asyncio.sleep(0))
    server.script = make(server)
    return server


async def get(pool: ConnectionPool, target: str = "/x", *, method: str = "GET",
              body: bytes = b"", read_timeout: float | None = WAIT,
              pool_timeout: float = WAIT) -> Answer:
    return await pool.request(method, target, [("accept", "application/json")], body,
                              connect_timeout=WAIT, read_timeout=read_timeout,
                              pool_timeout=pool_timeout)


async def whole(answer: Answer) -> bytes:
    return b"".join([piece async for piece in answer])


OK_HELLO = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nAudit-Id: a1\r\n\r\nhello"


# -- the request -----------------------------------------------------------------------------------

def test_request_head_has_host_first_and_a_length_for_bodies() -> None:
    assert request_head("GET", "/api?watch=1", "h:6443", [("accept", "a")], b"") == (
        b"GET /api?watch=1 HTTP/1.1\r\nhost: h:6443\r\naccept: a\r\n\r\n")
    assert request_head("POST", "/p", "h", [], b"") == (
        b"POST /p HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n")
    assert request_head("DELETE", "/p", "h", [], b"{}").endswith(b"content-length: 2\r\n\r\n")


@pytest.mark.parametrize("value", ["a\r\nx-injected: 1", "a\nb", "a\rb"])
def test_a_header_value_with_a_line_break_is_refused(value: str) -> None:
    with pytest.raises(UpstreamError):
        request_head("GET", "/", "h", [("user-agent", value)], b"")


def test_a_request_h11_refuses_opens_no_connection() -> None:
    async def go() -> int:
        async with served(answering(OK_HELLO)) as server:
            with pytest.raises(UpstreamError):
                await get(server.pool(), target="/a b")
            return server.connections

    assert run(go()) == 0


# -- framing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "body"), [
    (OK_HELLO, b"hello"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nTrailer: x\r\n\r\n", b"hello"),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", b"ok"),
    (b"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n", b""),
], ids=["content-length", "chunked-with-extensions-and-trailers", "after-100-continue", "204"])
def test_bodies_framed_every_way_are_read_and_the_connection_reused(raw: bytes,
                                                                    body: bytes) -> None:
    async def go() -> tuple[list[bytes], int]:
        async with served(answering(raw, raw)) as server:
            pool = server.pool()
            bodies = [await (await get(pool)).read(1 << 20) for _ in range(2)]
            await pool.aclose()
            return bodies, server.connections

    assert run(go()) == ([body, body], 1)


def test_head_has_no_body_whatever_its_length_says() -> None:
    async def go() -> tuple[int, bytes, bytes]:
        async with served(answering(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                                    OK_HELLO)) as server:
            pool = server.pool()
            head = await get(pool, method="HEAD")
            status, first = head.status, await head.read(100)
            return status, first, await (await get(pool)).read(100)

    assert run(go()) == (200, b"", b"hello")


def one_answer_per_connection(*answers: bytes, keep_open: bool = False
                              ) -> Callable[[Server], Script]:
    """A script that answers one request per connection (the n-th connection the n-th answer),
    then closes (or, with ``keep_open``, waits for the client to)."""
    def make(server: Server) -> Script:
        async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(answers[server.connections - 1])
            await writer.drain()
            if keep_open:
                await reader.read()
        return script
    return make


def test_a_body_ended_by_the_close_is_read_to_the_close() -> None:
    async def go() -> tuple[bytes, int]:
        async with served(one_answer_per_connection(b"HTTP/1.1 200 OK\r\n\r\nall of it",
                                                    OK_HELLO)) as server:
            pool = server.pool()
            first = await whole(await get(pool))
            await (await get(pool)).read(100)  # a new connection: that one could not be reused
            return first, server.connections

    assert run(go()) == (b"all of it", 2)


def test_connection_close_is_honoured() -> None:
    async def go() -> int:
        raw = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
        async with served(one_answer_per_connection(raw, raw)) as server:
            pool = server.pool()
            for _ in range(2):
                assert await (await get(pool)).read(100) == b"ok"
            return server.connections

    assert run(go()) == 2


def test_headers_keep_repeats_and_lower_case_names() -> None:
    async def go() -> Answer:
        raw = (b"HTTP/1.1 404 \r\nWarning: 299 - \"one\"\r\nwarning: 299 - \"two\"\r\n"
               b"Content-Length: 0\r\n\r\n")
        async with served(answering(raw)) as server:
            return await get(server.pool())

    answer = run(go())
    assert (answer.status, answer.reason) == (404, "")
    assert [v for k, v in answer.headers if k == "warning"] == ['299 - "one"', '299 - "two"']


@pytest.mark.parametrize("raw", [
    b"SPDY/3 200 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nbad header line\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
], ids=["status-line", "header-line", "two-lengths", "chunk-size"])
def test_what_is_not_http_is_an_unexpected_eof(raw: bytes) -> None:
    async def go() -> None:
        async with served(answering(raw)) as server:
            await whole(await get(server.pool()))

    with pytest.raises(ProtocolError) as caught:
        run(go())
    assert failures.cause(caught.value, "http://127.0.0.1:1") == "unexpected EOF"


def test_a_head_longer_than_the_limit_is_an_unexpected_eof() -> None:
    async def go() -> None:
        raw = b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * (2 * MAX_HEAD_BYTES) + b"\r\n\r\n"
        async with served(answering(raw)) as server:
            await get(server.pool())

    with pytest.raises(ProtocolError) as caught:
        run(go())
    assert failures.cause(caught.value, "http://127.0.0.1:1") == "unexpected EOF"


def test_a_body_cut_short_is_connection_lost() -> None:
    async def go() -> None:
        raw = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"
        async with served(one_answer_per_connection(raw)) as server:
            await (await get(server.pool())).read(100)

    with pytest.raises(ConnectionLost):
        run(go())


# -- kept-alive connections ------------------------------------------------------------------------

def test_a_kept_alive_connection_the_server_closed_is_not_used_again() -> None:
    async def go() -> tuple[bytes, int]:
        async with served(one_answer_per_connection(OK_HELLO, OK_HELLO)) as server:
            pool = server.pool()
            await (await get(pool)).read(100)
            await asyncio.sleep(0.05)  # the server's close arrives
            return await (await get(pool)).read(100), server.connections

    assert run(go()) == (b"hello", 2)


def test_a_get_on_a_connection_closed_as_it_was_sent_is_sent_again_once() -> None:
    # The server answers one request, then reads the next and closes without a word: what a
    # keep-alive timeout racing a request looks like to the client.
    def make(server: Server) -> Script:
        async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(OK_HELLO)
            if server.connections == 1:
                await server.read_request(reader)
                return  # closes
            await reader.read()
        return script

    async def go() -> tuple[bytes, int, int]:
        async with served(make) as server:
            pool = server.pool()
            await (await get(pool)).read(100)
            body = await (await get(pool)).read(100)
            return body, server.connections, len(server.requests)

    assert run(go()) == (b"hello", 2, 3)


def test_a_post_on_such_a_connection_is_not_sent_again() -> None:
    def make(server: Server) -> Script:
        async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(OK_HELLO)
            await server.read_request(reader)  # and closes
        return script

    async def go() -> None:
        async with served(make) as server:
            pool = server.pool()
            await (await get(pool)).read(100)
            await get(pool, method="POST", body=b"{}")

    with pytest.raises(ConnectionLost):
        run(go())


def test_an_answer_closed_half_read_drops_its_connection() -> None:
    async def go() -> int:
        raw = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"
        async with served(one_answer_per_connection(raw, OK_HELLO, keep_open=True)) as server:
            pool = server.pool()
            answer = await get(pool)
            assert await anext(answer) == b"half"
            await answer.aclose()
            await answer.aclose()  # twice is harmless
            assert await (await get(pool)).read(100) == b"hello"
            return server.connections

    assert run(go()) == 2


def test_at_most_keep_idle_connections_stay_open() -> None:
    async def go() -> int:
        async with served(answering(OK_HELLO, OK_HELLO)) as server:
            pool = server.pool(limit=4, keep_idle=1)
            answers = [await get(pool) for _ in range(3)]  # three connections at once
            for answer in answers:
                await answer.read(100)
            await asyncio.sleep(0.05)
            return len(pool._idle)  # noqa: SLF001

    assert run(go()) == 1


# -- the bound on connections ----------------------------------------------------------------------

def test_a_request_waits_for_a_connection_and_gets_the_one_given_back() -> None:
    async def go() -> tuple[bytes, int]:
        async with served(answering(OK_HELLO, OK_HELLO)) as server:
            pool = server.pool(limit=1)
            first = await get(pool)
            waiting = asyncio.ensure_future(get(pool))
            await asyncio.sleep(0.05)
            assert not waiting.done()
            await first.read(100)
            return await (await waiting).read(100), server.connections

    assert run(go()) == (b"hello", 1)


def test_a_full_pool_times_out_as_the_agent_words_it() -> None:
    async def go() -> None:
        async with served(answering(OK_HELLO)) as server:
            pool = server.pool(limit=1)
            await get(pool)  # never read: its connection stays taken
            await get(pool, pool_timeout=0.1)

    with pytest.raises(PoolTimedOut) as caught:
        run(go())
    assert failures.cause(caught.value, "http://127.0.0.1:1") == (
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)")


def test_a_request_cancelled_while_waiting_for_its_head_frees_its_place() -> None:
    def make(server: Server) -> Script:
        async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            if server.connections > 1:
                writer.write(OK_HELLO)
            await reader.read()
        return script

    async def go() -> bytes:
        async with served(make) as server:
            pool = server.pool(limit=1)
            held = asyncio.ensure_future(get(pool))
            await asyncio.sleep(0.05)
            held.cancel()
            await asyncio.gather(held, return_exceptions=True)
            return await (await get(pool, pool_timeout=1)).read(100)

    assert run(go()) == b"hello"


def test_a_silent_server_is_a_read_timeout() -> None:
    async def go() -> None:
        async with served(answering(b"")) as server:
            await get(server.pool(), read_timeout=0.1)

    with pytest.raises(ReadTimedOut):
        run(go())


# -- a body nobody reads ---------------------------------------------------------------------------

def test_a_long_body_is_held_back_until_it_is_read() -> None:
    total = 16 * HIGH_WATER

    def make(server: Server) -> Script:
        async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await server.read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % total)
            writer.write(b"x" * total)
            await writer.drain()
        return script

    async def go() -> tuple[int, int]:
        async with served(make) as server:
            answer = await get(server.pool())
            await asyncio.sleep(0.2)  # the server writes as fast as it can; nobody reads
            buffered = len(answer._connection._buffer)  # noqa: SLF001
            return buffered, len(await whole(answer))

    buffered, read = run(go())
    assert buffered < 2 * HIGH_WATER
    assert read == total
