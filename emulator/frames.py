"""WebSocket messages between a served socket (Starlette) and a ``StreamSession``, unchanged.

The gateway's relay and the standalone apiserver's both move frames this way: binary stays
binary, text stays text, and an empty message stays an empty message.
"""

from __future__ import annotations

from starlette.websockets import WebSocket

from emulator.cluster.backend import Message, StreamSession


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
