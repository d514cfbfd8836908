"""What contract tests drive: a served emulator, and real kubectl runs with their own HOME."""

from __future__ import annotations

import os
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from emulator.kubeconfig import GatewayCluster, gateway_kubeconfig, server_url
from emulator.runner import ServedApp
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
