"""Watch fan-out through the gateway: many watchers see a burst of creates, as a ratio to the same
watchers on the apiserver directly, measured in one run.

Two servers, each in a process of its own (``remote.py``'s children), over TLS on loopback:

- the gateway on its embedded cluster (my-cluster of the quickstart world, controllers on, as
  users get it), reached as alice (``Bearer ya29.fake-alice``) under the membership's path;
- my-cluster's mock served on its own by the standalone apiserver (``direct``: the admin token
  with ``Impersonate-User: alice``, as the Connect Agent sends it): the baseline.

Each run takes a fresh namespace. ``--watchers`` clients, each on an HTTPS connection of its own
(aiohttp, in this process), watch the namespace's pods from the resourceVersion of a list
(``?watch=1&resourceVersion=RV``); once every watch's response headers have arrived, one more
client creates ``--creates`` pods there, one after another over one kept-alive connection. The
figure is the time from the first create being sent until every watcher has read an ADDED event
for each pod (the controllers schedule and start each pod, so a watcher also reads three
MODIFIED events per pod meanwhile). Also printed: the time until the last create was answered,
and the server process's CPU over the figure's window (counted in clock ticks of 10 ms: its
ratio is null when the baseline's is zero, as it may be in a tiny run). The two servers take
turns run by run (which goes first alternating), after one small warm-up run each; the figures
are medians of ``--runs``, and each ratio is the median of the runs' ratios.

Run: ``python benchmarks/watches.py [--watchers N] [--creates M] [--runs R]``. Prints JSON with
medians in seconds and ratios; asserts nothing. Linux only (CPU times from /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from measure import as_the_agent  # benchmarks/measure.py (this script's folder)
from remote import ALICE, GATEWAY_POD, Child, cpu_seconds  # benchmarks/remote.py

PREFIX = GATEWAY_POD.removesuffix("/api/v1/namespaces/default/pods/web")
ADDED = b'{"type":"ADDED",'  # how kube's encoder (and the mock's) starts an ADDED event's line
RUN_LIMIT = 300.0  # seconds any one run may take before the benchmark gives up
WARM_UP = 5  # watchers and creates of the uncounted first run against each server


@dataclass(frozen=True)
class Way:
    """One server as the clients reach it."""

    label: str
    url: str  # the server's URL with the path under which the Kubernetes API is
    headers: dict[str, str]
    context: ssl.SSLContext
    pid: int


@dataclass(frozen=True)
class Run:
    seen_s: float  # first create sent → every watcher has read every ADDED
    created_s: float  # first create sent → last create answered
    server_cpu_s: float  # the server process's CPU over seen_s


def pod(namespace: str, i: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{i:04d}", "namespace": namespace,
                         "labels": {"app": "watched"}},
            "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}


def session(way: Way) -> aiohttp.ClientSession:
    """A client of one connection (a watch holds it until the watch ends)."""
    return aiohttp.ClientSession(
        way.url, headers=way.headers,
        connector=aiohttp.TCPConnector(ssl=way.context, limit=1),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=30))


async def expect(answer: aiohttp.ClientResponse, status: int, what: str) -> None:
    if answer.status != status:
        body = await answer.read()
        raise SystemExit(f"{what} answered {answer.status}, not {status}: {body[:300]!r}")


async def read_added(answer: aiohttp.ClientResponse, creates: int) -> float:
    """When this watcher had read ``creates`` ADDED events."""
    seen = 0
    async for line in answer.content:  # one watch event a line
        if line.startswith(ADDED):
            seen += 1
            if seen == creates:
                return time.perf_counter()
    raise SystemExit(f"a watch ended after {seen} of {creates} ADDED events")


async def create_pods(writer: aiohttp.ClientSession, namespace: str, creates: int) -> float:
    """When the last create was answered."""
    path = f"api/v1/namespaces/{namespace}/pods"
    for i in range(creates):
        async with writer.post(path, json=pod(namespace, i)) as answer:
            await expect(answer, 201, f"POST {path}")
            # Read to its end: aiohttp closes a connection whose answer was left unread, and
            # each create then paid a new TLS handshake (more often through whichever server
            # happened to send the body after the head).
            await answer.read()
    return time.perf_counter()


async def one_run(way: Way, namespace: str, watchers: int, creates: int) -> Run:
    # Relative paths join the way's URL: it ends with "/".
    pods = f"api/v1/namespaces/{namespace}/pods"
    async with session(way) as writer:
        created = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        async with writer.post("api/v1/namespaces", json=created) as answer:
            await expect(answer, 201, "POST namespaces")
        async with writer.get(pods) as answer:
            await expect(answer, 200, f"GET {pods}")
            version = (await answer.json())["metadata"]["resourceVersion"]
        clients = [session(way) for _ in range(watchers)]
        try:
            # Every watch established (its headers received) before the first create.
            watches = await asyncio.gather(*(
                client.get(pods, params={"watch": "1", "resourceVersion": version})
                for client in clients))
            for answer in watches:
                await expect(answer, 200, f"GET {pods}?watch=1")
            cpu_before = cpu_seconds(way.pid)
            started = time.perf_counter()
            readers = [asyncio.ensure_future(read_added(answer, creates)) for answer in watches]
            created_at = await create_pods(writer, namespace, creates)
            seen_at = max(await asyncio.gather(*readers))
            cpu = cpu_seconds(way.pid) - cpu_before
            for answer in watches:
                answer.close()
        finally:
            await asyncio.gather(*(client.close() for client in clients))
    return Run(seen_at - started, created_at - started, cpu)


def measure(way: Way, namespace: str, watchers: int, creates: int) -> Run:
    async def limited() -> Run:
        try:
            return await asyncio.wait_for(one_run(way, namespace, watchers, creates), RUN_LIMIT)
        except TimeoutError:
            raise SystemExit(f"{way.label}: {watchers} watchers had not seen {creates} creates "
                             f"after {RUN_LIMIT:.0f} s") from None

    return asyncio.run(limited())


def _median_ratio(numerators: list[float], denominators: list[float]) -> float | None:
    """The median of the runs' ratios; None when no run's baseline is above zero (CPU time is
    counted in clock ticks, 10 ms, which a tiny run may not reach)."""
    ratios = [n / d for n, d in zip(numerators, denominators) if d > 0]
    return statistics.median(ratios) if ratios else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--creates", type=int, default=100, help="pods created in each run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    children: list[Child] = []
    runs: dict[str, list[Run]] = {"gateway": [], "direct": []}
    with tempfile.TemporaryDirectory() as scratch:
        try:
            upstream = Child("upstream", Path(scratch))
            children.append(upstream)
            embedded = Child("embedded", Path(scratch))
            children.append(embedded)
            ways = [
                Way("gateway", embedded.served.url + PREFIX + "/", ALICE,
                    ssl.create_default_context(cadata=embedded.served.ca_pem.decode()),
                    embedded.served.pid),
                Way("direct", upstream.served.url + "/", as_the_agent(upstream.admin_token),
                    ssl.create_default_context(cadata=upstream.served.ca_pem.decode()),
                    upstream.served.pid)]
            for way in ways:  # first connections, code paths, the agent's token
                measure(way, "watch-warm-up", WARM_UP, WARM_UP)
            for number in range(args.runs):
                for way in ways if number % 2 == 0 else reversed(ways):
                    runs[way.label].append(
                        measure(way, f"watch-{number}", args.watchers, args.creates))
        finally:
            for child in reversed(children):
                child.stop()

    def seconds(label: str, field: str) -> float:
        return round(statistics.median(getattr(run, field) for run in runs[label]), 4)

    def ratio(field: str) -> float | None:
        found = _median_ratio([getattr(run, field) for run in runs["gateway"]],
                              [getattr(run, field) for run in runs["direct"]])
        return None if found is None else round(found, 2)

    print(json.dumps({
        "watchers": args.watchers,
        "creates": args.creates,
        "runs": args.runs,
        "gateway_s": seconds("gateway", "seen_s"),
        "direct_s": seconds("direct", "seen_s"),
        "ratio_gateway_to_direct": ratio("seen_s"),
        "gateway_creates_s": seconds("gateway", "created_s"),
        "direct_creates_s": seconds("direct", "created_s"),
        "creates_ratio_gateway_to_direct": ratio("created_s"),
        "gateway_server_cpu_s": seconds("gateway", "server_cpu_s"),
        "direct_server_cpu_s": seconds("direct", "server_cpu_s"),
        "server_cpu_ratio_gateway_to_direct": ratio("server_cpu_s"),
    }, indent=2))


if __name__ == "__main__":
    main()
