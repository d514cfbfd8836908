"""A workload's own fields checked as kube checks them (registry/workloadchecks.py,
jobchecks.py, scalingchecks.py), seen by real clients through the gateway to my-cluster (1.30):
a negative replica count from ``kubectl create deployment``, a rollout that could never move
from ``kubectl patch``, a percentage over 100% from ``kubectl create pdb``, a CPU target of 0
from ``kubectl autoscale`` (refused as autoscaling/v2, then as the autoscaling/v1 kubectl falls
back to), a Job that copies a Deployment's selector, and the Python client's 422 with causes.

Every object is named for its test and kubectl version, and deleted at the end: under
--real-cluster the cluster is not reset between tests.
"""

from __future__ import annotations

import json
import re

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.contract.conftest import Named
from tests.harness import KubectlRunner, Served

pytestmark = pytest.mark.contract

NOT_NEGATIVE = "must be greater than or equal to 0"


def test_kubectl_create_deployment_with_negative_replicas(
        gateway: Served, kubectl_run: KubectlRunner, named: Named) -> None:
    name = named("deployment", "negative")
    made = kubectl_run.run(gateway.kubeconfig(), "create", "deployment", name, "--image=nginx",
                           "--replicas=-1")
    assert (made.returncode, made.stdout) == (1, "")
    assert made.stderr == (
        f'error: failed to create deployment: Deployment.apps "{name}" is invalid: '
        f"spec.replicas: Invalid value: -1: {NOT_NEGATIVE}\n")
    assert "not found" in kubectl_run.run(gateway.kubeconfig(), "get", "deployment",
                                          name).stderr


