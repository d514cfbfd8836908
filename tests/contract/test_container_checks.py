"""A container's env, probes and lifecycle hooks, a pod's scheduling fields and security
contexts, checked as kube checks them (registry/containerchecks.py, schedulingchecks.py,
securitychecks.py), seen by real clients through the gateway to a 1.30 cluster: ``kubectl
create`` of pods with an env name and security contexts kube refuses, ``apply --dry-run=server``
of Deployments whose env, hook, probe, toleration, affinity and spread constraint kube refuses,
and the Python client's 422 with its causes."""

from __future__ import annotations

import json
import uuid

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

ENV_NAME = ("a valid environment variable name must consist of alphabetic characters, digits, "
            "'_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or "
            "'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
            "'[-._a-zA-Z][-._a-zA-Z0-9]*')")

def deployment(name: str) -> str:
    """A Deployment (as JSON, which kubectl reads as YAML) whose container's env var, preStop
    hook and liveness probe kube refuses."""
    container = {"name": "web", "image": "nginx",
                 "env": [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "status.phase"}}}],
                 "livenessProbe": {"successThreshold": 2},
                 "lifecycle": {"preStop": {"exec": {}}}}
    return json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                       "spec": {"selector": {"matchLabels": {"app": name}}, "template": {
                           "metadata": {"labels": {"app": name}},
                           "spec": {"containers": [container]}}}})


@pytest.mark.mock_only("my-cluster's 1.30 name rule: a real cluster from 1.32 takes 1A")
def test_kubectl_create_of_a_pod_with_an_env_name_kube_refuses(
        gateway: Served, kubectl_run: KubectlRunner) -> None:
    # kubectl run --env checks the name itself; a manifest's goes to the server.
    name = f"env-{uuid.uuid4().hex[:6]}"
    manifest = (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n"
                "  - {name: main, image: busybox, env: [{name: 1A, value: x}]}\n")
    made = kubectl_run.run(gateway.kubeconfig(), "create", "-f", "-", stdin=manifest)
    assert made.returncode == 1
    assert made.stderr.strip() == (
        f'The Pod "{name}" is invalid: spec.containers[0].env[0].name: Invalid value: "1A": '
        f"{ENV_NAME}"), made.stderr


def test_dry_run_server_lists_a_templates_env_hook_and_probe_errors(
        gateway: Served, newest: KubectlRunner) -> None:
    name = f"probe-{uuid.uuid4().hex[:6]}"
    checked = newest.run(gateway.kubeconfig(), "apply", "--dry-run=server", "-f", "-",
                         stdin=deployment(name))
    assert checked.returncode == 1
    at = "spec.template.spec.containers[0]"
    assert checked.stderr.strip() == (
        f'The Deployment "{name}" is invalid: \n'
        f'* {at}.env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": '
        'supported values: "metadata.name", "metadata.namespace", "metadata.uid", '
        '"spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", '
        '"status.podIP", "status.podIPs"\n'
        f"* {at}.lifecycle.preStop.exec.command: Required value\n"
        f"* {at}.livenessProbe: Required value: must specify a handler type\n"
        f"* {at}.livenessProbe.successThreshold: Invalid value: 2: must be 1"), checked.stderr


def test_the_python_client_gets_a_probes_422(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    name = f"py-probe-{uuid.uuid4().hex[:6]}"
    with pytest.raises(ApiException) as failed:
        core.create_namespaced_pod("default", client.V1Pod(
            metadata=client.V1ObjectMeta(name=name),
            spec=client.V1PodSpec(containers=[client.V1Container(
                name="main", image="busybox", readiness_probe=client.V1Probe(
                    tcp_socket=client.V1TCPSocketAction(port=8080),
                    termination_grace_period_seconds=10))])))
    assert failed.value.status == 422
    (cause,) = json.loads(failed.value.body)["details"]["causes"]
    assert cause == {"reason": "FieldValueInvalid",
                     "field": "spec.containers[0].readinessProbe.terminationGracePeriodSeconds",
                     "message": "Invalid value: 10: must not be set for readinessProbes"}


def scheduled_deployment(name: str) -> str:
    """A Deployment whose pods' toleration, node affinity and spread constraint kube refuses."""
    spec = {"containers": [{"name": "web", "image": "nginx"}],
            "tolerations": [{"key": "dedicated", "operator": "Exists", "value": "gpu"}],
            "affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 200, "preference": {"matchExpressions": [
                    {"key": "zone", "operator": "In"}]}}]}},
            "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone",
                                           "whenUnsatisfiable": "Sometimes"}]}
    return json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                       "spec": {"selector": {"matchLabels": {"app": name}}, "template": {
                           "metadata": {"labels": {"app": name}}, "spec": spec}}})


@pytest.mark.mock_only("my-cluster's 1.30 wording of a toleration: from 1.32 kube prints its value")
def test_dry_run_server_lists_a_templates_scheduling_errors(gateway: Served,
                                                            newest: KubectlRunner) -> None:
    name = f"sched-{uuid.uuid4().hex[:6]}"
    checked = newest.run(gateway.kubeconfig(), "apply", "--dry-run=server", "-f", "-",
                         stdin=scheduled_deployment(name))
    assert checked.returncode == 1
    at = "spec.template.spec"
    preferred = f"{at}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"
    assert checked.stderr.strip() == (
        f'The Deployment "{name}" is invalid: \n'
        f"* {preferred}.weight: Invalid value: 200: must be in the range 1-100\n"
        f"* {preferred}.preference.matchExpressions[0].values: Required value: must be "
        "specified when `operator` is 'In' or 'NotIn'\n"
        f'* {at}.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Sometimes": '
        'supported values: "DoNotSchedule", "ScheduleAnyway"\n'
        f'* {at}.tolerations[0].operator: Invalid value: core.Toleration{{Key:"dedicated", '
        'Operator:"Exists", Value:"gpu", Effect:"", TolerationSeconds:(*int64)(nil)}: value '
        "must be empty when `operator` is 'Exists'"), checked.stderr


def test_kubectl_gets_kubes_security_context_errors(gateway: Served,
                                                    kubectl_run: KubectlRunner) -> None:
    name = f"secure-{uuid.uuid4().hex[:6]}"
    manifest = json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                           "spec": {"securityContext": {"fsGroupChangePolicy": "Never",
                                                        "sysctls": [{"name": "", "value": "1"}]},
                                    "containers": [{"name": "main", "image": "busybox",
                                                    "securityContext": {"runAsUser": -1}}]}})
    made = kubectl_run.run(gateway.kubeconfig(), "create", "-f", "-", stdin=manifest)
    assert made.returncode == 1
    assert made.stderr.strip() == (
        f'The Pod "{name}" is invalid: \n'
        "* spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 "
        "and 2147483647, inclusive\n"
        "* spec.securityContext.sysctls[0].name: Required value\n"
        '* spec.securityContext.fsGroupChangePolicy: Unsupported value: "Never": supported '
        'values: "Always", "OnRootMismatch"'), made.stderr
