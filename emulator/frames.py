"""A cluster's answers relayed unchanged to a served client (Starlette), by the gateway and by
the standalone apiserver alike.

- HTTP: every header but the hop's own, a repeated one (several ``Warning``s) kept repeated, and
  a streamed body streamed. A streamed body is always closed once the response is over: sent to
  the end, abandoned by a client that went away (Starlette then stops sending, wherever it was),
  or failed. For the remote backend, closing gives the connection to the apiserver back.
- WebSocket messages between the socket and a ``StreamSession``: binary stays binary, text stays
  text, and an empty message stays an empty message.
"""

from __future__ import annotations

from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from emulator.cluster.backend import ClusterResponse, Message, StreamSession

# Headers of the cluster's answer that describe the hop, not the content.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


class _RelayedStream(StreamingResponse):
    """A streamed body that is closed when the response is over, however it ended.

    Starlette stops iterating the body when the client goes away, but does not close it: when it
    stops while sending a chunk, the body is left suspended, and it is only closed whenever the
    garbage collector finds it (with the remote backend, its connection stays out of the pool
    until then); a body never started has nothing to close at all unless it says how
    (``aclose``, as ``RelayedBody`` does)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await close_stream(self.body_iterator)


async def close_stream(stream: object) -> None:
    """Close a streamed body that has an ``aclose`` (async generators and ``RelayedBody`` do),
    read or not; others have nothing to give back."""
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()


def http_response(answer: ClusterResponse) -> Response:
    if answer.stream is not None:
        response: Response = _RelayedStream(answer.stream, status_code=answer.status)
    else:
        response = Response(answer.body, status_code=answer.status)
    for name, value in answer.headers:
        if name.lower() not in _HOP_BY_HOP:
            response.headers.append(name, value)
    return response


async def client_to_session(websocket: WebSocket, session: StreamSession) -> None:
    """Every message the client sends, into the session, until the client disconnects."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes")
        await session.send(data if data is not None else message.get("text") or "")


async def send(websocket: WebSocket, message: Message) -> None:
    """One message to the client, as the frame type it arrived as."""
    if isinstance(message, bytes):
        await websocket.send_bytes(message)
    else:
        await websocket.send_text(message)
