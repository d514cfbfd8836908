"""What the gateway adds to one request when its cluster is a REMOTE apiserver, as ratios measured
in one run.

Everything is served in-process over TLS: a standalone mock apiserver (the upstream) and, in front
of it, the gateway with ``my-cluster`` pointed at it through a kubeconfig (the ``remote`` backend).
A pod GET is timed three ways over one keep-alive HTTPS connection per client, so TLS handshakes
are not counted:

- direct: straight to the upstream, with the admin token and ``Impersonate-User`` (what the agent
  sends) -- the baseline;
- gateway (remote): through the gateway, which forwards to that upstream;
- gateway (embedded): through a second gateway on the in-process mock, to show what the network
  hop to the upstream costs.

The direct and remote-gateway requests are also timed with a new connection per request (TLS
handshake included). Ratios: gateway remote / direct, and gateway remote / gateway embedded.

Run: ``python benchmarks/remote.py [--runs N]``. Prints medians in milliseconds and ratios;
asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import ssl
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from emulator.runner import ServedApp, serve_emulator
from emulator.scenario import loader
from emulator.scenario.model import RemoteSpec, Scenario
from emulator.standalone.server import StandaloneApiserver, serve_apiserver
from emulator.state import EmulatorState
from measure import median  # benchmarks/measure.py (this script's folder)

POD = "/api/v1/namespaces/default/pods/web"
GATEWAY_POD = "/v1/projects/123456789012/locations/global/memberships/my-cluster" + POD
ALICE = {"Authorization": "Bearer ya29.fake-alice"}


class Client:
    """GETs one path on one server, over a kept-alive connection or a new one each time."""

    def __init__(self, label: str, server: ServedApp, path: str, headers: dict[str, str]) -> None:
        address = urlsplit(server.url)
        self.label, self.path, self.headers = label, path, headers
        self.host, self.port = address.hostname or "127.0.0.1", address.port
        self.context = ssl.create_default_context(cadata=server.ca_pem.decode())
        self.kept = self.connect()

    def connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(self.host, self.port, context=self.context)

    def get(self, connection: http.client.HTTPSConnection) -> None:
        connection.request("GET", self.path, headers=self.headers)
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise SystemExit(f"{self.label}: GET {self.path} answered {answer.status}, not 200: "
                             f"{body[:300]!r}")

    def kept_alive(self) -> float:
        started = time.perf_counter()
        self.get(self.kept)
        return time.perf_counter() - started

    def new_connection(self) -> float:
        started = time.perf_counter()
        connection = self.connect()
        try:
            self.get(connection)
        finally:
            connection.close()
        return time.perf_counter() - started

    def close(self) -> None:
        self.kept.close()


def median_ms(runs: int, measure: Callable[[], float]) -> float:
    # Warm-up: connections, caches, the agent's token.
    return median(runs, measure, warm_up=max(5, runs // 10)) * 1000


def serve_fronted(scenario: Scenario, tmp: Path, servers: list[ServedApp]
                  ) -> tuple[StandaloneApiserver, ServedApp, ServedApp]:
    """my-cluster's mock served on its own over TLS (the upstream), and a gateway whose
    my-cluster fronts it as the agent's service account; both added to ``servers``."""
    standalone = StandaloneApiserver(scenario, "my-cluster")
    upstream = serve_apiserver(standalone, tls_dir=tmp / "tls")
    servers.append(upstream)
    kubeconfig = tmp / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(standalone.kubeconfig(upstream.url, upstream.ca_pem)))
    gateway = serve_emulator(EmulatorState(scenario, clusters={
        "my-cluster": RemoteSpec(kubeconfig, None, "service-account")}))
    servers.append(gateway)
    return standalone, upstream, gateway


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    quickstart = loader.load("quickstart")
    servers: list[ServedApp] = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        try:
            standalone, upstream, remote_gateway = serve_fronted(quickstart, tmp, servers)
            embedded_gateway = serve_emulator(EmulatorState(quickstart))
            servers.append(embedded_gateway)

            direct = Client("direct", upstream, POD, {
                "Authorization": f"Bearer {standalone.admin_token}",
                "Impersonate-User": "alice@example.com"})
            remote = Client("gateway (remote)", remote_gateway, GATEWAY_POD, ALICE)
            embedded = Client("gateway (embedded)", embedded_gateway, GATEWAY_POD, ALICE)
            clients = [direct, remote, embedded]
            try:
                direct_ms = median_ms(args.runs, direct.kept_alive)
                remote_ms = median_ms(args.runs, remote.kept_alive)
                embedded_ms = median_ms(args.runs, embedded.kept_alive)
                direct_new_ms = median_ms(args.runs, direct.new_connection)
                remote_new_ms = median_ms(args.runs, remote.new_connection)
            finally:
                for client in clients:
                    client.close()
        finally:
            for server in reversed(servers):
                server.stop()
    print(json.dumps({
        "requests": args.runs,
        "direct_ms": round(direct_ms, 3),
        "gateway_remote_ms": round(remote_ms, 3),
        "gateway_embedded_ms": round(embedded_ms, 3),
        "added_ms": round(remote_ms - direct_ms, 3),
        "ratio_gateway_to_direct": round(remote_ms / direct_ms, 2),
        "ratio_remote_to_embedded": round(remote_ms / embedded_ms, 2),
        "direct_new_connection_ms": round(direct_new_ms, 3),
        "gateway_remote_new_connection_ms": round(remote_new_ms, 3),
        "ratio_gateway_to_direct_new_connection": round(remote_new_ms / direct_new_ms, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
