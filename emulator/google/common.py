"""What every Google API handler needs: the caller, and IAM checks that answer like Google's."""

from __future__ import annotations

from starlette.requests import Request

from emulator import messages
from emulator.gateway.auth import bearer_token
from emulator.google.errors import GoogleApiError, permission_denied
from emulator.scenario.model import Principal
from emulator.state import EmulatorState


def caller(state: EmulatorState, request: Request) -> Principal:
    token = bearer_token(request.headers.get("authorization"))
    principal = state.principal_for_token(token) if token else None
    if principal is None:
        raise GoogleApiError(401, "UNAUTHENTICATED", messages.GOOGLE_UNAUTHENTICATED, [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED" if token else "CREDENTIALS_MISSING",
            "domain": "googleapis.com"}])
    if principal.token_expires is not None and state.clock.now() >= principal.token_expires:
        raise GoogleApiError(401, "UNAUTHENTICATED", messages.GOOGLE_UNAUTHENTICATED, [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "ACCESS_TOKEN_EXPIRED", "domain": "googleapis.com"}])
    return principal


def require(state: EmulatorState, principal: Principal, permission: str, resource: str,
            domain: str, iam_resource: str = "") -> None:
    """Refuse with Google's PERMISSION_DENIED unless IAM grants ``permission``."""
    if not state.iam.check(principal, permission, iam_resource).allowed:
        raise permission_denied(messages.GOOGLE_PERMISSION_DENIED.format(
            permission=permission, resource=resource), domain, permission, resource)
