"""The standalone apiserver's ASGI app: HTTP requests and WebSocket upgrades to one mock cluster.

It is the network face of ``MockApiserver``: each request becomes a ``ClusterRequest`` exactly as
the gateway's agent builds one, the answer is sent as it arrives (watches, ``logs -f``), and exec
and attach sessions relay WebSocket frames unchanged. Every request leaves an audit event.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Scope
from starlette.websockets import WebSocket, WebSocketDisconnect

from emulator import frames
from emulator.connections import BodyDrained, ClientLeft
from emulator.cluster.backend import ClusterRequest, ClusterResponse, StreamSession
from emulator.limits import KUBE_MAX_REQUEST_BODY_BYTES, read_capped
from emulator.standalone.audit import event_for

if TYPE_CHECKING:  # the server module serves this app, so it imports this one
    from emulator.standalone.server import StandaloneApiserver

NORMAL_CLOSURE = 1000
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_apiserver_app(server: StandaloneApiserver) -> Starlette:
    async def http(request: Request) -> Response:
        # At most one byte past kube's limit is read: the mock refuses such a body itself (413),
        # after authentication and authorization, as kube-apiserver does.
        cluster_request = ClusterRequest(request.method, request.url.path, request.url.query,
                                         _headers(request.scope),
                                         await read_capped(request, KUBE_MAX_REQUEST_BODY_BYTES))
        cluster = server.cluster
        answer = await cluster.handle(cluster_request)
        _audit(server, cluster_request, answer.status, answer)
        return frames.http_response(answer)

    async def websocket(socket: WebSocket) -> None:
        cluster_request = ClusterRequest("GET", socket.url.path, socket.url.query,
                                         _headers(socket.scope))
        offered = list(socket.scope.get("subprotocols") or [])
        opened = await server.cluster.open_stream(cluster_request, offered)
        if isinstance(opened, ClusterResponse):
            _audit(server, cluster_request, opened.status, opened)
            await socket.send_denial_response(frames.http_response(opened))
            return
        audit_id = getattr(opened, "audit_id", "")
        server.audit.add(event_for(cluster_request, 101, server.cluster.decision(audit_id),
                                   server.clock.now(), audit_id))
        # The Audit-Id travels on the 101, as kube-apiserver sends it.
        await socket.accept(subprotocol=opened.subprotocol or None,
                            headers=[(b"audit-id", audit_id.encode())])
        await _relay(socket, opened)

    return Starlette(routes=[Route("/{path:path}", http, methods=METHODS),
                             WebSocketRoute("/{path:path}", websocket)],
                     middleware=[Middleware(ClientLeft), Middleware(BodyDrained)])


def _headers(scope: Scope) -> tuple[tuple[str, str], ...]:
    """ASGI's raw headers as the mock reads them: lower-cased, repeated ones kept apart."""
    return tuple((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"])


def _audit(server: StandaloneApiserver, request: ClusterRequest, code: int,
           answer: ClusterResponse) -> None:
    audit_id = next((v for k, v in answer.headers if k == "audit-id"), "")
    server.audit.add(event_for(request, code, server.cluster.decision(audit_id),
                               server.clock.now(), audit_id))


async def _relay(socket: WebSocket, session: StreamSession) -> None:
    async def from_cluster() -> None:
        while (message := await session.receive()) is not None:
            await frames.send(socket, message)

    client = asyncio.create_task(frames.client_to_session(socket, session))
    cluster = asyncio.create_task(from_cluster())
    try:
        done, _ = await asyncio.wait({client, cluster}, return_when=asyncio.FIRST_COMPLETED)
        if cluster in done:
            with suppress(WebSocketDisconnect, RuntimeError):
                await socket.close(code=session.close_code or NORMAL_CLOSURE)
        else:
            await session.close()
    finally:
        for task in (client, cluster):
            task.cancel()
        await asyncio.gather(client, cluster, return_exceptions=True)
