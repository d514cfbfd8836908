"""The URL table: which handler serves which path. Handlers live beside their hop."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route, WebSocketRoute
from starlette.types import Scope
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
    # for anything that is not a gateway URL. That catch-all is tried first and declines the
    # control API's paths: a gateway request was matched against the control API's seventeen
    # patterns before, on every request.
    return [_OutsideControl("/{path:path}", gateway, methods=HTTP_METHODS),
            *control.routes(state), WebSocketRoute("/{path:path}", stream)]


class _OutsideControl(Route):
    """A route for every HTTP path but the control API's (``/_emulator`` and under it)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        # The path as Starlette matched it, without its leading slash (the ``path`` parameter).
        matched = child.get("path_params", {}).get("path", "")
        control_prefix = control.PREFIX.lstrip("/")
        if match is not Match.NONE and (matched == control_prefix
                                        or matched.startswith(control_prefix + "/")):
            return Match.NONE, {}
        return match, child
