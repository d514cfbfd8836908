"""What ``GET /_emulator/world`` shows: the live world as JSON, secrets only when asked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator.clock import rfc3339
from emulator.scenario.model import Principal
from emulator.state import EmulatorState, Membership


def world(state: EmulatorState, *, tokens: bool) -> dict[str, Any]:
    current = state.world
    scenario = current.scenario
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "project": {"id": scenario.project_id, "number": scenario.project_number},
        "iam_mode": state.iam_mode.value,
        "memberships": [membership(m) for m in current.memberships.values()],
        "principals": [principal(p, tokens=tokens) for p in current.principals.values()],
        "groups": [{"group": email, "members": list(members)}
                   for email, members in current.iam.groups().items()],
        # A revoke can leave a binding without members; it grants nothing, so it is not shown.
        "iam": [{"role": b.role, "members": list(b.members), "resource": b.resource}
                for b in current.iam.bindings() if b.members],
        "limits": limits(state),
        "active_streams": state.quota.active(scenario.project_number),
        "faults": {name: faults.as_dict() for name, faults in current.faults.items()},
    }


def membership(member: Membership) -> dict[str, Any]:
    spec = member.spec
    view: dict[str, Any] = {
        "name": spec.name, "location": spec.location, "type": spec.cluster_type,
        "collection": spec.collection, "kubernetes_version": spec.kubernetes_version,
        "connected": member.connected, "agent_installed": spec.agent_installed,
        "cluster": {"backend": "embedded"},
        # Its cluster in the GKE Multi-Cloud API (gcloud container aws|azure|attached).
        "multicloud": None if spec.multicloud is None else {
            "location": spec.multicloud.location, "node_pools": list(spec.multicloud.node_pools)}}
    remote = member.remote  # an embedded cluster is not built to be described
    if remote is not None:
        # Where the agent's hop goes and as whom; never the credentials themselves.
        view["cluster"] = {"backend": "remote", "server": remote.upstream.server,
                           "context": remote.upstream.context,
                           "agent_identity": remote.identity()}
    return view


def principal(who: Principal, *, tokens: bool) -> dict[str, Any]:
    view: dict[str, Any] = {"kind": who.kind, "email": who.email}
    if tokens:
        view["token"] = who.token
        view["token_expires"] = time(who.token_expires) if who.token_expires else None
    return view


def limits(state: EmulatorState) -> dict[str, Any]:
    current = state.limits()
    return {"active_streams": current.active_streams,
            "stream_timeout_seconds": current.stream_timeout_seconds}


def time(moment: datetime) -> str:
    return rfc3339(moment)
