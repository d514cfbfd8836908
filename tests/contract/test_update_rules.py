"""What an update may not change, seen by real clients (registry/podupdate.py,
registry/updatechecks.py): kubectl's patch, apply and replace, and the Python client, get a
cluster's 422 for a pod's spec, a workload's selector, a binding's role, a StatefulSet's spec, a
Job's template and an immutable ConfigMap, and the changes kube allows still go through."""

from __future__ import annotations

import json
import uuid

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

UPDATABLE = ("pod updates may not change fields other than `spec.containers[*].image`,"
             "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
             "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
             "(allow it to be set to 1 if it was previously negative)")


def pod_manifest(name: str, image: str, port: int) -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n"
            f"  - name: main\n    image: {image}\n    ports:\n    - containerPort: {port}\n")


def test_kubectl_may_change_a_pods_image_and_nothing_else_of_its_spec(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    name = f"fixed-{uuid.uuid4().hex[:6]}"
    made = kubectl_run.run(kubeconfig, "apply", "-f", "-", stdin=pod_manifest(name, "nginx", 80))
    assert made.returncode == 0, made.stderr
    try:
        moved = kubectl_run.run(kubeconfig, "apply", "-f", "-",
                                stdin=pod_manifest(name, "nginx", 8080))
        assert moved.returncode == 1
        first, *diff = moved.stderr.split("\n")
        assert first == f'The Pod "{name}" is invalid: spec: Forbidden: {UPDATABLE}', first
        assert diff[0].startswith("@@ -"), diff
        assert '-     "containerPort": 80,' in diff and '+     "containerPort": 8080,' in diff
        patched = kubectl_run.run(kubeconfig, "patch", "pod", name, "-p",
                                  '{"spec":{"activeDeadlineSeconds":600}}')
        assert patched.returncode == 0, patched.stderr
        raised = kubectl_run.run(kubeconfig, "patch", "pod", name, "-p",
                                 '{"spec":{"activeDeadlineSeconds":900}}')
        assert raised.stderr.strip() == (
            f'The Pod "{name}" is invalid: spec.activeDeadlineSeconds: Invalid value: 900: must '
            "be less than or equal to previous value")
        changed = kubectl_run.run(kubeconfig, "set", "image", f"pod/{name}", "main=nginx:1.27")
        assert changed.returncode == 0, changed.stderr
        read = kubectl_run.run(kubeconfig, "get", "pod", name, "-o", "json")
        spec = json.loads(read.stdout)["spec"]
        assert spec["containers"][0]["image"] == "nginx:1.27"
        assert spec["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
        assert spec["activeDeadlineSeconds"] == 600
    finally:
        kubectl_run.run(kubeconfig, "delete", "pod", name, "--wait=false")


def test_kubectl_gets_the_immutable_selector_and_role_errors(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    suffix = uuid.uuid4().hex[:6]
    web, binding = f"web-{suffix}", f"readers-{suffix}"
    assert kubectl_run.run(kubeconfig, "create", "deployment", web,
                           "--image=nginx").returncode == 0
    assert kubectl_run.run(kubeconfig, "create", "rolebinding", binding, "--clusterrole=view",
                           "--user=dana@example.com").returncode == 0
    try:
        relabelled = kubectl_run.run(kubeconfig, "patch", "deployment", web, "-p", json.dumps(
            {"spec": {"selector": {"matchLabels": {"app": "other"}},
                      "template": {"metadata": {"labels": {"app": "other"}}}}}))
        assert relabelled.returncode == 1
        assert relabelled.stderr.strip() == (
            f'The Deployment "{web}" is invalid: spec.selector: Invalid value: v1.LabelSelector{{'
            'MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelector'
            "Requirement(nil)}: field is immutable")
        promoted = kubectl_run.run(kubeconfig, "patch", "rolebinding", binding, "-p",
                                   '{"roleRef":{"name":"edit"}}')
        assert promoted.returncode == 1
        assert promoted.stderr.strip() == (
            f'The RoleBinding "{binding}" is invalid: roleRef: Invalid value: rbac.RoleRef{{'
            'APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot '
            "change roleRef")
        # What tools do about it: delete and create again.
        read = kubectl_run.run(kubeconfig, "get", "rolebinding", binding, "-o", "json")
        wanted = json.loads(read.stdout)
        wanted["roleRef"]["name"] = "edit"
        replaced = kubectl_run.run(kubeconfig, "replace", "--force", "-f", "-",
                                   stdin=json.dumps(wanted))
        assert replaced.returncode == 0, replaced.stderr
        role = kubectl_run.run(kubeconfig, "get", "rolebinding", binding, "-o",
                               "jsonpath={.roleRef.name}")
        assert role.stdout == "edit"
    finally:
        kubectl_run.run(kubeconfig, "delete", "deployment", web, "--wait=false")
        kubectl_run.run(kubeconfig, "delete", "rolebinding", binding)


STATEFUL_SET = """apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: {name}}}
spec:
  serviceName: {service}
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: db, image: postgres}}]}}
"""

JOB = """apiVersion: batch/v1
kind: Job
metadata: {{name: {name}}}
spec:
  suspend: true
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: main, image: {image}}}]
"""


def test_apply_of_a_changed_stateful_set_or_job_is_refused_as_on_a_cluster(
        gateway: Served, newest: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    suffix = uuid.uuid4().hex[:6]
    db, job = f"db-{suffix}", f"batch-{suffix}"
    first = STATEFUL_SET.format(name=db, service=db, replicas=1)
    assert newest.run(kubeconfig, "apply", "-f", "-", stdin=first).returncode == 0
    assert newest.run(kubeconfig, "apply", "-f", "-",
                      stdin=JOB.format(name=job, image="busybox")).returncode == 0
    try:
        scaled = newest.run(kubeconfig, "apply", "-f", "-",
                            stdin=STATEFUL_SET.format(name=db, service=db, replicas=2))
        assert scaled.returncode == 0, scaled.stderr
        renamed = newest.run(kubeconfig, "apply", "-f", "-",
                             stdin=STATEFUL_SET.format(name=db, service="other", replicas=2))
        assert renamed.returncode == 1
        assert renamed.stderr.strip() == (
            f'The StatefulSet "{db}" is invalid: spec: Forbidden: updates to statefulset spec '
            "for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
            "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")
        # A suspended job that never ran may still move its pods, not change them.
        moved = newest.run(kubeconfig, "patch", "job", job, "-p", json.dumps(
            {"spec": {"template": {"spec": {"nodeSelector": {"pool": "spot"}}}}}))
        assert moved.returncode == 0, moved.stderr
        reimaged = newest.run(kubeconfig, "apply", "-f", "-",
                              stdin=JOB.format(name=job, image="busybox:1.36"))
        assert reimaged.returncode == 1
        text = reimaged.stderr.strip()
        assert text.startswith(f'The Job "{job}" is invalid: spec.template: Invalid value: '), text
        assert text.endswith(": field is immutable"), text
    finally:
        newest.run(kubeconfig, "delete", "statefulset", db, "--wait=false")
        newest.run(kubeconfig, "delete", "job", job, "--wait=false")


def test_the_python_client_gets_the_422_and_its_causes(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    name = f"py-fixed-{uuid.uuid4().hex[:6]}"
    core.create_namespaced_pod("default", client.V1Pod(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="busybox")])))
    try:
        live = core.read_namespaced_pod(name, "default")
        live.spec.containers[0].working_dir = "/srv"
        with pytest.raises(ApiException) as failed:
            core.replace_namespaced_pod(name, "default", live)
        assert failed.value.status == 422
        status = json.loads(failed.value.body)
        assert status["reason"] == "Invalid"
        assert status["message"].startswith(f'Pod "{name}" is invalid: spec: Forbidden: '
                                            f"{UPDATABLE}\n@@ ")
        (cause,) = status["details"]["causes"]
        assert (cause["reason"], cause["field"]) == ("FieldValueForbidden", "spec")
        live = core.read_namespaced_pod(name, "default")
        live.metadata.labels = {"tier": "batch"}
        live.spec.containers[0].image = "busybox:1.36"
        replaced = core.replace_namespaced_pod(name, "default", live)
        assert replaced.spec.containers[0].image == "busybox:1.36"
        assert replaced.metadata.labels == {"tier": "batch"}
    finally:
        core.delete_namespaced_pod(name, "default")
    settings = f"py-settings-{uuid.uuid4().hex[:6]}"
    core.create_namespaced_config_map("default", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=settings), data={"mode": "a"}, immutable=True))
    try:
        with pytest.raises(ApiException) as failed:
            core.patch_namespaced_config_map(settings, "default", {"data": {"mode": "b"}})
        assert json.loads(failed.value.body)["message"] == (
            f'ConfigMap "{settings}" is invalid: data: Forbidden: field is immutable when '
            "`immutable` is set")
    finally:
        core.delete_namespaced_config_map(settings, "default")


BROKEN_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{{containerPort: 70000}}]
        volumeMounts: [{{name: data, mountPath: /data}}]
        resources: {{limits: {{cpu: 500m}}, requests: {{cpu: "1"}}}}
"""


def test_a_server_side_dry_run_finds_what_a_cluster_finds_in_a_pod_template(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    """CI pipelines lint manifests with ``--dry-run=server`` through the gateway: kube's pod
    spec checks answer, every error listed as kubectl lists a 422's causes."""
    name = f"lint-{uuid.uuid4().hex[:6]}"
    linted = kubectl_run.run(gateway.kubeconfig(), "apply", "--dry-run=server", "-f", "-",
                             stdin=BROKEN_DEPLOYMENT.format(name=name))
    assert linted.returncode == 1
    assert linted.stderr.strip().endswith(
        f'The Deployment "{name}" is invalid: \n'
        "* spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must "
        "be between 1 and 65535, inclusive\n"
        '* spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"\n'
        '* spec.template.spec.containers[0].resources.requests: Invalid value: "1": must be '
        "less than or equal to cpu limit of 500m"), linted.stderr
    assert kubectl_run.run(gateway.kubeconfig(), "get", "deployment", name).returncode == 1
