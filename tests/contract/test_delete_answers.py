"""DELETE through the gateway as the real clients see it: kube answers a Success Status for most
kinds, the object for pods (marked for graceful deletion) and namespaces (Terminating), and the
clients print and return what they do against a real cluster."""

from __future__ import annotations

import time

import pytest
from kubernetes import client

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: default
spec:
  containers:
  - name: main
    image: nginx:1.27
"""


def test_kubectl_deletes_a_pod_a_configmap_and_a_namespace(gateway: Served,
                                                          kubectl_run: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    created = kubectl_run.run(kubeconfig, "apply", "-f", "-", stdin=POD.format(name="gone"))
    assert created.returncode == 0, created.stderr
    assert kubectl_run.run(kubeconfig, "create", "configmap", "gone-cm").returncode == 0
    assert kubectl_run.run(kubeconfig, "create", "namespace", "gone-ns").returncode == 0
    started = time.monotonic()
    # kubectl waits for each object to be gone (--wait); the answers are the pod marked for
    # deletion, a Status, and the namespace Terminating.
    for kind, name in (("pod", "gone"), ("configmap", "gone-cm"), ("namespace", "gone-ns")):
        deleted = kubectl_run.run(kubeconfig, "delete", kind, name, timeout=60)
        assert deleted.returncode == 0, deleted.stderr
        assert deleted.stdout.strip() == f'{kind} "{name}" deleted'
        gone = kubectl_run.run(kubeconfig, "get", kind, name)
        assert gone.returncode == 1 and "NotFound" in gone.stderr
    assert time.monotonic() - started < 45  # nobody waited out a grace period


def test_kubectl_force_deletes_a_pod(gateway: Served, kubectl_run: KubectlRunner) -> None:
    kubeconfig = gateway.kubeconfig()
    created = kubectl_run.run(kubeconfig, "apply", "-f", "-", stdin=POD.format(name="forced"))
    assert created.returncode == 0, created.stderr
    deleted = kubectl_run.run(kubeconfig, "delete", "pod", "forced", "--grace-period=0",
                              "--force")
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == 'pod "forced" force deleted'
    assert "Immediate deletion does not wait for confirmation" in deleted.stderr


def test_the_python_client_gets_a_status_or_the_object(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    created = core.create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-gone")))
    status = core.delete_namespaced_config_map("py-gone", "default")
    # The client types it as a plain object or a V1Status, depending on its release.
    as_dict = status if isinstance(status, dict) else api.sanitize_for_serialization(status)
    assert as_dict["kind"] == "Status" and as_dict["status"] == "Success"
    assert as_dict["details"] == {"name": "py-gone", "kind": "configmaps",
                                  "uid": created.metadata.uid}
    core.create_namespaced_pod("default", client.V1Pod(
        metadata=client.V1ObjectMeta(name="py-pod"),
        spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="nginx:1.27")])))
    pod = core.delete_namespaced_pod("py-pod", "default")
    assert isinstance(pod, client.V1Pod)
    assert pod.metadata.name == "py-pod" and pod.metadata.deletion_timestamp is not None
