"""Lists at scale (issue #17): full lists, pages of 500 and ``kubectl get pods -A`` over many pods,
with the seeding rate and the memory of each stored pod, as ratios measured in one run.

Two servers hold the same pods, spread over ten namespaces (``bench-0`` ... ``bench-9``): the
gateway on its embedded cluster (my-cluster of the quickstart world, with its controllers on, as
users get them), and my-cluster served on its own by the standalone mock (``direct``: the admin
token with ``Impersonate-User: alice``, as the Connect Agent sends). The pods are seeded in
process, as a scenario's are, and the clusters grow through each size in turn. At each size:

- a plain GET of one pod (the baseline every other figure is divided by);
- the whole list, as JSON and as the Table ``kubectl get`` asks for
  (``Accept: application/json;as=Table;v=v1;g=meta.k8s.io``), all namespaces;
- the first and the tenth page of ``limit=500`` (as a Table, as kubectl pages), all namespaces,
  the tenth reached with the ``continue`` tokens of the nine before it;
- ``json.dumps`` of the same items in process: what writing that much JSON costs at least.

Then, at ``--kubectl-pods`` pods (default 10,000, one of the sizes), the real kubectl 1.33
through the gateway: ``kubectl get pods -A`` (pages of 500), against ``kubectl get pod`` of one
pod and against the same list in one request (``--chunk-size=0``), with the time kubectl spent
waiting for its own client-side rate limit (from its ``-v=6`` log). The seeding rate (pods a
second, the gateway's cluster, controllers on: each seeded pod is scheduled and started, and the
fake kubelet writes four Events) is printed against the rate of a JSON list of the same pods
(items a second). Memory: a fresh process builds the quickstart
world, seeds ``--memory-pods`` pods, and reports its RSS growth per pod; that growth is
everything the cluster keeps because of a pod (the pod, its four Events, the controllers' and
the kubelet's bookkeeping, its share of the watch history), against the JSON of the pod and of
its Events. And a world of ``--memory-pods`` pods (the first 3,000 from a scenario file, which
holds at most 100,000 YAML values, the rest seeded in process), then the quickstart loaded
again: the RSS after that reset against the quickstart's own (idle).

Run: ``python benchmarks/lists.py [--sizes 1000,10000,50000] [--runs 5] [--kubectl-pods 10000]
[--memory-pods 10000]``. Prints medians in milliseconds and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from emulator.cluster.mock.apiserver import MockApiserver
from emulator.runner import ServedApp, serve_emulator
from emulator.scenario import loader
from emulator.standalone.server import StandaloneApiserver, serve_apiserver
from emulator.state import EmulatorState
from measure import (  # benchmarks/measure.py (this folder)
    Kubectl, as_the_agent, https_connector, median, quota_lifted)

GATEWAY = "/v1/projects/123456789012/locations/global/memberships/my-cluster"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
NAMESPACES = 10
PAGE = 500


def pod(i: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{i:05d}", "namespace": f"bench-{i % NAMESPACES}",
                         "labels": {"app": "bench", "shard": str(i % 7)}},
            "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}


class Client:
    """GETs over one kept-alive HTTPS connection to one server."""

    def __init__(self, label: str, server: ServedApp, prefix: str,
                 headers: dict[str, str]) -> None:
        self.label, self.prefix, self.headers = label, prefix, headers
        self.connect = https_connector(server.url, server.ca_pem, timeout=600)
        self.connection = self.connect()

    def body(self, path: str, accept: str = "application/json") -> bytes:
        headers = {**self.headers, "Accept": accept}
        try:
            self.connection.request("GET", self.prefix + path, headers=headers)
            answer = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # The server closed the idle connection (seeding the next size takes a while).
            self.connection.close()
            self.connection = self.connect()
            self.connection.request("GET", self.prefix + path, headers=headers)
            answer = self.connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise SystemExit(f"{self.label}: GET {path} answered {answer.status}: {body[:300]!r}")
        return body

    def timed(self, path: str, accept: str = "application/json") -> float:
        started = time.perf_counter()
        self.body(path, accept)
        return time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()


def tenth_page_path(client: Client) -> str:
    """The path of the tenth page of 500, following the continue tokens of the nine before (the
    last page, in a cluster of fewer than ten pages)."""
    token = ""
    for _ in range(9):
        page = json.loads(client.body(f"/api/v1/pods?limit={PAGE}" + token, TABLE))
        if "continue" not in page["metadata"]:
            break
        token = "&continue=" + quote(page["metadata"]["continue"])
    return f"/api/v1/pods?limit={PAGE}" + token


def seed(cluster: MockApiserver, start: int, stop: int) -> float:
    """Seconds to seed pods ``start`` .. ``stop - 1``, as a scenario's objects are seeded."""
    started = time.perf_counter()
    for i in range(start, stop):
        cluster.seed(pod(i))
    return time.perf_counter() - started


