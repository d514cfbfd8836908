"""Faults injected through the control API, per membership: what the agent's hop does wrong.

They exist so a client's retry, timeout and error paths can be tested against a world that
misbehaves on purpose. The gateway consults them at two hooks only (``gateway.pipeline`` right
before the cluster is called, ``gateway.streams`` while relaying), and a reset or a new scenario
forgets them: they live in the world.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from emulator import messages
from emulator.audit import AuditRecord
from emulator.cluster.backend import ClusterResponse
from emulator.cluster.mock.wire import gojson
from emulator.cluster.mock.wire.status import REASONS, status_body


@dataclass(frozen=True)
class Faults:
    latency_ms: int = 0  # added before each plain request reaches the cluster
    # A 5xx the cluster answers every plain request with (as a Kubernetes Status); None: off.
    cluster_status: int | None = None
    # A stream is cut, like a failing agent, once this many bytes went to the client; None: off.
    drop_stream_after_bytes: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.latency_ms) or self.cluster_status is not None or (
            self.drop_stream_after_bytes is not None)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe_request_faults(self) -> str:
        """What applies to a plain request, for its audit record ("" when nothing does)."""
        parts = []
        if self.latency_ms:
            parts.append(messages.FAULT_NOTE_LATENCY.format(ms=self.latency_ms))
        if self.cluster_status is not None:
            parts.append(messages.FAULT_NOTE_CLUSTER_STATUS.format(status=self.cluster_status))
        return ", ".join(parts)


NO_FAULTS = Faults()


async def before_cluster(faults: Faults, record: AuditRecord) -> ClusterResponse | None:
    """The hook right before a plain request reaches the cluster: wait out the injected latency,
    then answer the injected status in the cluster's place (None: call the cluster as usual)."""
    record.fault = faults.describe_request_faults()
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    if faults.cluster_status is None:
        return None
    code = faults.cluster_status
    record.explanation = messages.AUDIT_FAULT_CLUSTER_STATUS.format(status=code)
    body = status_body(code, REASONS.get(code, "InternalError"),
                       messages.FAULT_CLUSTER_STATUS.format(status=code))
    return ClusterResponse(code, [("content-type", "application/json")], gojson.encode(body))
