"""The one state object: the world a scenario describes, live.

It is passed in (``create_app(state)``), never global, so two emulators can share a process. One
lock guards swaps of the world; each mock cluster guards its own store.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulator import messages, process_memory
from emulator.agent.install import CONTAINER as AGENT_CONTAINER
from emulator.agent.install import NAMESPACE as AGENT_NAMESPACE
from emulator.agent.install import SERVICE_ACCOUNT as AGENT_SERVICE_ACCOUNT
from emulator.agent.install import AgentIdentity, gke_transport, install_agent
from emulator.agent.log import AgentLog
from emulator.audit import AuditLog
from emulator.clock import Clock, SystemClock
from emulator.cluster.backend import ClusterBackend
from emulator.cluster.mock.node import container
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.auth.identity import UserInfo
from emulator.cluster.remote.backend import AgentCredentials, RemoteCluster, ServiceAccountRef
from emulator.cluster.remote.upstream import UpstreamConfigError
from emulator.cluster.remote import upstream as remote_upstream
from emulator.cluster.mock.wire.status import KubeError
from emulator.faults import NO_FAULTS, Faults
from emulator.images import ClusterImages, ScenarioImages
from emulator.gateway.quota import RequestRate, StreamQuota
from emulator.iam.policy import IamMode, IamPolicy, UnknownRole
from emulator.scenario.loader import ScenarioError
from emulator.scenario.model import (
    MembershipSpec,
    Principal,
    PrincipalKind,
    RemoteSpec,
    Scenario,
    SeedObject,
    StreamLimits,
)


# A replaced world whose clusters held more objects than this gives its memory back to the
# operating system at once (``process_memory.give_back``), rather than keeping the heap's pages.
GIVE_BACK_AFTER_OBJECTS = 10_000


class Membership:
    """One membership of a world and the cluster behind it.

    An embedded cluster is built (or restored from its image) when something first needs it, not
    with the world: a test that talks to one cluster of a scenario of five pays for one, and a
    world nobody sends a cluster request to costs next to nothing to reset.
    """

    def __init__(self, spec: MembershipSpec, connected: bool, agent_log: AgentLog | None = None,
                 *, now: Callable[[], datetime] | None = None,
                 cluster: ClusterBackend | None = None, transport: AgentIdentity | None = None,
                 build: Callable[[], tuple[MockApiserver, AgentIdentity]] | None = None) -> None:
        """Without ``agent_log``, one on ``now`` whose lines go to the agent pod's log."""
        self.spec = spec
        self.connected = connected
        assert agent_log is not None or now is not None
        self.agent_log = agent_log or AgentLog(now, self.agent_pod_log)  # type: ignore[arg-type]
        self._cluster = cluster
        self._transport = transport
        self._build = build
        self._lock = threading.Lock()

    @property
    def cluster(self) -> ClusterBackend:
        """A MockApiserver, or a RemoteCluster for a kubeconfig: membership."""
        return self._built()[0]

    @property
    def transport(self) -> AgentIdentity:
        """Who the gateway's requests arrive as inside the cluster (the Connect Agent, for
        attached clusters)."""
        return self._built()[1]

    @property
    def remote(self) -> RemoteCluster | None:
        """The remote backend, without building anything."""
        return self._cluster if isinstance(self._cluster, RemoteCluster) else None

    @property
    def embedded(self) -> MockApiserver | None:
        """The embedded cluster if it was built; None otherwise (nothing is built)."""
        return self._cluster if isinstance(self._cluster, MockApiserver) else None

    def _built(self) -> tuple[ClusterBackend, AgentIdentity]:
        with self._lock:
            if self._cluster is None:
                assert self._build is not None
                cluster, self._transport = self._build()
                # What the agent logged before its pod existed goes to that pod's log now.
                self._cluster = cluster
                for line in self.agent_log.lines():
                    self._to_pod_log(line)
            assert self._transport is not None
            return self._cluster, self._transport

    def agent_pod_log(self, line: str) -> None:
        """The agent log's sink: the line goes to the agent pod's log once the cluster exists
        (until then ``agent_log`` keeps it, and the build writes it)."""
        with self._lock:
            if self._cluster is not None:
                self._to_pod_log(line)

    def _to_pod_log(self, line: str) -> None:
        if isinstance(self._cluster, MockApiserver) and self._transport is not None and (
                self._transport.pod is not None):
            self._cluster.logs.append(AGENT_NAMESPACE, self._transport.pod, AGENT_CONTAINER,
                                      line)


