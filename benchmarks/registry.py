"""What serving every built-in kind costs: this checkout against a baseline revision, in one run.

Issue #13 asks for "no slower, no bigger". The same probe runs twice, in fresh processes: once on
the code of ``--baseline`` (default: the last commit before the kinds registry, 16be4e8, when the
mock served 16 resources), exported with ``git archive``, and once on this checkout. Each probe:

- idle RSS: the baseline's quickstart world served (on both sides), after one gateway request;
- one GET of a pod through the gateway (median of ``--runs``);
- a Table list of 10,000 pods through the gateway, as ``kubectl get pods`` asks for it (median of
  ``--lists``), after seeding them.

Run: ``python benchmarks/registry.py [--baseline REV] [--runs 200] [--lists 5] [--pods 10000]``.
Prints both sets of figures and this checkout's ratios to the baseline; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = r"""
import json, ssl, statistics, sys, time, urllib.request
from emulator.app import create_app
from emulator.runner import ServedApp
from emulator.scenario import loader
from emulator.state import EmulatorState

runs, lists, pods = (int(a) for a in sys.argv[1:4])
world = sys.argv[4]
BASE = "/v1/projects/123456789012/locations/global/memberships/my-cluster"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


state = EmulatorState(loader.load(world))
server = ServedApp(create_app(state)).start()
context = ssl.create_default_context(cadata=server.ca_pem.decode())


def get(path, accept="application/json"):
    request = urllib.request.Request(server.url + BASE + path, headers={
        "Authorization": "Bearer ya29.fake-alice", "Accept": accept})
    started = time.perf_counter()
    with urllib.request.urlopen(request, context=context, timeout=120) as answer:
        answer.read()
    return time.perf_counter() - started


get("/api/v1/namespaces/default/pods/web")
idle = rss_kib()
single = statistics.median(get("/api/v1/namespaces/default/pods/web") for _ in range(runs))
cluster = state.membership("my-cluster").cluster
for i in range(pods):
    cluster.seed({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": f"load-{i:05d}", "namespace": "default"},
                  "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}})
table = statistics.median(get("/api/v1/namespaces/default/pods?limit=500000", TABLE)
                          for _ in range(lists))
server.stop()
print(json.dumps({"idle_rss_mib": idle / 1024, "get_ms": single * 1000,
                  "table_list_s": table}))
"""


def probe(source: Path, world: Path, runs: int, lists: int, pods: int) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", PROBE, str(runs), str(lists), str(pods),
                             str(world)],
                            cwd=source, capture_output=True, text=True,
                            env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"})
    if result.returncode != 0:
        raise SystemExit(f"probe failed in {source}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def exported(revision: str, into: Path) -> Path:
    archive = into / "baseline.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), revision], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "baseline", filter="data")
    return into / "baseline"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="16be4e8")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--lists", type=int, default=5)
    parser.add_argument("--pods", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        baseline = exported(args.baseline, Path(tmp))
        # Both serve the baseline's quickstart world, by path: the same clusters on each side
        # (today's quickstart has more, in a format the baseline cannot read), and never the
        # scenarios an installed copy of the emulator would find by name.
        world = baseline / "scenarios" / "quickstart.yaml"
        base = probe(baseline, world, args.runs, args.lists, args.pods)
        now = probe(ROOT, world, args.runs, args.lists, args.pods)
    report = {"baseline": {"revision": args.baseline, **base}, "this checkout": now,
              "ratios (this checkout / baseline)": {k: round(now[k] / base[k], 3) for k in now}}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
