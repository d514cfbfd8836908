"""meta.k8s.io/v1 Tables: columns and cells like kube-apiserver's printers, and HumanDuration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from emulator import messages
from emulator.cluster.mock.wire import tables
from emulator.cluster.mock.registry.resources import Registry, ResourceType
from emulator.cluster.mock.wire.status import KubeError

REGISTRY = Registry.for_version("1.30")  # my-cluster's minor

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


def _ts(delta: timedelta) -> str:
    return (NOW - delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def _resource(group: str, plural: str) -> ResourceType:
    resource = next(r for r in REGISTRY.resources if r.group == group and r.plural == plural)
    return resource


def _table(group: str, plural: str, *objects: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return tables.to_table(_resource(group, plural), list(objects), now=NOW,
                           resource_version=kwargs.pop("resource_version", "42"), **kwargs)


def _columns(table: dict[str, Any]) -> list[tuple[str, int]]:
    return [(c["name"], c["priority"]) for c in table["columnDefinitions"]]


def _cells(group: str, plural: str, obj: dict[str, Any]) -> list[Any]:
    return _table(group, plural, obj)["rows"][0]["cells"]


# --- HumanDuration --------------------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "expected"), [
    (-5, "<invalid>"),
    (-2, "<invalid>"),
    (-1.5, "0s"),
    (-1, "0s"),
    (0, "0s"),
    (0.9, "0s"),
    (45, "45s"),
    (119, "119s"),
    (120, "2m"),
    (150, "2m30s"),
    (599, "9m59s"),
    (600, "10m"),
    (659, "10m"),
    (3 * 3600 - 1, "179m"),
    (3 * 3600, "3h"),
    (3 * 3600 + 30 * 60, "3h30m"),
    (8 * 3600 - 1, "7h59m"),
    (8 * 3600, "8h"),
    (48 * 3600 - 1, "47h"),
    (48 * 3600, "2d"),
    (53 * 3600, "2d5h"),
    (8 * 86400 - 1, "7d23h"),
    (8 * 86400, "8d"),
    (730 * 86400 - 1, "729d"),
    (730 * 86400, "2y"),
    (740 * 86400, "2y10d"),
    (8 * 365 * 86400 - 1, "7y364d"),
    (8 * 365 * 86400, "8y"),
    (20 * 365 * 86400, "20y"),
])
def test_human_duration(seconds: float, expected: str) -> None:
    assert tables.human_duration(timedelta(seconds=seconds)) == expected


def test_age_of_missing_or_bad_timestamp_is_unknown() -> None:
    assert tables.age(None, NOW) == messages.TABLE_UNKNOWN == "<unknown>"
    assert tables.age("yesterday", NOW) == "<unknown>"


def test_age_accepts_fractional_and_offset_timestamps() -> None:
    assert tables.age("2024-06-01T11:59:15.123456Z", NOW) == "44s"
    assert tables.age("2024-06-01T13:55:00+02:00", NOW) == "5m"


def test_naive_now_is_taken_as_utc() -> None:
    assert tables.age(_ts(timedelta(minutes=5)), NOW.replace(tzinfo=None)) == "5m"


# --- the Table envelope ---------------------------------------------------------------------------


def test_table_envelope_and_partial_metadata() -> None:
    ns = {"metadata": {"name": "default", "uid": "u1", "creationTimestamp": _ts(timedelta(days=3))},
          "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
    table = _table("", "namespaces", ns, resource_version="17")
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"] == {"resourceVersion": "17"}
    for column in table["columnDefinitions"]:
        assert set(column) == {"name", "type", "format", "description", "priority"}
    [row] = table["rows"]
    assert row["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": ns["metadata"]}
    row["object"]["metadata"]["name"] = "changed"
    assert ns["metadata"]["name"] == "default"  # rows are copies


def test_continue_token_goes_into_metadata() -> None:
    table = _table("", "configmaps", continue_token="abc")
    assert table["metadata"] == {"resourceVersion": "42", "continue": "abc"}
    assert table["rows"] == []


def test_include_object_none_and_object() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
    assert "object" not in _table("", "configmaps", cm, include_object="None")["rows"][0]
    assert _table("", "configmaps", cm, include_object="Object")["rows"][0]["object"] == cm


def test_include_object_unknown_is_bad_request() -> None:
    with pytest.raises(KubeError) as caught:
        _table("", "configmaps", include_object="Everything")
    assert caught.value.code == 400
    assert caught.value.message == 'unrecognized includeObject value: "Everything"'


def test_every_printer_fills_every_column_even_for_empty_objects() -> None:
    for resource in REGISTRY.resources:
        table = tables.to_table(resource, [{}], now=NOW, resource_version="1")
        assert len(table["rows"][0]["cells"]) == len(table["columnDefinitions"]), resource.plural
        assert table["columnDefinitions"][0]["name"] in ("Name", "Last Seen")


def test_unprinted_resources_get_name_and_age() -> None:
    review = _resource("authentication.k8s.io", "selfsubjectreviews")
    table = tables.to_table(review, [{"metadata": {"name": "r", "creationTimestamp":
                                                   _ts(timedelta(seconds=30))}}],
                            now=NOW, resource_version="1")
    assert _columns(table) == [("Name", 0), ("Age", 0)]
    assert table["columnDefinitions"][0]["format"] == "name"
    assert table["rows"][0]["cells"] == ["r", "30s"]


# --- pods -----------------------------------------------------------------------------------------


def _pod(**status: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "demo", "namespace": "default",
                     "creationTimestamp": _ts(timedelta(minutes=5))},
        "spec": {"containers": [{"name": "app"}, {"name": "sidecar"}], "nodeName": "node-1"},
        "status": status,
    }


def _running(name: str, restarts: int = 0, ready: bool = True) -> dict[str, Any]:
    return {"name": name, "ready": ready, "restartCount": restarts,
            "state": {"running": {"startedAt": _ts(timedelta(minutes=4))}}}


def test_pod_columns() -> None:
    table = _table("", "pods")
    assert _columns(table) == [("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0),
                               ("Age", 0), ("IP", 1), ("Node", 1), ("Nominated Node", 1),
                               ("Readiness Gates", 1)]


def test_running_pod_cells() -> None:
    pod = _pod(phase="Running", podIPs=[{"ip": "10.4.0.7"}], podIP="10.4.0.7",
               containerStatuses=[_running("app"), _running("sidecar")])
    assert _cells("", "pods", pod) == ["demo", "2/2", "Running", "0", "5m", "10.4.0.7",
                                       "node-1", "<none>", "<none>"]


def test_pending_pod_with_no_statuses() -> None:
    pod = _pod(phase="Pending")
    pod["spec"].pop("nodeName")
    assert _cells("", "pods", pod) == ["demo", "0/2", "Pending", "0", "5m", "<none>", "<none>",
                                       "<none>", "<none>"]


def test_waiting_reason_replaces_phase() -> None:
    crashing = {"name": "app", "ready": False, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"finishedAt": _ts(timedelta(seconds=20))}}}
    pod = _pod(phase="Running", containerStatuses=[crashing, _running("sidecar")])
    cells = _cells("", "pods", pod)
    assert cells[1:4] == ["1/2", "CrashLoopBackOff", "4 (20s ago)"]


def test_restarts_are_summed_and_plain_without_termination_time() -> None:
    pod = _pod(phase="Running", containerStatuses=[_running("app", 2), _running("sidecar", 3)])
    assert _cells("", "pods", pod)[3] == "5"


def test_terminated_container_reasons() -> None:
    done = {"name": "app", "ready": False, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
    killed = {"name": "sidecar", "ready": False, "restartCount": 0,
              "state": {"terminated": {"exitCode": 137, "signal": 9}}}
    assert _cells("", "pods", _pod(phase="Succeeded", containerStatuses=[done]))[2] == "Completed"
    assert _cells("", "pods", _pod(phase="Failed", containerStatuses=[killed]))[2] == "Signal:9"


def test_deleted_pod_is_terminating_unless_finished() -> None:
    pod = _pod(phase="Running", containerStatuses=[_running("app"), _running("sidecar")])
    pod["metadata"]["deletionTimestamp"] = _ts(timedelta(seconds=1))
    assert _cells("", "pods", pod)[2] == "Terminating"
    pod["status"]["phase"] = "Succeeded"
    assert _cells("", "pods", pod)[2] == "Succeeded"


def test_init_container_progress() -> None:
    pod = _pod(phase="Pending", initContainerStatuses=[
        {"name": "init", "ready": False, "restartCount": 0,
         "state": {"waiting": {"reason": "PodInitializing"}}}])
    pod["spec"]["initContainers"] = [{"name": "init"}]
    assert _cells("", "pods", pod)[2] == "Init:0/1"


def test_readiness_gates_count_true_conditions() -> None:
    pod = _pod(phase="Running", conditions=[{"type": "example.com/ready", "status": "True"}])
    pod["spec"]["readinessGates"] = [{"conditionType": "example.com/ready"},
                                     {"conditionType": "example.com/other"}]
    assert _cells("", "pods", pod)[8] == "1/2"


# --- deployments, services, namespaces ------------------------------------------------------------


def _deployment() -> dict[str, Any]:
    return {
        "metadata": {"name": "web", "namespace": "default",
                     "creationTimestamp": _ts(timedelta(hours=3, minutes=30))},
        "spec": {"replicas": 3,
                 "selector": {"matchLabels": {"app": "web", "tier": "front"},
                              "matchExpressions": [{"key": "env", "operator": "In",
                                                    "values": ["prod", "dev"]}]},
                 "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"},
                                                      {"name": "log", "image": "busybox"}]}}},
        "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3,
                   "availableReplicas": 2},
    }


def test_deployment_columns_and_cells() -> None:
    table = _table("apps", "deployments", _deployment())
    assert _columns(table) == [("Name", 0), ("Ready", 0), ("Up-to-date", 0), ("Available", 0),
                               ("Age", 0), ("Containers", 1), ("Images", 1), ("Selector", 1)]
    assert table["rows"][0]["cells"] == [
        "web", "2/3", 3, 2, "3h30m", "nginx,log", "nginx:1.27,busybox",
        "app=web,env in (dev,prod),tier=front"]


def test_deployment_defaults() -> None:
    deployment = {"metadata": {"name": "bare"}, "spec": {"selector": {"matchExpressions": [
        {"key": "legacy", "operator": "DoesNotExist"}, {"key": "app", "operator": "Exists"}]}}}
    assert _cells("apps", "deployments", deployment) == [
        "bare", "0/1", 0, 0, "<unknown>", "", "", "app,!legacy"]


def _service(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "web", "creationTimestamp": _ts(timedelta(seconds=90))},
            "spec": spec}


def test_service_columns_and_cluster_ip_cells() -> None:
    service = _service(type="ClusterIP", clusterIP="10.96.0.10", clusterIPs=["10.96.0.10"],
                       ports=[{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}],
                       selector={"app": "web", "a": "b"})
    table = _table("", "services", service)
    assert _columns(table) == [("Name", 0), ("Type", 0), ("Cluster-IP", 0), ("External-IP", 0),
                               ("Port(s)", 0), ("Age", 0), ("Selector", 1)]
    assert table["rows"][0]["cells"] == ["web", "ClusterIP", "10.96.0.10", "<none>",
                                         "80/TCP,53/UDP", "90s", "a=b,app=web"]


def test_node_port_service() -> None:
    service = _service(type="NodePort", clusterIP="10.96.0.11",
                       ports=[{"port": 80, "nodePort": 30080}])
    assert _cells("", "services", service)[1:5] == ["NodePort", "10.96.0.11", "<none>",
                                                    "80:30080/TCP"]


def test_load_balancer_service_external_ip() -> None:
    pending = _service(type="LoadBalancer", clusterIP="10.96.0.12", ports=[])
    assert _cells("", "services", pending)[3:5] == ["<pending>", "<none>"]
    ready = _service(type="LoadBalancer", externalIPs=["192.0.2.9"])
    ready["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.5"},
                                                    {"hostname": "lb.example.com"}]}}
    assert _cells("", "services", ready)[3] == "203.0.113.5,lb.example.com,192.0.2.9"


def test_namespace_cells() -> None:
    active = {"metadata": {"name": "team-a", "creationTimestamp": _ts(timedelta(days=9))}}
    assert _columns(_table("", "namespaces")) == [("Name", 0), ("Status", 0), ("Age", 0)]
    assert _cells("", "namespaces", active) == ["team-a", "Active", "9d"]
    active["status"] = {"phase": "Terminating"}
    assert _cells("", "namespaces", active)[1] == "Terminating"


# --- the other printers ---------------------------------------------------------------------------


def test_configmap_secret_and_service_account_counts() -> None:
    meta = {"name": "x", "creationTimestamp": _ts(timedelta(seconds=5))}
    cm = {"metadata": meta, "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}}
    assert _cells("", "configmaps", cm) == ["x", 3, "5s"]
    secret = {"metadata": meta, "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}
    assert _cells("", "secrets", secret) == ["x", "kubernetes.io/tls", 2, "5s"]
    assert _cells("", "secrets", {"metadata": meta})[1:3] == ["Opaque", 0]
    account = {"metadata": meta, "secrets": [{"name": "token"}]}
    assert _cells("", "serviceaccounts", account) == ["x", 1, "5s"]


def test_node_cells() -> None:
    node = {"metadata": {"name": "node-1", "creationTimestamp": _ts(timedelta(days=30)),
                         "labels": {"node-role.kubernetes.io/control-plane": "",
                                    "node-role.kubernetes.io/worker": "",
                                    "kubernetes.io/role": ""}},
            "spec": {"unschedulable": True},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"},
                                      {"type": "Ready", "status": "True"}],
                       "addresses": [{"type": "InternalIP", "address": "10.0.0.2"}],
                       "nodeInfo": {"kubeletVersion": "v1.30.5", "osImage": "Ubuntu"}}}
    assert _cells("", "nodes", node) == [
        "node-1", "Ready,SchedulingDisabled", "control-plane,worker", "30d", "v1.30.5",
        "10.0.0.2", "<none>", "Ubuntu", "<unknown>", "<unknown>"]
    bare = {"metadata": {"name": "n"}, "status": {"conditions": [{"type": "Ready",
                                                                   "status": "Unknown"}]}}
    assert _cells("", "nodes", bare)[1:3] == ["NotReady", "<none>"]


def test_event_cells() -> None:
    event = {"metadata": {"name": "demo.17a", "namespace": "default"},
             "involvedObject": {"kind": "Pod", "name": "demo", "fieldPath": "spec.containers{app}"},
             "reason": "Pulled", "type": "Normal", "message": "Container image pulled\n",
             "source": {"component": "kubelet", "host": "node-1"}, "count": 3,
             "firstTimestamp": _ts(timedelta(minutes=7)),
             "lastTimestamp": _ts(timedelta(seconds=40))}
    table = _table("", "events", event)
    assert [c["name"] for c in table["columnDefinitions"] if c["priority"] == 0] == [
        "Last Seen", "Type", "Reason", "Object", "Message"]
    assert table["rows"][0]["cells"] == ["40s", "Normal", "Pulled", "pod/demo",
                                         "spec.containers{app}", "kubelet, node-1",
                                         "Container image pulled", "7m", 3, "demo.17a"]


def test_singleton_event_uses_event_time() -> None:
    event = {"metadata": {"name": "e"}, "eventTime": "2024-06-01T11:59:00.000000Z",
             "involvedObject": {"kind": "Node"}, "reportingComponent": "controller"}
    cells = _cells("", "events", event)
    assert (cells[0], cells[3], cells[5], cells[7], cells[8]) == (
        "60s", "node", "controller", "60s", 1)


def test_roles_show_created_at() -> None:
    role = {"metadata": {"name": "reader", "creationTimestamp": "2024-01-02T03:04:05Z"}}
    table = _table("rbac.authorization.k8s.io", "clusterroles", role)
    assert _columns(table) == [("Name", 0), ("Created At", 0)]
    assert table["columnDefinitions"][1]["type"] == "date"
    assert table["rows"][0]["cells"] == ["reader", "2024-01-02T03:04:05Z"]


def test_role_bindings_show_role_and_subjects() -> None:
    binding = {"metadata": {"name": "gateway", "creationTimestamp": _ts(timedelta(hours=1))},
               "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"},
               "subjects": [{"kind": "User", "name": "alice@example.com"},
                            {"kind": "Group", "name": "devs@example.com"},
                            {"kind": "ServiceAccount", "namespace": "ci", "name": "deployer"},
                            {"kind": "User", "name": "bob@example.com"}]}
    table = _table("rbac.authorization.k8s.io", "rolebindings", binding)
    assert _columns(table) == [("Name", 0), ("Role", 0), ("Age", 0), ("Users", 1),
                               ("Groups", 1), ("ServiceAccounts", 1)]
    assert table["rows"][0]["cells"] == ["gateway", "ClusterRole/cluster-admin", "60m",
                                         "alice@example.com, bob@example.com",
                                         "devs@example.com", "ci/deployer"]
