"""The composition root: ``create_app(state)`` builds the one ASGI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from emulator import messages
from emulator.connections import BodyDrained, ClientLeft
from emulator.realhosts.hosts import GoogleHosts
from emulator.routes import routes
from emulator.state import EmulatorState

log = logging.getLogger(__name__)


def create_app(state: EmulatorState) -> Starlette:
    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        # Connections to remote apiservers belong to this server's event loop: close them with it.
        for remote in state.remote_clusters():
            await remote.aclose()

    app = Starlette(routes=routes(state), lifespan=lifespan,
                    # GoogleHosts: a Google host reached through the real-host proxy whose API is
                    # not emulated gets Google's error before any route sees it (inside
                    # BodyDrained, so the body of such a request is drained too).
                    middleware=[Middleware(ClientLeft), Middleware(BodyDrained),
                                Middleware(GoogleHosts)],
                    exception_handlers={Exception: _server_error})  # type: ignore[dict-item]
    app.state.emulator = state
    return app


async def _server_error(request: Request, error: Exception) -> Response:
    """A bug in the emulator: logged with its traceback (the pytest plugin fails the test that
    caused it), answered like Google's front end answers its own failures."""
    log.error(messages.APP_INTERNAL_ERROR.format(method=request.method, path=request.url.path),
              exc_info=error)
    return HTMLResponse(messages.GFE_500_PAGE, status_code=500)
