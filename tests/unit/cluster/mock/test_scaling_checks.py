"""kube's validation of HorizontalPodAutoscalers and PodDisruptionBudgets
(registry/scalingchecks.py), through the mock's REST paths."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import call, invalid_causes, quiet_at

HPAS = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"
HPAS_V1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers"
PDBS = "/apis/policy/v1/namespaces/default/poddisruptionbudgets"


def hpa(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                            "metadata": {"name": "h"}, "spec": {
                                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                                   "name": "web"}, "maxReplicas": 5}}
    body["spec"].update(spec)
    return body


def pdb(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, **spec}}


def test_replica_bounds() -> None:
    assert invalid_causes("v1.30.5", HPAS, hpa(minReplicas=0, maxReplicas=0)) == [
        "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
        "spec.maxReplicas: Invalid value: 0: must be greater than 0",
        "spec.metrics: Forbidden: must specify at least one Object or External metric to "
        "support scaling to zero replicas"]
    assert invalid_causes("v1.30.5", HPAS, hpa(minReplicas=6)) == [
        "spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`"]


def test_the_target_reference() -> None:
    assert invalid_causes("v1.30.5", HPAS, hpa(scaleTargetRef={"kind": "..", "name": "a/b%"})) == [
        "spec.scaleTargetRef.kind: Invalid value: \"..\": may not be '..'",
        "spec.scaleTargetRef.name: Invalid value: \"a/b%\": may not contain '/'",
        "spec.scaleTargetRef.name: Invalid value: \"a/b%\": may not contain '%'"]


def test_a_metric_fills_its_own_source_with_a_positive_target() -> None:
    metrics = [
        {"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": 0}}},
        {"type": "Pods", "resource": {"name": "cpu", "target": {"type": "Average",
                                                                "averageValue": "-500m"}}},
        {"type": "External", "external": {"metric": {"name": "queue"}, "target": {
            "type": "Value", "value": "10", "averageValue": "1"}}, "pods": {}},
        {"type": "", "object": {"describedObject": {"kind": "Service", "name": "s"},
                                "metric": {"name": "rps"}, "target": {"type": "Value"}}}]
    at = "spec.metrics"
    assert invalid_causes("v1.30.5", HPAS, hpa(metrics=metrics)) == [
        f"{at}[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
        f'{at}[1].resource.target.type: Invalid value: "Average": must be either Utilization, '
        "Value, or AverageValue",
        f'{at}[1].resource.target.averageValue: Invalid value: "-500m": must be positive',
        f"{at}[1].pods: Required value: must populate information for the given metric source",
        f"{at}[2].external.target.value: Forbidden: may not set both a target value for metric "
        "and a per-pod target",
        f"{at}[2].pods: Forbidden: must populate the given metric source only",
        f"{at}[3].type: Required value: must specify a metric source type",
        f'{at}[3].type: Unsupported value: "": supported values: "ContainerResource", '
        '"External", "Object", "Pods", "Resource"',
        f"{at}[3].object.target.averageValue: Required value: must set either a target value or "
        "averageValue",
        f'{at}[3].type: Unsupported value: "": supported values: "ContainerResource", '
        '"External", "Object", "Pods", "Resource"']


def test_a_container_resource_names_a_container_and_a_resource_it_can_ask_for() -> None:
    metric = {"type": "ContainerResource", "containerResource": {
        "name": "pods", "container": "Web_1", "target": {"type": "Utilization",
                                                          "averageUtilization": 50}}}
    at = "spec.metrics[0].containerResource"
    assert invalid_causes("v1.30.5", HPAS, hpa(metrics=[metric])) == [
        f'{at}.name: Invalid value: "pods": must be a standard resource for containers',
        f'{at}.container: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of '
        "lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
        "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]


def test_scaling_rules() -> None:
    behavior = {"scaleUp": {"stabilizationWindowSeconds": 4000, "selectPolicy": "Fastest",
                            "policies": [{"type": "Nodes", "value": 0, "periodSeconds": 2000}]},
                "scaleDown": {"stabilizationWindowSeconds": -1, "policies": []}}
    at = "spec.behavior"
    assert invalid_causes("v1.34.1", HPAS, hpa(behavior=behavior)) == [
        f"{at}.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or "
        "equal to 3600",
        f'{at}.scaleUp.selectPolicy: Unsupported value: "Fastest": supported values: '
        '"Disabled", "Max", "Min"',
        f'{at}.scaleUp.policies[0].type: Unsupported value: "Nodes": supported values: '
        '"Percent", "Pods"',
        f"{at}.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
        f"{at}.scaleUp.policies[0].periodSeconds: Invalid value: 2000: must be less than or "
        "equal to 1800",
        f"{at}.scaleDown.stabilizationWindowSeconds: Invalid value: -1: must be greater than or "
        "equal to zero",
        f"{at}.scaleDown.policies: Required value: must specify at least one Policy"]


def test_an_autoscaling_v1_target_is_named_by_the_metric_it_becomes() -> None:
    body = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "h1"}, "spec": {"scaleTargetRef": {"kind": "Deployment",
                                                                     "name": "web"},
                                                  "maxReplicas": 3,
                                                  "targetCPUUtilizationPercentage": 0}}
    assert invalid_causes("v1.30.5", HPAS_V1, body) == [
        "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater "
        "than 0"]


def test_an_update_may_not_lower_min_replicas_to_zero() -> None:
    api = quiet_at("v1.30.5")
    assert call(api, "POST", HPAS, body=hpa()).status == 201
    lowered = call(api, "PATCH", f"{HPAS}/h", body={"spec": {"minReplicas": 0}},
                   content_type="application/merge-patch+json")
    assert lowered.status == 422


@pytest.mark.parametrize(("version", "shown"), [
    ("v1.30.5", "policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000012010), "
                "Selector:(*v1.LabelSelector)(0xc000012020), MaxUnavailable:(*intstr.IntOrString)"
                "(0xc000012030), UnhealthyPodEvictionPolicy:"
                "(*policy.UnhealthyPodEvictionPolicyType)(nil)}"),
    ("v1.34.1", '{"MinAvailable":1,"Selector":{"matchLabels":{"app":"web"}},'
                '"MaxUnavailable":"10%","UnhealthyPodEvictionPolicy":null}')])
def test_a_budget_sets_one_bound(version: str, shown: str) -> None:
    assert invalid_causes(version, PDBS, pdb(minAvailable=1, maxUnavailable="10%")) == [
        f"spec: Invalid value: {shown}: minAvailable and maxUnavailable cannot be both set"]


def test_a_budget_s_numbers_selector_and_policy() -> None:
    body = pdb(minAvailable="120%", unhealthyPodEvictionPolicy="Never",
               selector={"matchExpressions": [{"key": "app", "operator": "Exists",
                                               "values": ["web"]}]})
    assert invalid_causes("v1.30.5", PDBS, body) == [
        'spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: '
        "must not be greater than 100%",
        "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when "
        "`operator` is 'Exists' or 'DoesNotExist'",
        'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: '
        '"AlwaysAllow", "IfHealthyBudget"']
    assert invalid_causes("v1.34.1", PDBS, pdb(maxUnavailable=-1)) == [
        "spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"]
    made = call(quiet_at("v1.30.5"), "POST", PDBS, body=pdb(maxUnavailable="50%"))
    assert made.status == 201, made.body
