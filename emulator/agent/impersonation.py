"""How the Connect Agent re-issues a caller's request inside the cluster.

The caller's Google token is dropped and never reaches the apiserver; the agent authenticates as
itself and names the caller in ``Impersonate-User`` (and each Google group in ``Impersonate-Group``),
which the apiserver then checks against the agent's ``impersonate`` RBAC.
"""

from __future__ import annotations

from collections.abc import Iterable

from emulator.cluster.backend import ClusterRequest

# Hop-by-hop and caller-identity headers that must not cross the agent.
_DROPPED = {
    "authorization", "connection", "keep-alive", "proxy-authorization", "proxy-connection", "te",
    "trailer", "transfer-encoding", "upgrade", "host", "content-length",
}


def is_impersonation_header(name: str) -> bool:
    return name.lower().startswith("impersonate-")


def as_agent(method: str, path: str, query_string: str, headers: Iterable[tuple[str, str]],
             body: bytes, *, principal: str, groups: Iterable[str], agent_token: str) -> ClusterRequest:
    kept = [(k.lower(), v) for k, v in headers
            if k.lower() not in _DROPPED and not is_impersonation_header(k)]
    identity = [("authorization", f"Bearer {agent_token}"), ("impersonate-user", principal)]
    identity += [("impersonate-group", group) for group in groups]
    return ClusterRequest(method, path, query_string, tuple(kept + identity), body)
