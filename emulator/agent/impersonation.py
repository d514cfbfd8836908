"""How the Connect Agent re-issues a caller's request inside the cluster.

The caller's Google token is dropped and never reaches the apiserver; the agent authenticates as
itself and names the caller in ``Impersonate-User`` (and each Google group in ``Impersonate-Group``),
which the apiserver then checks against the agent's ``impersonate`` RBAC.

Of the caller's own headers the agent carries only those a Kubernetes apiserver reads from a client
for the request itself (``FORWARDED_HEADERS``); the rest stays at the agent. An allowlist, not a
list of what to drop: a header the apiserver trusts for identity or provenance must never come
from the caller (``X-Remote-User`` and ``X-Remote-Group`` for the request-header authenticator,
``X-Forwarded-For`` for the audit log's source IPs), nor do cookies or headers that describe the
caller's own hop have any business in the cluster.
"""

from __future__ import annotations

from collections.abc import Iterable

from emulator.cluster.backend import ClusterRequest

# What kube-apiserver reads from a client's request, besides its identity:
# - content negotiation: Accept (``as=Table;g=meta.k8s.io;v=v1``, the aggregated-discovery lists,
#   protobuf) and Accept-Encoding (gzip'd answers);
# - what the body is: Content-Type (JSON, YAML, protobuf, the three patch types) and
#   Content-Encoding;
# - conditional GETs of the ETag'd OpenAPI and discovery documents: If-None-Match;
# - what the apiserver logs and counts: User-Agent, and kubectl's Kubectl-Command and
#   Kubectl-Session (KEP-859).
# Streams need nothing more: the WebSocket handshake headers (Sec-WebSocket-*, Upgrade,
# Connection) belong to each hop, and the subprotocols the caller offered travel beside the
# request (ClusterBackend.open_stream). Audit-ID is left out on purpose: kube-apiserver adopts a
# client's Audit-ID as its own, and the gateway finds what the apiserver decided by the Audit-Id
# it answers, which must be one per request.
FORWARDED_HEADERS = frozenset({
    "accept", "accept-encoding", "content-type", "content-encoding", "if-none-match",
    "user-agent", "kubectl-command", "kubectl-session",
})


def is_impersonation_header(name: str) -> bool:
    return name.lower().startswith("impersonate-")


def forwarded(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The caller's headers the agent carries to the apiserver, lower-cased, in their order
    (a repeated one stays repeated)."""
    return [(k.lower(), v) for k, v in headers if k.lower() in FORWARDED_HEADERS]


def as_agent(method: str, path: str, query_string: str, headers: Iterable[tuple[str, str]],
             body: bytes, *, principal: str, groups: Iterable[str], agent_token: str) -> ClusterRequest:
    identity = [("authorization", f"Bearer {agent_token}"), ("impersonate-user", principal)]
    identity += [("impersonate-group", group) for group in groups]
    return ClusterRequest(method, path, query_string, tuple(forwarded(headers) + identity), body)
