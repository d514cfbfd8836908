"""Conversion between the served versions of one kind (expectations from upstream's
pkg/apis/autoscaling/v1/conversion.go and pkg/apis/flowcontrol/v1beta3/conversion.go and
defaults.go), then the mock apiserver keeping one object that every served version reads and
writes in its own shape."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.registry import conversion
from emulator.cluster.mock.registry.conversion import (
    BEHAVIOR,
    CONDITIONS,
    CURRENT_METRICS,
    METRICS,
    PRESERVE_ZERO_SHARES,
)

from .conftest import (
    ADMIN,
    ADMIN_TOKEN,
    TABLE_ACCEPT,
    acall,
    call,
    create,
    events,
    read_stream,
    run,
    send,
)

Obj = dict[str, Any]

V1 = "autoscaling/v1"
V2 = "autoscaling/v2"
REF = {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"}
TIME = "2026-01-01T00:00:00Z"

CPU_50 = {"type": "Resource", "resource": {"name": "cpu", "target": {
    "type": "Utilization", "averageUtilization": 50}}}
MEMORY = {"type": "Resource", "resource": {"name": "memory", "target": {
    "type": "AverageValue", "averageValue": "100Mi"}}}
PODS = {"type": "Pods", "pods": {"metric": {"name": "packets"}, "target": {
    "type": "AverageValue", "averageValue": "1k"}}}
OBJECT = {"type": "Object", "object": {
    "describedObject": {"kind": "Ingress", "name": "main", "apiVersion": "networking.k8s.io/v1"},
    "target": {"type": "Value", "value": "10k"}, "metric": {"name": "requests"}}}
EXTERNAL = {"type": "External", "external": {
    "metric": {"name": "queue", "selector": {"matchLabels": {"q": "jobs"}}},
    "target": {"type": "AverageValue", "averageValue": "30"}}}
CONTAINER = {"type": "ContainerResource", "containerResource": {
    "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60},
    "container": "app"}}
BEHAVIOR_V2 = {"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
    {"type": "Pods", "value": 4, "periodSeconds": 15}]},
    "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Min", "policies": [
        {"type": "Percent", "value": 10, "periodSeconds": 60}]}}
CURRENT = [
    {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "80Mi"}}},
    {"type": "Resource", "resource": {"name": "cpu", "current": {
        "averageValue": "120m", "averageUtilization": 40}}}]
CONDITION = {"type": "AbleToScale", "status": "True", "lastTransitionTime": TIME,
             "reason": "ReadyForNewScale", "message": "recommended size matches current size"}


def hpa_v2(metrics: list[Obj], *, behavior: Obj | None = None, status: Obj | None = None,
           annotations: dict[str, str] | None = None) -> Obj:
    meta: Obj = {"name": "web", "namespace": "default"}
    if annotations:
        meta["annotations"] = annotations
    spec: Obj = {"scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 10, "metrics": metrics}
    if behavior is not None:
        spec["behavior"] = behavior
    obj: Obj = {"apiVersion": V2, "kind": "HorizontalPodAutoscaler", "metadata": meta,
                "spec": spec}
    if status is not None:
        obj["status"] = status
    return obj


def full_v2() -> Obj:
    """Every kind of metric, a behavior and a status, with the CPU target last (where v1's
    conversion puts it back) and values that v1's types keep."""
    return hpa_v2([MEMORY, PODS, OBJECT, EXTERNAL, CONTAINER, CPU_50], behavior=BEHAVIOR_V2,
                  annotations={"team": "web"},
                  status={"observedGeneration": 2, "lastScaleTime": TIME, "currentReplicas": 3,
                          "desiredReplicas": 4, "currentMetrics": CURRENT,
                          "conditions": [CONDITION]})


def annotation(obj: Obj, name: str) -> Any:
    return json.loads(obj["metadata"]["annotations"][name])


# --- HorizontalPodAutoscaler: v2 → v1 -------------------------------------------------------------


def test_v2_to_v1_keeps_the_cpu_target_in_v1s_fields() -> None:
    v1 = conversion.convert(full_v2(), V1)
    assert v1["apiVersion"] == V1
    assert v1["spec"] == {"scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 10,
                          "targetCPUUtilizationPercentage": 50}
    assert v1["status"] == {"observedGeneration": 2, "lastScaleTime": TIME, "currentReplicas": 3,
                            "desiredReplicas": 4, "currentCPUUtilizationPercentage": 40}


