"""A served emulator for contract tests, and a way to run real kubectl against it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from emulator.app import create_app
from emulator.kubeconfig import GatewayCluster, gateway_kubeconfig, server_url
from emulator.runner import ServedApp
from emulator.scenario import loader
from emulator.state import EmulatorState
from tests.realclients import Kubectl


@dataclass
class Served:
    state: EmulatorState
    server: ServedApp
    tmp: Path

    @property
    def url(self) -> str:
        return self.server.url

    def cluster(self, membership: str) -> GatewayCluster:
        scenario = self.state.scenario
        spec = scenario.membership(membership)
        assert spec is not None, membership
        return GatewayCluster(scenario.project_id, scenario.project_number, spec.location,
                              spec.collection, spec.name)

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


@pytest.fixture(scope="session")
def served_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    state = EmulatorState(loader.load("quickstart"))
    server = ServedApp(create_app(state)).start()
    yield Served(state, server, tmp_path_factory.mktemp("served"))
    server.stop()


@pytest.fixture
def gateway(served_emulator: Served) -> Served:
    """The served emulator with the quickstart world freshly reset."""
    served_emulator.state.reset()
    return served_emulator


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


@pytest.fixture
def kubectl_run(kubectl: Kubectl, tmp_path: Path) -> KubectlRunner:
    home = tmp_path / "home"
    home.mkdir()
    return KubectlRunner(kubectl, home)
