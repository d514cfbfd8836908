"""What the pytest plugin costs a test suite: starting the served emulator once per session, and
resetting its world before every test. Ratios against baselines measured in the same run: a bare
TLS server start (the floor of serving anything), and one request through the gateway (what a
test does at least once).

Run: ``python benchmarks/lifecycle.py [--runs N]``. Prints medians and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import ssl
import time
import urllib.request
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from emulator.runner import ServedApp, serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState
from measure import median  # benchmarks/measure.py (this script's folder)

NAMESPACES = "/v1/projects/123456789012/locations/global/memberships/my-cluster/api/v1/namespaces"


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    scenario = loader.load("quickstart")

    def start_emulator() -> float:
        started = time.perf_counter()
        server = serve_emulator(EmulatorState(scenario))
        elapsed = time.perf_counter() - started
        server.stop()
        return elapsed

    def start_bare() -> float:
        async def ok(_: object) -> PlainTextResponse:
            return PlainTextResponse("ok")
        started = time.perf_counter()
        server = ServedApp(Starlette(routes=[Route("/", ok)])).start()
        elapsed = time.perf_counter() - started
        server.stop()
        return elapsed

    state = EmulatorState(scenario)
    server = serve_emulator(state)
    context = ssl.create_default_context(cadata=server.ca_pem.decode())
    request = urllib.request.Request(server.url + NAMESPACES,
                                     headers={"Authorization": "Bearer ya29.fake-alice"})

    def one_request() -> None:
        with urllib.request.urlopen(request, context=context) as answer:
            answer.read()

    try:
        reset_s = median(args.runs, lambda: timed(lambda: state.load(scenario)))
        request_s = median(args.runs, lambda: timed(one_request))
    finally:
        server.stop()
    start_s = median(max(3, args.runs // 4), start_emulator)
    bare_s = median(max(3, args.runs // 4), start_bare)
    print(json.dumps({
        "session_start_s": round(start_s, 4),
        "bare_server_start_s": round(bare_s, 4),
        "session_start_ratio_to_bare": round(start_s / bare_s, 2),
        "reset_s": round(reset_s, 4),
        "gateway_request_s": round(request_s, 4),
        "reset_ratio_to_one_request": round(reset_s / request_s, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