def test_v2_to_v1_puts_the_rest_in_the_annotations_as_kube_writes_them() -> None:
    annotations = conversion.convert(full_v2(), V1)["metadata"]["annotations"]
    assert set(annotations) == {"team", METRICS, CURRENT_METRICS, BEHAVIOR, CONDITIONS}
    # v1's MetricSpec (the v2beta1 shape), the CPU utilization target left out.
    assert json.loads(annotations[METRICS]) == [
        {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "100Mi"}},
        {"type": "Pods", "pods": {"metricName": "packets", "targetAverageValue": "1k"}},
        {"type": "Object", "object": {
            "target": {"kind": "Ingress", "name": "main", "apiVersion": "networking.k8s.io/v1"},
            "metricName": "requests", "targetValue": "10k"}},
        {"type": "External", "external": {"metricName": "queue", "metricSelector": {
            "matchLabels": {"q": "jobs"}}, "targetAverageValue": "30"}},
        {"type": "ContainerResource", "containerResource": {
            "name": "cpu", "targetAverageUtilization": 60, "container": "app"}}]
    # Every current metric, the CPU one too (its raw value is kept).
    assert json.loads(annotations[CURRENT_METRICS]) == [
        {"type": "Resource", "resource": {"name": "memory", "currentAverageValue": "80Mi"}},
        {"type": "Resource", "resource": {"name": "cpu", "currentAverageUtilization": 40,
                                          "currentAverageValue": "120m"}}]
    # The internal type, marshalled without JSON tags: Go's field names, compact.
    assert annotations[BEHAVIOR] == (
        '{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":'
        '[{"Type":"Pods","Value":4,"PeriodSeconds":15}]},"ScaleDown":'
        '{"StabilizationWindowSeconds":300,"SelectPolicy":"Min","Policies":'
        '[{"Type":"Percent","Value":10,"PeriodSeconds":60}]}}')
    assert json.loads(annotations[CONDITIONS]) == [CONDITION]


def test_v2_to_v1_without_a_cpu_target_leaves_v1s_field_unset() -> None:
    v1 = conversion.convert(hpa_v2([MEMORY]), V1)
    assert "targetCPUUtilizationPercentage" not in v1["spec"]
    assert annotation(v1, METRICS) == [
        {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "100Mi"}}]


def test_v2_to_v1_of_only_a_cpu_target_needs_no_annotation() -> None:
    v1 = conversion.convert(hpa_v2([CPU_50]), V1)
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 50
    assert "annotations" not in v1["metadata"]
    assert "status" not in v1


def test_v2_to_v1_takes_the_first_cpu_metric_even_without_a_utilization() -> None:
    cpu_value = {"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "AverageValue", "averageValue": "500m"}}}
    v1 = conversion.convert(hpa_v2([cpu_value, CPU_50]), V1)
    assert "targetCPUUtilizationPercentage" not in v1["spec"]  # kube stops at the first
    assert annotation(v1, METRICS) == [
        {"type": "Resource", "resource": {"name": "cpu", "targetAverageValue": "500m"}}]


def test_v2_to_v1_writes_the_int32s_v1_always_has() -> None:
    v1 = conversion.convert(hpa_v2([CPU_50], status={"desiredReplicas": 1}), V1)
    assert v1["status"] == {"currentReplicas": 0, "desiredReplicas": 1}


def test_v2_to_v1_replaces_stale_round_trip_annotations() -> None:
    stale = {METRICS: "[]", BEHAVIOR: "{}", CONDITIONS: "[]", CURRENT_METRICS: "[]", "keep": "me"}
    v1 = conversion.convert(hpa_v2([CPU_50], annotations=stale), V1)
    assert v1["metadata"]["annotations"] == {"keep": "me"}


def test_conversion_leaves_the_object_it_was_given_alone() -> None:
    original = full_v2()
    kept = copy.deepcopy(original)
    conversion.convert(original, V1)
    assert original == kept


# --- HorizontalPodAutoscaler: v1 → v2 -------------------------------------------------------------


def hpa_v1(target: int | None = None, annotations: dict[str, str] | None = None,
           status: Obj | None = None) -> Obj:
    spec: Obj = {"scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 10}
    if target is not None:
        spec["targetCPUUtilizationPercentage"] = target
    meta: Obj = {"name": "web", "namespace": "default"}
    if annotations is not None:
        meta["annotations"] = annotations
    obj: Obj = {"apiVersion": V1, "kind": "HorizontalPodAutoscaler", "metadata": meta,
                "spec": spec}
    if status is not None:
        obj["status"] = status
    return obj


def test_v1_to_v2_makes_the_cpu_target_a_utilization_metric() -> None:
    v2 = conversion.convert(hpa_v1(50, status={"currentReplicas": 2, "desiredReplicas": 2,
                                               "currentCPUUtilizationPercentage": 35}), V2)
    assert v2["spec"] == {"scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 10,
                          "metrics": [CPU_50]}
    assert v2["status"] == {"currentReplicas": 2, "desiredReplicas": 2, "currentMetrics": [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 35}}}]}