@dataclass(frozen=True)
class World:
    scenario: Scenario
    memberships: dict[str, Membership]
    tokens: dict[str, Principal]
    iam: IamPolicy
    minted: dict[str, Principal] = field(default_factory=dict)
    # Requests per minute per fleet host project; a new world starts a new window.
    rate: RequestRate = field(default_factory=RequestRate)
    # email -> principal: the scenario's, plus any the control API added to this world.
    principals: dict[str, Principal] = field(default_factory=dict)
    # membership name -> the faults injected through the control API (none by default).
    faults: dict[str, Faults] = field(default_factory=dict)


@dataclass(frozen=True)
class TimeoutOverride:
    """A stream session limit that wins over the scenario's."""

    seconds: float | None  # None: drawn between 5 and 10 minutes for each stream


class DuplicatePrincipal(ValueError):
    """The email or token already belongs to a principal of the world."""


class EmulatorState:
    def __init__(self, scenario: Scenario, clock: Clock | None = None,
                 iam_mode: IamMode = IamMode.ENFORCE, active_streams: int | None = None,
                 stream_timeout: float | None = None,
                 clusters: dict[str, RemoteSpec] | None = None) -> None:
        """``active_streams`` and ``stream_timeout`` override the scenario's limits, and
        ``clusters`` puts real apiservers behind memberships of that name (serve flags)."""
        self.clock: Clock = clock or SystemClock()
        self.iam_mode = iam_mode
        self.audit = AuditLog()
        self._lock = threading.RLock()
        self._clusters = dict(clusters or {})
        # Remote backends outlive world resets: a kubeconfig is read (and an exec plugin run)
        # once, and a TokenRequest token is reused until it is due for renewal.
        self._remotes = RemoteClusters(self.clock)
        # Each scenario's clusters are built once and restored from their images after that.
        self._images = ClusterImages.for_clock(self.clock)
        self._world = self._build(scenario)
        self._quota_override = active_streams
        self._timeout_override = (TimeoutOverride(stream_timeout) if stream_timeout is not None
                                  else None)
        # What the serve flags said, for restore_limits() after the control API changed them.
        self._flag_overrides = (self._quota_override, self._timeout_override)
        # Live streams outlast a reset, so the count lives here, not in the world.
        self.quota = StreamQuota(self._effective_quota(scenario))
        # The serving certificate's CA, written into the kubeconfigs generateCredentials returns;
        # set by whoever serves this state (runner.serve_emulator).
        self.ca_pem = b""

    @property
    def world(self) -> World:
        with self._lock:
            return self._world

    @property
    def scenario(self) -> Scenario:
        return self.world.scenario

    @property
    def iam(self) -> IamPolicy:
        return self.world.iam

    def load(self, scenario: Scenario) -> None:
        world = self._build(scenario)  # outside the lock: it may fail, and the old world stays
        with self._lock:
            old, self._world = self._world, world
            del world
            big = objects_held(old) > GIVE_BACK_AFTER_OBJECTS
            if big:  # the lock is held until the new world is final: readers wait
                close_world(old)
                del old
                self._give_back(scenario)
        if not big:
            close_world(old)
        self.quota.limit = self._effective_quota(scenario)
        self.audit.clear()

    def _give_back(self, scenario: Scenario) -> None:
        """Once a big world is replaced (and its last reference dropped), its memory goes back
        to the operating system, and the new world of ``scenario`` is made again if it can be.

        Made while the old world filled the heap, the new world's few thousand objects sit one or
        two to a page of the heap (pymalloc's 1 MiB arenas), and each such page would outlive the
        old world (after 10,000 pods, about 10 MiB of them). Made again when nothing of it is
        built at once, it cannot fail (the same scenario was just made) and costs next to
        nothing. The caller holds the lock, so nobody has seen the world made first."""
        again = self._made_lazily(scenario)
        if again:
            close_world(self._world)
            del self._world
        # A cluster's parts refer to each other (listeners, controllers): the cycle collector
        # frees them, and then the heap can be trimmed.
        gc.collect()
        process_memory.give_back()
        if again:
            self._world = self._build(scenario)

    def _made_lazily(self, scenario: Scenario) -> bool:
        """Whether a world of ``scenario`` builds none of its clusters when it is made (each
        seeded one has its image)."""
        kept = self._images.of(scenario)
        return not any(_builds_at_once(scenario, spec, kept)
                       for spec in with_clusters(scenario, self._clusters).memberships)

    def _build(self, scenario: Scenario) -> World:
        """The scenario's world. Its images are found by the scenario as loaded, before
        ``serve --cluster`` replaces memberships (which makes a new ``Scenario`` each time)."""
        images, kept = self._images, self._images.of(scenario)

        def current() -> ScenarioImages:
            # A state whose clock has moved since has images of its own: a cluster it builds
            # then must not go into the ones it shared. Otherwise the images looked up once,
            # now: looking them up makes them the newest, which must not push out the others'
            # while this world's clusters are built.
            return kept if self._images is images else self._images.of(scenario)

        return build_world(with_clusters(scenario, self._clusters), self.clock, self._remotes,
                           current)

    def remote_clusters(self) -> list[RemoteCluster]:
        """Every remote backend built so far (they outlive worlds)."""
        return self._remotes.all()

    def set_clusters(self, clusters: dict[str, RemoteSpec]) -> None:
        """Which memberships front real apiservers from the next load on (serve's --cluster)."""
        self._clusters = dict(clusters)

    def configure(self, *, iam_mode: IamMode | None = None, active_streams: int | None = None,
                  stream_timeout: float | None = None) -> None:
        """What ``serve``'s flags (or a pytest marker) set: they win over the scenario's limits.
        ``None`` hands a limit back to the scenario."""
        if iam_mode is not None:
            self.iam_mode = iam_mode
        self._quota_override = active_streams
        self._timeout_override = (TimeoutOverride(stream_timeout) if stream_timeout is not None
                                  else None)
        # These are the flags now: restore_limits() (control API) comes back to them.
        self._flag_overrides = (self._quota_override, self._timeout_override)
        self.quota.limit = self._effective_quota(self.scenario)

    def _effective_quota(self, scenario: Scenario) -> int:
        return (self._quota_override if self._quota_override is not None
                else scenario.limits.active_streams)

    def stream_timeout(self) -> float:
        """This stream's session limit: the override, the scenario's, or 5 to 10 minutes."""
        configured = self.limits().stream_timeout_seconds
        return configured if configured is not None else random.uniform(300.0, 600.0)

    # -- limits: overrides win over the scenario until restore_limits() or a restart ------------

    def limits(self) -> StreamLimits:
        """The stream limits in force (a timeout of None: drawn per stream)."""
        timeout = (self._timeout_override.seconds if self._timeout_override is not None
                   else self.scenario.limits.stream_timeout_seconds)
        return StreamLimits(active_streams=self.quota.limit,
                            requests_per_minute=self.scenario.limits.requests_per_minute,
                            stream_timeout_seconds=timeout)

    def set_active_streams(self, limit: int) -> None:
        self._quota_override = limit
        self.quota.limit = limit

    def set_stream_timeout(self, seconds: float | None) -> None:
        """``None``: each stream's limit is drawn between 5 and 10 minutes, as by default."""
        self._timeout_override = TimeoutOverride(seconds)

    def restore_limits(self) -> None:
        """Back to the serve flags, or else the scenario's limits."""
        self._quota_override, self._timeout_override = self._flag_overrides
        self.quota.limit = self._effective_quota(self.scenario)

    def reset(self) -> None:
        self.load(self.scenario)

    def principal_for_token(self, token: str) -> Principal | None:
        world = self.world
        return world.tokens.get(token) or world.minted.get(token)

    def principal(self, email: str) -> Principal | None:
        return self.world.principals.get(email)

    def add_principal(self, kind: PrincipalKind, email: str, token: str | None = None,
                      expires: datetime | None = None) -> Principal:
        """A new principal of the live world, with ``token`` or a ``ya29.fake-NAME`` one."""
        with self._lock:
            world = self._world
            if email in world.principals:
                raise DuplicatePrincipal(messages.CONTROL_DUPLICATE_PRINCIPAL.format(email=email))
            if token is not None and token in world.tokens:
                raise DuplicatePrincipal(messages.CONTROL_DUPLICATE_TOKEN.format(
                    email=world.tokens[token].email))
            token = token or _free_token(world, email)
            principal = Principal(kind, email, token, expires)
            world.principals[email] = principal
            world.tokens[token] = principal
        return principal

    def mint_token(self, principal: Principal, lifetime: timedelta) -> tuple[str, datetime]:
        """A short-lived token that acts as ``principal`` (IAM Credentials' generateAccessToken).
        Minted tokens end with the world: a reset forgets them."""
        expires = self.clock.now() + lifetime
        token = f"ya29.minted-{secrets.token_urlsafe(24)}"
        minted = Principal(principal.kind, principal.email, token, expires)
        with self._lock:
            self._world.minted[token] = minted
        return token, expires

    def membership(self, name: str) -> Membership | None:
        return self.world.memberships.get(name)

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward (control API): token expiry, quota windows, ages,
        CronJob schedules and back-offs all follow it. What is now due in the embedded clusters
        happens at once (a cluster not built yet has nothing due)."""
        self.clock.advance(seconds)
        if self._images.shared:
            # Its time is no longer the others': what it builds from now on is its own.
            self._images = ClusterImages()
        for membership in self.world.memberships.values():
            if membership.embedded is not None:
                membership.embedded.controllers.clock_moved()

    # -- faults (control API): part of the world, so reset and load forget them --------------------

    def faults_for(self, membership: str) -> Faults:
        return self.world.faults.get(membership, NO_FAULTS)

    def set_faults(self, membership: str, faults: Faults) -> None:
        with self._lock:
            if faults.active:
                self._world.faults[membership] = faults
            else:
                self._world.faults.pop(membership, None)

    def clear_faults(self) -> None:
        with self._lock:
            self._world.faults.clear()


def _free_token(world: World, email: str) -> str:
    """``ya29.fake-LOCALPART``, as the scenarios name tokens, made unique if it is taken."""
    base = f"ya29.fake-{email.partition('@')[0]}"
    token, suffix = base, 1
    while token in world.tokens:
        suffix += 1
        token = f"{base}-{suffix}"
    return token


class RemoteClusters:
    """The remote backends of a state, one per membership and kubeconfig, built on first use."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._built: dict[tuple[str, RemoteSpec], RemoteCluster] = {}

    def get(self, scenario: Scenario, spec: MembershipSpec, remote: RemoteSpec) -> RemoteCluster:
        key = (spec.name, remote)
        if key not in self._built:
            try:
                upstream = remote_upstream.load(remote.kubeconfig, remote.context)
            except UpstreamConfigError as err:
                raise ScenarioError(messages.SCENARIO_REMOTE_UNUSABLE.format(
                    path=scenario.path, membership=spec.name, reason=err)) from None
            self._built[key] = RemoteCluster(
                spec.name, upstream, AgentCredentials(remote.agent_credentials),
                ServiceAccountRef(AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT),
                spec.kubernetes_version, self._clock.now)
        return self._built[key]

    def all(self) -> list[RemoteCluster]:
        return list(self._built.values())


