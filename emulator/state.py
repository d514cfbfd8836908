"""The one state object: the world a scenario describes, live.

It is passed in (``create_app(state)``), never global, so two emulators can share a process. One
lock guards swaps of the world; each mock cluster guards its own store.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from emulator import messages
from emulator.audit import AuditLog
from emulator.iam.policy import IamMode, IamPolicy, UnknownRole
from emulator.agent.install import AgentIdentity, gke_transport, install_agent
from emulator.clock import Clock, SystemClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.status import KubeError
from emulator.scenario.loader import ScenarioError
from emulator.scenario.model import MembershipSpec, Principal, Scenario, SeedObject


@dataclass
class Membership:
    spec: MembershipSpec
    cluster: MockApiserver
    # Who the gateway's requests arrive as inside the cluster (the Connect Agent, for attached).
    transport: AgentIdentity
    connected: bool


@dataclass(frozen=True)
class World:
    scenario: Scenario
    memberships: dict[str, Membership]
    tokens: dict[str, Principal]
    iam: IamPolicy


class EmulatorState:
    def __init__(self, scenario: Scenario, clock: Clock | None = None,
                 iam_mode: IamMode = IamMode.ENFORCE) -> None:
        self.clock: Clock = clock or SystemClock()
        self.iam_mode = iam_mode
        self.audit = AuditLog()
        self._lock = threading.RLock()
        self._world = build_world(scenario, self.clock)

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
        self.audit.clear()

    def reset(self) -> None:
        self.load(self.scenario)

    def principal_for_token(self, token: str) -> Principal | None:
        return self.world.tokens.get(token)

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
        namespace, pod, container = log_key.split("/")
        for line in lines:
            cluster.logs.append(namespace, pod, container, line)
    return Membership(spec, cluster, transport, spec.connected)


def _seed(scenario: Scenario, spec: MembershipSpec, cluster: MockApiserver, seed: SeedObject) -> None:
    try:
        cluster.seed(seed.manifest)
    except KubeError as err:
        raise ScenarioError(messages.SCENARIO_OBJECT_REJECTED.format(
            path=scenario.path, line=seed.line, membership=spec.name, reason=err.message)) from None
