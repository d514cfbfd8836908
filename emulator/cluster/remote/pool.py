"""Kept-alive connections to one apiserver for one event loop, and the answers read over them.

At most ``limit`` connections exist at once (idle, busy or being opened); a request that finds
them all busy waits for one, for as long as its pool timeout. Of those that come free, at most
``keep_idle`` stay open for the next request, the newest first; one the server has closed
meanwhile is noticed (its end arrived on the loop) and dropped when it is next picked.

An ``Answer`` gives its connection back once its body has been read to the end (to the pool,
when the server keeps it alive), and otherwise when it is closed, read or not: a connection
with half an answer on it is dropped, since no one can read the rest. A request cancelled
while it waits for the answer's head drops its connection the same way.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from urllib.parse import urlsplit

from emulator.cluster.remote.http1 import (
    BodyState,
    ConnectFailed,
    ConnectionLost,
    ConnectTimedOut,
    Head,
    Http1Connection,
    PoolTimedOut,
    request_event,
)

# Requests a client may send again on a new connection when a kept-alive one turns out to have
# been closed by the server as the request left (Go's net/http does the same for these).
_REPLAYABLE = frozenset({"GET", "HEAD", "OPTIONS"})


class ConnectionPool:
    def __init__(self, server: str, ssl_context: ssl.SSLContext | None, *, limit: int,
                 keep_idle: int) -> None:
        parts = urlsplit(server)
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._netloc = parts.netloc  # for the Host header, as the URL names the server
        self._ssl = ssl_context if parts.scheme == "https" else None
        self._limit = limit
        self._keep_idle = keep_idle
        self._loop = asyncio.get_running_loop()
        self._idle: list[Http1Connection] = []
        self._open = 0  # connections that exist or are being opened
        self._busy: set[Http1Connection] = set()
        self._waiters: deque[asyncio.Future[Http1Connection | None]] = deque()
        self._closed = False

    async def request(self, method: str, target: str, headers: list[tuple[str, str]],
                      body: bytes, *, connect_timeout: float, read_timeout: float | None,
                      pool_timeout: float) -> Answer:
        """Send one request; the answer once its head has arrived. Raises ``UpstreamError``."""
        event = request_event(method, target, self._netloc, headers, body)
        for attempt in (1, 2):
            connection = await self._acquire(connect_timeout, pool_timeout)
            reused = connection.reused
            try:
                connection.send_request(event, body)
                head = await connection.read_head(method, read_timeout)
            except ConnectionLost:
                self._give_back(connection, reusable=False)
                if attempt == 1 and reused and method in _REPLAYABLE and not body:
                    continue  # the server closed it as we wrote: once more, on a new one
                raise
            except BaseException:  # a timeout, a bad answer, or this request cancelled
                self._give_back(connection, reusable=False)
                raise
            return Answer(self, connection, head, read_timeout)
        raise AssertionError("unreachable")  # the second attempt returned or raised

    async def aclose(self) -> None:
        """Close every connection (the server that owns this loop stops)."""
        self._closed = True
        for connection in self._idle:
            connection.close()
        for connection in self._busy:
            connection.abort()
        self._idle.clear()
        self._busy.clear()

    # -- connections ----------------------------------------------------------------------------

    async def _acquire(self, connect_timeout: float, pool_timeout: float) -> Http1Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                self._busy.add(connection)
                return connection
            connection.abort()
            self._open -= 1
        if self._open < self._limit:
            self._open += 1
            return await self._connect(connect_timeout)
        handed = await self._wait(pool_timeout)
        if handed is not None:
            if handed.usable:
                self._busy.add(handed)
                return handed
            handed.abort()  # closed by the server since: its place is ours for a new one
        return await self._connect(connect_timeout)

    async def _connect(self, timeout: float) -> Http1Connection:
        """A new connection in a place already counted in ``_open``."""
        connection = Http1Connection(self._loop)
        try:
            await asyncio.wait_for(self._loop.create_connection(
                lambda: connection, self._host, self._port, ssl=self._ssl,
                server_hostname=self._host if self._ssl is not None else None), timeout)
        except TimeoutError:
            self._free_place()
            raise ConnectTimedOut("the connection was not made in time") from None
        except (OSError, ValueError) as err:  # refused, unreachable, TLS (ssl.SSLError)
            self._free_place()
            raise ConnectFailed(str(err)) from err
        except BaseException:
            self._free_place()
            raise
        self._busy.add(connection)
        return connection

    def _give_back(self, connection: Http1Connection, *, reusable: bool,
                   complete: bool = False) -> None:
        """A connection done with: kept for the next request when ``reusable``; else closed
        (gracefully when its answer was ``complete``, at once when not)."""
        self._busy.discard(connection)
        if reusable and not self._closed and connection.usable:
            connection.reused = True
            waiter = self._next_waiter()
            if waiter is not None:
                waiter.set_result(connection)
                return
            if len(self._idle) < self._keep_idle:
                self._idle.append(connection)
                return
            connection.close()
        elif complete:
            connection.close()
        else:
            connection.abort()
        self._free_place()

    def _free_place(self) -> None:
        waiter = self._next_waiter()
        if waiter is not None:
            waiter.set_result(None)  # the place passes to a waiting request, for a new connection
        else:
            self._open -= 1

    def _next_waiter(self) -> asyncio.Future[Http1Connection | None] | None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # else it timed out or its request was cancelled
                return waiter
        return None

    async def _wait(self, timeout: float) -> Http1Connection | None:
        """A connection handed over by a request done with it, or None: a place for a new one."""
        waiter: asyncio.Future[Http1Connection | None] = self._loop.create_future()
        self._waiters.append(waiter)
        timer = self._loop.call_later(timeout, _give_up, waiter)
        try:
            return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                # Handed over just as this request was cancelled: pass it on.
                handed = waiter.result()
                if handed is None:
                    self._free_place()
                else:
                    self._busy.add(handed)
                    self._give_back(handed, reusable=True)
            raise
        finally:
            timer.cancel()


def _give_up(waiter: asyncio.Future[Http1Connection | None]) -> None:
    if not waiter.done():
        waiter.set_exception(PoolTimedOut("no connection came free in time"))


class Answer:
    """An answer whose head has arrived: status, reason, headers (lower-cased names), and its
    body, read whole (``read``) or as it arrives (``async for``; ``aiter_raw`` for the same).
    ``aclose`` at any point gives the connection back; closing twice is harmless."""

    __slots__ = ("status", "reason", "headers", "length", "_pool", "_connection", "_head",
                 "_state", "_timeout", "_finished")

    def __init__(self, pool: ConnectionPool, connection: Http1Connection, head: Head,
                 timeout: float | None) -> None:
        self.status = head.status
        self.reason = head.reason
        self.headers = head.headers
        self.length = head.length  # None when chunked or ended by the close
        self._pool = pool
        self._connection = connection
        self._head = head
        self._state = BodyState()
        self._timeout = timeout
        self._finished = False

    async def read(self, limit: int) -> bytes:
        """The body whole, then closed; a body longer than ``limit`` is cut a little past it."""
        try:
            return await self._connection.read_whole(self._head, self._state, self._timeout,
                                                     limit)
        finally:
            self._finish()

    def aiter_raw(self) -> Answer:
        return self

    def __aiter__(self) -> Answer:
        return self

    async def __anext__(self) -> bytes:
        if self._finished:
            raise StopAsyncIteration
        try:
            piece = await self._connection.read_chunk(self._head, self._state, self._timeout)
        except BaseException:
            self._finish()
            raise
        if not piece:
            self._finish()
            raise StopAsyncIteration
        return piece

    async def aclose(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        complete = self._state.done
        self._pool._give_back(self._connection,  # noqa: SLF001 - the pool's own answer
                              reusable=complete and self._head.keep_alive, complete=complete)
