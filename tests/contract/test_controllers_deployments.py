"""Deployments come alive through the gateway, with every real kubectl: ``kubectl create
deployment`` gets a ReplicaSet and pods (``<deployment>-<hash>-<5>``), ``rollout status`` waits
for them, ``scale``, ``set image``, ``rollout history/undo/pause/resume/restart`` and ``wait
--for=condition=Available`` work as against kube, Recreate replaces every pod at once, and a
rollout whose image never pulls ends in ``exceeded its progress deadline``. Each deployment is
named for its kubectl version and deleted at the end, as --real-cluster does not reset."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.cluster.mock.controllers.settings import ControllerSettings, ImageRule
from tests.conftest import QUICKSTART
from tests.harness import KubectlRunner, RealClusterState, Served

pytestmark = pytest.mark.contract

HASH = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"


class Cli:
    """kubectl against the gateway, failing the test on an unexpected exit code."""

    def __init__(self, gateway: Served, runner: KubectlRunner) -> None:
        self.runner = runner
        self.kubeconfig = gateway.kubeconfig()

    def ok(self, *args: str, timeout: float = 60) -> str:
        done = self.runner.run(self.kubeconfig, *args, timeout=timeout)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def json(self, *args: str) -> dict:
        return json.loads(self.ok("get", *args, "-o", "json"))

    def replica_sets(self, name: str) -> dict[str, dict]:
        listed = self.json("rs", "-l", f"app={name}")["items"]
        return {rs["metadata"]["name"]: rs for rs in listed}

    def sizes(self, name: str) -> dict[str, int]:
        return {n: rs["spec"]["replicas"] for n, rs in self.replica_sets(name).items()}

    def revisions(self, name: str) -> dict[str, str]:
        return {n: rs["metadata"]["annotations"][REVISION]
                for n, rs in self.replica_sets(name).items()}

    def pods(self, name: str) -> list[dict]:
        """The pods not being deleted (a real cluster's old pods may still be terminating)."""
        return [p for p in self.json("pods", "-l", f"app={name}")["items"]
                if not p["metadata"].get("deletionTimestamp")]

    def rolled_out(self, name: str) -> None:
        out = self.ok("rollout", "status", f"deployment/{name}", "--timeout=30s", timeout=60)
        assert out.splitlines()[-1] == f'deployment "{name}" successfully rolled out'


@pytest.fixture
def cli(gateway: Served, kubectl_run: KubectlRunner) -> Cli:
    return Cli(gateway, kubectl_run)


@pytest.fixture
def name(cli: Cli, kubectl_run: KubectlRunner) -> Iterator[str]:
    deployment = f"shop{kubectl_run.binary.minor}"
    yield deployment
    cli.runner.run(cli.kubeconfig, "delete", "deployment", deployment,
                       "--ignore-not-found", "--wait=false")


def test_a_deployment_rolls_out_scales_updates_and_rolls_back(cli: Cli,
                                                              name: str) -> None:
    assert cli.ok("create", "deployment", name, "--image=nginx",
                      "--replicas=2") == f"deployment.apps/{name} created\n"
    cli.rolled_out(name)
    (first,) = cli.replica_sets(name)
    pods = cli.pods(name)
    assert len(pods) == 2
    for pod in pods:
        match = re.fullmatch(rf"{name}-([a-z0-9]+)-[a-z0-9]{{5}}", pod["metadata"]["name"])
        assert match is not None, pod["metadata"]["name"]
        assert pod["metadata"]["labels"][HASH] == match.group(1)
        assert first == f"{name}-{match.group(1)}"
        assert pod["metadata"]["ownerReferences"][0]["name"] == first
    table = cli.ok("get", "rs,pods", "-l", f"app={name}")
    assert f"replicaset.apps/{first}" in table and f"pod/{first}-" in table

    assert cli.ok("scale", f"deployment/{name}",
                      "--replicas=3") == f"deployment.apps/{name} scaled\n"
    cli.rolled_out(name)
    assert len(cli.pods(name)) == 3

    assert cli.ok("set", "image", f"deployment/{name}",
                      "nginx=nginx:1.27") == f"deployment.apps/{name} image updated\n"
    cli.rolled_out(name)
    (second,) = set(cli.replica_sets(name)) - {first}
    assert cli.sizes(name) == {first: 0, second: 3}
    assert {p["spec"]["containers"][0]["image"] for p in cli.pods(name)} == {"nginx:1.27"}
    history = cli.ok("rollout", "history", f"deployment/{name}")
    assert re.findall(r"^(\d+)\s+<none>$", history, re.MULTILINE) == ["1", "2"]

    assert cli.ok("rollout", "undo",
                      f"deployment/{name}") == f"deployment.apps/{name} rolled back\n"
    cli.rolled_out(name)
    assert cli.revisions(name) == {first: "3", second: "2"}
    assert cli.sizes(name) == {first: 3, second: 0}
    assert {p["spec"]["containers"][0]["image"] for p in cli.pods(name)} == {"nginx"}
    assert cli.ok("wait", "--for=condition=Available", f"deployment/{name}",
                      "--timeout=30s") == f"deployment.apps/{name} condition met\n"


def test_pause_resume_and_restart(cli: Cli, name: str) -> None:
    cli.ok("create", "deployment", name, "--image=nginx", "--replicas=2")
    cli.rolled_out(name)
    assert cli.ok("rollout", "pause",
                      f"deployment/{name}") == f"deployment.apps/{name} paused\n"
    cli.ok("set", "image", f"deployment/{name}", "nginx=nginx:1.27")
    assert len(cli.replica_sets(name)) == 1  # paused: no rollout
    progressing = next(c for c in cli.json(f"deployment/{name}")["status"]["conditions"]
                       if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("Unknown", "DeploymentPaused")
    assert cli.ok("rollout", "resume",
                      f"deployment/{name}") == f"deployment.apps/{name} resumed\n"
    cli.rolled_out(name)
    assert sorted(cli.revisions(name).values()) == ["1", "2"]
    assert cli.ok("rollout", "restart",
                      f"deployment/{name}") == f"deployment.apps/{name} restarted\n"
    cli.rolled_out(name)
    assert sorted(cli.revisions(name).values()) == ["1", "2", "3"]
    assert sorted(cli.sizes(name).values()) == [0, 0, 2]


def test_recreate_replaces_every_pod(cli: Cli, name: str, tmp_path: Path) -> None:
    manifest = tmp_path / "recreate.yaml"
    manifest.write_text(json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": 2, "strategy": {"type": "Recreate"},
                 "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}))
    cli.ok("apply", "-f", str(manifest))
    cli.rolled_out(name)
    before = {p["metadata"]["name"] for p in cli.pods(name)}
    cli.ok("set", "image", f"deployment/{name}", "web=nginx:1.27")
    cli.rolled_out(name)
    after = cli.pods(name)
    assert len(after) == 2 and not before & {p["metadata"]["name"] for p in after}
    assert sorted(cli.sizes(name).values()) == [0, 2]


@pytest.fixture
def failing_images(served_emulator: Served) -> Iterator[Served]:
    """Quickstart, with an image no node can pull in its clusters (a scenario's image rule)."""
    if isinstance(served_emulator.state, RealClusterState):
        pytest.skip("a real cluster's image pulls are not the emulator's to fail")
    rule = ImageRule("registry.invalid/*", pull_fails=True)
    scenario = dataclasses.replace(QUICKSTART, memberships=tuple(
        dataclasses.replace(m, controllers=ControllerSettings(images=(rule,)))
        for m in QUICKSTART.memberships))
    served_emulator.state.load(scenario)
    yield served_emulator
    served_emulator.state.load(QUICKSTART)


def test_rollout_status_fails_past_the_progress_deadline(failing_images: Served,
                                                         kubectl_run: KubectlRunner,
                                                         tmp_path: Path) -> None:
    cli = Cli(failing_images, kubectl_run)
    name = f"stuck{kubectl_run.binary.minor}"
    manifest = tmp_path / "stuck.yaml"
    manifest.write_text(json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": 1, "progressDeadlineSeconds": 1,
                 "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "web",
                                                       "image": "registry.invalid/web:1"}]}}}}))
    cli.ok("apply", "-f", str(manifest))
    done = kubectl_run.run(cli.kubeconfig, "rollout", "status", f"deployment/{name}",
                           "--timeout=30s", timeout=60)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stderr.strip().splitlines()[-1] == (
        f'error: deployment "{name}" exceeded its progress deadline')
