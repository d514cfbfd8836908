"""What contract tests drive: a served emulator, and real kubectl runs with their own HOME.

The served emulator comes in two flavours, so the one contract suite runs against both cluster
backends: ``embedded`` (every membership on the in-process mock) and ``remote`` (membership
``my-cluster`` behind the remote backend, talking over TLS to a standalone mock apiserver that
serves the same scenario's cluster, as the agent's service account through TokenRequest).
"""

from __future__ import annotations

import os
import ssl
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from emulator.audit import AuditRecord
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.kubeconfig import GatewayCluster, gateway_kubeconfig, server_url
from emulator.runner import ServedApp
from emulator.scenario.model import RemoteSpec, Scenario
from emulator.standalone.server import StandaloneApiserver, serve_apiserver
from emulator.state import EmulatorState
from tests.realclients import Kubectl

REMOTE_MEMBERSHIP = "my-cluster"
AGENT_LOG_COMMAND = ("logs", "-n", "gke-connect", "-l", "app=gke-connect-agent", "--tail", "-1")


@dataclass(frozen=True)
class Upstream:
    """A standalone mock apiserver serving one membership's cluster, and its admin kubeconfig."""

    standalone: StandaloneApiserver
    kubeconfig: Path


def serve_upstream(scenario: Scenario, membership: str, tmp: Path) -> tuple[Upstream, ServedApp]:
    """A standalone mock serving ``membership``'s cluster over TLS (its CA kept under ``tmp``, so
    a restart on the same port is trusted), and an admin kubeconfig for it."""
    standalone = StandaloneApiserver(scenario, membership)
    served = serve_apiserver(standalone, tls_dir=tmp / f"{membership}-tls")
    kubeconfig = tmp / f"{membership}-kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(standalone.kubeconfig(served.url, served.ca_pem)))
    return Upstream(standalone, kubeconfig), served


class FrontedState(EmulatorState):
    """An emulator whose attached memberships are standalone mock apiservers over the network:
    every world it loads (fixture, control API) reloads them with the same scenario."""

    def __init__(self, scenario: Scenario, upstreams: dict[str, Upstream]) -> None:
        self.upstreams = upstreams
        super().__init__(scenario, clusters=self._clusters_for(scenario))

    @property
    def upstream(self) -> StandaloneApiserver:
        """The standalone behind ``my-cluster``."""
        return self.upstreams[REMOTE_MEMBERSHIP].standalone

    def load(self, scenario: Scenario) -> None:
        for name, upstream in self.upstreams.items():
            if scenario.membership(name) is not None:
                upstream.standalone.load(scenario, name)
        self.set_clusters(self._clusters_for(scenario))
        super().load(scenario)

    def advance_clock(self, seconds: float) -> None:
        """The gateway's clock and every upstream's: one world, one time."""
        for upstream in self.upstreams.values():
            upstream.standalone.advance_clock(seconds)
        super().advance_clock(seconds)

    def _clusters_for(self, scenario: Scenario) -> dict[str, RemoteSpec]:
        clusters = {}
        for name, upstream in self.upstreams.items():
            spec = scenario.membership(name)
            if spec is None or spec.remote is not None:
                continue
            # As the Connect Agent where there is one; a cluster without it has no such account.
            credentials = "service-account" if spec.agent_installed else "kubeconfig"
            clusters[name] = RemoteSpec(upstream.kubeconfig, None, credentials)
        return clusters


class RealClusterState(EmulatorState):
    """An emulator whose ``my-cluster`` is a real cluster (``pytest --real-cluster``): worlds
    load on the gateway side only, since a real cluster cannot be reset."""

    def __init__(self, scenario: Scenario, remote: RemoteSpec) -> None:
        self.remote = remote
        super().__init__(scenario, clusters={REMOTE_MEMBERSHIP: remote})

    def load(self, scenario: Scenario) -> None:
        self.set_clusters({REMOTE_MEMBERSHIP: self.remote}
                          if scenario.membership(REMOTE_MEMBERSHIP) is not None else {})
        super().load(scenario)