def with_clusters(scenario: Scenario, clusters: dict[str, RemoteSpec]) -> Scenario:
    """The scenario with ``serve --cluster`` applied: those memberships front real apiservers.
    Their seeds stay in the scenario but are not applied (``skipped_seeds`` says which)."""
    if not clusters:
        return scenario
    unknown = sorted(set(clusters) - {m.name for m in scenario.memberships})
    if unknown:
        raise ScenarioError(messages.SCENARIO_UNKNOWN_CLUSTER_MEMBERSHIP.format(
            path=scenario.path, names=", ".join(unknown),
            known=", ".join(m.name for m in scenario.memberships)))
    memberships = tuple(dataclasses.replace(m, remote=clusters[m.name]) if m.name in clusters
                        else m for m in scenario.memberships)
    return dataclasses.replace(scenario, memberships=memberships)


def skipped_seeds(scenario: Scenario, spec: MembershipSpec) -> bool:
    """Whether the scenario seeds things a remote membership's cluster does not get."""
    return spec.remote is not None and bool(scenario.cluster_objects or spec.seeds_anything)


def build_world(scenario: Scenario, clock: Clock, remotes: RemoteClusters | None = None,
                images: Callable[[], ScenarioImages] | None = None) -> World:
    """The world ``scenario`` describes; its embedded clusters are built on first use, from the
    images ``images()`` gives then, where an earlier world of the same scenario left one."""
    remotes = remotes or RemoteClusters(clock)
    own = ScenarioImages()
    kept = images or (lambda: own)
    memberships = {spec.name: _build_membership(scenario, spec, clock, remotes, kept)
                   for spec in scenario.memberships}
    tokens = {p.token: p for p in scenario.principals if p.token}
    try:
        iam = IamPolicy(scenario)
    except UnknownRole as err:
        raise ScenarioError(f"{scenario.path}: {err}") from None
    principals = {p.email: p for p in scenario.principals}
    return World(scenario, memberships, tokens, iam, principals=principals)


