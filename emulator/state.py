"""The one state object: the world a scenario describes, live.

It is passed in (``create_app(state)``), never global, so two emulators can share a process. One
lock guards swaps of the world; each mock cluster guards its own store.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
import secrets
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
from emulator.gateway.quota import StreamQuota
from emulator.iam.policy import IamMode, IamPolicy, UnknownRole
from emulator.scenario.loader import ScenarioError
from emulator.scenario.model import MembershipSpec, Principal, Scenario, SeedObject


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
        self._timeout_override = stream_timeout
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

    def _effective_quota(self, scenario: Scenario) -> int:
        return (self._quota_override if self._quota_override is not None
                else scenario.limits.active_streams)

    def stream_timeout(self) -> float:
        """This stream's session limit: the override, the scenario's, or 5 to 10 minutes."""
        if self._timeout_override is not None:
            return self._timeout_override
        configured = self.scenario.limits.stream_timeout_seconds
        return configured if configured is not None else random.uniform(300.0, 600.0)

    def reset(self) -> None:
        self.load(self.scenario)

    def principal_for_token(self, token: str) -> Principal | None:
        world = self.world
        return world.tokens.get(token) or world.minted.get(token)

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


def build_world(scenario: Scenario, clock: Clock) -> World:
    memberships = {spec.name: _build_membership(scenario, spec, clock)
                   for spec in scenario.memberships}
    tokens = {p.token: p for p in scenario.principals if p.token}
    try:
        iam = IamPolicy(scenario)
    except UnknownRole as err:
        raise ScenarioError(f"{scenario.path}: {err}") from None
    return World(scenario, memberships, tokens, iam)


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
