"""The one state object: the world a scenario describes, live.

It is passed in (``create_app(state)``), never global, so two emulators can share a process. One
lock guards swaps of the world; each mock cluster guards its own store.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulator import messages
from emulator.agent.install import CONTAINER as AGENT_CONTAINER
from emulator.agent.install import NAMESPACE as AGENT_NAMESPACE
from emulator.agent.install import AgentIdentity, gke_transport, install_agent
from emulator.agent.log import AgentLog
from emulator.audit import AuditLog
from emulator.clock import Clock, SystemClock
from emulator.cluster.mock import container
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.status import KubeError
from emulator.faults import NO_FAULTS, Faults
from emulator.gateway.quota import RequestRate, StreamQuota
from emulator.iam.policy import IamMode, IamPolicy, UnknownRole
from emulator.scenario.loader import ScenarioError
from emulator.scenario.model import (
    MembershipSpec,
    Principal,
    PrincipalKind,
    Scenario,
    SeedObject,
    StreamLimits,
)


@dataclass
class Membership:
    spec: MembershipSpec
    cluster: MockApiserver
    # Who the gateway's requests arrive as inside the cluster (the Connect Agent, for attached).
    transport: AgentIdentity
    connected: bool
    agent_log: AgentLog


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
                 stream_timeout: float | None = None) -> None:
        """``active_streams`` and ``stream_timeout`` override the scenario's limits (serve flags)."""
        self.clock: Clock = clock or SystemClock()
        self.iam_mode = iam_mode
        self.audit = AuditLog()
        self._lock = threading.RLock()
        self._world = build_world(scenario, self.clock)
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
        world = build_world(scenario, self.clock)  # build outside the lock: it may fail
        with self._lock:
            self._world = world
        self.quota.limit = self._effective_quota(scenario)
        self.audit.clear()

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


def build_world(scenario: Scenario, clock: Clock) -> World:
    memberships = {spec.name: _build_membership(scenario, spec, clock)
                   for spec in scenario.memberships}
    tokens = {p.token: p for p in scenario.principals if p.token}
    try:
        iam = IamPolicy(scenario)
    except UnknownRole as err:
        raise ScenarioError(f"{scenario.path}: {err}") from None
    principals = {p.email: p for p in scenario.principals}
    return World(scenario, memberships, tokens, iam, principals=principals)


def _build_membership(scenario: Scenario, spec: MembershipSpec, clock: Clock) -> Membership:
    cluster = MockApiserver(spec.name, spec.kubernetes_version, clock)
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
    agent_log = AgentLog(clock.now, _pod_log_sink(cluster, transport))
    if spec.agent_installed:
        agent_log.info(messages.AGENT_LOG_STARTED.format(project=scenario.project_id))
    return Membership(spec, cluster, transport, spec.connected, agent_log)


def _container_key(target: str) -> tuple[str, str, str]:
    namespace, pod, name = target.split("/")
    return namespace, pod, name


def _pod_log_sink(cluster: MockApiserver, transport: AgentIdentity) -> Callable[[str], None] | None:
    pod = transport.pod
    if pod is None:
        return None  # GKE clusters have no agent pod; the lines stay with the control API
    return lambda line: cluster.logs.append(AGENT_NAMESPACE, pod, AGENT_CONTAINER, line)


def _seed(scenario: Scenario, spec: MembershipSpec, cluster: MockApiserver, seed: SeedObject) -> None:
    try:
        cluster.seed(seed.manifest)
    except KubeError as err:
        raise ScenarioError(messages.SCENARIO_OBJECT_REJECTED.format(
            path=scenario.path, line=seed.line, membership=spec.name, reason=err.message)) from None