def close_world(world: World) -> None:
    """Stop what the embedded clusters of a replaced world still run (controller timers and
    container processes); their objects go with the world."""
    for membership in world.memberships.values():
        if membership.embedded is not None:
            membership.embedded.close()


def objects_held(world: World) -> int:
    """How many objects the world's built embedded clusters hold."""
    return sum(m.embedded.store.count for m in world.memberships.values()
               if m.embedded is not None)


def _build_membership(scenario: Scenario, spec: MembershipSpec, clock: Clock,
                      remotes: RemoteClusters, kept: Callable[[], ScenarioImages]) -> Membership:
    if spec.remote is not None:
        return _remote_membership(scenario, spec, clock, remotes.get(scenario, spec, spec.remote))
    return _mock_membership(scenario, spec, clock, kept)


def _remote_membership(scenario: Scenario, spec: MembershipSpec, clock: Clock,
                       remote: RemoteCluster) -> Membership:
    # The backend holds the agent's credentials; the gateway only names who it acts as.
    agent = (remote.agent.user if remote.credentials is AgentCredentials.SERVICE_ACCOUNT
             else remote.identity())
    agent_log = AgentLog(clock.now)  # no agent pod to write to: the control API serves it
    if spec.agent_installed:
        agent_log.info(messages.AGENT_LOG_STARTED.format(project=scenario.project_id))
    return Membership(spec, spec.connected, agent_log, cluster=remote,
                      transport=AgentIdentity(UserInfo(agent), "", None))


