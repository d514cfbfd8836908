"""Tables for workloads (apps, batch, autoscaling, policy): kube-apiserver's columns and cells,
checked against the cases of upstream's pkg/printers/internalversion/printers_test.go."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from emulator.cluster.mock.wire import tables
from tests.unit.cluster.mock.served import served_resource

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
Obj = dict[str, Any]


def _ts(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _table(group: str, plural: str, *objects: Obj, minor: int | None = None) -> Obj:
    resource = served_resource(group, plural)
    return tables.to_table(resource, list(objects), now=NOW, resource_version="1", minor=minor)


def _columns(group: str, plural: str, minor: int | None = None) -> list[tuple[str, str, int]]:
    return [(c["name"], c["type"], c["priority"])
            for c in _table(group, plural, minor=minor)["columnDefinitions"]]


def _cells(group: str, plural: str, obj: Obj, minor: int | None = None) -> list[Any]:
    return _table(group, plural, obj, minor=minor)["rows"][0]["cells"]


def _template(*images: str) -> Obj:
    return {"spec": {"containers": [{"name": image.split(":")[0], "image": image}
                                    for image in images]}}


WIDE = [("Containers", "string", 1), ("Images", "string", 1)]


# --- apps -------------------------------------------------------------------------------------


def test_replica_set() -> None:
    assert _columns("apps", "replicasets") == [
        ("Name", "string", 0), ("Desired", "integer", 0), ("Current", "integer", 0),
        ("Ready", "integer", 0), ("Age", "string", 0), *WIDE, ("Selector", "string", 1)]
    replica_set = {"metadata": {"name": "web-7d4b9c", "creationTimestamp": _ts(minutes=30)},
                   "spec": {"replicas": 3, "selector": {"matchLabels": {
                       "app": "web", "pod-template-hash": "7d4b9c"}},
                       "template": _template("nginx:1.27")},
                   "status": {"replicas": 3, "readyReplicas": 2}}
    assert _cells("apps", "replicasets", replica_set) == [
        "web-7d4b9c", 3, 3, 2, "30m", "nginx", "nginx:1.27", "app=web,pod-template-hash=7d4b9c"]


def test_selectors_print_none_when_empty_and_error_when_unreadable() -> None:
    empty = {"metadata": {"name": "rs"}, "spec": {"selector": {}}}
    assert _cells("apps", "replicasets", empty)[-1] == "<none>"
    bad = {"metadata": {"name": "rs"}, "spec": {"selector": {"matchExpressions": [
        {"key": "a", "operator": "Gt", "values": ["1"]}]}}}
    assert _cells("apps", "replicasets", bad)[-1] == "<error>"


def test_replication_controller() -> None:
    controller = {"metadata": {"name": "legacy"}, "spec": {"replicas": 2,
                                                          "selector": {"app": "legacy"},
                                                          "template": _template("httpd:2")},
                  "status": {"replicas": 2, "readyReplicas": 1}}
    assert _cells("", "replicationcontrollers", controller) == [
        "legacy", 2, 2, 1, "<unknown>", "httpd", "httpd:2", "app=legacy"]
    assert _cells("", "replicationcontrollers", {"metadata": {"name": "x"}})[-1] == "<none>"


def test_stateful_set_ready_column() -> None:
    assert _columns("apps", "statefulsets") == [
        ("Name", "string", 0), ("Ready", "string", 0), ("Age", "string", 0), *WIDE]
    stateful_set = {"metadata": {"name": "db", "creationTimestamp": _ts(hours=2)},
                    "spec": {"replicas": 3, "template": _template("postgres:16", "exporter:1")},
                    "status": {"replicas": 3, "readyReplicas": 2}}
    assert _cells("apps", "statefulsets", stateful_set) == [
        "db", "2/3", "120m", "postgres,exporter", "postgres:16,exporter:1"]
    assert _cells("apps", "statefulsets", {"metadata": {"name": "bare"}})[1] == "0/1"


def test_daemon_set() -> None:
    assert [c[0] for c in _columns("apps", "daemonsets")] == [
        "Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age",
        "Containers", "Images", "Selector"]
    daemon_set = {"metadata": {"name": "fluentd", "creationTimestamp": _ts(days=3)},
                  "spec": {"selector": {"matchLabels": {"app": "fluentd"}}, "template": {
                      "spec": {"nodeSelector": {"kubernetes.io/os": "linux"},
                               "containers": [{"name": "fluentd", "image": "fluentd:v1"}]}}},
                  "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3,
                             "numberReady": 2, "updatedNumberScheduled": 3,
                             "numberAvailable": 2}}
    assert _cells("apps", "daemonsets", daemon_set) == [
        "fluentd", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "3d", "fluentd", "fluentd:v1",
        "app=fluentd"]
    assert _cells("apps", "daemonsets", {"metadata": {"name": "x"}})[6] == "<none>"


def test_controller_revision_names_its_controller() -> None:
    revision = {"metadata": {"name": "db-6c8f", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "controller": True}]},
        "revision": 4}
    assert _cells("apps", "controllerrevisions", revision) == [
        "db-6c8f", "statefulset.apps/db", 4, "<unknown>"]
    orphan = {"metadata": {"name": "x", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "d"}]}, "revision": 1}
    assert _cells("apps", "controllerrevisions", orphan)[1] == "<none>"


# --- batch ------------------------------------------------------------------------------------


def _job(**status: Any) -> Obj:
    return {"metadata": {"name": "pi", "creationTimestamp": _ts(minutes=10)},
            "spec": {"completions": 1, "parallelism": 1, "template": _template("perl:5.34"),
                     "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}}},
            "status": status}


def test_job_columns_gained_status_in_1_30() -> None:
    assert [c[0] for c in _columns("batch", "jobs", minor=29)] == [
        "Name", "Completions", "Duration", "Age", "Containers", "Images", "Selector"]
    assert [c[0] for c in _columns("batch", "jobs", minor=30)] == [
        "Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"]


def test_running_and_completed_job_cells() -> None:
    running = _job(startTime=_ts(minutes=9), active=1)
    assert _cells("batch", "jobs", running) == [
        "pi", "Running", "0/1", "9m", "10m", "perl", "perl:5.34",
        "batch.kubernetes.io/controller-uid=u1"]
    done = _job(startTime=_ts(minutes=9), completionTime=_ts(minutes=8, seconds=13), succeeded=1,
                conditions=[{"type": "Complete", "status": "True"}])
    assert _cells("batch", "jobs", done, minor=29)[:4] == ["pi", "1/1", "47s", "10m"]
    assert _cells("batch", "jobs", done)[1] == "Complete"
    assert _cells("batch", "jobs", _job())[3] == ""  # not started: no duration


@pytest.mark.parametrize(("spec", "succeeded", "completions"), [
    ({"completions": 5, "parallelism": 2}, 3, "3/5"),
    ({"parallelism": 4}, 1, "1/1 of 4"),
    ({"parallelism": 1}, 0, "0/1"),
    ({}, 0, "0/1"),
])
def test_job_completions(spec: Obj, succeeded: int, completions: str) -> None:
    job = {"metadata": {"name": "j"}, "spec": spec, "status": {"succeeded": succeeded}}
    assert _cells("batch", "jobs", job)[2] == completions


@pytest.mark.parametrize(("conditions", "deleting", "status"), [
    ([], False, "Running"),
    ([{"type": "Complete", "status": "True"}], False, "Complete"),
    ([{"type": "Failed", "status": "True"}], True, "Failed"),
    ([{"type": "Complete", "status": "False"}], True, "Terminating"),
    ([{"type": "Suspended", "status": "True"}], False, "Suspended"),
    ([{"type": "FailureTarget", "status": "True"}], False, "FailureTarget"),
    ([{"type": "SuccessCriteriaMet", "status": "True"}], False, "SuccessCriteriaMet"),
])
def test_job_status(conditions: list[Obj], deleting: bool, status: str) -> None:
    job = _job(conditions=conditions)
    if deleting:
        job["metadata"]["deletionTimestamp"] = _ts(seconds=1)
    assert _cells("batch", "jobs", job)[1] == status


def test_success_criteria_met_shows_from_1_34() -> None:
    job = _job(conditions=[{"type": "SuccessCriteriaMet", "status": "True"}])
    assert _cells("batch", "jobs", job, minor=33)[1] == "Running"
    assert _cells("batch", "jobs", job, minor=34)[1] == "SuccessCriteriaMet"


def _cron(**spec: Any) -> Obj:
    return {"metadata": {"name": "backup", "creationTimestamp": _ts(days=2)},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {
                "template": _template("backup:2")}}, **spec}}


def test_cron_job_columns_gained_timezone_in_1_30() -> None:
    assert _columns("batch", "cronjobs", minor=29)[:6] == [
        ("Name", "string", 0), ("Schedule", "string", 0), ("Suspend", "boolean", 0),
        ("Active", "integer", 0), ("Last Schedule", "string", 0), ("Age", "string", 0)]
    assert [c[0] for c in _columns("batch", "cronjobs")] == [
        "Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age",
        "Containers", "Images", "Selector"]


def test_cron_job_cells() -> None:
    cron = _cron(suspend=False, timeZone="Europe/Paris")
    cron["status"] = {"active": [{"name": "backup-28600"}, {"name": "backup-28601"}],
                      "lastScheduleTime": _ts(minutes=5)}
    assert _cells("batch", "cronjobs", cron) == [
        "backup", "0 3 * * *", "Europe/Paris", "False", 2, "5m", "2d", "backup", "backup:2",
        "<none>"]
    assert _cells("batch", "cronjobs", _cron(), minor=29)[:5] == [
        "backup", "0 3 * * *", "<unset>", 0, "<none>"]
    assert _cells("batch", "cronjobs", _cron(suspend=True))[2:4] == ["<none>", "True"]


# --- autoscaling ------------------------------------------------------------------------------


def _hpa(metrics: list[Obj] | None = None, current: list[Obj] | None = None, **spec: Any) -> Obj:
    body: Obj = {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 2,
                 "maxReplicas": 10, **spec}
    if metrics is not None:
        body["metrics"] = metrics
    return {"apiVersion": "autoscaling/v2", "metadata": {"name": "web"}, "spec": body,
            "status": {"currentReplicas": 4, **({"currentMetrics": current} if current else {})}}


CPU_80 = {"type": "Resource", "resource": {"name": "cpu", "target": {
    "type": "Utilization", "averageUtilization": 80}}}


def test_hpa_columns_and_cells() -> None:
    assert [c[0] for c in _columns("autoscaling", "horizontalpodautoscalers")] == [
        "Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"]
    hpa = _hpa([CPU_80], [{"type": "Resource", "resource": {"name": "cpu", "current": {
        "averageUtilization": 50, "averageValue": "120m"}}}])
    assert _cells("autoscaling", "horizontalpodautoscalers", hpa) == [
        "web", "Deployment/web", "cpu: 50%/80%", "2", 10, 4, "<unknown>"]


@pytest.mark.parametrize(("metrics", "current", "targets"), [
    ([], None, "<none>"),
    ([CPU_80], None, "cpu: <unknown>/80%"),
    ([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}],
     None, "cpu: <unknown>/<auto>"),
    ([{"type": "Resource", "resource": {"name": "memory", "target": {
        "type": "AverageValue", "averageValue": "200Mi"}}}],
     [{"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "100Mi"}}}],
     "memory: 100Mi/200Mi"),
    ([{"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {
        "type": "AverageValue", "averageValue": "1k"}}}],
     [{"type": "Pods", "pods": {"metric": {"name": "qps"}, "current": {"averageValue": "0.5"}}}],
     "500m/1k"),
    ([{"type": "External", "external": {"metric": {"name": "queue"}, "target": {
        "type": "AverageValue", "averageValue": "30"}}}], None, "<unknown>/30 (avg)"),
    ([{"type": "Object", "object": {"metric": {"name": "rps"}, "target": {
        "type": "Value", "value": "10k"}}}],
     [{"type": "Object", "object": {"metric": {"name": "rps"}, "current": {"value": "2500"}}}],
     "2500/10k"),
    ([{"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app",
                                                         "target": {"type": "Utilization",
                                                                    "averageUtilization": 60}}}],
     None, "cpu: <unknown>/60%"),
    ([{"type": "Weird"}], None, "<unknown type>"),
    ([CPU_80, CPU_80, CPU_80], None,
     "cpu: <unknown>/80%, cpu: <unknown>/80% + 1 more..."),
])
def test_hpa_targets(metrics: list[Obj], current: list[Obj] | None, targets: str) -> None:
    assert _cells("autoscaling", "horizontalpodautoscalers", _hpa(metrics, current))[2] == targets


def test_hpa_without_a_minimum_and_in_autoscaling_v1() -> None:
    unset = _hpa([CPU_80])
    del unset["spec"]["minReplicas"]
    assert _cells("autoscaling", "horizontalpodautoscalers", unset)[3] == "<unset>"
    v1 = {"apiVersion": "autoscaling/v1", "metadata": {"name": "web"}, "spec": {
        "scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5,
        "targetCPUUtilizationPercentage": 50}, "status": {"currentCPUUtilizationPercentage": 30}}
    assert _cells("autoscaling", "horizontalpodautoscalers", v1)[2] == "cpu: 30%/50%"
    del v1["spec"]["targetCPUUtilizationPercentage"]
    assert _cells("autoscaling", "horizontalpodautoscalers", v1)[2] == "cpu: 30%/80%"


# --- policy -----------------------------------------------------------------------------------


def test_pod_disruption_budget() -> None:
    assert _columns("policy", "poddisruptionbudgets") == [
        ("Name", "string", 0), ("Min Available", "string", 0), ("Max Unavailable", "string", 0),
        ("Allowed Disruptions", "integer", 0), ("Age", "string", 0)]
    budget = {"metadata": {"name": "web", "creationTimestamp": _ts(hours=1)},
              "spec": {"minAvailable": 2}, "status": {"disruptionsAllowed": 1}}
    assert _cells("policy", "poddisruptionbudgets", budget) == ["web", "2", "N/A", 1, "60m"]
    percent = {"metadata": {"name": "db"}, "spec": {"maxUnavailable": "25%"}}
    assert _cells("policy", "poddisruptionbudgets", percent)[1:4] == ["N/A", "25%", 0]
