"""What the gateway adds to one request when its cluster is a REMOTE apiserver, as ratios measured
in one run: latency of one request, and throughput with many clients at once.

Three servers, each in a process of its own (as a real apiserver and the gateway are), over TLS
on loopback:

- the upstream: ``my-cluster``'s mock served on its own (the standalone apiserver);
- the remote gateway: the gateway with ``my-cluster`` pointed at the upstream through a
  kubeconfig (the ``remote`` backend, as the agent's service account);
- the embedded gateway: the gateway on its in-process mock, to show what the hop to the upstream
  costs.

A pod GET is sent three ways: direct (straight to the upstream, with the admin token and
``Impersonate-User``, what the agent sends: the baseline), through the remote gateway, and
through the embedded gateway. The gateways' request quota is lifted (the modelled 2,400 a minute
would otherwise be what is measured).

- Latency: one keep-alive connection per way, the three ways taking turns by blocks of 25
  requests (so load from elsewhere on the machine falls on all three alike); the median of each.
  A fourth server takes its turns too: a bare one-route Starlette app served the same way
  (Hypercorn, TLS), in a process of its own. The gateway is such a server in front of the
  apiserver, so a bare server's answer plus the direct one is the floor of its latency; that
  floor over direct is printed with the ratios.
  Then the same with a new TLS connection per request (direct and remote only).
- Throughput: 8, then 32 client threads, each with its own keep-alive connection, send GETs back
  to back for ``--seconds``; requests per second, and the servers' CPU per request (user +
  system time of each server process over the window, from /proc). Each way is measured
  ``--rounds`` times, the ways taking turns; the medians are printed, and the ratios are the
  medians of each round's ratio.

Run: ``python benchmarks/remote.py [--runs N] [--rounds R] [--seconds S]``. Prints JSON with
medians in milliseconds, requests per second and ratios; asserts nothing. Linux only (CPU times
from /proc).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import yaml

from emulator.runner import ServedApp, serve_emulator
from emulator.scenario import loader
from emulator.scenario.model import RemoteSpec, Scenario
from emulator.standalone.server import StandaloneApiserver, serve_apiserver
from emulator.state import EmulatorState
from measure import (  # benchmarks/measure.py (this script's folder)
    as_the_agent, https_connector, median, quota_lifted)
from startup import bare_app  # benchmarks/startup.py: a one-route Starlette app

POD = "/api/v1/namespaces/default/pods/web"
GATEWAY_POD = "/v1/projects/123456789012/locations/global/memberships/my-cluster" + POD
ALICE = {"Authorization": "Bearer ya29.fake-alice"}
CONCURRENCY = (8, 32)
WARM_UP_SECONDS = 0.3  # of each throughput window, not counted
LATENCY_BLOCK = 25


@dataclass(frozen=True)
class Served:
    """A server in another process, as a client sees it."""

    url: str
    ca_pem: bytes
    pid: int


class Client:
    """GETs one path on one server, over a kept-alive connection or a new one each time."""

    def __init__(self, label: str, server: ServedApp | Served, path: str,
                 headers: dict[str, str]) -> None:
        self.label, self.path, self.headers = label, path, headers
        self.connect = https_connector(server.url, server.ca_pem)
        self.kept = self.connect()

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
    my-cluster fronts it as the agent's service account, both in this process (for
    ``abandon.py``); both added to ``servers``."""
    standalone, upstream = _serve_upstream(scenario, tmp)
    servers.append(upstream)
    gateway = _serve_remote_gateway(scenario, tmp)
    servers.append(gateway)
    return standalone, upstream, gateway


def _serve_upstream(scenario: Scenario, tmp: Path) -> tuple[StandaloneApiserver, ServedApp]:
    standalone = StandaloneApiserver(scenario, "my-cluster")
    upstream = serve_apiserver(standalone, tls_dir=tmp / "tls")
    (tmp / "kubeconfig").write_text(yaml.safe_dump(
        standalone.kubeconfig(upstream.url, upstream.ca_pem)))
    return standalone, upstream


def _serve_remote_gateway(scenario: Scenario, tmp: Path) -> ServedApp:
    return serve_emulator(EmulatorState(scenario, clusters={
        "my-cluster": RemoteSpec(tmp / "kubeconfig", None, "service-account")}))


