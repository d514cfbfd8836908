"""What the benchmark scripts share: the median of repeated measurements, and the real kubectl
pointed at a served emulator."""

from __future__ import annotations

import http.client
import os
import ssl
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from emulator.clients import find_kubectl
from emulator.kubeconfig import GatewayCluster, gateway_kubeconfig
from emulator.runner import ServedApp
from emulator.scenario.model import Scenario


def median(runs: int, measure: Callable[[], float], warm_up: int = 0) -> float:
    """The median of ``runs`` calls of ``measure``, after ``warm_up`` calls that do not count
    (first connections, caches, a token fetched once)."""
    for _ in range(warm_up):
        measure()
    return statistics.median(measure() for _ in range(runs))


def https_connector(url: str, ca_pem: bytes, timeout: float | None = None
                    ) -> Callable[[], http.client.HTTPSConnection]:
    """Makes new HTTPS connections to a served emulator's ``url``, trusting the CA it serves
    with (each connection kept alive until its owner closes it)."""
    address = urlsplit(url)
    host, port = address.hostname or "127.0.0.1", address.port
    context = ssl.create_default_context(cadata=ca_pem.decode())
    return lambda: http.client.HTTPSConnection(host, port, context=context, timeout=timeout)


class Kubectl:
    """The real kubectl against a served emulator's my-cluster, as alice, with a HOME and
    discovery cache of its own (shared by its runs, warmed once)."""

    def __init__(self, server: ServedApp, scenario: Scenario, home: Path) -> None:
        binary = find_kubectl()
        if binary is None:
            raise SystemExit("no kubectl found (install the Google Cloud SDK)")
        self.binary = binary
        cluster = GatewayCluster.of(scenario, scenario.membership("my-cluster"))
        kubeconfig = home / "kubeconfig"
        kubeconfig.write_text(yaml.safe_dump(gateway_kubeconfig(
            server.url, server.ca_pem, cluster, "v1", {"token": "ya29.fake-alice"})))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        self.env.update(HOME=str(home), KUBECONFIG=str(kubeconfig),
                        KUBECACHEDIR=str(home / "cache"))
        self.run("api-resources")  # warms the shared discovery cache

    def run(self, *args: str, stdin: str | None = None) -> str:
        """kubectl's stdout; a failure ends the benchmark with kubectl's error."""
        result = subprocess.run([str(self.binary), *args], input=stdin, capture_output=True,
                                text=True, env=self.env, timeout=600)
        if result.returncode != 0:
            raise SystemExit(f"kubectl {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def timed(self, *args: str, stdin: str | None = None) -> float:
        """Seconds the run took."""
        started = time.perf_counter()
        self.run(*args, stdin=stdin)
        return time.perf_counter() - started


def as_the_agent(admin_token: str) -> dict[str, str]:
    """The headers of a request sent straight to a cluster as the Connect Agent sends alice's:
    the cluster's admin token, impersonating her (every benchmark's direct baseline)."""
    return {"Authorization": f"Bearer {admin_token}", "Impersonate-User": "alice@example.com"}


def quota_lifted(scenario: Scenario) -> Scenario:
    """The scenario without the gateway's modelled 2,400 requests a minute, which a benchmark
    of many kubectl runs would otherwise measure instead of what it is about."""
    return replace(scenario, limits=replace(scenario.limits, requests_per_minute=1_000_000))
