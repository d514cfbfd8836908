"""The world a scenario describes, as typed values (loaded and checked by ``scenario.loader``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from emulator.cluster.mock.controllers.settings import ControllerSettings

# attached: a cluster registered to the fleet (Connect Agent, memberships/); gke: GKE on Google
# Cloud (gkeMemberships/); aws, azure: GKE on AWS / on Azure (Connect Agent, memberships/).
ClusterType = Literal["attached", "gke", "aws", "azure"]
PrincipalKind = Literal["user", "serviceAccount"]
TRACKS = ("v1", "v1beta1", "v1alpha1")


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    email: str
    token: str | None
    # When the token stops being accepted (an expired OAuth token); None: never.
    token_expires: datetime | None = None

    @property
    def member(self) -> str:
        """IAM member string, e.g. ``user:alice@example.com``."""
        return f"{self.kind}:{self.email}"


@dataclass(frozen=True)
class GoogleGroup:
    email: str
    # IAM member strings: user:…, serviceAccount:…, group:… (a nested group)
    members: tuple[str, ...]


@dataclass(frozen=True)
class CustomRole:
    name: str  # projects/PROJECT/roles/ID
    permissions: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class IamBinding:
    role: str
    members: tuple[str, ...]
    # "" for the project; "serviceAccount:EMAIL" for a binding on a service account.
    resource: str = ""


@dataclass(frozen=True)
class SeedObject:
    manifest: dict[str, Any]
    line: int  # where it stands in the scenario file, for errors while seeding


@dataclass(frozen=True)
class ScriptedAnswer:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0


@dataclass(frozen=True)
class StreamLimits:
    active_streams: int = 10  # per fleet host project (the product page)
    requests_per_minute: int = 2400  # per fleet host project (the quotas page)
    # None: each session's limit is drawn between 5 and 10 minutes, as the page describes.
    stream_timeout_seconds: float | None = None


AgentCredentialsName = Literal["kubeconfig", "service-account"]


@dataclass(frozen=True)
class RemoteSpec:
    """A membership whose cluster is a real apiserver, reached through a kubeconfig."""

    kubeconfig: Path
    context: str | None = None
    # How the agent authenticates: the kubeconfig's own credentials, or the agent's service
    # account (gke-connect/connect-agent-sa) through TokenRequest.
    agent_credentials: AgentCredentialsName = "kubeconfig"

    @classmethod
    def from_flag(cls, text: str, agent_credentials: AgentCredentialsName = "kubeconfig"
                  ) -> tuple[str, RemoteSpec]:
        """``MEMBERSHIP=KUBECONFIG[:CONTEXT]``, as ``serve --cluster`` and the pytest plugin's
        ``--connect-gateway-cluster`` take it; a colon belongs to the path when the path exists.
        ValueError when the text is not of that form."""
        name, equals, rest = text.partition("=")
        if not equals or not name or not rest:
            raise ValueError(text)
        path, colon, context = rest.rpartition(":")
        if not colon or Path(rest).expanduser().is_file():
            return name, cls(Path(rest).expanduser(), None, agent_credentials)
        return name, cls(Path(path).expanduser(), context or None, agent_credentials)


@dataclass(frozen=True)
class MulticloudSpec:
    """The membership's cluster as the GKE Multi-Cloud API (gkemulticloud) knows it: an
    ``awsClusters`` / ``azureClusters`` resource for GKE on AWS / on Azure, an
    ``attachedClusters`` one for an attached cluster registered through that API."""

    location: str  # the Google Cloud region that manages it, e.g. us-east4
    node_pools: tuple[str, ...] = ()  # AWS and Azure clusters only


@dataclass(frozen=True)
class MembershipSpec:
    name: str
    location: str
    cluster_type: ClusterType
    kubernetes_version: str
    connected: bool
    agent_installed: bool
    objects: tuple[SeedObject, ...] = ()
    # "namespace/pod/container" -> log lines
    pod_logs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # "namespace/pod/container" -> {path: text} seeded into that container's fake filesystem
    pod_files: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    # "namespace/pod/container" -> {command line: canned answer} for commands the shell lacks
    scripted: tuple[tuple[str, tuple[tuple[str, ScriptedAnswer], ...]], ...] = ()
    line: int = 0
    remote: RemoteSpec | None = None  # None: the embedded mock apiserver
    # Its gkemulticloud cluster: always for aws and azure, optional for attached, never for gke.
    multicloud: MulticloudSpec | None = None
    # kube's controllers in its embedded cluster: on, at once, no image failing, by default.
    controllers: ControllerSettings = field(default_factory=ControllerSettings)

    @property
    def seeds_anything(self) -> bool:
        return bool(self.objects or self.pod_logs or self.pod_files or self.scripted)

    @property
    def collection(self) -> str:
        """The gateway URL's collection: GKE clusters use ``gkeMemberships``."""
        return "gkeMemberships" if self.cluster_type == "gke" else "memberships"


@dataclass(frozen=True)
class Expectation:
    """A scenario's own claim about what a real client prints in its world."""

    run: tuple[str, ...]  # the command, e.g. ("kubectl", "get", "ns")
    principal: str
    membership: str
    track: str = "v1"
    env: tuple[tuple[str, str], ...] = ()
    # Commands run first with the same HOME (e.g. to fill kubectl's discovery cache), as `as`.
    before: tuple[tuple[str, ...], ...] = ()
    before_as: str = ""
    exit_code: int = 0
    stdout_contains: tuple[str, ...] = ()
    stderr_contains: tuple[str, ...] = ()
    error_id: str = ""  # the audit trail's id for the command's last request through the gateway
    # Replaces the gateway path in the kubeconfig's server URL (a hand-edited kubeconfig).
    server_path: str = ""
    line: int = 0


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path | None
    project_id: str
    project_number: str
    principals: tuple[Principal, ...]
    iam: tuple[IamBinding, ...]
    memberships: tuple[MembershipSpec, ...]
    cluster_objects: tuple[SeedObject, ...] = field(default=())
    description: str = ""
    groups: tuple[GoogleGroup, ...] = ()
    custom_roles: tuple[CustomRole, ...] = ()
    limits: StreamLimits = StreamLimits()
    expectations: tuple[Expectation, ...] = ()

    def membership(self, name: str) -> MembershipSpec | None:
        return next((m for m in self.memberships if m.name == name), None)

    def principal(self, email: str) -> Principal | None:
        return next((p for p in self.principals if p.email == email), None)