# -- servers in processes of their own ------------------------------------------------------------

def _serve_in_child(kind: str, tmp: str, pipe: Connection) -> None:
    """The child's whole life: serve ``kind``, say where, and stop when told."""
    scenario = quota_lifted(loader.load("quickstart"))
    admin_token = ""
    if kind == "upstream":
        standalone, served = _serve_upstream(scenario, Path(tmp))
        admin_token = standalone.admin_token
    elif kind == "remote":
        served = _serve_remote_gateway(scenario, Path(tmp))
    elif kind == "bare":
        served = ServedApp(bare_app()).start()
    else:
        served = serve_emulator(EmulatorState(scenario))
    pipe.send((served.url, served.ca_pem, admin_token))
    pipe.recv()  # anything, or the parent gone, means stop
    served.stop()


class Child:
    def __init__(self, kind: str, tmp: Path) -> None:
        context = multiprocessing.get_context("spawn")  # no threads or loops inherited
        self._pipe, theirs = context.Pipe()
        self.process = context.Process(target=_serve_in_child, args=(kind, str(tmp), theirs),
                                       daemon=True)
        self.process.start()
        if not self._pipe.poll(60):
            raise SystemExit(f"the {kind} server did not start")
        url, ca_pem, self.admin_token = self._pipe.recv()
        assert self.process.pid is not None
        self.served = Served(url, ca_pem, self.process.pid)

    def stop(self) -> None:
        try:
            self._pipe.send("stop")
        except OSError:
            pass
        self.process.join(15)
        if self.process.is_alive():
            self.process.kill()


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system time of a process so far (all its threads)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    cpu_ms_per_request: float  # of the server processes named


def throughput(client: Client, concurrency: int, seconds: float, pids: list[int]) -> Load:
    """``concurrency`` threads, each on its own keep-alive connection, sending GETs back to back;
    counted over ``seconds`` after a short warm-up."""
    counts = [0] * concurrency
    stop = threading.Event()
    started = threading.Barrier(concurrency + 1)

    def worker(number: int) -> None:
        connection = client.connect()
        try:
            client.get(connection)  # the TLS handshake, outside the window
            started.wait()
            while not stop.is_set():
                client.get(connection)
                counts[number] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True)
               for n in range(concurrency)]
    for thread in threads:
        thread.start()
    started.wait()
    time.sleep(WARM_UP_SECONDS)
    before, cpu_before, clock = sum(counts), [cpu_seconds(p) for p in pids], time.perf_counter()
    time.sleep(seconds)
    after, cpu_after, elapsed = (sum(counts), [cpu_seconds(p) for p in pids],
                                 time.perf_counter() - clock)
    stop.set()
    for thread in threads:
        thread.join()
    done = max(after - before, 1)
    cpu = sum(a - b for a, b in zip(cpu_after, cpu_before))
    return Load(done / elapsed, cpu / done * 1000)


