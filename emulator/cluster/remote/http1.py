"""HTTP/1.1 over one connection to an apiserver: a request written in one piece, the answer's head
and body read as they arrive.

h11 does the HTTP/1.1 framing: it writes the request, parses the status line and headers, reads
bodies framed by ``Content-Length``, chunked, or by the close (none for HEAD, 1xx, 204 and 304),
and decides whether the connection may carry another request. What is ours is the asyncio
``Protocol`` under it (bytes in and out, flow control, timeouts) and the errors. Done this way
rather than with httpx, whose pool checked every pooled connection and whose anyio layers and
per-call imports cost several times the request itself (issue 17). ``pool.py`` keeps these
connections.

Errors are ``UpstreamError`` subclasses, with the ``OSError``, ``ssl.SSLError`` or h11 error
behind them as their cause, which ``failures.cause`` turns into the agent's wording.
"""

from __future__ import annotations

import asyncio

import h11

MAX_HEAD_BYTES = 1 << 20  # Go's http.DefaultMaxHeaderBytes: a longer head is no HTTP answer
# Past this many bytes not yet handed to h11 the socket is not read until some are taken: a client
# relaying a long body slowly holds back a fast apiserver, instead of the body piling up here.
HIGH_WATER = 256 * 1024
LOW_WATER = 64 * 1024
# h11 is handed at most this many bytes at a time, so what it holds of a body nobody reads stays
# small too; the rest waits in the connection's buffer, which the water marks above watch.
FEED_BYTES = 64 * 1024
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class UpstreamError(Exception):
    """The apiserver could not be asked, or its answer could not be read."""


class ConnectFailed(UpstreamError):
    """No connection: refused, unreachable, or a TLS handshake that failed (the cause says)."""


class TimedOut(UpstreamError):
    """Something did not happen in time."""


class ConnectTimedOut(TimedOut):
    """No connection (TCP and TLS) within the connect timeout."""


class ReadTimedOut(TimedOut):
    """The apiserver sent nothing for as long as the request may wait."""


class PoolTimedOut(TimedOut):
    """Every connection the pool may hold stayed busy for as long as the request may wait."""


class ConnectionLost(UpstreamError):
    """The connection ended before the answer did (the cause, if any, says how)."""


class ProtocolError(UpstreamError):
    """What came back is not an HTTP/1.1 answer, as h11 judged it (its ``RemoteProtocolError``,
    when it raised one, is the cause)."""


def request_event(method: str, target: str, host: str, headers: list[tuple[str, str]],
                  body: bytes) -> h11.Request:
    """The request for h11 to write: ``Host`` first; ``Content-Length`` for a body, and for the
    methods that carry one even when it is empty (as Go and httpx send them). A header or
    target h11 refuses (a line break in one would be a second header, or a second request)
    raises ``UpstreamError`` before any connection is taken. (The gateway's server refuses such
    headers already; this is the hop's own guarantee.)"""
    fields = [("host", host), *headers]
    if body or method in _BODY_METHODS:
        fields.append(("content-length", str(len(body))))
    try:
        return h11.Request(method=method, target=target.encode("latin-1"),
                           headers=[(name.encode("latin-1"), value.encode("latin-1"))
                                    for name, value in fields])
    except h11.LocalProtocolError:
        # Worded without the header's value: it may be a credential.
        texts = [target, *(part for field in fields for part in field)]
        if any("\r" in text or "\n" in text for text in texts):
            raise UpstreamError("a request header holds a line break") from None
        raise UpstreamError("the request holds a character HTTP/1.1 does not allow") from None


def request_head(method: str, target: str, host: str, headers: list[tuple[str, str]],
                 body: bytes) -> bytes:
    """The request line and headers as h11 writes them on a new connection."""
    return h11.Connection(h11.CLIENT).send(request_event(method, target, host, headers, body))


class Head:
    """An answer's status line and headers (names lower-cased, repeated ones kept apart)."""

    __slots__ = ("status", "reason", "headers", "keep_alive", "length")

    def __init__(self, status: int, reason: str, headers: list[tuple[str, str]],
                 keep_alive: bool, length: int | None) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.keep_alive = keep_alive  # the connection may carry another request after this one
        self.length = length  # the body's length; None: chunked or to the close


