"""Exec and attach to a remote apiserver: the agent's own WebSocket, opened with ``websockets``.

Frames cross as they are: binary stays binary, text stays text, empty messages stay, and the
apiserver's close code is what the gateway passes on. A refused upgrade comes back as the HTTP
answer (the gateway turns it into the agent-side failure); a connection that cannot be made at all
is ``ClusterUnreachable``.
"""

from __future__ import annotations

import ssl
from contextlib import suppress

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

from emulator import messages
from emulator.cluster.backend import ClusterResponse, ClusterUnreachable, Message
from emulator.cluster.remote import failures

ABNORMAL_CLOSURE = 1006  # the connection dropped without a close frame


class RemoteStream:
    """Implements ``StreamSession`` over a ``websockets`` client connection."""

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection
        self._close_code: int | None = None
        response = connection.response
        self.audit_id = response.headers.get("Audit-Id", "") if response is not None else ""

    @property
    def subprotocol(self) -> str:
        return self._connection.subprotocol or ""

    @property
    def close_code(self) -> int | None:
        return self._close_code

    async def send(self, message: Message) -> None:
        with suppress(ConnectionClosed):
            await self._connection.send(message)

    async def receive(self) -> Message | None:
        try:
            return await self._connection.recv()
        except ConnectionClosed as closed:
            received = closed.rcvd
            self._close_code = received.code if received is not None else ABNORMAL_CLOSURE
            return None

    async def close(self) -> None:
        await self._connection.close()


async def open_remote_stream(url: str, headers: list[tuple[str, str]], subprotocols: list[str],
                             ssl_context: ssl.SSLContext | None,
                             timeout: float) -> RemoteStream | ClusterResponse:
    try:
        connection = await connect(
            url, additional_headers=headers,
            subprotocols=[Subprotocol(p) for p in subprotocols] or None,
            ssl=ssl_context if url.startswith("wss") else None, open_timeout=timeout,
            # Exec sessions may be silent for minutes, and frames may be large (cp of big files):
            # no keep-alive pings that could end them, no size limit, no compression.
            ping_interval=None, max_size=None, compression=None, proxy=None,
            user_agent_header=None)
    except InvalidStatus as refused:
        answer = refused.response
        return ClusterResponse(answer.status_code,
                               [(k.lower(), v) for k, v in answer.headers.raw_items()],
                               bytes(answer.body or b""))
    except InvalidHandshake as err:
        raise ClusterUnreachable(messages.REMOTE_CAUSE_OTHER.format(detail=err)) from None
    except (OSError, TimeoutError) as err:
        raise ClusterUnreachable(failures.cause(err, url)) from None
    return RemoteStream(connection)
