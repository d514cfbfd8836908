"""Google API errors (design §3.2): ``{"error": {"code", "message", "status", "details"}}``, the
shape gcloud decodes and prints as ``STATUS: message`` followed by the details as YAML."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

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
