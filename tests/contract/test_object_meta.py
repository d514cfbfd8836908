"""An object's labels, annotations, owner references and finalizers checked as kube checks them
(registry/metachecks.py), seen by real clients through the gateway to my-cluster (1.30): the
Helm-style version label a chart templates into every object (``1.2.3+build``), refused on
``kubectl apply``, and the Python client's 422 for a finalizer without a domain.

Every object is named for its test and kubectl version, and deleted at the end: under
--real-cluster the cluster is not reset between tests.
"""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.contract.conftest import Named
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, "
               "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
               "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def test_apply_refuses_a_chart_version_label(gateway: Served, kubectl_run: KubectlRunner,
                                             named: Named) -> None:
    name = named("configmap", "chart-version")
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": name, "labels": {"helm.sh/chart": "web-1.2.3+build.7"}}, "data": {"a": "b"}}
    applied = kubectl_run.run(gateway.kubeconfig(), "apply", "-f", "-",
                              stdin=json.dumps(manifest))
    assert (applied.returncode, applied.stdout) == (1, "")
    assert applied.stderr == (
        f'The ConfigMap "{name}" is invalid: metadata.labels: Invalid value: '
        f'"web-1.2.3+build.7": {LABEL_VALUE}\n')
    assert "not found" in kubectl_run.run(gateway.kubeconfig(), "get", "configmap",
                                          name).stderr


def test_the_python_client_s_finalizer_without_a_domain(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-finalizer",
                                                           finalizers=["cleanup"]))
    with pytest.raises(ApiException) as refused:
        core.create_namespaced_config_map("default", body)
    assert refused.value.status == 422
    assert json.loads(refused.value.body)["details"]["causes"] == [{
        "reason": "FieldValueInvalid", "field": "metadata.finalizers[0]",
        "message": 'Invalid value: "cleanup": name is neither a standard finalizer name nor is '
                   "it fully qualified"}]


def test_a_dotted_deployment_name_is_warned_about_and_a_stateful_set_s_refused(
        gateway: Served, kubectl_run: KubectlRunner, named: Named) -> None:
    """kube warns of a workload name its pods' hostnames cannot hold, and refuses it for a
    StatefulSet (1.27+); kubectl prints the warning on stderr."""
    name = named("deployment", "web.v1")
    made = kubectl_run.run(gateway.kubeconfig(), "create", "deployment", name, "--image=nginx")
    assert (made.returncode, made.stdout) == (0, f"deployment.apps/{name} created\n")
    assert made.stderr == (
        "Warning: metadata.name: this is used in Pod names and hostnames, which can result in "
        "surprising behavior; a DNS label is recommended: [must not contain dots]\n")
    stateful = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
                "spec": {"selector": {"matchLabels": {"app": "w"}}, "template": {
                    "metadata": {"labels": {"app": "w"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
    refused = kubectl_run.run(gateway.kubeconfig(), "create", "-f", "-",
                              stdin=json.dumps(stateful))
    assert (refused.returncode, refused.stderr) == (1, (
        f'The StatefulSet "{name}" is invalid: metadata.name: Invalid value: "{name}": must not '
        "contain dots\n"))
