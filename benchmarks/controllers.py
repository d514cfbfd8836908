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
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from emulator.runner import serve_emulator
from emulator.scenario import loader
from emulator.state import EmulatorState
from measure import Kubectl, quota_lifted  # benchmarks/measure.py (this script's folder)


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
    # Lifted: rollout status polls and watches; the modelled quota is not what is measured.
    scenario = quota_lifted(loader.load("quickstart"))
    state = EmulatorState(scenario)
    server = serve_emulator(state)
    rollouts: list[float] = []
    baselines: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            kubectl = Kubectl(server, scenario, Path(tmp))
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
        "kubectl": kubectl.binary.name, "replicas": args.replicas, "runs": args.runs,
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