def test_v1_without_a_target_gets_the_80_percent_v1_always_meant() -> None:
    v2 = conversion.convert(hpa_v1(), V2)
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 80}}}]


def test_v1_metrics_annotation_comes_first_and_replaces_the_default() -> None:
    others = json.dumps([{"type": "Resource", "resource": {"name": "memory",
                                                           "targetAverageValue": "100Mi"}}])
    assert conversion.convert(hpa_v1(annotations={METRICS: others}), V2)["spec"]["metrics"] == [
        MEMORY]
    with_cpu = conversion.convert(hpa_v1(50, annotations={METRICS: others}), V2)
    assert with_cpu["spec"]["metrics"] == [MEMORY, CPU_50]
    assert "annotations" not in with_cpu["metadata"]  # never stored


def test_v1_behavior_annotation_is_read_whatever_the_case_of_its_keys() -> None:
    written = '{"scaleDown":{"stabilizationWindowSeconds":60,"policies":[{"type":"Pods",' \
              '"value":1,"periodSeconds":30}]}}'
    v2 = conversion.convert(hpa_v1(50, annotations={BEHAVIOR: written}), V2)
    assert v2["spec"]["behavior"] == {"scaleDown": {"stabilizationWindowSeconds": 60, "policies": [
        {"type": "Pods", "value": 1, "periodSeconds": 30}]}}


@pytest.mark.parametrize("text", ["not json", "[]", '{"ScaleUp": 5}', "{}",
                                  '{"ScaleUp": {"Policies": [{"Value": "four"}]}}'])
def test_an_unreadable_or_empty_behavior_annotation_is_ignored(text: str) -> None:
    v2 = conversion.convert(hpa_v1(50, annotations={BEHAVIOR: text, "keep": "me"}), V2)
    assert "behavior" not in v2["spec"]
    assert v2["metadata"]["annotations"] == {"keep": "me"}


def test_an_unreadable_metrics_annotation_is_ignored() -> None:
    v2 = conversion.convert(hpa_v1(annotations={METRICS: '{"type": "Pods"}'}), V2)
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 80}}}]


def test_an_annotation_nested_too_deep_is_unreadable_not_an_error() -> None:
    v2 = conversion.convert(hpa_v1(50, annotations={METRICS: "[" * 100_000,
                                                    BEHAVIOR: '{"ScaleUp":' * 50_000}), V2)
    assert v2["spec"]["metrics"] == [CPU_50]
    assert "behavior" not in v2["spec"]


def test_v1_fills_the_quantities_its_types_require() -> None:
    """v1's Pods and Object sources hold plain Quantities: an unset one is "0" (kube's own loss)."""
    pods = json.dumps([{"type": "Pods", "pods": {"metricName": "packets"}}])
    v2 = conversion.convert(hpa_v1(annotations={METRICS: pods}), V2)
    assert v2["spec"]["metrics"] == [{"type": "Pods", "pods": {"metric": {"name": "packets"},
                                                               "target": {"type": "AverageValue",
                                                                          "averageValue": "0"}}}]


# --- round trips ----------------------------------------------------------------------------------


def test_v2_to_v1_to_v2_keeps_every_field() -> None:
    original = full_v2()
    assert conversion.convert(conversion.convert(original, V1), V2) == original


