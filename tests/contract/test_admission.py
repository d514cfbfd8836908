"""kube-apiserver's default admission plugins, seen by real clients: a pod comes back with its
service account's token volume, its priority and the default tolerations, and a pod or
PriorityClass the plugins refuse gets their 403 (plugin/pkg/admission/serviceaccount, priority,
defaulttolerationseconds)."""

from __future__ import annotations

import json
import uuid

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def test_a_pod_made_by_kubectl_run_is_admitted_as_kube_admits_it(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    name = f"admitted-{uuid.uuid4().hex[:6]}"
    made = kubectl_run.run(kubeconfig, "run", name, "--image=busybox", "--restart=Never")
    assert made.returncode == 0, made.stderr
    try:
        read = kubectl_run.run(kubeconfig, "get", "pod", name, "-o", "json")
        assert read.returncode == 0, read.stderr
        spec = json.loads(read.stdout)["spec"]
        assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("default", "default")
        assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
        assert [(t["key"], t["tolerationSeconds"]) for t in spec["tolerations"]] == [
            ("node.kubernetes.io/not-ready", 300), ("node.kubernetes.io/unreachable", 300)]
        (volume,) = spec["volumes"]
        assert volume["name"].startswith("kube-api-access-")
        sources = volume["projected"]["sources"]
        assert sources[0] == {"serviceAccountToken": {"expirationSeconds": 3607,
                                                      "path": "token"}}
        assert sources[1]["configMap"]["name"] == "kube-root-ca.crt"
        assert spec["containers"][0]["volumeMounts"] == [
            {"name": volume["name"], "readOnly": True, "mountPath": MOUNT_PATH}]
        described = kubectl_run.run(kubeconfig, "describe", "pod", name)
        assert described.returncode == 0, described.stderr
        text = described.stdout
        assert f"{MOUNT_PATH} from {volume['name']} (ro)" in text, text
        assert "Type:                    Projected" in text, text
        assert "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s" in text, text
    finally:
        kubectl_run.run(kubeconfig, "delete", "pod", name, "--wait=false")


@pytest.mark.parametrize(("name", "spec", "refusal"), [
    ("orphan", '{"serviceAccountName":"robot"}',
     'error looking up service account default/robot: serviceaccount "robot" not found'),
    ("classless", '{"priorityClassName":"urgent"}', "no PriorityClass with name urgent was found"),
])
def test_a_pod_whose_account_or_class_is_missing_is_forbidden(
        gateway: Served, kubectl_run: KubectlRunner, name: str, spec: str, refusal: str) -> None:
    kubeconfig = gateway.kubeconfig()
    refused = kubectl_run.run(kubeconfig, "run", name, "--image=busybox",
                              f'--overrides={{"spec":{spec}}}')
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f'Error from server (Forbidden): pods "{name}" is forbidden: {refusal}')
    assert kubectl_run.run(kubeconfig, "get", "pod", name).returncode == 1