def _mock_membership(scenario: Scenario, spec: MembershipSpec, clock: Clock,
                     kept: Callable[[], ScenarioImages]) -> Membership:
    def build() -> tuple[MockApiserver, AgentIdentity]:
        images = kept()
        found = images.get(spec.name)
        if found is not None:
            image, transport = found
            return MockApiserver(spec.name, spec.kubernetes_version, clock,
                                 settings=spec.controllers, image=image), transport
        cluster, transport = build_mock_cluster(scenario, spec, clock)
        image = cluster.image()
        if image is not None:
            images.put(spec.name, image, transport)
        return cluster, transport

    membership = Membership(spec, spec.connected, now=clock.now, build=build)
    if spec.agent_installed:
        membership.agent_log.info(messages.AGENT_LOG_STARTED.format(project=scenario.project_id))
    if _builds_at_once(scenario, spec, kept()):
        membership.cluster  # noqa: B018 - built now, not on first use
    return membership


def _builds_at_once(scenario: Scenario, spec: MembershipSpec, kept: ScenarioImages) -> bool:
    """Seeds the cluster may refuse: the first world of a scenario builds the cluster at once, so
    a mistake is the scenario's error when it is loaded, not a failing request later."""
    return (spec.remote is None and kept.get(spec.name) is None
            and bool(scenario.cluster_objects or spec.objects))


def build_mock_membership(scenario: Scenario, spec: MembershipSpec, clock: Clock) -> Membership:
    """A membership on the embedded mock, built now and seeded as the scenario says (what the
    standalone ``apiserver`` command serves)."""
    own = ScenarioImages()
    membership = _mock_membership(scenario, spec, clock, lambda: own)
    membership.cluster  # noqa: B018 - built now, not on first use
    return membership


def build_mock_cluster(scenario: Scenario, spec: MembershipSpec,
                       clock: Clock) -> tuple[MockApiserver, AgentIdentity]:
    """A membership's embedded cluster, seeded as the scenario says, and who the gateway's
    requests arrive as inside it."""
    cluster = MockApiserver(spec.name, spec.kubernetes_version, clock, settings=spec.controllers)
    transport = (install_agent(cluster, scenario.project_id) if spec.agent_installed
                 else gke_transport(cluster))
    for seed in scenario.cluster_objects + spec.objects:
        _seed(scenario, spec, cluster, seed)
    for log_key, lines in spec.pod_logs:
        namespace, pod, container_name = log_key.split("/")
        for line in lines:
            cluster.logs.append(namespace, pod, container_name, line)
    for target, files in spec.pod_files:
        cluster.pod_files[_container_key(target)] = dict(files)
    for target, answers in spec.scripted:
        cluster.scripted[_container_key(target)] = {
            command: container.Scripted(a.stdout, a.stderr, a.exit_code) for command, a in answers}
    return cluster, transport


def _container_key(target: str) -> tuple[str, str, str]:
    namespace, pod, name = target.split("/")
    return namespace, pod, name


def _seed(scenario: Scenario, spec: MembershipSpec, cluster: MockApiserver, seed: SeedObject) -> None:
    try:
        cluster.seed(seed.manifest)
    except KubeError as err:
        raise ScenarioError(messages.SCENARIO_OBJECT_REJECTED.format(
            path=scenario.path, line=seed.line, membership=spec.name, reason=err.message)) from None
