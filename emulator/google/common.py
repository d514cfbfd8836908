"""What every Google API handler needs: the caller, and IAM checks that answer like Google's."""

from __future__ import annotations

import base64
from typing import Any

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


def page(request: Request, items: list[dict[str, Any]], field: str) -> dict[str, Any]:
    """A list answer: ``{field: [...]}`` from ``pageToken`` on, ``pageSize`` long (all when it
    is absent or 0), with ``nextPageToken`` while more remain."""
    start = _decode_page(request.query_params.get("pageToken"))
    size = _page_size(request.query_params.get("pageSize"))
    body: dict[str, Any] = {field: items[start:start + size] if size else items[start:]}
    if size and start + size < len(items):
        body["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return body


def _decode_page(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except ValueError:
        raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_BAD_ARGUMENT.format(
            detail="pageToken")) from None


def _page_size(raw: str | None) -> int:
    if raw is None:
        return 0
    try:
        size = int(raw)
    except ValueError:
        size = -1
    if size < 0:
        raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_BAD_ARGUMENT.format(
            detail="pageSize"))
    return size