class BodyState:
    """Whether the reading of one body has reached its end (h11's ``EndOfMessage``)."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = False


class Http1Connection(asyncio.Protocol):
    """One connection: its bytes as they arrive, and one exchange at a time, parsed by h11."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        self._buffer = bytearray()  # received, not yet handed to h11
        self._waiter: asyncio.Future[None] | None = None
        self._ended = False  # the peer closed, or the connection was lost
        self._lost: BaseException | None = None  # why, when it was an error
        self._paused = False
        self.reused = False  # set by the pool once an answer has been read whole on it

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > HIGH_WATER and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._ended = True
        self._wake()
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended = True
        self._lost = exc
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- the pool's view ------------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """Open, between exchanges (h11 back to IDLE), holding nothing unread: an idle
        connection the server has not closed."""
        return not self._ended and not self._buffer and self._h11.our_state is h11.IDLE and \
            self._transport is not None and not self._transport.is_closing()

    def close(self) -> None:
        """A graceful close (TLS close_notify), for a connection between answers."""
        if self._transport is not None:
            self._transport.close()

    def abort(self) -> None:
        """Drop the connection at once: an answer left half read cannot be resumed by anyone."""
        self._ended = True
        if self._transport is not None:
            self._transport.abort()

    # -- one exchange -----------------------------------------------------------------------------

    def send_request(self, request: h11.Request, body: bytes) -> None:
        """The request, its body and its end, in one write."""
        assert self._transport is not None
        if self._ended:
            raise ConnectionLost("the connection was closed") from self._lost
        parts = [self._h11.send(request)]
        if body:
            parts.append(self._h11.send(h11.Data(data=body)))
        parts.append(self._h11.send(h11.EndOfMessage()))
        self._transport.write(b"".join(parts))

    async def read_head(self, method: str, timeout: float | None) -> Head:
        """The final answer's head (1xx interim answers are skipped), with its body's length."""
        event = await self._next_event(timeout)
        while type(event) is h11.InformationalResponse:  # 100 Continue and the like
            event = await self._next_event(timeout)
        if type(event) is not h11.Response:
            raise ProtocolError(f"an answer that begins with {type(event).__name__}")
        headers = [(name.decode("latin-1"), value.decode("latin-1"))
                   for name, value in event.headers]
        # h11 frames the body; the length is for the backend, which reads short bodies whole.
        chunked = any(name == "transfer-encoding" for name, _ in headers)
        length: int | None = None
        if method == "HEAD" or event.status_code in (204, 304):
            length = 0
        elif not chunked:
            length = next((int(value) for name, value in headers if name == "content-length"),
                          None)
        # h11 turns our side to MUST_CLOSE when the answer says Connection: close (or is
        # HTTP/1.0); a body that ends with the connection ends it too.
        keep_alive = self._h11.our_state is h11.DONE and (chunked or length is not None)
        return Head(event.status_code, event.reason.decode("latin-1"), headers, keep_alive,
                    length)

    async def read_chunk(self, head: Head, state: BodyState, timeout: float | None) -> bytes:
        """The next piece of the body as it arrives; b"" once it is complete."""
        if state.done:
            return b""
        event = await self._next_event(timeout)
        if type(event) is h11.Data:
            return bytes(event.data)
        if type(event) is not h11.EndOfMessage:
            raise ProtocolError(f"a body interrupted by {type(event).__name__}")
        state.done = True
        h = self._h11
        if not self._ended and h.our_state is h11.DONE and h.their_state is h11.DONE and \
                not h.trailing_data[0]:
            h.start_next_cycle()  # IDLE again: the pool may hand it to the next request
        return b""

    async def read_whole(self, head: Head, state: BodyState, timeout: float | None,
                         limit: int) -> bytes:
        """The body whole; or, when it is longer than ``limit``, its first ``limit`` bytes and
        a little more (``state.done`` then stays false: the connection cannot be reused)."""
        parts: list[bytes] = []
        size = 0
        while size <= limit:
            piece = await self.read_chunk(head, state, timeout)
            if not piece:
                break
            parts.append(piece)
            size += len(piece)
        return b"".join(parts)  # one piece is returned as it is, not copied

    async def _next_event(self, timeout: float | None) -> h11.Event:
        """h11's next event, handing it received bytes (and a clean close) as it needs them."""
        h = self._h11
        closed_fed = False
        while True:
            try:
                event = h.next_event()
            except h11.RemoteProtocolError as err:
                if not closed_fed:
                    raise ProtocolError(str(err)) from err
                event = h11.ConnectionClosed()  # everything before the close was fine
            if event is h11.NEED_DATA:
                if self._buffer:
                    self._feed()
                elif self._ended and self._lost is None and not closed_fed:
                    # A clean close: it ends a body framed by the close (h11 then says
                    # EndOfMessage), and cuts short anything else.
                    h.receive_data(b"")
                    closed_fed = True
                elif self._ended:
                    raise ConnectionLost("the connection was closed") from self._lost
                else:
                    await self._more(timeout)
                continue
            if event is h11.PAUSED:  # only after a protocol switch, which we never ask for
                raise ProtocolError("the answer switched protocols")
            if type(event) is h11.ConnectionClosed:
                raise ConnectionLost("the connection was closed")
            assert isinstance(event, h11.Event)
            return event

    def _feed(self) -> None:
        buffer = self._buffer
        if len(buffer) <= FEED_BYTES:
            self._h11.receive_data(buffer)  # h11 copies it into its own buffer
            buffer.clear()
        else:
            self._h11.receive_data(buffer[:FEED_BYTES])
            del buffer[:FEED_BYTES]
        if self._paused and len(buffer) < LOW_WATER and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()

    async def _more(self, timeout: float | None) -> None:
        """Wait until more bytes arrive, or the connection ends."""
        if self._paused and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._waiter = waiter
        timer = None if timeout is None else self._loop.call_later(timeout, _expire, waiter)
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(ReadTimedOut("no answer in time"))
