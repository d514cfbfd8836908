"""The audit trail: for every gateway request, who asked, what each stage decided, and why.

A record is filled in stage by stage as the request travels (gateway → agent → cluster) and is
appended once the answer is known, whatever path the request took. ``serve`` prints each record
as one line; the control API and Python read the whole trail as JSON.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

log = logging.getLogger("emulator.audit")

NOT_REACHED = "not reached"
RECORDS_KEPT = 10_000


@dataclass
class AuditRecord:
    time: str
    method: str
    path: str  # the full request path, gateway prefix included
    principal: str = ""
    track: str = ""
    membership: str = ""
    k8s_path: str = ""
    iam_permission: str = ""
    iam_result: str = NOT_REACHED  # allowed | denied | allowed (log-only: would deny) | off
    iam_reason: str = ""
    impersonation: str = NOT_REACHED
    rbac_result: str = NOT_REACHED  # allowed | denied | unknown
    rbac_reason: str = ""
    quota: str = "not applicable"
    status: int = 0
    error_id: str = ""  # the design §4 catalogue id when the request failed at a known case
    explanation: str = ""
    groups: list[str] = field(default_factory=list)
    fault: str = ""  # the faults injected through the control API that acted on this request
    # The apiserver's Audit-Id for the request the agent sent: finds it in the cluster's audit log.
    cluster_audit_id: str = ""

    def line(self) -> str:
        """The one line ``serve`` prints per request."""
        who = self.principal or "-"
        where = f"{self.track} {self.membership}" if self.membership else "-"
        outcome = f"{self.status} {self.error_id}".rstrip()
        parts = [self.time, who, where, self.method, self.k8s_path or self.path,
                 f"iam={self.iam_permission or '-'}:{self.iam_result}",
                 f"rbac={self.rbac_result}", f"-> {outcome}"]
        if self.fault:
            parts.append(f"fault={self.fault}")
        if self.explanation:
            parts.append(f"({self.explanation})")
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class AuditLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: deque[AuditRecord] = deque(maxlen=RECORDS_KEPT)

    def add(self, record: AuditRecord) -> None:
        with self._lock:
            self._records.append(record)
        log.info("%s", record.line())

    def records(self) -> list[AuditRecord]:
        with self._lock:
            return list(self._records)

    def as_json(self) -> list[dict[str, Any]]:
        return [record.as_dict() for record in self.records()]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
