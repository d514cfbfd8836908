"""The endpoint and endpointslice controllers at the handle() level: a Service with a selector
gets an Endpoints object and EndpointSlices listing its pods (ready, not ready, terminating),
with ports resolved from targetPort; a Service without one gets neither.

The pods run on a second node the tests add, whose kubelet is nobody: their status is what each
test writes through pods/status, whatever the fake node's kubelet does with its own pods."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.node.kubelet import NODE_IP
from emulator.cluster.mock.controllers.endpoints import (
    TriggerTimes,
    repack,
    rfc3339_nano,
    truncate,
)
from emulator.cluster.mock.query import Query
from tests.unit.cluster.mock.conftest import (
    ADMIN,
    ADMIN_TOKEN,
    CLUSTER_NAME,
    call,
    create,
)

SERVICES = "/api/v1/namespaces/default/services"
PODS = "/api/v1/namespaces/default/pods"
ENDPOINTS = "/api/v1/namespaces/default/endpoints"
SLICES = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
NODE = "node-b"
ZONE = "europe-west1-b"
NOW = "2026-01-01T00:00:00Z"  # the FakeClock's
MERGE_PATCH = "application/merge-patch+json"


@pytest.fixture
def cluster(api: MockApiserver) -> MockApiserver:
    api.objects.collector_runs = True
    create(api, "/api/v1/nodes", {"metadata": {"name": NODE, "labels": {
        "topology.kubernetes.io/zone": ZONE}}})
    return api


def service(name: str = "web", selector: dict[str, str] | None = None,
            ports: list[dict[str, Any]] | None = None, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ports": ports if ports is not None else [
        {"name": "http", "port": 80, "targetPort": "web"}], **spec}
    if selector is not None:
        body["selector"] = selector
    return {"metadata": {"name": name, "labels": {"tier": "front"}}, "spec": body}


def pod(name: str, labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels or {"app": "web"}},
            "spec": {"nodeName": NODE, "containers": [
                {"name": "main", "image": "nginx",
                 "ports": [{"name": "web", "containerPort": 8080}]}], **spec}}


def set_status(api: MockApiserver, name: str, ip: str | None, ready: bool,
               phase: str = "Running", since: str = "2026-01-01T00:00:07Z") -> None:
    """What a kubelet would report for the pod (through pods/status), and the controllers'
    reaction to it."""
    resource = api.registry.lookup("", "v1", "pods")
    assert resource is not None
    with api.controllers.lock:
        current = api.objects.get(resource, "default", name)
        status: dict[str, Any] = {"phase": phase, "conditions": [
            {"type": "Ready", "status": "True" if ready else "False",
             "lastTransitionTime": since}]}
        if ip:
            status.update(podIP=ip, podIPs=[{"ip": ip}])
        current["status"] = status
        api.objects.update(resource, "default", name, current, Query(()), "status",
                           manager="kubelet")
        api.controllers.settle()


def running(api: MockApiserver, name: str, ip: str, ready: bool = True,
            **spec: Any) -> dict[str, Any]:
    created = create(api, PODS, pod(name, **spec))
    set_status(api, name, ip, ready)
    return created


def endpoints(api: MockApiserver, name: str = "web") -> dict[str, Any] | None:
    reply = call(api, "GET", f"{ENDPOINTS}/{name}")
    return reply.body if reply.status == 200 else None


def slices(api: MockApiserver, name: str = "web") -> list[dict[str, Any]]:
    reply = call(api, "GET", SLICES, f"labelSelector=kubernetes.io/service-name%3D{name}")
    assert reply.status == 200, reply.body
    return list(reply.body["items"])


def address(ip: str, created: dict[str, Any]) -> dict[str, Any]:
    return {"ip": ip, "nodeName": NODE, "targetRef": {
        "kind": "Pod", "namespace": "default", "name": created["metadata"]["name"],
        "uid": created["metadata"]["uid"]}}


# -- Endpoints -------------------------------------------------------------------------------------

def test_a_ready_pod_is_a_ready_address_on_its_named_port(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    web = running(cluster, "web-1", "10.9.0.5")
    got = endpoints(cluster)
    assert got is not None
    assert got["subsets"] == [{"addresses": [address("10.9.0.5", web)],
                               "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]
    assert got["metadata"]["labels"] == {"tier": "front"}
    # The earliest change since the last sync: the pod's Ready transition.
    assert got["metadata"]["annotations"] == {
        "endpoints.kubernetes.io/last-change-trigger-time": "2026-01-01T00:00:07Z"}
    assert got["metadata"]["managedFields"][0]["manager"] == "kube-controller-manager"


def test_a_new_service_gets_endpoints_at_once(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    got = endpoints(cluster)
    assert got is not None and "subsets" not in got
    # First seen: the service's creation is the trigger.
    assert got["metadata"]["annotations"] == {
        "endpoints.kubernetes.io/last-change-trigger-time": NOW}


def test_not_ready_and_unaddressed_pods(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    slow = running(cluster, "slow", "10.9.0.7", ready=False)
    create(cluster, PODS, pod("pending"))  # no IP yet: not an endpoint at all
    got = endpoints(cluster)
    assert got is not None
    assert got["subsets"] == [{"notReadyAddresses": [address("10.9.0.7", slow)],
                               "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]


def test_publish_not_ready_addresses_lists_every_pod_as_ready(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}, publishNotReadyAddresses=True))
    slow = running(cluster, "slow", "10.9.0.7", ready=False)
    got = endpoints(cluster)
    assert got is not None and got["subsets"][0]["addresses"] == [address("10.9.0.7", slow)]


def test_pods_sharing_ports_share_a_subset_in_address_order(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}, ports=[
        {"name": "http", "port": 80, "targetPort": 8080},
        {"name": "admin", "port": 81, "targetPort": 9090, "protocol": "TCP"}]))
    b = running(cluster, "b", "10.9.0.20")
    a = running(cluster, "a", "10.9.0.10")
    got = endpoints(cluster)
    assert got is not None
    assert got["subsets"] == [{
        "addresses": [address("10.9.0.10", a), address("10.9.0.20", b)],
        "ports": [{"name": "admin", "port": 9090, "protocol": "TCP"},
                  {"name": "http", "port": 8080, "protocol": "TCP"}]}]


def test_a_pod_without_the_named_port_is_left_out(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}, ports=[
        {"port": 80, "targetPort": "missing"}]))
    running(cluster, "web-1", "10.9.0.5")
    got = endpoints(cluster)
    assert got is not None and "subsets" not in got


def test_a_headless_service_is_labelled_so(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}, clusterIP="None"))
    got = endpoints(cluster)
    assert got is not None
    assert got["metadata"]["labels"] == {"tier": "front", "service.kubernetes.io/headless": ""}


def test_a_headless_service_without_ports_lists_addresses_alone(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}, ports=[], clusterIP="None"))
    web = running(cluster, "web-1", "10.9.0.5")
    got = endpoints(cluster)
    assert got is not None and got["subsets"] == [{"addresses": [address("10.9.0.5", web)]}]
    [only] = slices(cluster)
    assert only["ports"] is None and only["endpoints"][0]["addresses"] == ["10.9.0.5"]


def test_from_kubernetes_1_33_the_endpoints_are_marked_as_the_controller_s(
        clock: FakeClock) -> None:
    newer = MockApiserver(CLUSTER_NAME, "v1.33.1", clock)
    newer.authenticator.add(ADMIN_TOKEN, ADMIN)
    create(newer, SERVICES, service(selector={"app": "web"}))
    got = endpoints(newer)
    assert got is not None and got["metadata"]["labels"] == {
        "tier": "front", "endpoints.kubernetes.io/managed-by": "endpoint-controller"}
    before = got["metadata"]["resourceVersion"]
    call(newer, "PATCH", f"{SERVICES}/web", body={"spec": {"sessionAffinity": "ClientIP"}},
         content_type=MERGE_PATCH)
    again = endpoints(newer)
    assert again is not None and again["metadata"]["resourceVersion"] == before


def test_a_service_without_a_selector_gets_no_endpoints(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service())
    running(cluster, "web-1", "10.9.0.5")
    assert endpoints(cluster) is None
    assert slices(cluster) == []
    # The user's own Endpoints for it are left alone.
    create(cluster, ENDPOINTS, {"metadata": {"name": "web"}, "subsets": [
        {"addresses": [{"ip": "192.0.2.1"}], "ports": [{"port": 443}]}]})
    running(cluster, "web-2", "10.9.0.6")
    got = endpoints(cluster)
    assert got is not None and got["subsets"][0]["addresses"] == [{"ip": "192.0.2.1"}]


def test_the_kubernetes_service_has_the_apiservers_endpoints_only(cluster: MockApiserver) -> None:
    """kube-apiserver's reconciler writes them (the Service has no selector, so no controller
    does), with the label that keeps the mirroring controller off, and the slice it makes."""
    running(cluster, "web-1", "10.9.0.5")
    port = {"name": "https", "port": 6443, "protocol": "TCP"}
    got = endpoints(cluster, "kubernetes")
    assert got is not None
    assert got["metadata"]["labels"] == {"endpointslice.kubernetes.io/skip-mirror": "true"}
    assert got["subsets"] == [{"addresses": [{"ip": NODE_IP}], "ports": [port]}]
    (slice_,) = slices(cluster, "kubernetes")
    assert (slice_["metadata"]["name"], slice_["addressType"], slice_["ports"]) == (
        "kubernetes", "IPv4", [port])
    assert slice_["endpoints"] == [{"addresses": [NODE_IP], "conditions": {"ready": True}}]


def test_pods_come_and_go(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    running(cluster, "web-1", "10.9.0.5")
    web2 = running(cluster, "web-2", "10.9.0.6")
    call(cluster, "DELETE", f"{PODS}/web-1", "gracePeriodSeconds=0")
    got = endpoints(cluster)
    assert got is not None and got["subsets"][0]["addresses"] == [address("10.9.0.6", web2)]
    # Relabelled out of the selector: gone from the endpoints too.
    call(cluster, "PATCH", f"{PODS}/web-2", body={"metadata": {"labels": {"app": "other"}}},
         content_type=MERGE_PATCH)
    got = endpoints(cluster)
    assert got is not None and "subsets" not in got


def test_a_terminating_pod_leaves_the_endpoints(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    create(cluster, PODS, {**pod("web-1"), "metadata": {
        "name": "web-1", "labels": {"app": "web"}, "finalizers": ["example.com/hold"]}})
    set_status(cluster, "web-1", "10.9.0.5", True)
    call(cluster, "DELETE", f"{PODS}/web-1")
    got = endpoints(cluster)
    assert got is not None and "subsets" not in got
    [only] = slices(cluster)
    assert only["endpoints"][0]["conditions"] == {"ready": False, "serving": True,
                                                  "terminating": True}


def test_the_endpoints_follow_the_service_and_go_with_it(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    call(cluster, "PATCH", f"{SERVICES}/web", body={"metadata": {"labels": {"tier": "back"}}},
         content_type=MERGE_PATCH)
    got = endpoints(cluster)
    assert got is not None and got["metadata"]["labels"] == {"tier": "back"}
    call(cluster, "DELETE", f"{SERVICES}/web")
    assert endpoints(cluster) is None
    assert slices(cluster) == []  # owned by the service: the garbage collector's


def test_a_settled_service_is_not_written_again(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    running(cluster, "web-1", "10.9.0.5")
    before = (endpoints(cluster), slices(cluster))
    # A change no endpoint shows (an annotation), and a change of the service's spec that
    # leaves its endpoints as they are.
    call(cluster, "PATCH", f"{PODS}/web-1", body={"metadata": {"annotations": {"a": "b"}}},
         content_type=MERGE_PATCH)
    call(cluster, "PATCH", f"{SERVICES}/web", body={"spec": {"sessionAffinity": "ClientIP"}},
         content_type=MERGE_PATCH)
    assert (endpoints(cluster), slices(cluster)) == before


# -- EndpointSlices --------------------------------------------------------------------------------

def test_a_ready_pod_in_a_slice(cluster: MockApiserver) -> None:
    svc = create(cluster, SERVICES, service(selector={"app": "web"}))
    web = running(cluster, "web-1", "10.9.0.5")
    [only] = slices(cluster)
    meta = only["metadata"]
    assert meta["name"].startswith("web-") and len(meta["name"]) == len("web-") + 5
    assert meta["generateName"] == "web-"
    assert meta["labels"] == {"tier": "front", "kubernetes.io/service-name": "web",
                              "endpointslice.kubernetes.io/managed-by":
                                  "endpointslice-controller.k8s.io"}
    assert meta["ownerReferences"] == [{"apiVersion": "v1", "kind": "Service", "name": "web",
                                        "uid": svc["metadata"]["uid"], "controller": True,
                                        "blockOwnerDeletion": True}]
    assert meta["annotations"] == {
        "endpoints.kubernetes.io/last-change-trigger-time": "2026-01-01T00:00:07Z"}
    assert only["addressType"] == "IPv4"
    assert only["endpoints"] == [{
        "addresses": ["10.9.0.5"],
        "conditions": {"ready": True, "serving": True, "terminating": False},
        "targetRef": {"kind": "Pod", "namespace": "default", "name": "web-1",
                      "uid": web["metadata"]["uid"]},
        "nodeName": NODE, "zone": ZONE}]
    assert only["ports"] == [{"name": "http", "protocol": "TCP", "port": 8080}]


def test_a_service_with_no_endpoints_has_an_empty_slice(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    [placeholder] = slices(cluster)
    assert placeholder["endpoints"] is None and placeholder["ports"] is None
    name = placeholder["metadata"]["name"]
    # The first endpoint takes the empty slice over rather than a new one.
    running(cluster, "web-1", "10.9.0.5", ready=False)
    [only] = slices(cluster)
    assert only["metadata"]["name"] == name
    assert only["endpoints"][0]["conditions"] == {"ready": False, "serving": False,
                                                  "terminating": False}
    call(cluster, "DELETE", f"{PODS}/web-1", "gracePeriodSeconds=0")
    [again] = slices(cluster)
    assert again["metadata"]["name"] == name and again["endpoints"] is None


def test_pods_serving_other_ports_are_in_other_slices(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    running(cluster, "web-1", "10.9.0.5")
    create(cluster, PODS, {**pod("web-2"), "spec": {"nodeName": NODE, "containers": [
        {"name": "main", "image": "nginx", "ports": [{"name": "web", "containerPort": 9000}]}]}})
    set_status(cluster, "web-2", "10.9.0.6", True)
    got = {tuple(p["port"] for p in s["ports"]): [e["addresses"] for e in s["endpoints"]]
           for s in slices(cluster)}
    assert got == {(8080,): [["10.9.0.5"]], (9000,): [["10.9.0.6"]]}


def test_a_slice_deleted_by_hand_comes_back(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, service(selector={"app": "web"}))
    running(cluster, "web-1", "10.9.0.5")
    [first] = slices(cluster)
    call(cluster, "DELETE", f"{SLICES}/{first['metadata']['name']}")
    [second] = slices(cluster)
    assert second["metadata"]["uid"] != first["metadata"]["uid"]
    assert second["endpoints"][0]["addresses"] == ["10.9.0.5"]


def test_an_external_name_service_gets_nothing(cluster: MockApiserver) -> None:
    create(cluster, SERVICES, {"metadata": {"name": "web"}, "spec": {
        "type": "ExternalName", "externalName": "example.com", "selector": {"app": "web"}}})
    running(cluster, "web-1", "10.9.0.5")
    assert endpoints(cluster) is None and slices(cluster) == []


# -- the helpers, against kube's own rules ---------------------------------------------------------

def test_repack_keeps_an_address_not_ready_where_any_subset_says_so() -> None:
    ref = {"kind": "Pod", "uid": "u1"}
    a = {"ip": "10.0.0.1", "targetRef": ref}
    port = {"name": "p", "port": 80, "protocol": "TCP"}
    packed = repack([{"addresses": [a], "ports": [port]},
                     {"notReadyAddresses": [a], "ports": [port]}])
    assert packed == [{"notReadyAddresses": [a], "ports": [port]}]


def test_truncation_keeps_ready_addresses_first() -> None:
    subsets = [{"addresses": [{"ip": f"10.0.{i // 250}.{i % 250}"} for i in range(900)],
                "notReadyAddresses": [{"ip": f"10.1.{i // 250}.{i % 250}"} for i in range(300)],
                "ports": [{"port": 80}]}]
    assert truncate(subsets) is True
    assert len(subsets[0]["addresses"]) == 900 and len(subsets[0]["notReadyAddresses"]) == 100
    assert truncate([{"addresses": [{"ip": "10.0.0.1"}]}]) is False


def test_trigger_times_report_the_earliest_change_since_the_last_sync() -> None:
    def pod_at(name: str, moment: str) -> dict[str, Any]:
        return {"metadata": {"name": name}, "status": {"conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": moment}]}}
    svc = {"metadata": {"name": "s", "namespace": "d",
                        "creationTimestamp": "2026-01-01T00:00:00Z"}}
    times = TriggerTimes()
    first = times.compute(svc, [pod_at("a", "2026-01-01T00:00:05Z")])
    assert first == datetime(2026, 1, 1, tzinfo=UTC)  # first sync: the service's creation
    assert times.compute(svc, [pod_at("a", "2026-01-01T00:00:05Z")]) is None
    later = times.compute(svc, [pod_at("a", "2026-01-01T00:00:09Z"),
                                pod_at("b", "2026-01-01T00:00:08Z")])
    assert later == datetime(2026, 1, 1, 0, 0, 8, tzinfo=UTC)


def test_rfc3339_nano_drops_trailing_zeros() -> None:
    assert rfc3339_nano(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00Z"
    assert rfc3339_nano(datetime(2026, 1, 1, 0, 0, 1, 250000, tzinfo=UTC)) == \
        "2026-01-01T00:00:01.25Z"