def test_v1_to_v2_to_v1_keeps_every_field() -> None:
    v1 = conversion.convert(full_v2(), V1)
    assert conversion.convert(conversion.convert(v1, V2), V1) == v1


def test_v2_to_v1_to_v2_moves_the_cpu_target_after_the_others() -> None:
    """kube's conversion appends v1's CPU target to the annotation's metrics."""
    back = conversion.convert(conversion.convert(hpa_v2([CPU_50, MEMORY]), V1), V2)
    assert back["spec"]["metrics"] == [MEMORY, CPU_50]


def test_round_trip_annotations_sent_through_v2_are_dropped() -> None:
    sent = hpa_v2([CPU_50], annotations={METRICS: "[]", "keep": "me"})
    assert conversion.convert(sent, V2)["metadata"]["annotations"] == {"keep": "me"}
    assert sent["metadata"]["annotations"] == {METRICS: "[]", "keep": "me"}


def test_kinds_alike_in_every_version_only_change_their_api_version() -> None:
    schema = {"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "FlowSchema",
              "metadata": {"name": "f"}, "spec": {"matchingPrecedence": 500}}
    assert conversion.convert(schema, "flowcontrol.apiserver.k8s.io/v1beta3") is schema
    assert schema["apiVersion"] == "flowcontrol.apiserver.k8s.io/v1beta3"


# --- PriorityLevelConfiguration -------------------------------------------------------------------

FLOW = "flowcontrol.apiserver.k8s.io"


def level(version: str, limited: Obj, annotations: dict[str, str] | None = None) -> Obj:
    meta: Obj = {"name": "workload"}
    if annotations is not None:
        meta["annotations"] = annotations
    return {"apiVersion": f"{FLOW}/{version}", "kind": "PriorityLevelConfiguration",
            "metadata": meta, "spec": {"type": "Limited", "limited": limited}}


def test_v1beta2_calls_the_shares_assured() -> None:
    v1beta2 = level("v1beta2", {"assuredConcurrencyShares": 20, "lendablePercent": 10})
    v1beta3 = conversion.convert(v1beta2, f"{FLOW}/v1beta3")
    assert v1beta3["spec"]["limited"] == {"nominalConcurrencyShares": 20, "lendablePercent": 10}
    back = conversion.convert(v1beta3, f"{FLOW}/v1beta2")
    assert back == v1beta2


def test_v1beta3_zero_shares_mean_the_default_unless_the_annotation_says_zero() -> None:
    defaulted = conversion.convert(level("v1beta3", {"nominalConcurrencyShares": 0}), f"{FLOW}/v1")
    assert defaulted["spec"]["limited"]["nominalConcurrencyShares"] == 30
    zero = conversion.convert(level("v1beta3", {"nominalConcurrencyShares": 0},
                                    {PRESERVE_ZERO_SHARES: "", "keep": "me"}), f"{FLOW}/v1")
    assert zero["spec"]["limited"]["nominalConcurrencyShares"] == 0
    assert zero["metadata"]["annotations"] == {"keep": "me"}  # not stored


def test_v1_zero_shares_read_through_v1beta3_carry_the_annotation() -> None:
    v1beta3 = conversion.convert(level("v1", {"nominalConcurrencyShares": 0}), f"{FLOW}/v1beta3")
    assert v1beta3["metadata"]["annotations"] == {PRESERVE_ZERO_SHARES: ""}
    assert conversion.convert(v1beta3, f"{FLOW}/v1") == level("v1", {"nominalConcurrencyShares": 0})
    other = conversion.convert(level("v1", {"nominalConcurrencyShares": 5}), f"{FLOW}/v1beta3")
    assert "annotations" not in other["metadata"]


# --- the mock apiserver: one object, read and written through either version ----------------------

HPAS = "/apis/autoscaling/{version}/namespaces/default/horizontalpodautoscalers"
HPAS_V1, HPAS_V2 = HPAS.format(version="v1"), HPAS.format(version="v2")


