"""The URL table: which handler serves which path. Handlers live beside their hop."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from emulator.control import routes as control
from emulator.gateway import pipeline, streams
from emulator.google import router as google_router
from emulator.state import EmulatorState

HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def routes(state: EmulatorState) -> list[Route | WebSocketRoute]:
    async def gateway(request: Request) -> Response:
        # The Google control-plane APIs gcloud calls share the host; the rest is the gateway's.
        answer = await google_router.dispatch(request, state)
        return answer if answer is not None else await pipeline.handle(request, state)

    async def stream(websocket: WebSocket) -> None:
        await streams.handle_websocket(websocket, state)

    # Every other path goes through the gateway's own router, which answers Google's HTML 404
    # for anything that is not a gateway URL.
    return [*control.routes(state), Route("/{path:path}", gateway, methods=HTTP_METHODS),
            WebSocketRoute("/{path:path}", stream)]
