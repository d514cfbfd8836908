"""The long fuzz run: tens of thousands of hostile requests (tests/hostile.py) against a served
emulator, then the checks a user cares about, and the server's memory around large objects.

It starts `connect-gateway-emulator serve` on a free loopback port, sends ``--requests`` hostile
requests over TLS (gateway, Google APIs and control API, as drawn by hypothesis), and prints one
JSON report:

- the count of answers by status, the 5xx among them, requests that got no answer in time, and
  the tracebacks in the server's output;
- whether the real kubectl still answers `get pods` and `exec web -- hostname` afterwards;
- the server's RSS before and after creating and deleting large ConfigMaps, and their ratio.

Run: ``python benchmarks/fuzz.py [--requests 20000] [--seed N]``. Loopback only; every loop is
bounded; nothing is asserted: a developer reads the counts.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from hypothesis import HealthCheck, Phase, given, seed, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the strategies live with the tests, in tests/hostile.py
from emulator.clients import find_kubectl  # noqa: E402
from tests import hostile  # noqa: E402
from tests.hostile import HostileRequest  # noqa: E402

GATEWAY = f"/v1/projects/{hostile.PROJECT_NUMBER}/locations/global/memberships/my-cluster"
ALICE = {"Authorization": f"Bearer {hostile.ALICE}"}
LARGE_OBJECTS = 40
LARGE_VALUE = "x" * (900 * 1024)  # under kube's 1 MiB ConfigMap limit


def start_serve(state_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    out = log.open("wb")
    server = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0",
                               "--state-dir", str(state_dir)], stdout=out,
                              stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 60
    while not (state_dir / "url").is_file() or not (state_dir / "url").read_text().strip():
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"serve did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return server, (state_dir / "url").read_text().strip(), state_dir / "ca.pem"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit("no VmRSS in /proc")


def fuzz(client: httpx.Client, requests: int, seed_value: int) -> dict[str, object]:
    statuses: collections.Counter[str] = collections.Counter()
    no_answer: list[str] = []
    server_errors: list[str] = []

    @seed(seed_value)
    @settings(max_examples=requests, phases=[Phase.generate], database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(request=hostile.any_request)
    def send(request: HostileRequest) -> None:
        try:
            answer = client.request(request.method, request.path, headers=request.headers,
                                    content=request.body)
        except httpx.HTTPError as error:
            no_answer.append(f"{type(error).__name__}: {request.describe()}")
            return
        statuses[str(answer.status_code)] += 1
        if answer.status_code >= 500 and len(server_errors) < 20:
            server_errors.append(f"{answer.status_code}: {request.describe()}")

    send()
    return {"requests": sum(statuses.values()) + len(no_answer),
            "by_status": dict(sorted(statuses.items())),
            "5xx": sum(n for code, n in statuses.items() if code.startswith("5")),
            "no_answer": len(no_answer), "first_no_answers": no_answer[:10],
            "first_5xx": server_errors}


def kubectl_still_works(url: str, ca: Path, home: Path) -> dict[str, object]:
    kubectl = find_kubectl()
    if kubectl is None:
        return {"kubectl": "not found"}
    config = home / "kubeconfig"
    subprocess.run([sys.executable, "-m", "emulator", "kubeconfig", "my-cluster", "--as",
                    "alice@example.com", "--track", "v1beta1", "--state-dir", str(ca.parent),
                    "--output", str(config)], check=True, cwd=ROOT, capture_output=True)
    env = {**os.environ, "HOME": str(home), "KUBECACHEDIR": str(home / "cache"),
           "KUBECONFIG": str(config)}
    pods = subprocess.run([str(kubectl), "get", "pods", "-o", "name"], capture_output=True,
                          text=True, env=env, timeout=120)
    hostname = subprocess.run([str(kubectl), "exec", "web", "--", "hostname"],
                              capture_output=True, text=True, env=env, timeout=120)
    return {"kubectl_get_pods": pods.returncode == 0 and "pod/web" in pods.stdout,
            "kubectl_exec": hostname.returncode == 0 and hostname.stdout.strip() == "web",
            "kubectl_errors": (pods.stderr + hostname.stderr).strip()[-500:]}


def memory_round_trip(client: httpx.Client, pid: int) -> dict[str, object]:
    """RSS before and after making and deleting large objects: memory must come back."""
    before = rss_kib(pid)
    configmaps = GATEWAY + "/api/v1/namespaces/default/configmaps"
    for index in range(LARGE_OBJECTS):
        client.post(configmaps, headers=ALICE, json={
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"large-{index}"},
            "data": {"value": LARGE_VALUE}})
    peak = rss_kib(pid)
    for index in range(LARGE_OBJECTS):
        client.delete(f"{configmaps}/large-{index}", headers=ALICE)
    time.sleep(1)
    after = rss_kib(pid)
    return {"rss_before_kib": before, "rss_peak_kib": peak, "rss_after_kib": after,
            "rss_after_ratio_to_before": round(after / before, 3),
            "large_objects": LARGE_OBJECTS, "large_object_kib": len(LARGE_VALUE) // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cgw-fuzz-"))
    (work / "home").mkdir()
    server, url, ca = start_serve(work / "state", work / "serve.log")
    try:
        with httpx.Client(base_url=url, verify=str(ca), timeout=30) as client:
            memory = memory_round_trip(client, server.pid)
            started = time.monotonic()
            report: dict[str, object] = {"seed": args.seed, **fuzz(client, args.requests,
                                                                  args.seed)}
            report["seconds"] = round(time.monotonic() - started, 1)
            client.post("/_emulator/reset")
            report.update(kubectl_still_works(url, ca, work / "home"))
            report["memory"] = memory
            report["memory_after_fuzz"] = memory_round_trip(client, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = (work / "serve.log").read_text(errors="replace")
    report["tracebacks_in_server_log"] = log.count("Traceback (most recent call last)")
    report["server_log"] = str(work / "serve.log")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
