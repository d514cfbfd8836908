"""What the pytest plugin costs a test suite: starting the served emulator once per session, and
giving every test a fresh world. Ratios against baselines measured in the same run:

- session start against a bare TLS server start (the floor of serving anything);
- a reset (``EmulatorState.load`` of the scenario, what the fixture does before each test), the
  same through the control API (``POST /_emulator/reset``), and a reset followed by the first
  request into a cluster (which builds that cluster, or restores it from the image the first
  world of the scenario left), each against one request through the gateway;
- the fixture's overhead per test: a pytest run of ``--tests`` trivial tests that take the
  ``connect_gateway`` fixture, against the same tests without it, each in a fresh process
  (``(with - without) / tests``, the session's start included); what one more fixture test
  costs (a run of twice as many, less the first, per test); and the overhead with one request
  into a cluster per test, against tests that send that request to a session-wide emulator that
  is never reset.

Run: ``python benchmarks/lifecycle.py [--runs N] [--tests N]``. Prints medians and ratios;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from emulator.control.client import ControlClient
from emulator.runner import ServedApp, serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState
from measure import median  # benchmarks/measure.py (this script's folder)

NAMESPACES = "/v1/projects/123456789012/locations/global/memberships/my-cluster/api/v1/namespaces"

# The test files the per-test overhead is measured with. Each GET goes to my-cluster's namespaces
# through the gateway as alice, over one keep-alive connection per session where possible.
CONFTEST = '''
import ssl, urllib.request
import pytest

PATH = "{path}"


def get(url, ca_pem):
    context = ssl.create_default_context(cadata=ca_pem.decode())
    request = urllib.request.Request(url + PATH, headers={{"Authorization": "Bearer ya29.fake-alice"}})
    with urllib.request.urlopen(request, context=context) as answer:
        assert answer.status == 200
        answer.read()
'''
# Each kind: what its test file starts with, and one test.
TESTS = {
    "bare": ("", "def test_{n}():\n    pass\n"),
    "fixture": ("", "def test_{n}(connect_gateway):\n    pass\n"),
    "bare_request": ("from conftest import get\n\n",
                     "def test_{n}(connect_gateway_server):\n"
                     "    _, server = connect_gateway_server\n"
                     "    get(server.url, server.ca_pem)\n"),
    "fixture_request": ("from conftest import get\n\n",
                        "def test_{n}(connect_gateway):\n"
                        "    get(connect_gateway.url, connect_gateway.ca_pem)\n"),
}


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def pytest_run(folder: Path, kind: str, tests: int) -> float:
    """Seconds for a fresh ``pytest`` process to run ``tests`` tests of ``kind``."""
    suite = folder / f"{kind}-{tests}"
    if not suite.exists():
        suite.mkdir()
        header, test = TESTS[kind]
        (suite / "conftest.py").write_text(CONFTEST.format(path=NAMESPACES))
        (suite / "test_many.py").write_text(
            header + "\n\n".join(test.format(n=n) for n in range(tests)))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(suite)], capture_output=True, text=True, timeout=600, cwd=suite)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"pytest run of {kind} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=3,
                        help="pytest runs of each kind (fresh processes, interleaved)")
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
    control = ControlClient(server.url, server.ca_pem)

    def one_request() -> None:
        with urllib.request.urlopen(request, context=context) as answer:
            answer.read()

    def reset_and_request() -> None:
        state.load(loader.load("quickstart"))
        one_request()

    try:
        reset_s = median(args.runs, lambda: timed(lambda: state.load(loader.load("quickstart"))),
                         warm_up=2)
        control_reset_s = median(args.runs, lambda: timed(control.reset), warm_up=2)
        request_s = median(args.runs, lambda: timed(one_request), warm_up=2)
        reset_request_s = median(args.runs, lambda: timed(reset_and_request), warm_up=2)
    finally:
        server.stop()
    start_s = median(max(3, args.runs // 10), start_emulator)
    bare_s = median(max(3, args.runs // 10), start_bare)

    # (kind, tests): the measure is 200 fixture tests against 200 bare ones, which counts
    # the session's start (imports, serving, the first world's build) once in 200; twice as many
    # fixture tests give the cost of one more test alone.
    runs = [("bare", args.tests), ("fixture", args.tests), ("fixture", 2 * args.tests),
            ("bare_request", args.tests), ("fixture_request", args.tests)]
    with tempfile.TemporaryDirectory(prefix="cgw-lifecycle-") as scratch:
        folder = Path(scratch)
        for kind, tests in runs:  # once first: the test files are compiled, not timed
            pytest_run(folder, kind, tests)
        seconds: dict[tuple[str, int], list[float]] = {run: [] for run in runs}
        for _ in range(args.sessions):  # interleaved, so load on the machine hits every kind
            for kind, tests in runs:
                seconds[(kind, tests)].append(pytest_run(folder, kind, tests))
    session = {run: sorted(values)[len(values) // 2] for run, values in seconds.items()}
    bare, fixture = session[("bare", args.tests)], session[("fixture", args.tests)]
    per_test = (fixture - bare) / args.tests
    one_more = (session[("fixture", 2 * args.tests)] - fixture) / args.tests
    one_more_bare = bare / args.tests  # a bare test's own cost, session start included
    per_test_request = (session[("fixture_request", args.tests)]
                        - session[("bare_request", args.tests)]) / args.tests
    print(json.dumps({
        "session_start_s": round(start_s, 4),
        "bare_server_start_s": round(bare_s, 4),
        "session_start_ratio_to_bare": round(start_s / bare_s, 2),
        "reset_s": round(reset_s, 5),
        "control_api_reset_s": round(control_reset_s, 5),
        "gateway_request_s": round(request_s, 5),
        "reset_then_first_request_s": round(reset_request_s, 5),
        "reset_ratio_to_one_request": round(reset_s / request_s, 2),
        "control_api_reset_ratio_to_one_request": round(control_reset_s / request_s, 2),
        "reset_then_request_ratio_to_one_request": round(reset_request_s / request_s, 2),
        "tests": args.tests,
        "pytest_s": {f"{kind}_{tests}": round(value, 3) for (kind, tests), value in
                     session.items()},
        "fixture_overhead_per_test_s": round(per_test, 5),
        "fixture_run_ratio_to_bare_run": round(fixture / bare, 2),
        "one_more_fixture_test_s": round(one_more, 5),
        "one_more_fixture_test_ratio_to_a_bare_test": round(one_more / one_more_bare, 2),
        "fixture_overhead_per_test_with_a_request_s": round(per_test_request, 5),
    }, indent=2))


if __name__ == "__main__":
    main()
