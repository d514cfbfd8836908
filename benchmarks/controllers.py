"""Controllers: a 100-replica rollout to all pods Ready, and the server's CPU while nothing changes.

Issue #15 brings kube's controllers into the embedded cluster. Two figures, each against a
baseline measured in the same run, with the newest kubectl on the machine through the served
gateway (the quickstart world, my-cluster):

- rollout: from the start of ``kubectl create deployment --replicas=N`` until ``kubectl rollout
  status`` returns (the Deployment Available, every pod Running and Ready), against a client
  writing the same number of bare pods itself with one ``kubectl create -f`` (each pod is
  scheduled and started by the time its create is answered; the script checks that all N are
  Ready in both cases). The ratio is the controllers' work (ReplicaSet, N pods, scheduling, N
  kubelet starts, events, status) against N client writes through the gateway. ``kubectl wait
  --for=condition=Ready pods --all`` is not the baseline: it waits pod by pod behind client-go's
  5-requests-a-second limiter, about 0.18 s a pod, which would measure kubectl, not the cluster.
- idle CPU: the server process's CPU seconds over ``--idle`` seconds of wall time with the
  N-replica Deployment running, against the same with the quickstart world only (measured first,
  in the same process). Controllers must not poll: both should be close to zero, and the ratio
  close to 1.

Run: ``python benchmarks/controllers.py [--replicas 100] [--runs 3] [--idle 5]``. Prints medians
and ratios; asserts nothing.
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


class Kubectl:
    def __init__(self, binary: Path, kubeconfig: Path, home: Path) -> None:
        self.binary = binary
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        self.env.update(HOME=str(home), KUBECONFIG=str(kubeconfig),
                        KUBECACHEDIR=str(home / "cache"))

    def run(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run([str(self.binary), *args], input=stdin, capture_output=True,
                                text=True, env=self.env, timeout=600)
        if result.returncode != 0:
            raise SystemExit(f"kubectl {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout


def bare_pods(namespace: str, count: int) -> str:
    return yaml.safe_dump_all([
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": f"bare-{i:03d}", "namespace": namespace, "labels": {"app": "bare"}},
         "spec": {"containers": [{"name": "main", "image": "nginx"}]}}
        for i in range(count)])


def rollout(kubectl: Kubectl, namespace: str, replicas: int) -> float:
    started = time.perf_counter()
    kubectl.run("create", "deployment", "bench", "--image=nginx", f"--replicas={replicas}",
                "-n", namespace)
    kubectl.run("rollout", "status", "deployment/bench", "-n", namespace, "--timeout=300s")
    return time.perf_counter() - started


def client_written(kubectl: Kubectl, namespace: str, replicas: int) -> float:
    started = time.perf_counter()
    kubectl.run("create", "-f", "-", stdin=bare_pods(namespace, replicas))
    return time.perf_counter() - started


def ready_pods(state: EmulatorState, namespace: str) -> int:
    cluster = state.membership("my-cluster").cluster  # type: ignore[union-attr]
    pods, _ = cluster.store.list(("", "pods"), namespace)  # type: ignore[attr-defined]
    return sum(1 for p in pods for c in (p.get("status") or {}).get("conditions") or []
               if c.get("type") == "Ready" and c.get("status") == "True")


def idle_cpu(seconds: float) -> float:
    """CPU seconds this process (the server's threads: the caller sleeps) used over ``seconds``,
    after two seconds for the last client's connections to close."""
    time.sleep(2)
    before = time.process_time()
    time.sleep(seconds)
    return time.process_time() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=5.0)
    args = parser.parse_args()
    binary = find_kubectl()
    if binary is None:
        raise SystemExit("no kubectl found (install the Google Cloud SDK)")
    quickstart = loader.load("quickstart")
    # Lifted: kubectl wait and rollout status poll and watch; the modelled quota is not measured.
    scenario = replace(quickstart, limits=replace(quickstart.limits,
                                                  requests_per_minute=1_000_000))
    state = EmulatorState(scenario)
    server = serve_emulator(state)
    rollouts: list[float] = []
    baselines: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cluster = GatewayCluster.of(scenario, scenario.membership("my-cluster"))
            kubeconfig = Path(tmp) / "kubeconfig"
            kubeconfig.write_text(yaml.safe_dump(gateway_kubeconfig(
                server.url, server.ca_pem, cluster, "v1", {"token": "ya29.fake-alice"})))
            kubectl = Kubectl(binary, kubeconfig, Path(tmp))
            kubectl.run("api-resources")  # warms the shared discovery cache
            idle_before = idle_cpu(args.idle)
            for run in range(args.runs):
                for way, measure in (("deploy", rollout), ("bare", client_written)):
                    namespace = f"bench-{way}-{run}"
                    kubectl.run("create", "namespace", namespace)
                    elapsed = measure(kubectl, namespace, args.replicas)
                    ready = ready_pods(state, namespace)
                    if ready != args.replicas:
                        raise SystemExit(f"{way}: {ready} of {args.replicas} pods Ready")
                    (rollouts if way == "deploy" else baselines).append(elapsed)
                    if run < args.runs - 1:
                        kubectl.run("delete", "namespace", namespace, "--wait=false")
            idle_after = idle_cpu(args.idle)
    finally:
        server.stop()
    deploy, bare = statistics.median(rollouts), statistics.median(baselines)
    report = {
        "kubectl": binary.name, "replicas": args.replicas, "runs": args.runs,
        "rollout to all Ready (s)": {"create deployment + rollout status": round(deploy, 3),
                                     "baseline: create the bare pods (kubectl create -f)": round(bare, 3),
                                     "ratio": round(deploy / bare, 3)},
        "idle server CPU (s over the idle period)": {
            "idle_seconds": args.idle,
            "with the deployment running": round(idle_after, 4),
            "baseline: quickstart world only": round(idle_before, 4),
            "ratio": round(idle_after / idle_before, 3) if idle_before > 0 else None},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