def test_a_second_default_priority_class_is_forbidden(gateway: Served,
                                                      newest: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    first, second = (f"default-{uuid.uuid4().hex[:6]}" for _ in range(2))
    made = newest.run(kubeconfig, "create", "priorityclass", first, "--value=100",
                      "--global-default")
    assert made.returncode == 0, made.stderr
    try:
        refused = newest.run(kubeconfig, "create", "priorityclass", second, "--value=200",
                             "--global-default")
        assert refused.returncode == 1
        assert refused.stderr.strip() == (
            f'error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "{second}" '
            f"is forbidden: PriorityClass {first} is already marked as default. Only one "
            "default can exist")
        # Pods that name no class now take the default's.
        pod = newest.run(kubeconfig, "run", f"defaulted-{first}", "--image=busybox", "-o",
                         "json", "--dry-run=server")
        assert pod.returncode == 0, pod.stderr
        spec = json.loads(pod.stdout)["spec"]
        assert (spec["priorityClassName"], spec["priority"]) == (first, 100)
    finally:
        newest.run(kubeconfig, "delete", "priorityclass", first)


def test_the_python_client_reads_an_admitted_pod_into_its_models(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    name = f"py-admitted-{uuid.uuid4().hex[:6]}"
    body = client.V1Pod(metadata=client.V1ObjectMeta(name=name), spec=client.V1PodSpec(
        containers=[client.V1Container(name="main", image="busybox")]))
    created = core.create_namespaced_pod("default", body)
    try:
        spec = core.read_namespaced_pod(name, "default").spec
        assert (spec.service_account, spec.priority) == ("default", 0)
        token = spec.volumes[0].projected.sources[0].service_account_token
        assert (token.path, token.expiration_seconds) == ("token", 3607)
        assert spec.containers[0].volume_mounts[0].mount_path == MOUNT_PATH
        assert created.spec.tolerations[0].toleration_seconds == 300
    finally:
        core.delete_namespaced_pod(name, "default")
    refused = client.V1Pod(metadata=client.V1ObjectMeta(generate_name="worker-"),
                           spec=client.V1PodSpec(service_account_name="robot", containers=[
                               client.V1Container(name="main", image="busybox")]))
    with pytest.raises(ApiException) as failed:
        core.create_namespaced_pod("default", refused)
    assert failed.value.status == 403
    status = json.loads(failed.value.body)
    assert status["message"] == ('pods "worker-" is forbidden: error looking up service account '
                                 'default/robot: serviceaccount "robot" not found')
    assert status["details"] == {"name": "worker-", "kind": "pods"}


def test_nothing_is_created_in_a_namespace_being_terminated(gateway: Served,
                                                            newest: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    name = f"leaving-{uuid.uuid4().hex[:6]}"
    held = (f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
            "  finalizers: [example.com/hold]\n")
    assert newest.run(kubeconfig, "create", "-f", "-", stdin=held).returncode == 0
    try:
        deleting = newest.run(kubeconfig, "delete", "namespace", name, "--wait=false")
        assert deleting.returncode == 0, deleting.stderr
        refused = newest.run(kubeconfig, "create", "configmap", "late", "-n", name)
        assert refused.returncode == 1
        assert refused.stderr.strip() == (
            'error: failed to create configmap: configmaps "late" is forbidden: unable to create '
            f"new content in namespace {name} because it is being terminated")
    finally:
        newest.run(kubeconfig, "patch", "namespace", name, "--type=merge", "-p",
                   '{"metadata":{"finalizers":null}}')
    assert newest.run(kubeconfig, "get", "namespace", name).returncode == 1


def test_every_new_namespace_gets_the_root_ca_the_token_volume_projects(
        gateway: Served, newest: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    name = f"fresh-{uuid.uuid4().hex[:6]}"
    assert newest.run(kubeconfig, "create", "namespace", name).returncode == 0
    try:
        listed = newest.run(kubeconfig, "get", "configmaps", "-n", name, "-o", "name")
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.split() == ["configmap/kube-root-ca.crt"]
        read = newest.run(kubeconfig, "get", "configmap", "kube-root-ca.crt", "-n", name,
                          "-o", "json")
        published = json.loads(read.stdout)
        assert published["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----\n")
        assert "kubernetes.io/description" in published["metadata"]["annotations"]
        # Deleted, the publisher makes it again.
        deleted = newest.run(kubeconfig, "delete", "configmap", "kube-root-ca.crt", "-n", name)
        assert deleted.returncode == 0, deleted.stderr
        again = newest.run(kubeconfig, "get", "configmap", "kube-root-ca.crt", "-n", name,
                           "-o", "json")
        assert again.returncode == 0, again.stderr
        remade = json.loads(again.stdout)
        assert remade["metadata"]["uid"] != published["metadata"]["uid"]
        assert remade["data"] == published["data"]
    finally:
        newest.run(kubeconfig, "delete", "namespace", name, "--wait=false")