def sent_v1(name: str, target: int | None = 50, **meta: Any) -> Obj:
    spec: Obj = {"scaleTargetRef": REF, "maxReplicas": 3}
    if target is not None:
        spec["targetCPUUtilizationPercentage"] = target
    return {"apiVersion": V1, "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, **meta}, "spec": spec}


def sent_v2(name: str, metrics: list[Obj], **meta: Any) -> Obj:
    return {"apiVersion": V2, "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, **meta},
            "spec": {"scaleTargetRef": REF, "maxReplicas": 3, "metrics": metrics}}


def test_created_through_v1_read_through_v2(api: MockApiserver) -> None:
    created = create(api, HPAS_V1, sent_v1("web"))
    assert created["apiVersion"] == V1
    assert created["spec"]["targetCPUUtilizationPercentage"] == 50
    got = call(api, "GET", f"{HPAS_V2}/web").body
    assert got["apiVersion"] == V2
    assert got["spec"]["metrics"] == [CPU_50]
    assert "targetCPUUtilizationPercentage" not in got["spec"]
    assert got["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_created_through_v1_without_a_target_is_stored_with_80_percent(
        api: MockApiserver) -> None:
    create(api, HPAS_V1, sent_v1("web", target=None))
    got = call(api, "GET", f"{HPAS_V2}/web").body
    assert got["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80
    # ... which reads back through v1 as an explicit target, as in kube.
    assert call(api, "GET", f"{HPAS_V1}/web").body["spec"]["targetCPUUtilizationPercentage"] == 80


def test_created_through_v2_read_through_v1(api: MockApiserver) -> None:
    create(api, HPAS_V2, sent_v2("web", [CPU_50, MEMORY]))
    got = call(api, "GET", f"{HPAS_V1}/web").body
    assert got["apiVersion"] == V1
    assert got["spec"] == {"scaleTargetRef": REF, "maxReplicas": 3, "minReplicas": 1,
                           "targetCPUUtilizationPercentage": 50}
    assert annotation(got, METRICS) == [
        {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "100Mi"}}]


def test_a_v2_behavior_is_defaulted_and_shown_to_v1_in_its_annotation(api: MockApiserver) -> None:
    body = sent_v2("web", [CPU_50])
    body["spec"]["behavior"] = {"scaleDown": {"stabilizationWindowSeconds": 60}}
    create(api, HPAS_V2, body)
    behavior = annotation(call(api, "GET", f"{HPAS_V1}/web").body, BEHAVIOR)
    assert behavior["ScaleDown"]["StabilizationWindowSeconds"] == 60
    assert behavior["ScaleUp"]["Policies"][0] == {"Type": "Pods", "Value": 4, "PeriodSeconds": 15}


def test_a_v1_read_modify_write_keeps_what_only_v2_holds(api: MockApiserver) -> None:
    body = sent_v2("web", [MEMORY, CPU_50])
    body["spec"]["behavior"] = {"scaleUp": {"stabilizationWindowSeconds": 30}}
    create(api, HPAS_V2, body)
    v1 = call(api, "GET", f"{HPAS_V1}/web").body
    v1["spec"]["targetCPUUtilizationPercentage"] = 70
    v1["spec"]["maxReplicas"] = 5
    updated = call(api, "PUT", f"{HPAS_V1}/web", body=v1)
    assert updated.status == 200, updated.body
    assert updated.body["spec"]["targetCPUUtilizationPercentage"] == 70
    got = call(api, "GET", f"{HPAS_V2}/web").body
    assert got["spec"]["maxReplicas"] == 5
    assert got["spec"]["metrics"] == [MEMORY, {"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    assert got["spec"]["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 30
    assert "annotations" not in got["metadata"]


def test_a_v1_put_of_what_it_read_changes_nothing(api: MockApiserver) -> None:
    create(api, HPAS_V2, sent_v2("web", [MEMORY, CPU_50]))
    v1 = call(api, "GET", f"{HPAS_V1}/web").body
    again = call(api, "PUT", f"{HPAS_V1}/web", body=v1).body
    assert again["metadata"]["resourceVersion"] == v1["metadata"]["resourceVersion"]
    assert again == v1


@pytest.mark.parametrize(("content_type", "patch"), [
    ("application/merge-patch+json", {"spec": {"targetCPUUtilizationPercentage": 65}}),
    ("application/strategic-merge-patch+json", {"spec": {"targetCPUUtilizationPercentage": 65}}),
    ("application/json-patch+json", [{"op": "replace", "value": 65,
                                      "path": "/spec/targetCPUUtilizationPercentage"}]),
])
def test_a_patch_through_v1_applies_to_the_v1_form(api: MockApiserver, content_type: str,
                                                   patch: Any) -> None:
    create(api, HPAS_V2, sent_v2("web", [MEMORY, CPU_50]))
    patched = call(api, "PATCH", f"{HPAS_V1}/web", body=patch, content_type=content_type)
    assert patched.status == 200, patched.body
    assert patched.body["spec"]["targetCPUUtilizationPercentage"] == 65
    got = call(api, "GET", f"{HPAS_V2}/web").body
    assert got["spec"]["metrics"] == [MEMORY, {"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 65}}}]


def test_a_v1_patch_of_the_metrics_annotation_changes_the_v2_metrics(api: MockApiserver) -> None:
    create(api, HPAS_V2, sent_v2("web", [CPU_50]))
    pods = json.dumps([{"type": "Pods", "pods": {"metricName": "packets",
                                                 "targetAverageValue": "1k"}}])
    patched = call(api, "PATCH", f"{HPAS_V1}/web", body={"metadata": {"annotations": {
        METRICS: pods}}}, content_type="application/merge-patch+json")
    assert patched.status == 200, patched.body
    got = call(api, "GET", f"{HPAS_V2}/web").body
    assert got["spec"]["metrics"] == [PODS, CPU_50]


def test_a_v1_field_is_unknown_to_v2(api: MockApiserver) -> None:
    """Field validation is the request's version's: v2 has no targetCPUUtilizationPercentage."""
    create(api, HPAS_V1, sent_v1("web"))
    body = {"spec": {"targetCPUUtilizationPercentage": 10}}
    patched = call(api, "PATCH", f"{HPAS_V2}/web", "fieldValidation=Strict", body=body,
                   content_type="application/merge-patch+json")
    assert patched.status == 422, patched.body
    assert "targetCPUUtilizationPercentage" in patched.body["message"]


def test_a_list_through_v1_converts_each_item(api: MockApiserver) -> None:
    create(api, HPAS_V2, sent_v2("a", [CPU_50]))
    create(api, HPAS_V2, sent_v2("b", [MEMORY]))
    listed = call(api, "GET", HPAS_V1).body
    assert listed["apiVersion"] == V1
    items = {i["metadata"]["name"]: i for i in listed["items"]}
    assert {i["apiVersion"] for i in items.values()} == {V1}
    assert items["a"]["spec"]["targetCPUUtilizationPercentage"] == 50
    assert "metrics" not in items["b"]["spec"]
    assert "targetCPUUtilizationPercentage" not in items["b"]["spec"]
    assert annotation(items["b"], METRICS)[0]["resource"]["name"] == "memory"


def test_a_table_through_v1_prints_every_metric_and_embeds_v1(api: MockApiserver) -> None:
    create(api, HPAS_V2, sent_v2("web", [MEMORY]))
    table = call(api, "GET", HPAS_V1, "includeObject=Object", accept=TABLE_ACCEPT).body
    row = table["rows"][0]
    assert row["cells"][2] == "memory: <unknown>/100Mi"
    assert row["object"]["apiVersion"] == V1
    assert METRICS in row["object"]["metadata"]["annotations"]


def test_a_watch_through_v1_sends_v1_objects(api: MockApiserver) -> None:
    create(api, HPAS_V2, sent_v2("before", [CPU_50]))

    async def scenario() -> bytes:
        response = await send(api, "GET", HPAS_V1, "watch=true")
        assert response.stream is not None
        created = await acall(api, "POST", HPAS_V2, body=sent_v2("after", [MEMORY]))
        assert created.status == 201, created.body
        return await read_stream(response.stream, timeout=0.5)

    sent = events(run(scenario()))
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in sent] == [
        ("ADDED", "before"), ("ADDED", "after")]
    assert {e["object"]["apiVersion"] for e in sent} == {V1}
    assert sent[0]["object"]["spec"]["targetCPUUtilizationPercentage"] == 50
    assert METRICS in sent[1]["object"]["metadata"]["annotations"]
    assert "metrics" not in sent[1]["object"]["spec"]


def test_a_status_update_through_v1_keeps_the_v2_conditions(api: MockApiserver) -> None:
    create(api, HPAS_V2, sent_v2("web", [CPU_50]))
    current = call(api, "GET", f"{HPAS_V2}/web").body
    current["status"] = {"currentReplicas": 1, "desiredReplicas": 2, "conditions": [CONDITION],
                         "currentMetrics": CURRENT}
    assert call(api, "PUT", f"{HPAS_V2}/web/status", body=current).status == 200
    v1 = call(api, "GET", f"{HPAS_V1}/web").body
    assert v1["status"]["currentCPUUtilizationPercentage"] == 40
    v1["status"]["desiredReplicas"] = 3
    assert call(api, "PUT", f"{HPAS_V1}/web/status", body=v1).status == 200
    status = call(api, "GET", f"{HPAS_V2}/web").body["status"]
    assert status == {"currentReplicas": 1, "desiredReplicas": 3, "conditions": [CONDITION],
                      "currentMetrics": CURRENT}


def test_a_delete_that_answers_the_object_answers_it_in_the_requests_version(
        api: MockApiserver) -> None:
    create(api, HPAS_V2, sent_v2("web", [MEMORY], finalizers=["example.com/hold"]))
    deleted = call(api, "DELETE", f"{HPAS_V1}/web")
    assert deleted.status == 200, deleted.body
    assert deleted.body["apiVersion"] == V1
    assert deleted.body["metadata"]["deletionTimestamp"]
    assert annotation(deleted.body, METRICS)[0]["resource"]["name"] == "memory"
    # ... and the stored object is still the v2 one.
    assert call(api, "GET", f"{HPAS_V2}/web").body["spec"]["metrics"] == [MEMORY]


def test_a_dry_run_create_through_v1_answers_v1(api: MockApiserver) -> None:
    reply = call(api, "POST", HPAS_V1, "dryRun=All", body=sent_v1("web"))
    assert reply.status == 201, reply.body
    assert reply.body["apiVersion"] == V1
    assert reply.body["spec"]["targetCPUUtilizationPercentage"] == 50
    assert "annotations" not in reply.body["metadata"]


def test_round_trip_annotations_sent_through_v2_are_not_stored(api: MockApiserver) -> None:
    created = create(api, HPAS_V2, sent_v2("web", [CPU_50], annotations={
        METRICS: "[]", "keep": "me"}))
    assert created["metadata"]["annotations"] == {"keep": "me"}


def test_priority_levels_convert_through_the_apiserver(clock: FakeClock) -> None:
    api = MockApiserver("flow", "v1.30.5", clock)
    api.authenticator.add(ADMIN_TOKEN, ADMIN)
    levels = "/apis/flowcontrol.apiserver.k8s.io/{version}/prioritylevelconfigurations"
    sent = level("v1beta3", {"nominalConcurrencyShares": 0, "limitResponse": {"type": "Reject"}},
                 {PRESERVE_ZERO_SHARES: ""})
    sent["metadata"]["name"] = "zero"
    created = create(api, levels.format(version="v1beta3"), sent)
    assert created["metadata"]["annotations"] == {PRESERVE_ZERO_SHARES: ""}
    v1 = call(api, "GET", levels.format(version="v1") + "/zero").body
    assert v1["spec"]["limited"]["nominalConcurrencyShares"] == 0
    assert "annotations" not in v1["metadata"]


def test_priority_levels_of_1_28_rename_the_shares(clock: FakeClock) -> None:
    api = MockApiserver("flow", "v1.28.3", clock)
    api.authenticator.add(ADMIN_TOKEN, ADMIN)
    levels = "/apis/flowcontrol.apiserver.k8s.io/{version}/prioritylevelconfigurations"
    sent = level("v1beta2", {"assuredConcurrencyShares": 7, "limitResponse": {"type": "Reject"}})
    create(api, levels.format(version="v1beta2"), sent)
    got = call(api, "GET", levels.format(version="v1beta3") + "/workload").body
    assert got["spec"]["limited"] == {"nominalConcurrencyShares": 7,
                                      "limitResponse": {"type": "Reject"}}
    listed = call(api, "GET", levels.format(version="v1beta2")).body["items"]
    mine = next(i for i in listed if i["metadata"]["name"] == "workload")
    assert mine["spec"]["limited"]["assuredConcurrencyShares"] == 7
