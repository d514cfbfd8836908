"""The composition root: ``create_app(state)`` builds the one ASGI application."""

from __future__ import annotations

from starlette.applications import Starlette

from emulator.routes import routes
from emulator.state import EmulatorState


def create_app(state: EmulatorState) -> Starlette:
    app = Starlette(routes=routes(state))
    app.state.emulator = state
    return app
