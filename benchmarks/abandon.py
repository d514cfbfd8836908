"""Clients that abandon requests in flight through the gateway to a REMOTE apiserver (issue 12,
item 14): how many upstream connections they leave behind, and how fast the membership answers
afterwards, as a ratio to before.

Everything is served in-process over TLS on loopback, as in ``remote.py``: a standalone mock
apiserver (the upstream) and the gateway with ``my-cluster`` pointed at it. Each client opens its
own HTTPS connection to the gateway, sends one request, waits until that request is in flight,
and goes away (half of them with a TLS close, half with a TCP reset). The requests, in turn:

- a watch of the pods, abandoned once its first bytes arrived (mid-body);
- a followed log (``logs -f``), abandoned the same way;
- a pod GET the apiserver is slow to answer (it holds it until the run ends), abandoned once the
  apiserver has it: the gateway is still waiting for the headers.

Then it counts the sockets still connected to the upstream's port (ESTABLISHED, or CLOSE_WAIT: a
connection the upstream closed and the gateway never did), from /proc/net/tcp, and times a pod
GET through the gateway: the first one after the run on its own (a wedged membership shows there:
it waits for a connection to the upstream to come free), then the median of ``--runs``, each as a
ratio to the median before the run.

Run: ``python benchmarks/abandon.py [--clients N] [--concurrency C] [--runs R]``. Prints JSON;
asserts nothing. Linux only (it reads /proc/net/tcp).
"""

from __future__ import annotations

import argparse
import json
import socket
import ssl
import struct
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from emulator.runner import ServedApp
from emulator.scenario import loader
from remote import ALICE, GATEWAY_POD, Client, median_ms, serve_fronted  # benchmarks/remote.py

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the held upstream is the tests'
from tests.upstreams import HeldUpstream, open_sockets  # noqa: E402

PREFIX = GATEWAY_POD.removesuffix("/api/v1/namespaces/default/pods/web")
PODS = "/api/v1/namespaces/default/pods"
HELD = f"{PODS}/held-"  # + the client's number: pods the upstream is slow to answer for
KINDS = ("watch", "logs-follow", "slow-apiserver")
WAIT = 30.0  # seconds any one client may wait for its request to be in flight
SETTLE = 10.0  # seconds to let the gateway close what it will, before counting
FIRST_REQUEST_LIMIT = 120.0  # seconds: past the upstream request timeout (60 s) of a stuck one


class Abandoner:
    """Opens a connection to the gateway, sends one request, and leaves once it is in flight."""

    def __init__(self, gateway: ServedApp, slow: HeldUpstream) -> None:
        address = urlsplit(gateway.url)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 443
        self.context = ssl.create_default_context(cadata=gateway.ca_pem.decode())
        self.slow = slow

    def __call__(self, number: int) -> str:
        kind = KINDS[number % len(KINDS)]
        path = {"watch": f"{PODS}?watch=true", "logs-follow": f"{PODS}/web/log?follow=true",
                "slow-apiserver": f"{HELD}{number}"}[kind]
        sock = self.context.wrap_socket(
            socket.create_connection((self.host, self.port), timeout=WAIT),
            server_hostname=self.host)
        try:
            sock.sendall(f"GET {PREFIX}{path} HTTP/1.1\r\nHost: {self.host}\r\n"
                         f"Authorization: {ALICE['Authorization']}\r\n\r\n".encode())
            if kind == "slow-apiserver":
                deadline = time.monotonic() + WAIT
                while not self.slow.holds(path):
                    if time.monotonic() > deadline:
                        return "never-in-flight"
                    time.sleep(0.005)
            elif not sock.recv(64).startswith(b"HTTP/1.1 200"):
                return "refused"
            if number % 2:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            return "failed"
        finally:
            sock.close()
        return kind


def first_request_ms(gateway: ServedApp) -> float | None:
    """One pod GET through the gateway on a new connection, in ms; None if it takes longer than
    FIRST_REQUEST_LIMIT (the membership is wedged)."""
    client = Client("first after", gateway, GATEWAY_POD, ALICE)
    client.kept.timeout = FIRST_REQUEST_LIMIT
    try:
        return client.kept_alive() * 1000
    except TimeoutError:
        return None
    finally:
        client.close()


def settle(port: int, baseline: int) -> tuple[Counter[str], float]:
    """Wait (at most SETTLE) until no more upstream sockets are open than before the run."""
    started = time.monotonic()
    while True:
        left = open_sockets(port)
        if sum(left.values()) <= baseline or time.monotonic() - started > SETTLE:
            return left, time.monotonic() - started
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--runs", type=int, default=50, help="requests timed before and after")
    args = parser.parse_args()
    if not Path("/proc/net/tcp").exists():
        raise SystemExit("abandon.py counts sockets in /proc/net/tcp: Linux only")
    quickstart = loader.load("quickstart")
    servers: list[ServedApp] = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        try:
            standalone, upstream, gateway = serve_fronted(quickstart, tmp, servers)
            slow = HeldUpstream(standalone, lambda path: path.startswith(HELD))
            # A new connection per timed request: it must get through to the upstream as a
            # client arriving after the run would.
            normal = Client("gateway (remote)", gateway, GATEWAY_POD, ALICE)
            try:
                before_ms = median_ms(args.runs, normal.new_connection)
                baseline = sum(open_sockets(upstream.port).values())
                started = time.monotonic()
                with ThreadPoolExecutor(args.concurrency) as pool:
                    outcomes = Counter(pool.map(Abandoner(gateway, slow), range(args.clients)))
                abandon_s = time.monotonic() - started
                left, settle_s = settle(upstream.port, baseline)
                first_ms = first_request_ms(gateway)
                after_ms = median_ms(args.runs, normal.new_connection)
            finally:
                normal.close()
                slow.release()
        finally:
            for server in reversed(servers):
                server.stop()
    abandoned = sum(outcomes[kind] for kind in KINDS)
    print(json.dumps({
        "clients": args.clients,
        "abandoned": abandoned,
        "abandoned_by_kind": {kind: outcomes[kind] for kind in KINDS},
        "not_abandoned_in_flight": {k: v for k, v in outcomes.items() if k not in KINDS},
        "abandon_s": round(abandon_s, 2),
        "upstream_connections_before": baseline,
        "upstream_connections_left": sum(left.values()),
        "upstream_connections_left_by_state": dict(left),
        "settle_s": round(settle_s, 2),
        "normal_request_ms_before": round(before_ms, 3),
        "first_request_ms_after": None if first_ms is None else round(first_ms, 3),
        "ratio_first_after_to_before": None if first_ms is None else round(first_ms / before_ms,
                                                                            2),
        "normal_request_ms_after": round(after_ms, 3),
        "ratio_after_to_before": round(after_ms / before_ms, 2),
    }, indent=2))


if __name__ == "__main__":
    sys.exit(main())
