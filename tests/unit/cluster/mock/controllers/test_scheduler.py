"""The scheduler (controllers/scheduler.py) in a mock cluster, as kube's default-scheduler
behaves on a one-node cluster: a new pod is bound to the node (spec.nodeName, PodScheduled, the
Scheduled Event), or stays Pending with kube's FitError text when the node is cordoned, tainted or
not selected; a node change retries it; scheduling gates and other schedulers' pods are left
alone; a scenario's schedule delay is a timer on the emulator's clock.

Pods are created through the API (the controllers settle after each request, as for a client)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from emulator import messages
from emulator.clock import FakeClock
from emulator.cluster.mock.registry import fieldvalidation
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers.settings import ControllerSettings, Delays
from emulator.cluster.mock.node.kubelet import node_name
from tests.unit.cluster.mock.conftest import ADMIN, ADMIN_TOKEN, CLUSTER_NAME, call

NS = "default"
PODS = f"/api/v1/namespaces/{NS}/pods"
NODE = node_name(CLUSTER_NAME)
MERGE = "application/merge-patch+json"
TIMER_WAIT_SECONDS = 5.0


def make_cluster(clock: FakeClock, version: str = "v1.30.5",
                 settings: ControllerSettings | None = None) -> MockApiserver:
    api = MockApiserver(CLUSTER_NAME, version, clock, settings=settings)
    api.authenticator.add(ADMIN_TOKEN, ADMIN)
    return api


@pytest.fixture
def clusters(clock: FakeClock) -> Iterator[Callable[..., MockApiserver]]:
    made: list[MockApiserver] = []

    def make(version: str = "v1.30.5", settings: ControllerSettings | None = None
             ) -> MockApiserver:
        made.append(make_cluster(clock, version, settings))
        return made[-1]
    yield make
    for api in made:
        api.close()


@pytest.fixture
def api(clusters: Callable[..., MockApiserver]) -> MockApiserver:
    return clusters()


def create_pod(api: MockApiserver, name: str, **spec: Any) -> dict[str, Any]:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], **spec}}
    reply = call(api, "POST", PODS, body=body)
    assert reply.status == 201, reply.body
    return reply.body


def pod(api: MockApiserver, name: str) -> dict[str, Any]:
    found = api.store.get(("", "pods"), NS, name)
    assert found is not None, name
    return found


def scheduled(api: MockApiserver, name: str) -> dict[str, Any] | None:
    return next((c for c in pod(api, name).get("status", {}).get("conditions") or []
                 if c["type"] == "PodScheduled"), None)


def events(api: MockApiserver, name: str, reason: str | None = None) -> list[dict[str, Any]]:
    return [e for e in api.store.list(("", "events"), NS)[0]
            if e["involvedObject"]["name"] == name and reason in (None, e["reason"])]


def patch_node(api: MockApiserver, body: dict[str, Any]) -> None:
    reply = call(api, "PATCH", f"/api/v1/nodes/{NODE}", body=body, content_type=MERGE)
    assert reply.status == 200, reply.body


def unschedulable(reason: str) -> str:
    return (f"0/1 nodes are available: 1 {reason}. preemption: 0/1 nodes are available: "
            "1 Preemption is not helpful for scheduling.")


def test_a_new_pod_is_bound_to_the_node_with_the_scheduled_event(api: MockApiserver) -> None:
    create_pod(api, "web")
    assert pod(api, "web")["spec"]["nodeName"] == NODE
    condition = scheduled(api, "web")
    assert condition is not None
    assert (condition["status"], condition["lastProbeTime"]) == ("True", None)
    assert condition["lastTransitionTime"] == "2026-01-01T00:00:00Z"
    [event] = events(api, "web", "Scheduled")
    assert (event["type"], event["message"], event["source"]) == (
        "Normal", f"Successfully assigned default/web to {NODE}",
        {"component": "default-scheduler"})
    assert event["involvedObject"]["kind"] == "Pod"


def test_the_binding_records_no_field_manager(api: MockApiserver) -> None:
    """kube's binding storage writes the pod without its field manager: no kube-scheduler entry
    appears in managedFields for spec.nodeName."""
    create_pod(api, "web")
    managers = {(e["manager"], e.get("subresource")) for e in
                pod(api, "web")["metadata"].get("managedFields") or []}
    assert not any(manager == "kube-scheduler" for manager, _ in managers), managers


def test_scheduling_walks_no_schema_and_leaves_a_pod_strict_validation_passes(
        api: MockApiserver, monkeypatch: pytest.MonkeyPatch) -> None:
    """The binding and the PodScheduled condition are written from the stored pod, so they skip
    the schema walk a client's body needs (it was two of a seeded pod's three walks); what they
    store still passes strict field validation."""
    walked: list[str] = []
    check = fieldvalidation.check

    def counted(obj: Any, kind: str, **options: Any) -> Any:
        walked.append(kind)
        return check(obj, kind, **options)

    monkeypatch.setattr(fieldvalidation, "check", counted)
    create_pod(api, "web")
    assert pod(api, "web")["spec"]["nodeName"] == NODE and scheduled(api, "web") is not None
    assert walked == ["Pod"]  # the client's create alone
    stored = {**pod(api, "web"), "apiVersion": "v1", "kind": "Pod"}
    assert check(stored, "Pod", api_version="v1", minor=30).problems == ()


def test_a_pod_whose_selector_matches_no_node_stays_pending(api: MockApiserver) -> None:
    create_pod(api, "picky", nodeSelector={"disktype": "ssd"})
    found = pod(api, "picky")
    assert "nodeName" not in found["spec"]
    assert found["status"]["phase"] == "Pending"
    text = unschedulable(messages.SCHED_REASON_AFFINITY)
    assert text == ("0/1 nodes are available: 1 node(s) didn't match Pod's node "
                    "affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is "
                    "not helpful for scheduling.")
    condition = scheduled(api, "picky")
    assert condition == {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                         "lastTransitionTime": "2026-01-01T00:00:00Z",
                         "reason": "Unschedulable", "message": text}
    [event] = events(api, "picky", "FailedScheduling")
    assert (event["type"], event["message"]) == ("Warning", text)
    managers = [e["manager"] for e in found["metadata"]["managedFields"]
                if e.get("subresource") == "status"]
    assert managers == ["kube-scheduler"]


def test_labelling_the_node_schedules_the_waiting_pod(api: MockApiserver) -> None:
    create_pod(api, "picky", nodeSelector={"disktype": "ssd"})
    patch_node(api, {"metadata": {"labels": {"disktype": "ssd"}}})
    assert pod(api, "picky")["spec"]["nodeName"] == NODE
    assert scheduled(api, "picky")["status"] == "True"  # type: ignore[index]
    assert len(events(api, "picky", "Scheduled")) == 1


def test_required_node_affinity_is_matched_against_the_node(api: MockApiserver) -> None:
    def affinity(operator: str, values: list[str]) -> dict[str, Any]:
        expression = {"key": "kubernetes.io/os", "operator": operator, "values": values}
        return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [expression]}]}}}
    create_pod(api, "linux", affinity=affinity("In", ["linux"]))
    create_pod(api, "windows", affinity=affinity("In", ["windows"]))
    create_pod(api, "not-windows", affinity=affinity("NotIn", ["windows"]))
    assert pod(api, "linux")["spec"].get("nodeName") == NODE
    assert pod(api, "not-windows")["spec"].get("nodeName") == NODE
    assert pod(api, "windows")["spec"].get("nodeName") is None
    assert scheduled(api, "windows")["message"] == unschedulable(  # type: ignore[index]
        messages.SCHED_REASON_AFFINITY)


def test_an_untolerated_taint_keeps_the_pod_off_the_node(api: MockApiserver) -> None:
    patch_node(api, {"spec": {"taints": [{"key": "dedicated", "value": "gpu",
                                          "effect": "NoSchedule"}]}})
    create_pod(api, "plain")
    create_pod(api, "tolerant", tolerations=[{"key": "dedicated", "operator": "Equal",
                                              "value": "gpu", "effect": "NoSchedule"}])
    assert pod(api, "tolerant")["spec"].get("nodeName") == NODE
    assert pod(api, "plain")["spec"].get("nodeName") is None
    assert scheduled(api, "plain")["message"] == (  # type: ignore[index]
        "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: "
        "0/1 nodes are available: 1 Preemption is not helpful for scheduling.")


def test_from_1_34_the_taint_is_not_named_and_dra_speaks_first(
        clusters: Callable[..., MockApiserver]) -> None:
    api = clusters("v1.34.1")
    patch_node(api, {"spec": {"taints": [{"key": "dedicated", "value": "gpu",
                                          "effect": "NoExecute"}]}})
    create_pod(api, "plain")
    assert scheduled(api, "plain")["message"] == (  # type: ignore[index]
        "0/1 nodes are available: 1 node(s) had untolerated taint(s). no new claims to "
        "deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for "
        "scheduling.")


def test_a_cordoned_node_takes_no_new_pod_and_uncordoning_frees_it(api: MockApiserver) -> None:
    patch_node(api, {"spec": {"unschedulable": True}})
    create_pod(api, "web")
    assert scheduled(api, "web")["message"] == unschedulable(  # type: ignore[index]
        "node(s) were unschedulable")
    patch_node(api, {"spec": {"unschedulable": None}})
    assert pod(api, "web")["spec"].get("nodeName") == NODE
    condition = scheduled(api, "web")
    assert condition is not None and condition["status"] == "True"
    assert "reason" not in condition and "message" not in condition


def test_a_pod_tolerating_the_cordon_is_scheduled_anyway(api: MockApiserver) -> None:
    patch_node(api, {"spec": {"unschedulable": True}})
    create_pod(api, "daemon", tolerations=[{"key": "node.kubernetes.io/unschedulable",
                                            "operator": "Exists", "effect": "NoSchedule"}])
    assert pod(api, "daemon")["spec"].get("nodeName") == NODE


def test_an_unschedulable_pod_is_not_rewritten_on_every_sync(api: MockApiserver) -> None:
    create_pod(api, "picky", nodeSelector={"disktype": "ssd"})
    before = pod(api, "picky")["metadata"]["resourceVersion"]
    # A node change that does not help: the scheduler tries again and writes nothing.
    patch_node(api, {"metadata": {"labels": {"unrelated": "yes"}}})
    with api.controllers.lock:
        api.controllers.enqueue("default-scheduler", (NS, "picky"))
        api.controllers.settle()
    assert pod(api, "picky")["metadata"]["resourceVersion"] == before
    assert len(events(api, "picky", "FailedScheduling")) == 1


def test_another_schedulers_pod_is_left_alone(api: MockApiserver) -> None:
    create_pod(api, "custom", schedulerName="my-scheduler")
    found = pod(api, "custom")
    assert "nodeName" not in found["spec"]
    assert found["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert events(api, "custom") == []


def test_a_pod_that_names_its_node_is_not_scheduled(api: MockApiserver) -> None:
    create_pod(api, "pinned", nodeName=NODE)
    assert events(api, "pinned", "Scheduled") == []


def test_scheduling_gates_hold_the_pod_until_removed(api: MockApiserver) -> None:
    create_pod(api, "gated", schedulingGates=[{"name": "example.com/wait"}])
    condition = scheduled(api, "gated")
    assert condition is not None
    assert (condition["status"], condition["reason"], condition["message"]) == (
        "False", "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates")
    assert events(api, "gated") == []
    reply = call(api, "PATCH", f"{PODS}/gated", body={"spec": {"schedulingGates": None}},
                 content_type=MERGE)
    assert reply.status == 200, reply.body
    assert pod(api, "gated")["spec"].get("nodeName") == NODE


def test_the_schedule_delay_is_a_timer_on_the_emulator_clock(
        clock: FakeClock, clusters: Callable[..., MockApiserver]) -> None:
    api = clusters(settings=ControllerSettings(delays=Delays(schedule=5)))
    create_pod(api, "slow")
    assert "nodeName" not in pod(api, "slow")["spec"]
    assert scheduled(api, "slow") is None  # waiting is not a failure
    clock.advance(5)
    api.controllers.clock_moved()
    deadline = time.monotonic() + TIMER_WAIT_SECONDS
    while pod(api, "slow")["spec"].get("nodeName") != NODE:
        assert time.monotonic() < deadline, "the delayed pod was never bound"
        time.sleep(0.01)
    assert scheduled(api, "slow")["lastTransitionTime"] == "2026-01-01T00:00:05Z"  # type: ignore[index]
