"""Stage 2: the bearer token → the Google principal it belongs to."""

from __future__ import annotations

from emulator import messages
from emulator.errors import GatewayError
from emulator.scenario.model import Principal
from emulator.state import EmulatorState


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def authenticate(state: EmulatorState, authorization: str | None) -> Principal:
    token = bearer_token(authorization)
    principal = state.principal_for_token(token) if token else None
    if principal is None:
        raise GatewayError(401, "Unauthorized", messages.UNAUTHENTICATED)
    return principal
