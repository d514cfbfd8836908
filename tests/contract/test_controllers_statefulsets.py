"""StatefulSets and DaemonSets come alive through the gateway, with every real kubectl: a
StatefulSet's ordinal pods and their claims, ``rollout status`` waiting for them, ``scale``,
``set image`` replacing pods from the highest ordinal, ``rollout history`` listing its
ControllerRevisions; a DaemonSet's pod per node, following nodes created and deleted with
kubectl (none on a node whose taint it does not tolerate), and its rollout status. Everything a
test makes is named for its kubectl version and deleted at the end, as --real-cluster does not
reset."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract


class Cli:
    """kubectl against the gateway, failing the test on an unexpected exit code."""

    def __init__(self, gateway: Served, runner: KubectlRunner, folder: Path) -> None:
        self.runner = runner
        self.kubeconfig = gateway.kubeconfig()
        self.folder = folder

    def ok(self, *args: str, timeout: float = 60) -> str:
        done = self.runner.run(self.kubeconfig, *args, timeout=timeout)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def apply(self, *objects: dict) -> str:
        manifest = self.folder / f"manifest-{len(list(self.folder.glob('manifest-*')))}.json"
        manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "List",
                                        "items": list(objects)}))
        return self.ok("apply", "-f", str(manifest))

    def items(self, *args: str) -> list[dict]:
        return json.loads(self.ok("get", *args, "-o", "json"))["items"]

    def names(self, *args: str) -> list[str]:
        return sorted(item["metadata"]["name"] for item in self.items(*args))


@pytest.fixture
def cli(gateway: Served, kubectl_run: KubectlRunner, tmp_path: Path) -> Cli:
    return Cli(gateway, kubectl_run, tmp_path)


@pytest.fixture
def minor(kubectl_run: KubectlRunner) -> int:
    return kubectl_run.binary.minor


# -- StatefulSets ---------------------------------------------------------------------------------


def stateful_set(name: str) -> list[dict]:
    labels = {"app": name}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
               "spec": {"clusterIP": "None", "selector": labels, "ports": [{"port": 80}]}}
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
           "spec": {"replicas": 2, "serviceName": name, "selector": {"matchLabels": labels},
                    "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                        {"name": "nginx", "image": "nginx:1.27"}]}},
                    "volumeClaimTemplates": [{
                        "metadata": {"name": "data"},
                        "spec": {"accessModes": ["ReadWriteOnce"],
                                 "resources": {"requests": {"storage": "1Gi"}}}}]}}
    return [service, sts]


@pytest.fixture
def db(cli: Cli, minor: int) -> Iterator[str]:
    name = f"db{minor}"
    yield name
    cli.runner.run(cli.kubeconfig, "delete", f"statefulset/{name}", f"service/{name}",
                   "--ignore-not-found", "--wait=false")
    cli.runner.run(cli.kubeconfig, "delete", "pvc", "-l", f"app={name}", "--wait=false")


def rolled_out(cli: Cli, kind: str, name: str) -> str:
    out = cli.ok("rollout", "status", f"{kind}/{name}", "--timeout=30s", timeout=60)
    return out.splitlines()[-1]


def test_a_stateful_set_rolls_out_scales_and_updates(cli: Cli, db: str) -> None:
    assert cli.apply(*stateful_set(db)) == (f"service/{db} created\n"
                                             f"statefulset.apps/{db} created\n")
    assert rolled_out(cli, "statefulset", db) == (
        "partitioned roll out complete: 2 new pods have been updated...")
    pods = cli.items("pods", "-l", f"app={db}")
    assert sorted(p["metadata"]["name"] for p in pods) == [f"{db}-0", f"{db}-1"]
    for pod in pods:
        name = pod["metadata"]["name"]
        assert pod["status"]["phase"] == "Running"
        assert (pod["spec"]["hostname"], pod["spec"]["subdomain"]) == (name, db)
        assert pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == name
        assert {"name": "data", "persistentVolumeClaim": {"claimName": f"data-{name}"}} in \
            pod["spec"]["volumes"]
    assert cli.names("pvc", "-l", f"app={db}") == [f"data-{db}-0", f"data-{db}-1"]
    table = cli.ok("get", "statefulset", db)
    assert re.search(rf"^{db}\s+2/2\s", table, re.MULTILINE), table

    assert cli.ok("scale", f"statefulset/{db}", "--replicas=3") == (
        f"statefulset.apps/{db} scaled\n")
    assert rolled_out(cli, "statefulset", db) == (
        "partitioned roll out complete: 3 new pods have been updated...")
    assert cli.names("pods", "-l", f"app={db}") == [f"{db}-0", f"{db}-1", f"{db}-2"]
    assert cli.names("pvc", "-l", f"app={db}") == [f"data-{db}-{i}" for i in range(3)]

    first = cli.items("pods", "-l", f"app={db}")[0]["metadata"]["labels"][
        "controller-revision-hash"]
    assert cli.ok("set", "image", f"statefulset/{db}", "nginx=nginx:1.28") == (
        f"statefulset.apps/{db} image updated\n")
    assert rolled_out(cli, "statefulset", db) == (
        "partitioned roll out complete: 3 new pods have been updated...")
    pods = cli.items("pods", "-l", f"app={db}")
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.28"}
    (second,) = {p["metadata"]["labels"]["controller-revision-hash"] for p in pods}
    assert second != first and second.startswith(f"{db}-")
    status = cli.items("statefulset", "--field-selector", f"metadata.name={db}")[0]["status"]
    assert (status["currentRevision"], status["updateRevision"]) == (second, second)
    assert (status["replicas"], status["readyReplicas"], status["updatedReplicas"]) == (3, 3, 3)

    history = cli.ok("rollout", "history", f"statefulset/{db}")
    assert history.splitlines()[0] == f"statefulset.apps/{db} "
    assert re.findall(r"^(\d+)\s+<none>$", history, re.MULTILINE) == ["1", "2"]
    assert sorted(cli.names("controllerrevisions", "-l", f"app={db}")) == sorted([first, second])


# -- DaemonSets -----------------------------------------------------------------------------------


def daemon_set(name: str) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "agent", "image": "busybox:1.36",
                          "command": ["sleep", "3600"]}]}}}}


def node(name: str, taint: bool = False) -> dict:
    body: dict = {"apiVersion": "v1", "kind": "Node",
                  "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}}
    if taint:
        body["spec"] = {"taints": [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]}
    return body


@pytest.fixture
def agent(cli: Cli, minor: int) -> Iterator[str]:
    name = f"agent{minor}"
    yield name
    cli.runner.run(cli.kubeconfig, "delete", f"daemonset/{name}", f"node/{name}-extra",
                   f"node/{name}-tainted", "--ignore-not-found", "--wait=false")


def targets(cli: Cli, name: str) -> list[str]:
    """The node each of the DaemonSet's pods is for: its node, or its affinity's until bound."""
    found = []
    for pod in cli.items("pods", "-l", f"app={name}"):
        bound = pod["spec"].get("nodeName")
        if not bound:
            terms = pod["spec"]["affinity"]["nodeAffinity"][
                "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
            bound = terms[0]["matchFields"][0]["values"][0]
        found.append(bound)
    return sorted(found)


@pytest.mark.mock_only("a real cluster taints a node without a kubelet: no daemon pod goes there")
def test_a_daemon_set_runs_one_pod_per_node(cli: Cli, agent: str) -> None:
    nodes = cli.names("nodes")
    assert cli.apply(daemon_set(agent)) == f"daemonset.apps/{agent} created\n"
    assert rolled_out(cli, "daemonset", agent) == f'daemon set "{agent}" successfully rolled out'
    assert targets(cli, agent) == nodes
    pods = cli.items("pods", "-l", f"app={agent}")
    assert {p["status"]["phase"] for p in pods} == {"Running"}
    tolerations = pods[0]["spec"]["tolerations"]
    assert {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
            "effect": "NoExecute"} in tolerations

    # A node created with kubectl gets its pod; one with a taint the pod does not tolerate none.
    assert cli.apply(node(f"{agent}-extra"), node(f"{agent}-tainted", taint=True)) == (
        f"node/{agent}-extra created\nnode/{agent}-tainted created\n")
    assert targets(cli, agent) == sorted([*nodes, f"{agent}-extra"])
    listed = cli.items("daemonset", "--field-selector", f"metadata.name={agent}")[0]
    assert (listed["status"]["desiredNumberScheduled"],
            listed["status"]["currentNumberScheduled"]) == (len(nodes) + 1, len(nodes) + 1)

    # The node goes: so does its pod, and the rollout is complete again.
    assert cli.ok("delete", "node", f"{agent}-extra") == f'node "{agent}-extra" deleted\n'
    assert targets(cli, agent) == nodes
    assert rolled_out(cli, "daemonset", agent) == f'daemon set "{agent}" successfully rolled out'

    assert cli.ok("set", "image", f"daemonset/{agent}", "agent=busybox:1.37") == (
        f"daemonset.apps/{agent} image updated\n")
    assert rolled_out(cli, "daemonset", agent) == f'daemon set "{agent}" successfully rolled out'
    pods = cli.items("pods", "-l", f"app={agent}")
    assert [p["spec"]["containers"][0]["image"] for p in pods] == ["busybox:1.37"] * len(nodes)
    history = cli.ok("rollout", "history", f"daemonset/{agent}")
    assert re.findall(r"^(\d+)\s+<none>$", history, re.MULTILINE) == ["1", "2"]
    assert cli.ok("rollout", "undo", f"daemonset/{agent}") == (
        f"daemonset.apps/{agent} rolled back\n")
    assert rolled_out(cli, "daemonset", agent) == f'daemon set "{agent}" successfully rolled out'
    pods = cli.items("pods", "-l", f"app={agent}")
    assert [p["spec"]["containers"][0]["image"] for p in pods] == ["busybox:1.36"] * len(nodes)


def test_a_stateful_set_rolls_back(cli: Cli, db: str) -> None:
    cli.apply(*stateful_set(db))
    rolled_out(cli, "statefulset", db)
    cli.ok("set", "image", f"statefulset/{db}", "nginx=nginx:1.28")
    rolled_out(cli, "statefulset", db)
    shown = cli.ok("rollout", "history", f"statefulset/{db}", "--revision=1")
    assert re.search(r"^\s+Image:\s+nginx:1\.27$", shown, re.MULTILINE), shown
    assert cli.ok("rollout", "undo", f"statefulset/{db}") == f"statefulset.apps/{db} rolled back\n"
    assert rolled_out(cli, "statefulset", db) == (
        "partitioned roll out complete: 2 new pods have been updated...")
    pods = cli.items("pods", "-l", f"app={db}")
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.27"}
    history = cli.ok("rollout", "history", f"statefulset/{db}")
    assert re.findall(r"^(\d+)\s+<none>$", history, re.MULTILINE) == ["2", "3"]