def _ratio_median(numerators: list[float], denominators: list[float]) -> float:
    return statistics.median(n / d for n, d in zip(numerators, denominators))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="requests per latency median")
    parser.add_argument("--rounds", type=int, default=5, help="throughput windows per way")
    parser.add_argument("--seconds", type=float, default=1.5, help="length of each window")
    args = parser.parse_args()
    children: list[Child] = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        try:
            upstream = Child("upstream", tmp)  # writes tmp/kubeconfig before it answers
            children.append(upstream)
            remote_gateway = Child("remote", tmp)
            children.append(remote_gateway)
            embedded_gateway = Child("embedded", tmp)
            children.append(embedded_gateway)
            bare_server = Child("bare", tmp)
            children.append(bare_server)

            direct = Client("direct", upstream.served, POD, as_the_agent(upstream.admin_token))
            remote = Client("gateway (remote)", remote_gateway.served, GATEWAY_POD, ALICE)
            embedded = Client("gateway (embedded)", embedded_gateway.served, GATEWAY_POD, ALICE)
            ways = [direct, remote, embedded]
            bare = Client("bare server", bare_server.served, "/", {})
            try:
                latency = _latency([*ways, bare], args.runs)
                direct_new_ms = median_ms(args.runs // 2, direct.new_connection)
                remote_new_ms = median_ms(args.runs // 2, remote.new_connection)
            finally:
                for client in [*ways, bare]:
                    client.close()
            pids = {direct.label: [upstream.served.pid],
                    remote.label: [remote_gateway.served.pid, upstream.served.pid],
                    embedded.label: [embedded_gateway.served.pid]}
            loads: dict[tuple[str, int], list[Load]] = {}
            for _ in range(args.rounds):
                for concurrency in CONCURRENCY:
                    for client in ways:
                        loads.setdefault((client.label, concurrency), []).append(
                            throughput(client, concurrency, args.seconds, pids[client.label]))
        finally:
            for child in reversed(children):
                child.stop()

    direct_ms, remote_ms, embedded_ms = (latency[w.label] for w in ways)
    report: dict[str, object] = {
        "requests": args.runs,
        "direct_ms": round(direct_ms, 3),
        "gateway_remote_ms": round(remote_ms, 3),
        "gateway_embedded_ms": round(embedded_ms, 3),
        "added_ms": round(remote_ms - direct_ms, 3),
        "ratio_gateway_to_direct": round(remote_ms / direct_ms, 2),
        "ratio_remote_to_embedded": round(remote_ms / embedded_ms, 2),
        "ratio_embedded_to_direct": round(embedded_ms / direct_ms, 2),
        # A gateway is a server of the same stack in front of the apiserver: its latency cannot
        # fall below a bare server's answer plus the direct one.
        "bare_server_ms": round(latency[bare.label], 3),
        "ratio_floor_to_direct": round((latency[bare.label] + direct_ms) / direct_ms, 2),
        "direct_new_connection_ms": round(direct_new_ms, 3),
        "gateway_remote_new_connection_ms": round(remote_new_ms, 3),
        "ratio_gateway_to_direct_new_connection": round(remote_new_ms / direct_new_ms, 2),
    }
    for concurrency in CONCURRENCY:
        rps = {w.label: [load.requests_per_second for load in loads[(w.label, concurrency)]]
               for w in ways}
        cpu = {w.label: [load.cpu_ms_per_request for load in loads[(w.label, concurrency)]]
               for w in ways}
        report[f"clients_{concurrency}"] = {
            "direct_rps": round(statistics.median(rps[direct.label])),
            "gateway_remote_rps": round(statistics.median(rps[remote.label])),
            "gateway_embedded_rps": round(statistics.median(rps[embedded.label])),
            "ratio_remote_to_direct": round(_ratio_median(rps[remote.label],
                                                          rps[direct.label]), 2),
            "ratio_embedded_to_direct": round(_ratio_median(rps[embedded.label],
                                                            rps[direct.label]), 2),
            # Server CPU per request: the upstream's alone for direct; the remote gateway's
            # plus the upstream's for remote; the embedded gateway's for embedded.
            "cpu_ms_per_request_direct": round(statistics.median(cpu[direct.label]), 3),
            "cpu_ms_per_request_remote": round(statistics.median(cpu[remote.label]), 3),
            "cpu_ms_per_request_embedded": round(statistics.median(cpu[embedded.label]), 3),
        }
    print(json.dumps(report, indent=2))


def _latency(ways: list[Client], runs: int) -> dict[str, float]:
    """The median milliseconds of a kept-alive GET each way, the ways taking turns by blocks of
    ``LATENCY_BLOCK`` requests: load from elsewhere falls on all of them alike, yet each server
    answers a block with its caches warm, as it would a client of its own."""
    samples: dict[str, list[float]] = {w.label: [] for w in ways}
    for client in ways:  # connections, caches, the agent's token
        for _ in range(max(5, runs // 10)):
            client.kept_alive()
    while len(samples[ways[0].label]) < runs:
        block = min(LATENCY_BLOCK, runs - len(samples[ways[0].label]))
        for client in ways:
            samples[client.label] += [client.kept_alive() * 1000 for _ in range(block)]
    return {label: statistics.median(values) for label, values in samples.items()}


if __name__ == "__main__":
    main()
