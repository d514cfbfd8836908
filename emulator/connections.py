"""How both servers (the gateway and the standalone apiserver) treat a client's HTTP connection,
as ASGI middleware around their Starlette apps:

- ``ClientLeft``: a client that leaves before its request is over is the client's doing, not a
  failure of the emulator;
- ``BodyDrained``: a request body the app did not read is read before the answer, so the
  connection can carry the client's next request.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator import messages
from emulator.limits import KUBE_MAX_REQUEST_BODY_BYTES

log = logging.getLogger("emulator.app")

# How much unread body is read before an answer (Go's net/http reads up to 256 KiB; the
# emulator's bodies are bounded anyway), and for how long at most.
DRAIN_BYTES = KUBE_MAX_REQUEST_BODY_BYTES
DRAIN_SECONDS = 2.0


class ClientLeft:
    """No traceback, no ERROR (which the pytest plugin would fail the test for), and no answer
    when the client has gone, since nobody is there to read it. Two ways show it:

    - reading the body: Starlette raises ``ClientDisconnect`` when the client closes the
      connection mid-body (a short body, a broken chunked encoding that Hypercorn refuses);
    - sending the answer: the server's ``send`` raises an ``OSError`` (the ASGI spec's signal
      that the connection is gone). Hypercorn raises ``ssl.SSLError``
      (APPLICATION_DATA_AFTER_CLOSE_NOTIFY) when it closes a TLS connection after an early answer,
      say a 401, while the client is still uploading its body.

    Both end the request here, noted at DEBUG. Other exceptions go on to the app's error
    handler. It sits inside Starlette's error middleware and outside its exception middleware,
    so it sees the send failure before the error handler would log it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_or_left(message: Message) -> None:
            try:
                await send(message)
            except OSError as error:
                raise ClientDisconnect() from error

        try:
            await self.app(scope, receive, send_or_left)
        except ClientDisconnect as left:
            cause = left.__cause__
            log.debug(messages.APP_CLIENT_LEFT.format(
                method=scope.get("method", ""), path=scope.get("path", ""),
                cause=f"{type(cause).__name__}: {cause}" if cause else "ClientDisconnect"))


class BodyDrained:
    """Many answers never read the body: a refusal (401, 403, 404, 413), the control API's reset.
    Hypercorn closes the connection when an answer ends before the request body has all
    arrived, and says nothing of it in the answer, so a client whose body came a little late (a
    large one, a loaded machine) found its next request on a dead connection ("server
    disconnected without sending a response"; Go retries only idempotent requests).

    So before an answer starts, the rest of a body whose Content-Length is at most DRAIN_BYTES is
    read, as Go's net/http reads a small unread body, for at most DRAIN_SECONDS. A larger or
    chunked body (a 413, an upload the answer refuses), or a client that waits for the answer
    before it sends its body, gets the answer at once and a closed connection, as before: a
    client mid-upload then sees the connection reset. ``Connection: close`` is no way out:
    Hypercorn then stops reading, and a client still sending would stall until TLS gives up."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not 0 < _declared_length(scope) <= DRAIN_BYTES:
            # No body, or one too large to read for nothing (a 413, a chunked upload): the
            # answer goes out at once, and Hypercorn closes the connection as it would.
            await self.app(scope, receive, send)
            return
        ended = asyncio.Event()

        async def watched() -> Message:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                ended.set()
            return message

        async def send_after_the_body(message: Message) -> None:
            if message["type"] == "http.response.start" and not ended.is_set():
                await _read_the_rest(watched, ended)
            await send(message)

        await self.app(scope, watched, send_after_the_body)


def _declared_length(scope: Scope) -> int:
    """The request's Content-Length; 0 when it has none (no body, or a chunked one) or a bad one."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _read_the_rest(receive: Receive, ended: asyncio.Event) -> None:
    """Read the unread body, within DRAIN_BYTES and DRAIN_SECONDS. Another reader (a streaming
    answer's disconnect listener) may take the last part first, so every wait also ends when
    ``ended`` is set."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_SECONDS
    read = 0
    while not ended.is_set() and read <= DRAIN_BYTES:
        reading = asyncio.ensure_future(receive())
        waiting = asyncio.ensure_future(ended.wait())
        done, _ = await asyncio.wait({reading, waiting}, timeout=max(deadline - loop.time(), 0),
                                     return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if reading not in done:
            reading.cancel()  # a queue's get gives nothing away when cancelled
            return
        try:
            read += len(reading.result().get("body", b""))
        except (ClientDisconnect, OSError):
            return
