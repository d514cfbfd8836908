"""Google API errors (design §3.2): ``{"error": {"code", "message", "status", "details"}}``, the
shape gcloud decodes and prints as ``STATUS: message`` followed by the details as YAML; and the
reading of a request's JSON body, whose size and depth refusals are such errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator import limits, messages

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
RESOURCE_INFO = "type.googleapis.com/google.rpc.ResourceInfo"


@dataclass
class GoogleApiError(Exception):
    code: int
    status: str  # PERMISSION_DENIED, NOT_FOUND, UNAUTHENTICATED, INVALID_ARGUMENT
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def response(self) -> Response:
        body = {"error": {"code": self.code, "message": self.message, "status": self.status,
                          "details": self.details}}
        return Response(json.dumps(body), status_code=self.code,
                        media_type="application/json; charset=UTF-8")


def permission_denied(message: str, domain: str, permission: str, resource: str) -> GoogleApiError:
    return GoogleApiError(403, "PERMISSION_DENIED", message, [{
        "@type": ERROR_INFO, "reason": "IAM_PERMISSION_DENIED", "domain": domain,
        "metadata": {"permission": permission, "resource": resource}}])


def not_found(message: str, resource: str) -> GoogleApiError:
    return GoogleApiError(404, "NOT_FOUND", message, [{
        "@type": RESOURCE_INFO, "resourceName": resource}])


async def read_json(request: Request) -> Any:
    """The body's JSON (``{}`` when empty), read within Google's payload limit and refused past
    the nesting limit before it is parsed, both as INVALID_ARGUMENT. Any other unreadable body is
    a ValueError, which each API words itself."""
    try:
        raw = await limits.read_body(request, limits.GOOGLE_MAX_REQUEST_BODY_BYTES)
    except limits.BodyTooLarge as too_large:
        raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_PAYLOAD_TOO_LARGE.format(
            limit=too_large.limit)) from None
    try:
        return limits.json_loads(raw or b"{}")
    except limits.TooDeep as deep:
        raise GoogleApiError(400, "INVALID_ARGUMENT", messages.GOOGLE_INVALID_JSON.format(
            detail=deep)) from None
