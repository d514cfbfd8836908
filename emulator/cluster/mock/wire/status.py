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


# metav1.Status and its parts, field by field in Go's declaration order; every field but
# ``metadata`` is omitempty, and Go writes an omitempty struct pointer (``details``) whenever it is
# set, empty or not. ``status_body`` applies both rules, so a Status is byte for byte kube's once
# ``gojson.encode`` writes it.
_DETAILS_ORDER = ("name", "group", "kind", "uid", "causes", "retryAfterSeconds")
_CAUSE_ORDER = ("reason", "message", "field")


def status_body(code: int, reason: str, message: str,
                details: dict[str, Any] | None = None, *,
                status: str = "Failure") -> dict[str, Any]:
    """A ``kind: Status`` as kube-apiserver writes it (kind, apiVersion, metadata, status, message,
    reason, details, code). ``details`` None leaves it out; ``{}`` writes ``"details":{}``."""
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}}
    for key, value in (("status", status), ("message", message), ("reason", reason)):
        if value:
            body[key] = value
    if details is not None:
        body["details"] = _go_ordered(details, _DETAILS_ORDER)
    if code:
        body["code"] = code
    return body


def success_status(details: dict[str, Any] | None = None) -> dict[str, Any]:
    """kube's Success Status (a delete's answer: no message, reason or code)."""
    return status_body(0, "", "", details or None, status="Success")


def _go_ordered(fields: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """``fields`` in ``order`` without the empty ones (omitempty); causes likewise."""
    out: dict[str, Any] = {}
    for key in order:
        value = fields.get(key)
        if value is None or value == "" or value == 0 or value == []:
            continue
        if key == "causes":
            value = [_go_ordered(cause, _CAUSE_ORDER) for cause in value]
        out[key] = value
    return out


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


def method_not_allowed() -> KubeError:
    """kube-apiserver's 405 for a method no route of the path takes (go-restful's service error,
    rendered by NewGenericServerResponse): like ``path_not_found``, ``details`` is there, empty."""
    return KubeError(405, messages.K8S_METHOD_NOT_ALLOWED, details={})
