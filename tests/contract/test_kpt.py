"""kpt (the Google Cloud SDK's ``kpt`` component) through the gateway: ``kpt live init``,
``install-resource-group``, ``apply`` (client-side and ``--server-side``), ``status`` and
``destroy`` against the ResourceGroup CRD kpt installs, checked in the mock cluster's store.

The mock runs no controllers, so a Deployment is applied but never becomes Current: kpt's
reconcile wait times out on it and ``kpt live status`` reports it InProgress, as kpt would for a
cluster whose controller manager is down. The package with kinds that are Current as soon as they
exist (ConfigMap, ServiceAccount) goes through the whole lifecycle with every command succeeding.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests import realclients
from tests.harness import Served

pytestmark = pytest.mark.contract

CRD = ("apiextensions.k8s.io", "customresourcedefinitions")
RESOURCE_GROUPS = ("kpt.dev", "resourcegroups")
CONFIGMAPS = ("", "configmaps")
SERVICE_ACCOUNTS = ("", "serviceaccounts")
DEPLOYMENTS = ("apps", "deployments")

CURRENT_KINDS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kpt-settings
  namespace: default
data:
  color: blue
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: kpt-robot
  namespace: default
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kpt-web
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: kpt-web}
  template:
    metadata:
      labels: {app: kpt-web}
    spec:
      containers:
      - name: main
        image: nginx:1.27
"""


