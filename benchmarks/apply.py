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
import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml

from emulator.clients import find_kubectl
from emulator.kubeconfig import GatewayCluster, gateway_kubeconfig
from emulator.runner import serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState


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


class Kubectl:
    def __init__(self, binary: Path, kubeconfig: Path, home: Path) -> None:
        self.binary = binary
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        self.env.update(HOME=str(home), KUBECONFIG=str(kubeconfig),
                        KUBECACHEDIR=str(home / "cache"))

    def run(self, *args: str, stdin: str | None = None) -> float:
        started = time.perf_counter()
        result = subprocess.run([str(self.binary), *args], input=stdin, capture_output=True,
                                text=True, env=self.env, timeout=600)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"kubectl {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return elapsed


def one_run(kubectl: Kubectl, way: str, run: int, objects: int) -> tuple[float, float]:
    namespace = f"bench-{way}-{run}"
    kubectl.run("create", "namespace", namespace)
    flags = ["--server-side"] if way == "ssa" else []
    first = kubectl.run("apply", *flags, "-f", "-", stdin=manifest(namespace, objects, 1))
    again = kubectl.run("apply", *flags, "-f", "-", stdin=manifest(namespace, objects, 2))
    return first, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    binary = find_kubectl()
    if binary is None:
        raise SystemExit("no kubectl found (install the Google Cloud SDK)")
    # Lifted: the gateway's modelled 2,400 requests a minute would stop the client-side runs
    # (two requests an object) within a few runs, and would measure the quota, not the apply.
    quickstart = loader.load("quickstart")
    scenario = replace(quickstart, limits=replace(quickstart.limits,
                                                  requests_per_minute=1_000_000))
    state = EmulatorState(scenario)
    server = serve_emulator(state)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cluster = GatewayCluster.of(scenario, scenario.membership("my-cluster"))
            kubeconfig = Path(tmp) / "kubeconfig"
            kubeconfig.write_text(yaml.safe_dump(gateway_kubeconfig(
                server.url, server.ca_pem, cluster, "v1", {"token": "ya29.fake-alice"})))
            kubectl = Kubectl(binary, kubeconfig, Path(tmp))
            kubectl.run("api-resources")  # warms the shared discovery cache
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
        "kubectl": binary.name, "objects": args.objects, "runs": args.runs,
        "client-side apply": medians["csa"], "server-side apply": medians["ssa"],
        "ratios (server-side / client-side)": {
            key: round(medians["ssa"][key] / medians["csa"][key], 3)
            for key in ("first_apply_s", "reapply_s")},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
