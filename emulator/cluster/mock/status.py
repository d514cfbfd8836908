"""Kubernetes ``Status`` errors raised inside the mock apiserver.

Every failure of the mock is a ``KubeError``; the apiserver turns it into the ``kind: Status`` body a
real kube-apiserver sends, so kubectl prints ``Error from server (<Reason>): <message>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator import messages

# HTTP code -> the StatusReason kube-apiserver uses for it.
REASONS: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "AlreadyExists",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


@dataclass
class KubeError(Exception):
    code: int
    message: str
    reason: str = ""
    details: dict[str, Any] | None = None  # None: no details at all; {}: present and empty

    def __post_init__(self) -> None:
        if not self.reason:
            self.reason = REASONS.get(self.code, "Unknown")
        super().__init__(self.message)

    def status(self) -> dict[str, Any]:
        return status_body(self.code, self.reason, self.message, self.details)


def status_body(code: int, reason: str, message: str,
                details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


def success_status(details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Success"}
    if details:
        body["details"] = details
    return body


def bad_request(message: str) -> KubeError:
    return KubeError(400, message)


def not_found(message: str, kind: str = "", name: str = "", group: str = "") -> KubeError:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if kind:
        details["kind"] = kind
    return KubeError(404, message, details=details or None)


def path_not_found() -> KubeError:
    """kube-apiserver's 404 for a URL no route serves. Unlike a missing object's, its ``details``
    is there and empty, and kubectl relies on that: ``kubectl debug`` reads it to tell a missing
    subresource from a missing pod, and crashes when it is absent."""
    return KubeError(404, messages.K8S_PATH_NOT_FOUND, details={})
