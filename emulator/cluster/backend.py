"""The cluster hop's seam: what the Connect Agent sends to an apiserver and what comes back.

Two implementations sit behind it: the embedded mock (``cluster.mock``) and a remote apiserver
reached through a kubeconfig (``cluster.remote``). The agent only ever speaks these types, so the same gateway
and contract tests run against either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class ClusterRequest:
    method: str
    path: str  # the Kubernetes path, always starting with "/"
    query_string: str = ""
    # Lower-cased header names; repeated headers (Impersonate-Group) stay separate entries.
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k == name]


@dataclass
class ClusterResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # Set for bodies that arrive over time (watch, logs -f); ``body`` is then unused.
    stream: AsyncIterator[bytes] | None = None

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "content-type"), "")


@dataclass(frozen=True)
class ClusterDecision:
    """What the apiserver decided about one request, found by its ``Audit-Id`` response header.

    ``stage`` is where the decision was made: authentication, impersonation or authorization.
    """

    audit_id: str
    user: str  # the effective user (the impersonated one when impersonation succeeded)
    impersonated_by: str  # the authenticated caller when it impersonated someone, else ""
    stage: str
    allowed: bool
    reason: str


class ClusterUnreachable(Exception):
    """The apiserver could not be asked at all (refused, TLS, timeout, lost, 5xx): ``cause`` is
    the one line the Connect Agent logs about it."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


# A WebSocket message as it crosses a hop: binary stays bytes, text stays str (empty ones too).
Message = bytes | str


class StreamSession(Protocol):
    """An upgraded streaming connection (exec, attach) to the cluster, as the agent holds it."""

    @property
    def subprotocol(self) -> str: ...

    @property
    def close_code(self) -> int | None:
        """Set once the cluster side has closed: 1000 for a normal end."""
        ...

    async def send(self, message: Message) -> None:
        """Client → cluster."""
        ...

    async def receive(self) -> Message | None:
        """Cluster → client; None once the cluster side has closed."""
        ...

    async def close(self) -> None:
        """The client went away: end the session (its process, if any, is stopped)."""
        ...


class ClusterBackend(Protocol):
    """An apiserver as the Connect Agent sees it."""

    @property
    def kubernetes_version(self) -> str: ...

    async def handle(self, request: ClusterRequest) -> ClusterResponse:
        """The apiserver's answer; raises ``ClusterUnreachable`` when there is none."""
        ...

    def decision(self, audit_id: str) -> ClusterDecision | None:
        """The authorization story of an earlier request, when the backend can tell it."""
        ...

    async def open_stream(self, request: ClusterRequest,
                          subprotocols: list[str]) -> StreamSession | ClusterResponse:
        """Upgrade ``request`` to a WebSocket session, or say why not (the non-101 answer);
        raises ``ClusterUnreachable`` when the apiserver cannot be reached."""
        ...