def test_a_patch_that_would_stall_every_rollout_is_refused(
        gateway: Served, newest: KubectlRunner, named: Named) -> None:
    kubeconfig = gateway.kubeconfig()
    name = named("deployment", "stalled")
    made = newest.run(kubeconfig, "create", "deployment", name, "--image=nginx")
    assert made.returncode == 0, made.stderr
    patched = newest.run(kubeconfig, "patch", "deployment", name, "-p", json.dumps(
        {"spec": {"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}}}))
    assert (patched.returncode, patched.stderr) == (1, (
        f'The Deployment "{name}" is invalid: spec.strategy.rollingUpdate.maxUnavailable: '
        'Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when '
        "`maxSurge` is 0\n"))
    kept = newest.run(kubeconfig, "get", "deployment", name, "-o",
                      "jsonpath={.spec.strategy.rollingUpdate}")
    assert json.loads(kept.stdout) == {"maxSurge": "25%", "maxUnavailable": "25%"}


def test_kubectl_create_pdb_over_100_percent(gateway: Served, kubectl_run: KubectlRunner,
                                              named: Named) -> None:
    name = named("pdb", "over")
    made = kubectl_run.run(gateway.kubeconfig(), "create", "pdb", name, "--selector=app=web",
                           "--min-available=150%")
    assert (made.returncode, made.stderr) == (1, (
        f'error: failed to create poddisruptionbudgets: PodDisruptionBudget.policy "{name}" is '
        'invalid: spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, '
        'StrVal:"150%"}: must not be greater than 100%\n'))


def test_kubectl_autoscale_to_a_cpu_target_of_zero(gateway: Served, kubectl_run: KubectlRunner,
                                                   named: Named) -> None:
    """kubectl 1.33 sends autoscaling/v2 first and falls back to autoscaling/v1 on any error
    (older ones send v1 alone); kube checks both as one internal object, so the v1 percentage is
    named by its v2 metric."""
    kubeconfig = gateway.kubeconfig()
    target = named("deployment", "autoscaled")
    assert kubectl_run.run(kubeconfig, "create", "deployment", target,
                           "--image=nginx").returncode == 0
    name = named("hpa", "zero-cpu")
    scaled = kubectl_run.run(kubeconfig, "autoscale", "deployment", target, f"--name={name}",
                             "--max=3", "--cpu-percent=0", "-v=6")
    assert scaled.returncode == 1
    # -v=6 logs each request: 'POST <url> 422 ...' before 1.33, '"POST" url="<url>" status=...'
    posts = re.findall(r'POST"? (?:url=")?[^ ]*/apis/(autoscaling/v\d)/[^ ]*"? (?:status=")?(\d+)',
                       scaled.stderr)
    versions = (["autoscaling/v2"] if kubectl_run.binary.minor >= 33 else []) + ["autoscaling/v1"]
    assert posts == [(version, "422") for version in versions], scaled.stderr
    assert scaled.stderr.endswith(
        f'The HorizontalPodAutoscaler "{name}" is invalid: spec.metrics[0].resource.target.'
        "averageUtilization: Invalid value: 0: must be greater than 0\n")


def test_a_job_that_copies_a_deployment_s_selector(gateway: Served, newest: KubectlRunner,
                                                   named: Named) -> None:
    name = named("job", "copied-selector")
    manifest = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
                "spec": {"selector": {"matchLabels": {"app": name}}, "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"restartPolicy": "Never",
                             "containers": [{"name": "main", "image": "busybox"}]}}}}
    made = newest.run(gateway.kubeconfig(), "create", "-f", "-", stdin=json.dumps(manifest))
    assert made.returncode == 1
    # the selector kube kept has the uid it generated added to it
    assert re.fullmatch(
        f'The Job "{name}" is invalid: spec.selector: Invalid value: '
        r'v1.LabelSelector\{MatchLabels:map\[string\]string\{"app":"' + name
        + r'", "batch.kubernetes.io/controller-uid":"[0-9a-f-]{36}"\}, '
        r"MatchExpressions:\[\]v1.LabelSelectorRequirement\(nil\)\}: `selector` not "
        r"auto-generated\n", made.stderr), made.stderr


def test_the_python_client_gets_a_budget_s_causes(api: client.ApiClient) -> None:
    policy = client.PolicyV1Api(api)
    budget = client.V1PodDisruptionBudget(
        metadata=client.V1ObjectMeta(name="py-both-bounds"),
        spec=client.V1PodDisruptionBudgetSpec(
            min_available=1, max_unavailable="10%", unhealthy_pod_eviction_policy="Never",
            selector=client.V1LabelSelector(match_labels={"app": "web"})))
    with pytest.raises(ApiException) as refused:
        policy.create_namespaced_pod_disruption_budget("default", budget)
    assert refused.value.status == 422
    status = json.loads(refused.value.body)
    assert [(c["field"], c["reason"]) for c in status["details"]["causes"]] == [
        ("spec", "FieldValueInvalid"), ("spec.unhealthyPodEvictionPolicy",
                                        "FieldValueNotSupported")]
    assert status["details"]["causes"][1]["message"] == (
        'Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"')
    assert status["details"]["causes"][0]["message"].endswith(
        ": minAvailable and maxUnavailable cannot be both set")


def test_the_python_client_s_stateful_set_policies(api: client.ApiClient) -> None:
    apps = client.AppsV1Api(api)
    labels = {"app": "py-sts"}
    stateful = client.V1StatefulSet(
        metadata=client.V1ObjectMeta(name="py-sts"),
        spec=client.V1StatefulSetSpec(
            service_name="py-sts", replicas=-2, pod_management_policy="Random",
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="db",
                                                                     image="postgres")]))))
    with pytest.raises(ApiException) as refused:
        apps.create_namespaced_stateful_set("default", stateful)
    assert json.loads(refused.value.body)["message"] == (
        'StatefulSet.apps "py-sts" is invalid: [spec.podManagementPolicy: Invalid value: '
        "\"Random\": must be 'OrderedReady' or 'Parallel', spec.replicas: Invalid value: -2: "
        f"{NOT_NEGATIVE}]")
