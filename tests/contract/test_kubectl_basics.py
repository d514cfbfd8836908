"""Real kubectl, every minor the machine has, through the gateway URL to the embedded mock."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo-cm
  namespace: default
data:
  greeting: hello
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo-deploy
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
      - name: main
        image: nginx:1.27
"""


def test_get_namespaces_lists_the_product_page_namespaces(gateway: Served,
                                                         kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(gateway.kubeconfig(), "get", "namespaces")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "AGE"]
    rows = {line.split()[0]: line.split()[1] for line in lines[1:]}
    assert rows["default"] == "Active"
    assert rows["gke-connect"] == "Active"
    assert {"kube-system", "kube-public", "kube-node-lease"} <= rows.keys()


@pytest.mark.mock_only("the Connect Agent's pod exists in the mock cluster only")
def test_get_pods_all_namespaces_shows_web_and_the_agent(gateway: Served,
                                                         kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(gateway.kubeconfig(), "get", "pods", "-A")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    cells = [row.split() for row in rows]
    assert ["default", "web", "1/1", "Running", "0"] in [c[:5] for c in cells]
    agent = [c for c in cells if c[0] == "gke-connect"]
    assert len(agent) == 1 and agent[0][1].startswith("gke-connect-agent-")


def test_apply_get_yaml_delete_configmap(gateway: Served, kubectl_run: KubectlRunner,
                                         tmp_path) -> None:
    kubeconfig = gateway.kubeconfig()
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(CONFIGMAP)
    applied = kubectl_run.run(kubeconfig, "apply", "-f", str(manifest))
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.strip() == "configmap/demo-cm created"

    got = kubectl_run.run(kubeconfig, "get", "configmap", "demo-cm", "-o", "yaml")
    assert got.returncode == 0, got.stderr
    obj = yaml.safe_load(got.stdout)
    assert obj["data"] == {"greeting": "hello"}
    assert "kubectl.kubernetes.io/last-applied-configuration" in obj["metadata"]["annotations"]

    manifest.write_text(CONFIGMAP.replace("hello", "bonjour"))
    reapplied = kubectl_run.run(kubeconfig, "apply", "-f",
                                str(manifest))
    assert reapplied.returncode == 0, reapplied.stderr
    assert reapplied.stdout.strip() == "configmap/demo-cm configured"
    stored = kubectl_run.run(kubeconfig, "get", "configmap", "demo-cm", "-o",
                             "jsonpath={.data.greeting}")
    assert stored.stdout == "bonjour", stored.stderr

    deleted = kubectl_run.run(kubeconfig, "delete", "-f", str(manifest), timeout=30)
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == 'configmap "demo-cm" deleted'
    gone = kubectl_run.run(kubeconfig, "get", "configmap", "demo-cm")
    assert gone.returncode == 1
    assert 'configmaps "demo-cm" not found' in gone.stderr


def test_apply_get_yaml_delete_deployment(gateway: Served, kubectl_run: KubectlRunner,
                                          tmp_path) -> None:
    kubeconfig = gateway.kubeconfig()
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(DEPLOYMENT)
    applied = kubectl_run.run(kubeconfig, "apply", "-f", str(manifest))
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.strip() == "deployment.apps/demo-deploy created"

    manifest.write_text(DEPLOYMENT.replace("nginx:1.27", "nginx:1.28"))
    reapplied = kubectl_run.run(kubeconfig, "apply", "-f",
                                str(manifest))
    assert reapplied.returncode == 0, reapplied.stderr
    assert reapplied.stdout.strip() == "deployment.apps/demo-deploy configured"

    got = kubectl_run.run(kubeconfig, "get", "deployment", "demo-deploy", "-o", "yaml")
    assert got.returncode == 0, got.stderr
    obj = yaml.safe_load(got.stdout)
    assert obj["spec"]["replicas"] == 2
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert obj["metadata"]["generation"] == 2

    deleted = kubectl_run.run(kubeconfig, "delete", "deployment", "demo-deploy", timeout=30)
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == 'deployment.apps "demo-deploy" deleted'


def test_get_pods_watch_sees_a_new_pod(gateway: Served, kubectl_run: KubectlRunner) -> None:
    cluster = gateway.mock("my-cluster")
    watcher = kubectl_run.popen(gateway.kubeconfig(), "get", "pods", "-w")
    try:
        assert watcher.stdout is not None
        first = watcher.stdout.readline()
        assert first.split()[:2] == ["NAME", "READY"], first
        assert watcher.stdout.readline().split()[0] == "web"
        cluster.seed({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "watched", "namespace": "default"},
            "spec": {"containers": [{"name": "main", "image": "busybox"}]}})
        # kube's order: created Pending, then scheduled and started by the kubelet.
        deadline = time.monotonic() + 20
        seen: list[list[str]] = []
        while time.monotonic() < deadline and (not seen or seen[-1][2] != "Running"):
            line = watcher.stdout.readline()
            if line.startswith("watched "):
                seen.append(line.split())
        assert seen[0][:3] == ["watched", "0/1", "Pending"], seen
        assert seen[-1][:3] == ["watched", "1/1", "Running"], seen
    finally:
        watcher.kill()
        watcher.communicate(timeout=10)


@pytest.mark.mock_only("the web pod's log lines are seeded by the scenario")
def test_logs_prints_the_container_log(gateway: Served, kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(gateway.kubeconfig(), "logs", "web")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["nginx: start worker processes", "GET / HTTP/1.1 200"]
    tail = kubectl_run.run(gateway.kubeconfig(), "logs", "web", "--tail=1")
    assert tail.stdout.splitlines() == ["GET / HTTP/1.1 200"]


def test_logs_by_label_reads_the_agent_log(gateway: Served, kubectl_run: KubectlRunner) -> None:
    gateway.mock("my-cluster").logs.append("gke-connect", gateway.agent_pod("my-cluster"),
                                           "gke-connect-agent", "agent log line for the test")
    result = kubectl_run.run(gateway.kubeconfig(), "logs", "-n", "gke-connect", "-l",
                             "app=gke-connect-agent", "--tail", "-1")
    assert result.returncode == 0, result.stderr
    assert "agent log line for the test" in result.stdout.splitlines()


def test_auth_whoami_shows_the_google_identity(gateway: Served, kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(gateway.kubeconfig(), "auth", "whoami", "-o", "json")
    assert result.returncode == 0, result.stderr
    user_info = json.loads(result.stdout)["status"]["userInfo"]
    assert user_info["username"] == "alice@example.com"
    assert "system:authenticated" in user_info["groups"]


def test_version_reports_the_membership_kubernetes_version(gateway: Served,
                                                           kubectl_run: KubectlRunner) -> None:
    result = kubectl_run.run(gateway.kubeconfig("old-cluster"), "version", "-o", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["serverVersion"]["gitVersion"] == "v1.29.8"


def test_logs_follow_streams_new_lines_until_the_pod_goes(gateway: Served,
                                                          kubectl_run: KubectlRunner) -> None:
    cluster = gateway.mock("my-cluster")
    follower = kubectl_run.popen(gateway.kubeconfig(), "logs", "-f", "web")
    try:
        assert follower.stdout is not None
        assert follower.stdout.readline() == "nginx: start worker processes\n"
        assert follower.stdout.readline() == "GET / HTTP/1.1 200\n"
        cluster.logs.append("default", "web", "main", "a line written later")
        assert follower.stdout.readline() == "a line written later\n"
        cluster.store.remove(("", "pods"), "default", "web")
        assert follower.wait(timeout=20) == 0
    finally:
        follower.kill()
        follower.communicate(timeout=10)
