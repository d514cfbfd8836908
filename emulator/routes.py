"""The URL table: which handler serves which path. Handlers live beside their hop."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.control import routes as control
from emulator.gateway import pipeline
from emulator.state import EmulatorState

HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def routes(state: EmulatorState) -> list[Route]:
    async def gateway(request: Request) -> Response:
        return await pipeline.handle(request, state)

    # Every other path goes through the gateway's own router, which answers Google's HTML 404
    # for anything that is not a gateway URL.
    return [*control.routes(state), Route("/{path:path}", gateway, methods=HTTP_METHODS)]