@dataclass
class Kpt:
    binary: Path
    home: Path
    kubeconfig: Path

    def run(self, *args: str, cwd: Path, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        env.update(HOME=str(self.home), KUBECONFIG=str(self.kubeconfig))
        return subprocess.run([str(self.binary), *args], capture_output=True, text=True,
                              timeout=timeout, env=env, cwd=cwd)

    def ok(self, *args: str, cwd: Path) -> str:
        result = self.run(*args, cwd=cwd)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout


@pytest.fixture
def kpt(gateway: Served, tmp_path: Path) -> Kpt:
    binary = realclients.kpt()
    if binary is None:  # with CGW_REQUIRE_REAL_CLIENTS=1 the run has failed before this
        pytest.skip("no kpt found (gcloud components install kpt)")
    home = tmp_path / "kpt-home"
    home.mkdir()
    return Kpt(binary, home, gateway.kubeconfig())


@pytest.fixture
def package(kpt: Kpt, tmp_path: Path) -> Callable[[str], Path]:
    """A kpt package (``kpt pkg init`` plus the given manifests) initialised for ``kpt live``."""
    def make(manifests: str) -> Path:
        directory = tmp_path / "pkg"
        directory.mkdir()
        kpt.ok("pkg", "init", ".", "--description", "through the gateway", cwd=directory)
        (directory / "resources.yaml").write_text(manifests)
        kpt.ok("live", "init", ".", "--namespace", "default", cwd=directory)
        return directory
    return make


def inventory(directory: Path) -> dict:
    return yaml.safe_load((directory / "resourcegroup.yaml").read_text())


def test_live_init_and_install_resource_group(gateway: Served, kpt: Kpt,
                                              package: Callable[[str], Path]) -> None:
    directory = package(CURRENT_KINDS)
    group = inventory(directory)
    assert (group["apiVersion"], group["kind"], group["metadata"]["namespace"]) == (
        "kpt.dev/v1alpha1", "ResourceGroup", "default")
    assert group["metadata"]["labels"]["cli-utils.sigs.k8s.io/inventory-id"]
    store = gateway.mock("my-cluster").store
    assert store.get(CRD, "", "resourcegroups.kpt.dev") is None
    out = kpt.run("live", "install-resource-group", cwd=directory)
    assert (out.returncode, out.stderr) == (0, ""), out.stdout
    assert "installing inventory ResourceGroup CRD...success" in out.stdout
    crd = store.get(CRD, "", "resourcegroups.kpt.dev")
    assert crd is not None
    assert crd["spec"]["names"]["kind"] == "ResourceGroup"
    established = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert established["Established"] == "True"
    # Installing again finds it there and says so the same way.
    again = kpt.run("live", "install-resource-group", cwd=directory)
    assert again.returncode == 0, again.stderr


def test_live_apply_status_destroy(gateway: Served, kpt: Kpt,
                                   package: Callable[[str], Path]) -> None:
    directory = package(CURRENT_KINDS)
    store = gateway.mock("my-cluster").store
    kpt.ok("live", "install-resource-group", cwd=directory)
    group_name = inventory(directory)["metadata"]["name"]

    applied = kpt.ok("live", "apply", ".", "--reconcile-timeout=30s", cwd=directory)
    assert "apply result: 2 attempted, 2 successful, 0 skipped, 0 failed" in applied
    assert "reconcile result: 2 attempted, 2 successful, 0 skipped, 0 failed, 0 timed out" \
        in applied
    settings = store.get(CONFIGMAPS, "default", "kpt-settings")
    assert settings is not None and settings["data"] == {"color": "blue"}
    owner = settings["metadata"]["annotations"]["config.k8s.io/owning-inventory"]
    assert owner == inventory(directory)["metadata"]["labels"][
        "cli-utils.sigs.k8s.io/inventory-id"]
    assert store.get(SERVICE_ACCOUNTS, "default", "kpt-robot") is not None
    group = store.get(RESOURCE_GROUPS, "default", group_name)
    assert group is not None
    assert sorted((r["kind"], r["name"]) for r in group["spec"]["resources"]) == [
        ("ConfigMap", "kpt-settings"), ("ServiceAccount", "kpt-robot")]

    # The same package changed, applied server-side: kpt's field manager owns the fields now.
    (directory / "resources.yaml").write_text(CURRENT_KINDS.replace("color: blue", "color: red"))
    server_side = kpt.ok("live", "apply", ".", "--server-side", "--reconcile-timeout=30s",
                         cwd=directory)
    assert "apply result: 2 attempted, 2 successful, 0 skipped, 0 failed" in server_side
    settings = store.get(CONFIGMAPS, "default", "kpt-settings")
    assert settings["data"] == {"color": "red"}
    appliers = {e["manager"]: e for e in settings["metadata"]["managedFields"]
                if e["operation"] == "Apply"}
    assert "f:color" in appliers["kubectl"]["fieldsV1"]["f:data"]

    status = kpt.ok("live", "status", ".", "--poll-until", "current", "--timeout", "30s",
                    cwd=directory)
    assert sorted(status.splitlines()) == [
        f"{group_name}/configmap/default/kpt-settings is Current: Resource is always ready",
        f"{group_name}/serviceaccount/default/kpt-robot is Current: Resource is current",
    ]

    destroyed = kpt.ok("live", "destroy", ".", cwd=directory)
    assert "delete result: 2 attempted, 2 successful, 0 skipped, 0 failed" in destroyed
    assert store.get(CONFIGMAPS, "default", "kpt-settings") is None
    assert store.get(SERVICE_ACCOUNTS, "default", "kpt-robot") is None
    assert store.get(RESOURCE_GROUPS, "default", group_name) is None


def test_live_apply_of_a_deployment_waits_until_it_is_current(
        gateway: Served, kpt: Kpt, package: Callable[[str], Path]) -> None:
    """kpt's reconcile wait: the cluster's controllers roll the Deployment out, so kpt sees it
    Current; destroying it takes its ReplicaSet and pod too (the garbage collector)."""
    directory = package(DEPLOYMENT)
    store = gateway.mock("my-cluster").store
    kpt.ok("live", "install-resource-group", cwd=directory)
    group_name = inventory(directory)["metadata"]["name"]

    applied = kpt.run("live", "apply", ".", "--reconcile-timeout=30s", cwd=directory)
    assert applied.returncode == 0, (applied.stdout, applied.stderr)
    assert "deployment.apps/kpt-web apply successful" in applied.stdout
    assert "apply result: 1 attempted, 1 successful, 0 skipped, 0 failed" in applied.stdout
    assert "deployment.apps/kpt-web reconcile successful" in applied.stdout
    assert "reconcile result: 1 attempted, 1 successful, 0 skipped, 0 failed, 0 timed out" \
        in applied.stdout
    pods = [p for p in store.list(("", "pods"), "default")[0]
            if (p["metadata"].get("labels") or {}).get("app") == "kpt-web"]
    assert [p["status"]["phase"] for p in pods] == ["Running"]

    status = kpt.ok("live", "status", ".", "--timeout", "5s", cwd=directory)
    assert status.splitlines() == [
        f"{group_name}/deployment.apps/default/kpt-web is Current: "
        "Deployment is available. Replicas: 1"]

    destroyed = kpt.ok("live", "destroy", ".", cwd=directory)
    assert "delete result: 1 attempted, 1 successful, 0 skipped, 0 failed" in destroyed
    assert store.get(DEPLOYMENTS, "default", "kpt-web") is None
    assert store.get(RESOURCE_GROUPS, "default", group_name) is None
    assert [p for p in store.list(("", "pods"), "default")[0]
            if (p["metadata"].get("labels") or {}).get("app") == "kpt-web"] == []


def test_live_apply_server_side_dry_run_then_apply_then_prune(
        gateway: Served, kpt: Kpt, package: Callable[[str], Path]) -> None:
    directory = package(CURRENT_KINDS)
    store = gateway.mock("my-cluster").store
    kpt.ok("live", "install-resource-group", cwd=directory)

    dry = kpt.ok("live", "apply", ".", "--server-side", "--dry-run", cwd=directory)
    assert dry.startswith("Dry-run strategy: server\n")
    assert "apply result: 2 attempted, 2 successful, 0 skipped, 0 failed" in dry
    assert store.get(CONFIGMAPS, "default", "kpt-settings") is None
    assert store.get(SERVICE_ACCOUNTS, "default", "kpt-robot") is None

    # Created by server-side apply: kpt's manager ("kubectl") is the one Apply entry.
    kpt.ok("live", "apply", ".", "--server-side", "--reconcile-timeout=30s", cwd=directory)
    settings = store.get(CONFIGMAPS, "default", "kpt-settings")
    assert settings is not None
    assert [(e["manager"], e["operation"]) for e in settings["metadata"]["managedFields"]] == [
        ("kubectl", "Apply")]
    assert "kubectl.kubernetes.io/last-applied-configuration" not in settings["metadata"].get(
        "annotations", {})

    # The ServiceAccount left the package: the next apply prunes it from the cluster.
    (directory / "resources.yaml").write_text(CURRENT_KINDS.split("---\n")[0])
    pruned = kpt.ok("live", "apply", ".", "--server-side", "--reconcile-timeout=30s",
                    cwd=directory)
    assert "serviceaccount/kpt-robot prune successful" in pruned
    assert "prune result: 1 attempted, 1 successful, 0 skipped, 0 failed" in pruned
    assert store.get(SERVICE_ACCOUNTS, "default", "kpt-robot") is None
    assert store.get(CONFIGMAPS, "default", "kpt-settings") is not None
    group = store.get(RESOURCE_GROUPS, "default", inventory(directory)["metadata"]["name"])
    assert [(r["kind"], r["name"]) for r in group["spec"]["resources"]] == [
        ("ConfigMap", "kpt-settings")]

    kpt.ok("live", "destroy", ".", cwd=directory)
    assert store.get(CONFIGMAPS, "default", "kpt-settings") is None
