"""``pytest --real-cluster KUBECONFIG[:CONTEXT]``: the contract suite against any real cluster.

Membership ``my-cluster`` then fronts that cluster through the remote backend, the agent
authenticating as ``gke-connect/connect-agent-sa`` (TokenRequest). Before the first test the
quickstart scenario's objects (the agent's namespace and service account, the impersonation and
permission RBAC, pod ``web``) are applied with kubectl, and removed again at the end. Tests that
need what only the mock can seed (scripted pod logs, the fake container's files, other scenarios'
worlds, a look inside the mock's store) skip, naming why.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from emulator.agent.install import NAMESPACE, SERVICE_ACCOUNT
from emulator.scenario.model import RemoteSpec, Scenario
from tests.realclients import Kubectl

OPTION = "--real-cluster"
MOCK_ONLY = "mock_only"
READY_TIMEOUT = "180s"


def add_option(parser: pytest.Parser) -> None:
    parser.addoption(OPTION, default=None, metavar="KUBECONFIG[:CONTEXT]",
                     help="run the contract suite against this real cluster (e.g. kind) behind "
                          "membership my-cluster, instead of the embedded and standalone mocks")


def target(config: pytest.Config) -> RemoteSpec | None:
    value = config.getoption(OPTION)
    if not value:
        return None
    path, colon, context = value.rpartition(":")
    if not colon or Path(value).expanduser().is_file():
        return RemoteSpec(Path(value).expanduser().resolve(), None, "service-account")
    return RemoteSpec(Path(path).expanduser().resolve(), context or None, "service-account")


def seed_documents(scenario: Scenario) -> list[dict[str, object]]:
    """What the cluster needs for the quickstart world: the agent's identity and the scenario's
    cluster-wide objects."""
    agent = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
             {"apiVersion": "v1", "kind": "ServiceAccount",
              "metadata": {"name": SERVICE_ACCOUNT, "namespace": NAMESPACE}}]
    return agent + [dict(seed.manifest) for seed in scenario.cluster_objects]


class Seeded:
    """The scenario's objects applied to the real cluster for the session."""

    def __init__(self, kubectl: Kubectl, remote: RemoteSpec, scenario: Scenario, tmp: Path) -> None:
        self.kubectl, self.remote = kubectl, remote
        self.manifest = tmp / "real-cluster-seed.yaml"
        self.manifest.write_text(yaml.safe_dump_all(seed_documents(scenario)))
        self.home = tmp / "real-cluster-home"
        self.home.mkdir(exist_ok=True)

    def run(self, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
        context = ["--context", self.remote.context] if self.remote.context else []
        env = {"HOME": str(self.home), "KUBECONFIG": str(self.remote.kubeconfig),
               "KUBECACHEDIR": str(self.home / "cache"), "PATH": "/usr/bin:/bin"}
        return subprocess.run([str(self.kubectl.path), *context, *args], capture_output=True,
                              text=True, timeout=timeout, env=env)

    def apply(self) -> None:
        applied = self.run("apply", "-f", str(self.manifest))
        if applied.returncode != 0:
            pytest.exit(f"{OPTION}: cannot apply the quickstart objects: {applied.stderr}", 2)
        ready = self.run("wait", "--for=condition=Ready", "pod/web", "-n", "default",
                         f"--timeout={READY_TIMEOUT}")
        if ready.returncode != 0:
            pytest.exit(f"{OPTION}: pod web did not become Ready: {ready.stderr}", 2)

    def remove(self) -> None:
        self.run("delete", "-f", str(self.manifest), "--ignore-not-found", "--wait=false")
