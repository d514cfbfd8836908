"""A relayed answer is closed however its request ends (issue 12, item 14): an answer left open
keeps its connection to the apiserver out of httpx's pool for good, and after 100 of them every
request to the membership waits.

Three pieces do it, each tested here without a server: the remote backend's ``RelayedBody``
closes the upstream answer when the body ends, fails or is closed, read or not;
``frames.http_response`` closes the body once the response is over, however it ended; and the
gateway's pipeline cancels the request to the cluster when the client leaves before the cluster
has answered. ``tests/contract/test_remote_robustness.py`` proves the whole over the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

import httpx
import pytest
from starlette.requests import Request

from emulator import frames, messages
from emulator.cluster.backend import ClusterResponse, ClusterUnreachable
from emulator.cluster.remote.backend import RelayedBody
from emulator.gateway import pipeline

URL = "https://127.0.0.1:6443/api/v1/namespaces/default/pods?watch=true"
WAIT = 5.0  # seconds any step may take, so that no test can hang
T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await asyncio.wait_for(coro, WAIT)
    return asyncio.run(main())


# -- RelayedBody: the upstream answer ----------------------------------------------------------------

class UpstreamBody(httpx.AsyncByteStream):
    """An upstream body that yields ``chunks``, then ends or (with ``lost``) loses its
    connection; it records being closed, which is what gives a connection back to the pool."""

    def __init__(self, chunks: list[bytes], *, lost: bool = False) -> None:
        self.chunks = chunks
        self.lost = lost
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.lost:
            raise httpx.ReadError("peer closed connection")

    async def aclose(self) -> None:
        self.closed = True


async def relayed(body: UpstreamBody) -> RelayedBody:
    client = httpx.AsyncClient(transport=httpx.MockTransport(
        lambda request: httpx.Response(200, stream=body)))
    answer = await client.send(client.build_request("GET", URL), stream=True)
    return RelayedBody(answer, URL)


def test_a_body_read_to_its_end_is_closed() -> None:
    body = UpstreamBody([b"one", b"two"])

    async def go() -> list[bytes]:
        return [chunk async for chunk in await relayed(body)]

    assert run(go()) == [b"one", b"two"]
    assert body.closed


def test_a_body_never_read_is_closed_by_aclose() -> None:
    # A client that left before the first chunk: an async generator's finally would never run.
    body = UpstreamBody([b"one"])

    async def go() -> None:
        stream = await relayed(body)
        await stream.aclose()
        await stream.aclose()  # twice is harmless (the response closes, then the pipeline's guard)

    run(go())
    assert body.closed


def test_a_body_abandoned_half_way_is_closed_by_aclose() -> None:
    body = UpstreamBody([b"one", b"two", b"three"])

    async def go() -> bytes:
        stream = await relayed(body)
        first = await anext(stream)
        await stream.aclose()
        return first

    assert run(go()) == b"one"
    assert body.closed


def test_a_connection_lost_half_way_is_cluster_unreachable_and_closed() -> None:
    body = UpstreamBody([b"one"], lost=True)

    async def go() -> list[bytes]:
        return [chunk async for chunk in await relayed(body)]

    with pytest.raises(ClusterUnreachable) as lost:
        run(go())
    assert lost.value.cause.startswith(messages.REMOTE_CAUSE_LOST.split("{", 1)[0])
    assert body.closed


# -- frames.http_response: the relay to the client ---------------------------------------------------

class ClientBody:
    """A streamed body as a backend hands it over: ``chunks`` then, with ``endless``, a wait for
    more that never comes (a quiet watch); it records being closed."""

    def __init__(self, chunks: list[bytes], *, endless: bool = False) -> None:
        self._chunks = list(chunks)
        self._endless = endless
        self.started = False
        self.closed = False

    def __aiter__(self) -> ClientBody:
        return self

    async def __anext__(self) -> bytes:
        self.started = True
        if self._chunks:
            return self._chunks.pop(0)
        if self._endless:
            await asyncio.Event().wait()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self.closed = True


class Client:
    """The ASGI side of one HTTP/1.1 client (``spec_version`` 2.1, as Hypercorn's): what was
    sent to it, and a disconnect delivered when the test says so."""

    def __init__(self, *, stuck: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.sending = asyncio.Event()  # set once the response's first chunk is being sent
        self.stuck = stuck  # a client that stopped reading: sending a chunk never completes
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.scope = {"type": "http", "asgi": {"spec_version": "2.1", "version": "3.0"},
                      "method": "GET", "path": "/", "headers": []}

    def leave(self) -> None:
        self.messages.put_nowait({"type": "http.disconnect"})

    async def receive(self) -> dict[str, Any]:
        return await self.messages.get()

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            self.sending.set()
            if self.stuck:
                await asyncio.Event().wait()


async def relay(body: AsyncIterator[bytes], client: Client) -> None:
    response = frames.http_response(ClusterResponse(200, [("content-type", "text/plain")],
                                                    stream=body))
    await response(client.scope, client.receive, client.send)  # type: ignore[arg-type]


def test_a_body_sent_to_its_end_is_closed() -> None:
    body = ClientBody([b"one", b"two"])

    async def go() -> Client:
        client = Client()
        await relay(body, client)
        return client

    client = run(go())
    assert [m.get("body") for m in client.sent[1:]] == [b"one", b"two", b""]
    assert body.closed


# stuck: the client leaves while a chunk is being sent (Starlette stops the relay inside the send,
# and does not close the body suspended between chunks; with the remote backend its connection
# would stay out of the pool). Not stuck: it leaves during a quiet watch, between chunks.
@pytest.mark.parametrize(("chunks", "stuck"), [([b"one", b"two"], True), ([b"one"], False)],
                         ids=["while-a-chunk-is-sent", "during-a-quiet-watch"])
def test_a_client_that_leaves_mid_body_gets_its_body_closed(chunks: list[bytes],
                                                            stuck: bool) -> None:
    body = ClientBody(chunks, endless=True)

    async def go() -> None:
        client = Client(stuck=stuck)
        relaying = asyncio.ensure_future(relay(body, client))
        await client.sending.wait()
        client.leave()
        await relaying

    run(go())
    assert body.closed


def test_a_client_gone_before_the_first_chunk_gets_its_body_closed() -> None:
    body = ClientBody([b"one"], endless=True)

    async def go() -> None:
        client = Client()
        client.leave()
        await relay(body, client)

    run(go())
    assert body.closed


def test_an_async_generator_body_is_closed_when_the_client_leaves_mid_send() -> None:
    # The mock's watch and logs -f bodies are async generators: their finally (which stops
    # watching the store) runs when the client leaves, not whenever the collector finds them.
    finished: list[str] = []

    async def watch() -> AsyncIterator[bytes]:
        try:
            while True:
                yield b"event\n"
                await asyncio.sleep(0)
        finally:
            finished.append("closed")

    async def go() -> list[str]:
        client = Client(stuck=True)
        body = watch()
        relaying = asyncio.ensure_future(relay(body, client))
        await client.sending.wait()
        client.leave()
        await relaying
        # Asked here: asyncio.run closes every generator left open when it ends.
        return list(finished)

    assert run(go()) == ["closed"]


# -- the pipeline: a client that leaves before the cluster has answered -------------------------------

async def read_request(client: Client) -> Request:
    """A request whose (empty) body has been read, as the pipeline has read it by then."""
    client.messages.put_nowait({"type": "http.request", "body": b"", "more_body": False})
    request = Request(client.scope, client.receive)  # type: ignore[arg-type]
    assert await request.body() == b""
    return request


# at_once: an embedded cluster's answer, looked for after one turn; this one takes longer, so the
# wait falls back to watching for the client.
@pytest.mark.parametrize("at_once", [False, True], ids=["remote", "embedded"])
def test_a_client_that_leaves_cancels_the_request_to_the_cluster(at_once: bool) -> None:
    cancelled: list[str] = []

    async def slow_cluster() -> ClusterResponse:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append("cancelled")
            raise
        raise AssertionError("never answers")

    async def go() -> ClusterResponse | None:
        client = Client()
        request = await read_request(client)
        waiting = asyncio.ensure_future(pipeline._unless_client_leaves(
            request, slow_cluster(), at_once=at_once))
        await asyncio.sleep(0.01)
        client.leave()
        return await waiting

    assert run(go()) is None
    assert cancelled == ["cancelled"]


def test_an_answer_that_comes_first_leaves_the_disconnect_for_the_relay() -> None:
    # Starlette's relay watches for the disconnect itself, once the response starts: the wait
    # for the cluster must not have taken it.
    answer = ClusterResponse(200, [], stream=ClientBody([b"one"], endless=True))

    async def quick_cluster() -> ClusterResponse:
        await asyncio.sleep(0.01)
        return answer

    async def go() -> tuple[ClusterResponse | None, dict[str, Any]]:
        client = Client()
        request = await read_request(client)
        got = await pipeline._unless_client_leaves(request, quick_cluster())
        client.leave()
        return got, await client.receive()

    got, later = run(go())
    assert got is answer and later == {"type": "http.disconnect"}
    assert isinstance(answer.stream, ClientBody) and not answer.stream.closed


def test_an_answer_that_comes_as_the_client_leaves_is_closed() -> None:
    body = ClientBody([b"one"], endless=True)

    async def slow_cluster() -> ClusterResponse:
        await asyncio.sleep(0.01)
        return ClusterResponse(200, [], stream=body)

    async def go() -> ClusterResponse | None:
        client = Client()
        request = await read_request(client)
        answering = asyncio.ensure_future(pipeline._unless_client_leaves(request, slow_cluster()))
        await asyncio.sleep(0.01)  # past the first turn: the wait watches for the client now
        client.leave()  # gone as the answer comes
        return await answering

    assert run(go()) is None
    assert body.closed


def test_an_answer_ready_at_once_is_relayed_and_closed_when_the_client_has_gone() -> None:
    """The embedded cluster answers within a turn of the loop: no watch for the client is set
    up, the disconnect stays for the relay, and the relay closes the body."""
    body = ClientBody([b"one"], endless=True)

    async def ready_cluster() -> ClusterResponse:
        return ClusterResponse(200, [], stream=body)

    async def go() -> ClusterResponse | None:
        client = Client()
        request = await read_request(client)
        client.leave()  # already gone when the answer is there
        answer = await pipeline._unless_client_leaves(request, ready_cluster(), at_once=True)
        assert answer is not None and answer.stream is not None and not body.closed
        await relay(answer.stream, client)
        return answer

    assert run(go()) is not None
    assert body.closed


def test_a_cluster_failure_before_the_client_leaves_is_raised_as_before() -> None:
    async def failing_cluster() -> ClusterResponse:
        await asyncio.sleep(0)
        raise ClusterUnreachable("dial tcp 127.0.0.1:6443: connect: connection refused")

    async def go() -> ClusterResponse | None:
        client = Client()
        return await pipeline._unless_client_leaves(await read_request(client), failing_cluster())

    with pytest.raises(ClusterUnreachable):
        run(go())
