"""The default ServiceCIDR and the Services' IPAddresses a 1.33+ cluster keeps
(registry/ipaddresses.py): their shape, written and removed with the Services, none in a dry
run, none before 1.33, and a cluster restored from its image holding the same ones."""

from __future__ import annotations

from typing import Any

from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers.settings import ControllerSettings

from .conftest import ADMIN, ADMIN_TOKEN, CLUSTER_NAME, call, quiet_at

SERVICES = "/api/v1/namespaces/default/services"
ADDRESSES = "/apis/networking.k8s.io/v1/ipaddresses"
CIDRS = "/apis/networking.k8s.io/v1/servicecidrs"
MERGE = "application/merge-patch+json"


def addresses(api: MockApiserver) -> dict[str, Any]:
    """Each IPAddress's parent, by name."""
    items = call(api, "GET", ADDRESSES).body["items"]
    return {a["metadata"]["name"]: a["spec"]["parentRef"] for a in items}


def service(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"ports": [{"port": 80}], **spec}}


def test_the_default_service_cidr_as_the_controllers_leave_it() -> None:
    (cidr,) = call(quiet_at("v1.33.1"), "GET", CIDRS).body["items"]
    assert cidr["metadata"]["name"] == "kubernetes"
    assert cidr["metadata"]["finalizers"] == ["networking.k8s.io/service-cidr-finalizer"]
    assert cidr["spec"] == {"cidrs": ["10.96.0.0/12"]}
    (ready,) = cidr["status"]["conditions"]
    assert {k: v for k, v in ready.items() if k != "lastTransitionTime"} == {
        "type": "Ready", "status": "True", "reason": "",
        "message": "Kubernetes Service CIDR is ready"}


def test_each_cluster_ip_has_an_ip_address_while_it_is_held() -> None:
    api = quiet_at("v1.35.1")
    assert addresses(api) == {"10.96.0.1": {"resource": "services", "namespace": "default",
                                            "name": "kubernetes"}}
    assert call(api, "POST", SERVICES, body=service("web")).status == 201
    (made,) = [a for a in call(api, "GET", ADDRESSES).body["items"]
               if a["metadata"]["name"] == "10.96.1.1"]
    assert made["metadata"]["labels"] == {"ipaddress.kubernetes.io/ip-family": "IPv4",
                                          "ipaddress.kubernetes.io/managed-by": "ipallocator.k8s.io"}
    assert made["spec"] == {"parentRef": {"resource": "services", "namespace": "default",
                                          "name": "web"}}
    call(api, "POST", SERVICES, query="dryRun=All", body=service("dry"))
    assert call(api, "POST", SERVICES, body=service("db", clusterIP="None")).status == 201
    assert set(addresses(api)) == {"10.96.0.1", "10.96.1.1"}  # none for a dry run or headless
    moved = call(api, "PATCH", f"{SERVICES}/web", content_type=MERGE,
                 body=b'{"spec":{"type":"ExternalName","externalName":"web.example.com"}}')
    assert moved.status == 200, moved.body
    assert set(addresses(api)) == {"10.96.0.1"}
    assert call(api, "PATCH", f"{SERVICES}/web", content_type=MERGE,
                body=b'{"spec":{"type":"ClusterIP"}}').status == 200
    assert set(addresses(api)) == {"10.96.0.1", "10.96.1.2"}
    assert call(api, "DELETE", f"{SERVICES}/web").status == 200
    assert set(addresses(api)) == {"10.96.0.1"}


def test_none_before_1_33() -> None:
    api = quiet_at("v1.32.3")
    assert call(api, "GET", ADDRESSES).status == 404
    assert call(api, "POST", SERVICES, body=service("web")).status == 201


def test_a_restored_cluster_holds_the_same_ones() -> None:
    api = quiet_at("v1.33.1")
    call(api, "POST", SERVICES, body=service("web"))
    image = api.image()
    assert image is not None
    restored = MockApiserver(CLUSTER_NAME, "v1.33.1", FakeClock(),
                             settings=ControllerSettings(enabled=False), image=image)
    restored.authenticator.add(ADMIN_TOKEN, ADMIN)
    assert addresses(restored) == addresses(api)
    assert len(call(restored, "GET", CIDRS).body["items"]) == 1
