"""A cluster's answers relayed unchanged to a served client (Starlette), by the gateway and by
the standalone apiserver alike.

- HTTP: every header but the hop's own, a repeated one (several ``Warning``s) kept repeated, and
  a streamed body streamed.
- WebSocket messages between the socket and a ``StreamSession``: binary stays binary, text stays
  text, and an empty message stays an empty message.
"""

from __future__ import annotations

from starlette.responses import Response, StreamingResponse
from starlette.websockets import WebSocket

from emulator.cluster.backend import ClusterResponse, Message, StreamSession

# Headers of the cluster's answer that describe the hop, not the content.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


def http_response(answer: ClusterResponse) -> Response:
    if answer.stream is not None:
        response: Response = StreamingResponse(answer.stream, status_code=answer.status)
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
