"""The standalone apiserver's audit log, in kube-apiserver's own format (``audit.k8s.io/v1``
``Event``, one JSON object per line), so tools that read a real audit log read this one.

Behind the gateway it shows the hop as a cluster admin would see it: ``user`` is the Connect
Agent's service account, ``impersonatedUser`` the Google principal it acted for.

The log is capped, as kube-apiserver's is with ``--audit-log-maxsize`` and
``--audit-log-maxbackup``: once the next event would take ``audit.log`` past
``AUDIT_LOG_MAX_BYTES`` (10 MiB, some 17,000 events at about 610 bytes each), the file becomes
``audit.log.1`` (replacing the one before) and a new ``audit.log`` starts, so the two files hold
at most 20 MiB and at least the newest 10 MiB of events. An event is never split between files.
The events kept in memory are capped at ``EVENTS_KEPT``, as the gateway's trail is.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from emulator import messages
from emulator.clock import rfc3339
from emulator.cluster.backend import ClusterDecision, ClusterRequest

log = logging.getLogger("emulator.standalone.audit")
EVENTS_KEPT = 10_000
AUDIT_LOG_MAX_BYTES = 10 * 1024 * 1024
BACKUP_SUFFIX = ".1"  # the one previous file kept: audit.log.1
_VERBS = {"GET": "get", "HEAD": "get", "POST": "create", "PUT": "update", "PATCH": "patch",
          "DELETE": "delete"}


@dataclass(frozen=True)
class AuditEvent:
    audit_id: str
    time: datetime
    verb: str
    request_uri: str
    user: str  # who authenticated
    impersonated_user: str  # "" without impersonation
    impersonated_groups: tuple[str, ...]
    code: int
    decision: str  # allow | forbid | "" (not reached)
    reason: str

    def line(self) -> str:
        """One line for the console: code, verb, URI, who, and for whom."""
        who = self.user + (f" as {self.impersonated_user}" if self.impersonated_user else "")
        return messages.APISERVER_AUDIT_LINE.format(code=self.code, verb=self.verb,
                                                    uri=self.request_uri, who=who)

    def as_dict(self) -> dict[str, Any]:
        event: dict[str, Any] = {
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
            "auditID": self.audit_id, "stage": "ResponseComplete",
            "requestURI": self.request_uri, "verb": self.verb,
            "user": {"username": self.user},
            "responseStatus": {"metadata": {}, "code": self.code},
            "requestReceivedTimestamp": rfc3339(self.time),
            "stageTimestamp": rfc3339(self.time),
        }
        if self.impersonated_user:
            event["impersonatedUser"] = {"username": self.impersonated_user,
                                         "groups": list(self.impersonated_groups)}
        if self.decision:
            event["annotations"] = {"authorization.k8s.io/decision": self.decision,
                                    "authorization.k8s.io/reason": self.reason}
        return event


def event_for(request: ClusterRequest, code: int, decision: ClusterDecision | None,
              now: datetime, audit_id: str) -> AuditEvent:
    query = f"?{request.query_string}" if request.query_string else ""
    verb = _VERBS.get(request.method, request.method.lower())
    if request.method == "GET" and ("watch", "true") in request.query:
        verb = "watch"
    user, impersonated = "", ""
    if decision is not None:
        user = decision.impersonated_by or decision.user
        impersonated = decision.user if decision.impersonated_by else ""
        if decision.stage == "impersonation":
            impersonated = request.header("impersonate-user") or ""
    reached = decision is not None and decision.stage == "authorization"
    return AuditEvent(
        audit_id, now, verb, request.path + query, user or "system:anonymous", impersonated,
        tuple(request.header_values("impersonate-group")) if impersonated else (), code,
        ("allow" if decision.allowed else "forbid") if reached and decision else "",
        decision.reason if decision is not None else "")


class AuditTrail:
    """Events kept in memory (newest last) and, with a path, appended to a JSON-lines file that is
    rotated once it would pass ``max_bytes`` (see the module docstring)."""

    def __init__(self, path: Path | None = None, max_bytes: int = AUDIT_LOG_MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._events: list[AuditEvent] = []
        self._file: TextIO | None = None
        self._size = 0  # bytes in the current file, counted here rather than asked of the disk
        if path is not None:
            self._open(path)

    def _open(self, path: Path) -> None:
        # Opened once, line-buffered: every event is on disk when add() returns, without an
        # open and close per request. Appending to a log left by an earlier run counts it too.
        self._file = path.open("a", encoding="utf-8", buffering=1)
        self._size = path.stat().st_size

    def add(self, event: AuditEvent) -> None:
        if log.isEnabledFor(logging.INFO):  # the line is built only for someone who prints it
            log.info(event.line())
        with self._lock:
            self._events.append(event)
            del self._events[:-EVENTS_KEPT]
            if self._file is not None:
                line = json.dumps(event.as_dict()) + "\n"
                size = len(line.encode("utf-8"))
                if self._size and self._size + size > self.max_bytes:
                    self._rotate()
                self._file.write(line)
                self._size += size

    def _rotate(self) -> None:
        assert self._file is not None and self.path is not None
        self._file.close()
        self.path.replace(self.path.with_name(self.path.name + BACKUP_SUFFIX))
        self._open(self.path)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def events(self) -> list[AuditEvent]:
        with self._lock:
            return list(self._events)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