def seed_namespaces(cluster: MockApiserver) -> None:
    for n in range(NAMESPACES):
        cluster.seed({"apiVersion": "v1", "kind": "Namespace",
                      "metadata": {"name": f"bench-{n}"}})


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def measure_size(clients: list[Client], size: int, runs: int) -> dict[str, Any]:
    """Every figure of one size; the servers take turns, run by run (interleaved)."""
    figures: dict[str, Any] = {"pods": size}
    one_pod = "/api/v1/namespaces/bench-0/pods/pod-00000"
    tenth = {c.label: tenth_page_path(c) for c in clients}
    cases: list[tuple[str, Callable[[Client], float]]] = [
        ("get_one_pod_ms", lambda c: c.timed(one_pod)),
        ("json_list_ms", lambda c: c.timed("/api/v1/pods")),
        ("table_list_ms", lambda c: c.timed("/api/v1/pods", TABLE)),
        ("first_page_ms", lambda c: c.timed(f"/api/v1/pods?limit={PAGE}", TABLE)),
        ("tenth_page_ms", lambda c: c.timed(tenth[c.label], TABLE)),
    ]
    for name, case in cases:
        list_runs = runs if size <= 10_000 or "page" in name or "one" in name else max(3, runs // 2)
        samples: dict[str, list[float]] = {client.label: [] for client in clients}
        for client in clients:
            case(client)  # warm-up: connection, caches
        for _ in range(list_runs):
            for client in clients:
                samples[client.label].append(case(client))
        for client in clients:
            figures.setdefault(client.label, {})[name] = ms(statistics.median(
                samples[client.label]))
    items = json.loads(clients[0].body("/api/v1/pods"))["items"]
    figures["json_dumps_same_items_ms"] = ms(median(3, lambda: _timed(lambda: json.dumps(items))))
    for client in clients:
        own = figures[client.label]
        own["ratios_to_one_get"] = {k.removesuffix("_ms"): round(v / own["get_one_pod_ms"], 1)
                                    for k, v in own.items() if k.endswith("_ms")
                                    and k != "get_one_pod_ms"}
        own["json_list_over_json_dumps"] = round(
            own["json_list_ms"] / figures["json_dumps_same_items_ms"], 2)
    return figures


def kubectl_figures(kubectl: Kubectl, runs: int) -> dict[str, float]:
    """``kubectl get pods -A`` (pages of 500) against one pod's ``get`` and against the same
    list in one request (``--chunk-size=0``), and how long kubectl itself waited in that run
    for its client-side rate limit (client-go's 5 requests a second after a burst of 10), as
    its ``-v=6`` log reports."""
    get_all = median(runs, lambda: kubectl.timed("get", "pods", "-A"), warm_up=1)
    one_request = median(runs, lambda: kubectl.timed("get", "pods", "-A", "--chunk-size=0"),
                         warm_up=1)
    get_one = median(runs, lambda: kubectl.timed("get", "pod", "pod-00000", "-n", "bench-0"),
                     warm_up=1)
    logged = subprocess.run([str(kubectl.binary), "get", "pods", "-A", "-v=6"],
                            capture_output=True, text=True, env=kubectl.env, timeout=600)
    waits = [float(m) for m in re.findall(r'Waited before sending request" delay="([0-9.]+)ms"',
                                          logged.stderr)]
    pages = len(re.findall(r'"Response" verb="GET" url="[^"]*/api/v1/pods\?', logged.stderr))
    return {"get_pods_all_namespaces_s": round(get_all, 3),
            "same_in_one_request_s": round(one_request, 3),
            "get_one_pod_s": round(get_one, 3),
            "ratio_to_one_pod": round(get_all / get_one, 2),
            "ratio_to_one_request": round(get_all / one_request, 2),
            "pages": pages, "throttled_waits": len(waits),
            "throttled_s": round(sum(waits) / 1000, 3)}


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


MEMORY_PROBE = r"""
import gc, json, sys, time
from emulator.process_memory import return_large_blocks
from emulator.scenario import loader
from emulator.state import EmulatorState
sys.path.insert(0, sys.argv[2])
from lists import pod, seed_namespaces, NAMESPACES

def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

return_large_blocks()  # as the serving commands do
count = int(sys.argv[1])
state = EmulatorState(loader.load("quickstart"))
cluster = state.membership("my-cluster").cluster
seed_namespaces(cluster)
gc.collect()
before = rss_kib()
started = time.perf_counter()
for i in range(count):
    cluster.seed(pod(i))
seconds = time.perf_counter() - started
gc.collect()
after = rss_kib()
pods, _ = cluster.store.list(("", "pods"), None)
events, _ = cluster.store.list(("", "events"), None)
ours = [p for p in pods if p["metadata"]["name"].startswith("pod-")]
pod_json = sum(len(json.dumps(p, separators=(",", ":"))) for p in ours) / len(ours)
event_json = sum(len(json.dumps(e, separators=(",", ":"))) for e in events
                 if e["involvedObject"].get("name", "").startswith("pod-")) / len(ours)
print(json.dumps({"pods": count, "rss_growth_kib_per_pod": round((after - before) / count, 2),
                  "pod_json_bytes": round(pod_json), "its_events_json_bytes": round(event_json),
                  "events_per_pod": round(len(events) / len(pods), 2),
                  "seed_pods_per_s": round(count / seconds)}))
"""


RESET_PROBE = r"""
import gc, json, sys, tempfile, time
import yaml
from emulator.process_memory import return_large_blocks
from emulator.scenario import loader
from emulator.state import EmulatorState
sys.path.insert(0, sys.argv[2])
from lists import pod, NAMESPACES

def rss_kib():
    gc.collect()
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

return_large_blocks()  # as the serving commands do
count = int(sys.argv[1])
FROM_FILE = 3000  # a scenario file holds at most 100,000 YAML values (limits.py)
quickstart = loader.load("quickstart")
state = EmulatorState(quickstart)
for membership in state.world.memberships.values():
    membership.cluster  # every cluster built, as a test that used them all would have
idle = rss_kib()
base = yaml.safe_load(loader.resolve("quickstart").read_text())
objects = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"bench-{n}"}}
           for n in range(NAMESPACES)] + [pod(i) for i in range(min(count, FROM_FILE))]
base["memberships"][0]["objects"] = objects
with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as big_file:
    yaml.safe_dump(base, big_file)
del base, objects  # only the emulator is to hold the pods
big = loader.load(big_file.name)
started = time.perf_counter()
state.load(big)
cluster = state.membership("my-cluster").cluster
load_s = time.perf_counter() - started
for i in range(FROM_FILE, count):  # past what one scenario file may hold, seeded in process
    cluster.seed(pod(i))
loaded = rss_kib()
del cluster, big
state.load(loader.load("quickstart"))  # as the plugin and the control API load it
for membership in state.world.memberships.values():
    membership.cluster
after = rss_kib()
print(json.dumps({"pods": count, "idle_rss_mib": round(idle / 1024, 1),
                  "with_pods_rss_mib": round(loaded / 1024, 1),
                  "after_reset_rss_mib": round(after / 1024, 1),
                  "after_reset_ratio_to_idle": round(after / idle, 2),
                  "scenario_pods": min(count, FROM_FILE),
                  "scenario_load_s": round(load_s, 2)}))
"""


def memory_after_reset(pods: int) -> dict[str, Any]:
    """A world of ``pods`` pods loaded from a scenario file, then the quickstart again: how much
    of the memory comes back (the big scenario's cluster images go once it is not the newest)."""
    result = subprocess.run([sys.executable, "-c", RESET_PROBE, str(pods),
                             str(Path(__file__).resolve().parent)],
                            capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"reset probe failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def memory(pods: int) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(pods),
                             str(Path(__file__).resolve().parent)],
                            capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"memory probe failed:\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["rss_over_json"] = round(figures["rss_growth_kib_per_pod"] * 1024 / (
        figures["pod_json_bytes"] + figures["its_events_json_bytes"]), 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kubectl-pods", type=int, default=10000)
    parser.add_argument("--kubectl-runs", type=int, default=3)
    parser.add_argument("--memory-pods", type=int, default=10000)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    scenario = quota_lifted(loader.load("quickstart"))
    report: dict[str, Any] = {"sizes": []}
    servers: list[ServedApp] = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        try:
            state = EmulatorState(scenario)
            gateway = serve_emulator(state)
            servers.append(gateway)
            standalone = StandaloneApiserver(scenario, "my-cluster")
            upstream = serve_apiserver(standalone, tls_dir=tmp / "tls")
            servers.append(upstream)
            embedded = state.membership("my-cluster").cluster
            assert isinstance(embedded, MockApiserver)
            clusters = [embedded, standalone.cluster]
            for cluster in clusters:
                seed_namespaces(cluster)
            clients = [Client("gateway", gateway, GATEWAY,
                              {"Authorization": "Bearer ya29.fake-alice"}),
                       Client("direct", upstream, "", as_the_agent(standalone.admin_token))]
            seeded = 0
            for size in sizes:
                seconds = seed(embedded, seeded, size)
                seed(standalone.cluster, seeded, size)
                figures = measure_size(clients, size, args.runs)
                figures["seed_pods_per_s"] = round((size - seeded) / seconds)
                json_list = figures["gateway"]["json_list_ms"] / 1000
                figures["json_list_items_per_s"] = round(size / json_list)
                figures["seed_rate_over_list_rate"] = round(
                    figures["seed_pods_per_s"] / figures["json_list_items_per_s"], 4)
                seeded = size
                if size == args.kubectl_pods:
                    figures["kubectl"] = kubectl_figures(Kubectl(gateway, scenario, tmp),
                                                         args.kubectl_runs)
                report["sizes"].append(figures)
                print(json.dumps(figures), file=sys.stderr, flush=True)
            for client in clients:
                client.close()
        finally:
            for server in reversed(servers):
                server.stop()
    if args.memory_pods:
        report["memory"] = memory(args.memory_pods)
        report["memory_after_reset"] = memory_after_reset(args.memory_pods)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