@dataclass
class Served:
    state: EmulatorState
    server: ServedApp
    tmp: Path
    flavour: str = "embedded"
    upstreams: tuple[ServedApp, ...] = ()  # the standalone apiservers, in the remote flavour
    # Under --real-cluster: puts the quickstart objects back before each test (a real cluster
    # cannot be reset, but what a test deleted or changed of them can be re-applied).
    reseed: Callable[[], None] | None = None

    def mock(self, membership: str = REMOTE_MEMBERSHIP) -> MockApiserver:
        """The mock cluster that serves ``membership``, wherever it runs, for tests that seed it
        or look inside it directly."""
        if isinstance(self.state, FrontedState) and membership in self.state.upstreams:
            return self.state.upstreams[membership].standalone.cluster
        if isinstance(self.state, RealClusterState) and membership == REMOTE_MEMBERSHIP:
            pytest.skip("looks inside the mock cluster; a real cluster is not one")
        found = self.state.membership(membership)
        assert found is not None and isinstance(found.cluster, MockApiserver), membership
        return found.cluster

    def rbac_reason(self, record: AuditRecord) -> str:
        """Why RBAC allowed or denied a gateway request: from the gateway's own record with the
        embedded mock; from the standalone apiserver's audit event (its authorization reason
        annotation) in the remote flavour, since a real apiserver does not send reasons back."""
        if isinstance(self.state, RealClusterState) and record.membership == REMOTE_MEMBERSHIP:
            pytest.skip("a real apiserver does not tell which RBAC rule decided")
        if (not isinstance(self.state, FrontedState)
                or record.membership not in self.state.upstreams):
            return record.rbac_reason
        upstream = self.state.upstreams[record.membership].standalone
        event = next(e for e in upstream.audit.events()
                     if e.audit_id == record.cluster_audit_id)
        return event.reason

    def agent_log(self, runner: KubectlRunner, kubeconfig: Path,
                  membership: str = REMOTE_MEMBERSHIP) -> str:
        """The Connect Agent's log as a user reads it: ``kubectl logs -l app=gke-connect-agent``
        through the gateway for an embedded cluster. A remote cluster has no agent pod of ours
        (the agent's hop runs in the emulator), so there it is the control API's copy."""
        found = self.state.membership(membership)
        assert found is not None, membership
        if isinstance(found.cluster, MockApiserver):
            result = runner.run(kubeconfig, *AGENT_LOG_COMMAND)
            assert result.returncode == 0, result.stderr
            return result.stdout
        return "\n".join(found.agent_log.lines()) + "\n"

    def agent_pod(self, membership: str = REMOTE_MEMBERSHIP) -> str:
        pods = self.mock(membership).store.list(("", "pods"), "gke-connect")[0]
        return next(p["metadata"]["name"] for p in pods
                    if p["metadata"].get("labels", {}).get("app") == "gke-connect-agent")

    @property
    def url(self) -> str:
        return self.server.url

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.server.ca_pem.decode())

    def cluster(self, membership: str) -> GatewayCluster:
        scenario = self.state.scenario
        spec = scenario.membership(membership)
        assert spec is not None, membership
        return GatewayCluster.of(scenario, spec)

    def server_path(self, membership: str, track: str = "v1") -> str:
        return server_url("", self.cluster(membership), track)

    def kubeconfig(self, membership: str = "my-cluster", *, token: str = "ya29.fake-alice",
                   track: str = "v1", server_path: str | None = None) -> Path:
        """A kubeconfig file; ``server_path`` replaces the gateway path (for bad-URL tests)."""
        config = gateway_kubeconfig(self.url, self.server.ca_pem, self.cluster(membership), track,
                                    {"token": token})
        if server_path is not None:
            config["clusters"][0]["cluster"]["server"] = self.url + server_path
        path = self.tmp / f"kubeconfig-{len(list(self.tmp.glob('kubeconfig-*')))}"
        path.write_text(yaml.safe_dump(config))
        return path


@dataclass
class KubectlRunner:
    binary: Kubectl
    home: Path

    def env(self, kubeconfig: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        # Own HOME and cache per run: kubectl caches discovery for hours.
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        env.update(HOME=str(self.home), KUBECONFIG=str(kubeconfig),
                   KUBECACHEDIR=str(self.home / "cache"))
        env.update(extra or {})
        return env

    def run(self, kubeconfig: Path, *args: str, timeout: float = 60,
            stdin: str | None = None, extra_env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.binary.path), *args], input=stdin, capture_output=True,
                              text=True, timeout=timeout, env=self.env(kubeconfig, extra_env))

    def popen(self, kubeconfig: Path, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([str(self.binary.path), *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env(kubeconfig))


def wait_until(condition: Callable[[], bool], what: str = "condition not reached",
               seconds: float = 20) -> None:
    """For what the server finishes a moment after the client has its answer (a stream's audit
    record, its agent log line, its quota slot): poll, with a deadline that fails the test."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)
