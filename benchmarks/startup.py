"""Start-up cost of the emulator, as ratios to the bare stack measured in the same run.

Three numbers (issue #2; the plugin's since issue #17):
- ``serve`` → first successful gateway request: a ``connect-gateway-emulator serve`` process until
  ``kubectl get ns``'s request (GET .../api/v1/namespaces as alice) answers 200. Baseline: a process
  that serves a one-route Starlette app over TLS with the same runner, until it answers.
- in-process start: ``EmulatorState(quickstart)`` + ``ServedApp.start()`` + first request,
  repeated in one process after one uncounted start (the clusters are then restored from their
  images), and the first one in a fresh interpreter (which builds them). Baseline:
  ``ServedApp.start()`` of the one-route app + first request.
- the pytest plugin's import in a fresh process that has imported pytest, which every pytest
  session on a machine with the package installed pays (the ``pytest11`` entry point), whether
  or not a test uses the fixture. Baseline: ``import pytest`` in a fresh process.

Run: ``python benchmarks/startup.py [--runs N]``. Prints medians and the ratios; asserts nothing.
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

from emulator.app import create_app
from emulator.runner import ServedApp
from emulator.scenario import loader
from emulator.state import EmulatorState
from measure import median  # benchmarks/measure.py (this script's folder)

GATEWAY_LIST = "/v1/projects/123456789012/locations/global/memberships/my-cluster/api/v1/namespaces"
BARE_SERVER = """
import sys
from pathlib import Path
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from emulator.runner import ServedApp
import threading
app = Starlette(routes=[Route("/{p:path}", lambda r: PlainTextResponse("ok"))])
server = ServedApp(app).start()
state = Path(sys.argv[1])
(state / "ca.pem").write_bytes(server.ca_pem)
(state / "url.partial").write_text(server.url)
(state / "url.partial").replace(state / "url")  # whole or absent, as serve publishes it
threading.Event().wait()
"""


def bare_app() -> Starlette:
    async def ok(_: object) -> PlainTextResponse:
        return PlainTextResponse("ok")
    return Starlette(routes=[Route("/{p:path}", ok)])


def first_request(url: str, ca_pem: bytes, path: str) -> None:
    context = ssl.create_default_context(cadata=ca_pem.decode())
    request = urllib.request.Request(url + path, headers={"Authorization": "Bearer ya29.fake-alice"})
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        assert answer.status == 200, answer.status


def time_process(command: list[str], state_dir: Path, path: str) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not (state_dir / "url").exists():
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "exited")
            time.sleep(0.002)
        first_request((state_dir / "url").read_text().strip(), (state_dir / "ca.pem").read_bytes(),
                      path)
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=20)


def time_in_process(build: Callable[[], ServedApp], path: str) -> float:
    started = time.perf_counter()
    server = build().start()
    first_request(server.url, server.ca_pem, path)
    elapsed = time.perf_counter() - started
    server.stop()
    return elapsed


FIRST_START = """
import sys, time
sys.path.insert(0, sys.argv[1])
from startup import GATEWAY_LIST, first_request
from emulator.app import create_app
from emulator.runner import ServedApp
from emulator.scenario import loader
from emulator.state import EmulatorState
started = time.perf_counter()
server = ServedApp(create_app(EmulatorState(loader.load("quickstart")))).start()
first_request(server.url, server.ca_pem, GATEWAY_LIST)
print(time.perf_counter() - started)
server.stop()
"""


def time_first_start() -> float:
    """In-process start + first request in a fresh interpreter (modules imported, nothing
    built): the first world of a process builds the clusters that have seeds, which later worlds
    restore from their images."""
    out = subprocess.run([sys.executable, "-c", FIRST_START, str(Path(__file__).resolve().parent)],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return float(out.strip().splitlines()[-1])


IMPORT_TIME = """
import sys, time
{before}
started = time.perf_counter()
import {module}
print(time.perf_counter() - started)
"""


def time_import(module: str, before: str = "") -> float:
    """Seconds to import ``module`` in a fresh interpreter, after ``before`` ran."""
    out = subprocess.run([sys.executable, "-c", IMPORT_TIME.format(before=before, module=module)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return float(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    def serve_emulator() -> float:
        with tempfile.TemporaryDirectory() as tmp:
            return time_process([sys.executable, "-m", "emulator", "serve", "--port", "0",
                                 "--state-dir", tmp], Path(tmp), GATEWAY_LIST)

    def serve_bare() -> float:
        with tempfile.TemporaryDirectory() as tmp:
            return time_process([sys.executable, "-c", BARE_SERVER, tmp], Path(tmp), "/")

    scenario = loader.load("quickstart")
    results = {
        "serve_to_first_request_s": median(args.runs, serve_emulator),
        "bare_process_to_first_request_s": median(args.runs, serve_bare),
        # One start each first, not counted: it builds the world the repeated starts restore
        # (the first start is the next figure's, in a fresh interpreter).
        "in_process_start_s": median(args.runs, lambda: time_in_process(
            lambda: ServedApp(create_app(EmulatorState(scenario))), GATEWAY_LIST), warm_up=1),
        "bare_in_process_start_s": median(args.runs, lambda: time_in_process(
            lambda: ServedApp(bare_app()), "/"), warm_up=1),
        "first_in_process_start_s": median(args.runs, time_first_start),
    }
    results["plugin_import_s"] = median(args.runs, lambda: time_import(
        "emulator.pytest_plugin", "import pytest"))
    results["pytest_import_s"] = median(args.runs, lambda: time_import("pytest"))
    results["plugin_ratio_to_pytest_import"] = (results["plugin_import_s"]
                                                / results["pytest_import_s"])
    results["serve_ratio_to_bare"] = (results["serve_to_first_request_s"]
                                      / results["bare_process_to_first_request_s"])
    results["in_process_ratio_to_bare"] = (results["in_process_start_s"]
                                           / results["bare_in_process_start_s"])
    results["first_in_process_ratio_to_bare"] = (results["first_in_process_start_s"]
                                                 / results["bare_in_process_start_s"])
    print(json.dumps({k: round(v, 4) for k, v in results.items()}, indent=2))


if __name__ == "__main__":
    main()
