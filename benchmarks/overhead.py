"""The gateway's own work on one request, in process, as a ratio to the apiserver it fronts.

Both apps are called as the HTTP server calls them (ASGI), in one process and one event loop,
without the server, TLS or a socket, which cost the two ways alike: so what is left is the
gateway's stages (route, authentication, IAM, the Connect Agent's impersonation, the audit) and
the mock's extra work for them (the agent's impersonation is authorized by RBAC, the user's
request then too).

- the gateway: ``create_app`` of the quickstart world, my-cluster on its embedded mock, as alice
  (``Bearer ya29.fake-alice``);
- the baseline: the standalone apiserver's app on my-cluster of the same scenario, as the agent
  calls it (the admin token with ``Impersonate-User: alice@example.com``).

Two requests: a pod GET, and a ConfigMap create (a fresh name each time; no controller acts on
it). Each is timed in CPU seconds over blocks of ``--requests`` calls, the two apps taking turns
block by block, ``--rounds`` blocks each; the medians are printed in microseconds, with the
ratio and the difference.

Run: ``python benchmarks/overhead.py [--requests N] [--rounds R]``. Prints JSON; asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message

from emulator.app import create_app
from emulator.scenario import loader
from emulator.standalone.app import create_apiserver_app
from emulator.standalone.server import StandaloneApiserver
from emulator.state import EmulatorState
from measure import as_the_agent, quota_lifted  # benchmarks/measure.py (this folder)
from remote import ALICE, GATEWAY_POD, POD  # benchmarks/remote.py

MEMBERSHIP = GATEWAY_POD.removesuffix(POD)
CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


class Way:
    """One app and how its requests are addressed and signed."""

    def __init__(self, app: ASGIApp, prefix: str, headers: list[tuple[bytes, bytes]]) -> None:
        self.app, self.prefix, self.headers = app, prefix, headers

    async def call(self, method: str, path: str, body: bytes = b"") -> int:
        """The answer's status, the body read and the answer sent as a server would."""
        headers = [(b"host", b"127.0.0.1"), (b"accept", b"application/json"), *self.headers]
        if body:
            headers += [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())]
        full = self.prefix + path
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.1"},
                 "http_version": "1.1", "method": method, "scheme": "https", "path": full,
                 "raw_path": full.encode(), "query_string": b"", "root_path": "",
                 "headers": headers, "client": ("127.0.0.1", 50000),
                 "server": ("127.0.0.1", 443), "extensions": {}, "state": {}}
        delivered = False
        status = 0

        async def receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client stays: no disconnect
            raise AssertionError("unreachable")

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app(scope, receive, send)
        return status


def _asgi(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as ASGI carries them: lower-cased names, bytes."""
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


def configmap(names: itertools.count[int]) -> bytes:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": f"overhead-{next(names)}"},
                       "data": {"key": "value"}}).encode()


async def block_us(way: Way, requests: int, request: Callable[[Way], Any], expected: int) -> float:
    """Microseconds of CPU per request over ``requests`` calls."""
    started = time.process_time()
    for _ in range(requests):
        status = await request(way)
        if status != expected:
            raise SystemExit(f"answered {status}, not {expected}")
    return (time.process_time() - started) / requests * 1e6


async def measure(ways: dict[str, Way], requests: int, rounds: int) -> dict[str, Any]:
    names = itertools.count()
    kinds: dict[str, tuple[Callable[[Way], Any], int]] = {
        "get": (lambda way: way.call("GET", POD), 200),
        "create": (lambda way: way.call("POST", CONFIGMAPS, configmap(names)), 201)}
    report: dict[str, Any] = {"requests": requests, "rounds": rounds}
    for kind, (request, expected) in kinds.items():
        samples: dict[str, list[float]] = {label: [] for label in ways}
        for way in ways.values():  # warm-up: caches, the first decode of each kind
            await block_us(way, max(10, requests // 10), request, expected)
        for number in range(rounds):
            order = list(ways.items()) if number % 2 == 0 else list(reversed(ways.items()))
            for label, way in order:
                samples[label].append(await block_us(way, requests, request, expected))
        gateway, direct = (statistics.median(samples[label]) for label in ("gateway", "direct"))
        report[kind] = {"gateway_us": round(gateway, 1), "direct_us": round(direct, 1),
                        "added_us": round(gateway - direct, 1),
                        "ratio_gateway_to_direct": round(gateway / direct, 2)}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per timed block")
    parser.add_argument("--rounds", type=int, default=5, help="blocks per app and request")
    args = parser.parse_args()
    scenario = quota_lifted(loader.load("quickstart"))
    standalone = StandaloneApiserver(scenario, "my-cluster")
    ways = {
        "gateway": Way(create_app(EmulatorState(scenario)), MEMBERSHIP, _asgi(ALICE)),
        "direct": Way(create_apiserver_app(standalone), "",
                      _asgi(as_the_agent(standalone.admin_token))),
    }
    print(json.dumps(asyncio.run(measure(ways, args.requests, args.rounds)), indent=2))


if __name__ == "__main__":
    main()
