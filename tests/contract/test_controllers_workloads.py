"""What the controllers do together, with every real kubectl through the gateway: deleting a
Deployment takes its ReplicaSet and pods with it (the garbage collector), ``kubectl get events``
shows what each controller and the kubelet reported, and a scenario's failing images make pods
and rollouts fail as on a real cluster (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, and
``rollout status`` ending at the progress deadline)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.scenario import loader
from tests.harness import KubectlRunner, RealClusterState, Served

pytestmark = pytest.mark.contract

# Everything the quickstart has, plus controllers whose images fail on purpose.
FAILING = """\
extends: quickstart
memberships:
  - name: my-cluster
    kubernetes_version: v1.30.5
    multicloud: {location: us-west1}
    controllers:
      images:
        - {match: "registry.invalid/*", pull: fail}
        - {match: "busybox:crash", exit_code: 1}
"""


def run(gateway: Served, kubectl_run: KubectlRunner, *args: str) -> str:
    done = kubectl_run.run(gateway.kubeconfig(), *args, timeout=90)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def test_deleting_a_deployment_leaves_no_replica_set_or_pod(gateway: Served,
                                                            kubectl_run: KubectlRunner) -> None:
    name = f"gone{kubectl_run.binary.minor}"
    run(gateway, kubectl_run, "create", "deployment", name, "--image=nginx", "--replicas=2")
    run(gateway, kubectl_run, "rollout", "status", f"deployment/{name}", "--timeout=60s")
    owned = run(gateway, kubectl_run, "get", "rs,pods", "-l", f"app={name}", "-o", "name")
    assert len(owned.split()) == 3, owned  # one ReplicaSet, two pods
    run(gateway, kubectl_run, "delete", "deployment", name, "--wait=true")
    left = kubectl_run.run(gateway.kubeconfig(), "get", "rs,pods", "-l", f"app={name}",
                           "-o", "name")
    deadline = time.monotonic() + 30  # a real cluster's pods terminate gracefully
    while left.stdout.strip() and time.monotonic() < deadline:
        time.sleep(0.5)
        left = kubectl_run.run(gateway.kubeconfig(), "get", "rs,pods", "-l", f"app={name}",
                               "-o", "name")
    assert (left.returncode, left.stdout) == (0, ""), left.stderr


def test_get_events_shows_what_the_controllers_and_the_kubelet_did(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    name = f"told{kubectl_run.binary.minor}"
    run(gateway, kubectl_run, "create", "deployment", name, "--image=nginx", "--replicas=1")
    run(gateway, kubectl_run, "rollout", "status", f"deployment/{name}", "--timeout=60s")
    events = json.loads(run(gateway, kubectl_run, "get", "events", "-o", "json"))["items"]
    reasons = {(e["involvedObject"]["kind"], e["reason"], e["source"].get("component", ""))
               for e in events if e["involvedObject"]["name"].startswith(name)}
    assert {("Deployment", "ScalingReplicaSet", "deployment-controller"),
            ("ReplicaSet", "SuccessfulCreate", "replicaset-controller"),
            ("Pod", "Scheduled", "default-scheduler"),
            ("Pod", "Started", "kubelet")} <= reasons, reasons
    table = run(gateway, kubectl_run, "get", "events", "--field-selector",
                f"involvedObject.name={name}")
    assert "ScalingReplicaSet" in table and f"Scaled up replica set {name}-" in table, table
    run(gateway, kubectl_run, "delete", "deployment", name)


@pytest.fixture
def failing(served_emulator: Served, tmp_path: Path) -> Iterator[Served]:
    """The quickstart with failing images on my-cluster, loaded from a scenario file."""
    if isinstance(served_emulator.state, RealClusterState):
        pytest.skip("a real cluster's images are not the emulator's to fail")
    path = tmp_path / "failing.yaml"
    path.write_text(FAILING)
    served_emulator.state.load(loader.load(str(path)))
    yield served_emulator
    served_emulator.state.load(loader.load("quickstart"))


def pod_status(gateway: Served, kubectl_run: KubectlRunner, pod: str, wanted: str) -> str:
    """The STATUS column of ``kubectl get pod`` once it shows ``wanted`` (kubectl computes it
    from the container states the kubelet wrote)."""
    deadline = time.monotonic() + 20
    while True:
        row = run(gateway, kubectl_run, "get", "pod", pod, "--no-headers").split()
        if row[2] == wanted or time.monotonic() > deadline:
            return row[2]
        time.sleep(0.2)


def test_a_failing_image_and_a_crashing_container_look_as_on_a_real_cluster(
        failing: Served, kubectl_run: KubectlRunner) -> None:
    run(failing, kubectl_run, "run", "nopull", "--image=registry.invalid/app:1")
    assert pod_status(failing, kubectl_run, "nopull", "ImagePullBackOff") in (
        "ErrImagePull", "ImagePullBackOff")
    run(failing, kubectl_run, "run", "crash", "--image=busybox:crash")
    assert pod_status(failing, kubectl_run, "crash", "CrashLoopBackOff") == "CrashLoopBackOff"
    pod = json.loads(run(failing, kubectl_run, "get", "pod", "crash", "-o", "json"))
    state = pod["status"]["containerStatuses"][0]
    assert state["lastState"]["terminated"]["exitCode"] == 1
    assert state["restartCount"] >= 1
    reasons = {e["reason"] for e in json.loads(run(
        failing, kubectl_run, "get", "events", "-o", "json"))["items"]
        if e["involvedObject"]["name"] in ("nopull", "crash")}
    assert {"Failed", "BackOff"} <= reasons, reasons


def test_rollout_status_of_a_crash_looping_deployment_fails_at_its_deadline(
        failing: Served, kubectl_run: KubectlRunner, tmp_path: Path) -> None:
    name = f"loop{kubectl_run.binary.minor}"
    manifest = tmp_path / "loop.yaml"
    manifest.write_text(json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": 2, "progressDeadlineSeconds": 1,
                 "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app",
                                                       "image": "busybox:crash"}]}}}}))
    run(failing, kubectl_run, "apply", "-f", str(manifest))
    done = kubectl_run.run(failing.kubeconfig(), "rollout", "status", f"deployment/{name}",
                           "--timeout=60s", timeout=90)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stderr.strip().splitlines()[-1] == (
        f'error: deployment "{name}" exceeded its progress deadline')
    deployment = json.loads(run(failing, kubectl_run, "get", "deployment", name, "-o", "json"))
    progressing = {c["type"]: c for c in deployment["status"]["conditions"]}["Progressing"]
    assert (progressing["status"], progressing["reason"]) == ("False",
                                                              "ProgressDeadlineExceeded")
