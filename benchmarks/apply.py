"""Server-side apply against client-side apply of one manifest, through the served emulator, in one
run.

Issue #14 brings server-side apply (``PATCH`` with ``application/apply-patch+yaml``, the server
merging and recording managedFields). Its baseline is what kubectl did before it and still does by
default: client-side apply (a GET of each object, then a POST, or a strategic-merge PATCH computed
from the last-applied annotation). The newest kubectl on the machine applies a manifest of
``--objects`` objects (ConfigMaps and Deployments, half each) through the gateway to the embedded
mock of the quickstart world:

- first apply: ``kubectl apply -f`` against ``kubectl apply --server-side -f`` into an empty
  namespace of its own;
- re-apply: the same manifest with every object changed (data, replicas, image), applied again
  the same way.

The two ways alternate, ``--runs`` times each (median), each run in a fresh namespace; kubectl's
discovery cache is warmed first and shared, so both pay the same process start-up and discovery.
The gateway's request quota is lifted for the run (it would otherwise stop the client-side runs).

Run: ``python benchmarks/apply.py [--objects 100] [--runs 5]``. Prints the medians in seconds
and the server-side / client-side ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

import yaml

from emulator.runner import serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState
from measure import Kubectl, quota_lifted  # benchmarks/measure.py (this script's folder)


def manifest(namespace: str, objects: int, generation: int) -> str:
    """``objects`` objects, ConfigMaps and Deployments alternating; ``generation`` changes each."""
    documents = []
    for i in range(objects):
        name = f"bench-{i:03d}"
        if i % 2 == 0:
            documents.append({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": name, "namespace": namespace,
                                           "labels": {"bench": "apply"}},
                              "data": {"generation": str(generation), "index": str(i)}})
            continue
        labels = {"app": name}
        documents.append({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": {"bench": "apply"}},
            "spec": {"replicas": generation, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "main", "image": f"nginx:1.{26 + generation}",
                          "ports": [{"containerPort": 80}]}]}}}})
    return yaml.safe_dump_all(documents)


def one_run(kubectl: Kubectl, way: str, run: int, objects: int) -> tuple[float, float]:
    namespace = f"bench-{way}-{run}"
    kubectl.run("create", "namespace", namespace)
    flags = ["--server-side"] if way == "ssa" else []
    first = kubectl.timed("apply", *flags, "-f", "-", stdin=manifest(namespace, objects, 1))
    again = kubectl.timed("apply", *flags, "-f", "-", stdin=manifest(namespace, objects, 2))
    return first, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # Lifted: the modelled quota would stop the client-side runs (two requests an object).
    scenario = quota_lifted(loader.load("quickstart"))
    state = EmulatorState(scenario)
    server = serve_emulator(state)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            kubectl = Kubectl(server, scenario, Path(tmp))
            times: dict[str, list[tuple[float, float]]] = {"csa": [], "ssa": []}
            for run in range(args.runs):
                for way in ("csa", "ssa"):
                    times[way].append(one_run(kubectl, way, run, args.objects))
    finally:
        server.stop()
    medians = {way: {"first_apply_s": statistics.median(t[0] for t in runs),
                     "reapply_s": statistics.median(t[1] for t in runs)}
               for way, runs in times.items()}
    report = {
        "kubectl": kubectl.binary.name, "objects": args.objects, "runs": args.runs,
        "client-side apply": medians["csa"], "server-side apply": medians["ssa"],
        "ratios (server-side / client-side)": {
            key: round(medians["ssa"][key] / medians["csa"][key], 3)
            for key in ("first_apply_s", "reapply_s")},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
