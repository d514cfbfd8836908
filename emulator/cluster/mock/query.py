"""Query parameters the mock understands, per verb; anything else is refused, never ignored.

kube-apiserver silently drops parameters it does not know. An emulator that did the same would let
a client believe a filter or option took effect, so an unknown or unsupported parameter is a 400
that names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from emulator import messages
from emulator.cluster.mock.wire.status import KubeError

# Accepted everywhere: kubectl adds `timeout` to discovery, `pretty` only changes formatting.
INT64_MAX = 2**63 - 1
_COMMON = {"timeout", "pretty"}
_WRITE = {"dryRun", "fieldManager", "fieldValidation"}
ALLOWED: dict[str, set[str]] = {
    "get": _COMMON | {"resourceVersion"},
    "list": _COMMON | {"labelSelector", "fieldSelector", "limit", "continue", "resourceVersion",
                       "resourceVersionMatch", "watch", "allowWatchBookmarks", "timeoutSeconds",
                       "includeObject"},
    "create": _COMMON | _WRITE,
    "update": _COMMON | _WRITE,
    "patch": _COMMON | _WRITE | {"force"},
    "delete": _COMMON | {"dryRun", "gracePeriodSeconds", "propagationPolicy", "orphanDependents"},
    "deletecollection": _COMMON | {"dryRun", "gracePeriodSeconds", "propagationPolicy",
                                   "orphanDependents", "labelSelector", "fieldSelector"},
    "exec": _COMMON | {"command", "container", "stdin", "stdout", "stderr", "tty"},
    "log": _COMMON | {"container", "follow", "tailLines", "timestamps", "sinceSeconds", "sinceTime",
                      "limitBytes", "previous", "insecureSkipTLSVerifyBackend"},
}
# Parameters we accept by name but whose non-default values the mock cannot honour.
UNSUPPORTED_VALUES: dict[str, set[str]] = {
    "resourceVersionMatch": {"Exact"},
}
FIELD_VALIDATION = {"Ignore", "Warn", "Strict"}


@dataclass(frozen=True)
class Query:
    pairs: tuple[tuple[str, str], ...]

    def get(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.pairs if k == name), default)

    def flag(self, name: str) -> bool:
        return (self.get(name) or "").lower() in {"true", "1"}

    def int(self, name: str) -> int | None:
        raw = self.get(name)
        if raw in (None, ""):
            return None
        try:
            value = int(raw)
        except ValueError:
            raise KubeError(400, messages.K8S_INVALID_INTEGER.format(name=name, value=raw)) from None
        # kube parses these as int64: a number past its range is as malformed as a word.
        if not 0 <= value <= INT64_MAX:
            raise KubeError(400, messages.K8S_INVALID_INTEGER.format(name=name, value=raw))
        return value

    @property
    def field_validation(self) -> str:
        """Strict, Warn or Ignore; without the parameter (or empty) kube 1.25+ warns."""
        return self.get("fieldValidation") or "Warn"

    @property
    def dry_run(self) -> bool:
        value = self.get("dryRun")
        if value is None:
            return False
        if value != "All":
            raise KubeError(400, messages.K8S_INVALID_DRY_RUN.format(value=value))
        return True


def checked(pairs: Iterable[tuple[str, str]], verb: str) -> Query:
    query = Query(tuple(pairs))
    allowed = ALLOWED.get(verb, _COMMON)
    for name, value in query.pairs:
        if name not in allowed:
            raise KubeError(400, messages.K8S_UNSUPPORTED_PARAMETER.format(name=name, value=value))
        if value in UNSUPPORTED_VALUES.get(name, set()):
            raise KubeError(400, messages.K8S_UNSUPPORTED_PARAMETER.format(name=name, value=value))
    validation = query.get("fieldValidation")
    if validation and validation not in FIELD_VALIDATION:
        raise KubeError(400, messages.K8S_INVALID_FIELD_VALIDATION.format(value=validation))
    return query
