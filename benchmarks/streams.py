"""Stream throughput and stream set-up time through the gateway, as ratios measured in one run.

- Throughput: ``cat`` of a large file in the fake container, read as exec output (a) through the
  served gateway over TLS with a WebSocket client, as kubectl would, and (b) straight from the mock
  apiserver's stream session in-process (no TLS, no relay). Ratio: gateway / direct.
- Set-up: from opening the WebSocket to the stream's first frame (``echo``), against a plain
  request through the same gateway (GET a pod) as the baseline.

The mock's modelled kubelet start time (``PROCESS_START_SECONDS``) is set to 0 here: it is a
constant of the simulated cluster, not a cost of the gateway, and would hide the ratios.

Run: ``python benchmarks/streams.py [--mib N] [--runs N]``. Prints medians and ratios; asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import statistics
import time
import urllib.request

from websockets.asyncio.client import connect

from emulator.agent.impersonation import as_agent
from emulator.cluster.mock.node import streams
from emulator.runner import ServedApp, serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState
from measure import median  # benchmarks/measure.py (this script's folder)

PREFIX = "/v1beta1/projects/123456789012/locations/global/memberships/my-cluster"
POD = "/api/v1/namespaces/default/pods/web"
ALICE = {"Authorization": "Bearer ya29.fake-alice"}
V5 = "v5.channel.k8s.io"
# The WebSocket client is websockets' asyncio one, never its sync one. The sync client reads the
# TLS socket in a background thread while the caller's thread writes the upgrade request, and an
# OpenSSL connection is not safe for that: when the server's TLS 1.3 session tickets arrive at
# that moment, about one connection in 1,500 lost its request (the server got only the
# handshake) and failed with "did not receive a valid HTTP response" once the server's
# keep-alive timeout closed it. websockets' own server shows the same; the gateway is not in it.


def exec_query(*argv: str) -> str:
    return "&".join([f"command={a}" for a in argv] + ["container=main", "stdout=true"])


def through_gateway(server: ServedApp, context: ssl.SSLContext, query: str) -> tuple[int, float]:
    """Bytes of stdout and seconds until the stream ended, over a real WebSocket."""
    url = server.url.replace("https://", "wss://") + f"{PREFIX}{POD}/exec?{query}"

    async def run() -> tuple[int, float]:
        started = time.perf_counter()
        received = 0
        async with connect(url, ssl=context, subprotocols=[V5],  # type: ignore[list-item]
                           additional_headers=ALICE, max_size=None, compression=None) as socket:
            async for message in socket:
                if isinstance(message, bytes) and message[:1] == b"\x01":
                    received += len(message) - 1
        return received, time.perf_counter() - started

    return asyncio.run(run())


def first_frame(server: ServedApp, context: ssl.SSLContext) -> float:
    url = server.url.replace("https://", "wss://") + f"{PREFIX}{POD}/exec?{exec_query('echo', 'hi')}"

    async def run() -> float:
        started = time.perf_counter()
        async with connect(url, ssl=context, subprotocols=[V5],  # type: ignore[list-item]
                           additional_headers=ALICE, compression=None) as socket:
            await socket.recv()
            return time.perf_counter() - started

    return asyncio.run(run())


def plain_request(server: ServedApp, context: ssl.SSLContext) -> float:
    started = time.perf_counter()
    request = urllib.request.Request(server.url + PREFIX + POD, headers=ALICE)
    with urllib.request.urlopen(request, context=context) as answer:
        json.load(answer)
    return time.perf_counter() - started


def direct(state: EmulatorState, query: str) -> tuple[int, float]:
    membership = state.membership("my-cluster")
    assert membership is not None

    async def run() -> tuple[int, float]:
        request = as_agent("GET", f"{POD}/exec", query, [], b"", principal="alice@example.com",
                           groups=(), agent_token=membership.transport.token)
        started = time.perf_counter()
        session = await membership.cluster.open_stream(request, ["v5.channel.k8s.io"])
        received = 0
        while (message := await session.receive()) is not None:  # type: ignore[union-attr]
            if isinstance(message, bytes) and message[:1] == b"\x01":
                received += len(message) - 1
        return received, time.perf_counter() - started

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=32, help="size of the file cat reads")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    streams.PROCESS_START_SECONDS = 0
    state = EmulatorState(loader.load("quickstart"))
    membership = state.membership("my-cluster")
    assert membership is not None
    size = args.mib * 1024 * 1024
    membership.cluster.sandbox("default", "web", "main").fs.write("/tmp/big", b"x" * size)
    server = serve_emulator(state)
    context = ssl.create_default_context(cadata=server.ca_pem.decode())
    query = exec_query("cat", "/tmp/big")
    try:
        gateway_runs = [through_gateway(server, context, query) for _ in range(args.runs)]
        direct_runs = [direct(state, query) for _ in range(args.runs)]
        assert all(n == size for n, _ in gateway_runs + direct_runs), "short read"
        gateway_mib_s = args.mib / statistics.median(t for _, t in gateway_runs)
        direct_mib_s = args.mib / statistics.median(t for _, t in direct_runs)
        open_s = median(args.runs * 3, lambda: first_frame(server, context))
        plain_s = median(args.runs * 3, lambda: plain_request(server, context))
    finally:
        server.stop()
    print(json.dumps({
        "file_mib": args.mib,
        "gateway_throughput_mib_s": round(gateway_mib_s, 1),
        "direct_throughput_mib_s": round(direct_mib_s, 1),
        "throughput_ratio_gateway_to_direct": round(gateway_mib_s / direct_mib_s, 3),
        "stream_open_s": round(open_s, 4),
        "plain_request_s": round(plain_s, 4),
        "stream_open_ratio_to_plain_request": round(open_s / plain_s, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
