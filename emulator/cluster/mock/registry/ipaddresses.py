"""The networking.k8s.io/v1 objects kube's service allocator keeps from 1.33, where
MultiCIDRServiceAllocator is on: the default ServiceCIDR ``kubernetes`` (the service range, as
kube-apiserver creates it and kube-controller-manager's service-cidr controller marks it ready
and holds it with its finalizer), and one IPAddress per cluster IP a Service holds (named by
the IP, labelled with its family and the allocator, its ``parentRef`` the Service).

kube writes a Service's IPAddress in the same request, before the Service is stored; the mock
writes it right after, when the store tells its listeners, and removes it once the Service no
longer holds the IP (deleted, made an ExternalName). A dry run stores nothing, so makes none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.cluster.mock.registry.jsonread import as_dict, list_in
from emulator.cluster.mock.registry.serviceallocation import SERVICE_CIDR, parse_ip
from emulator.cluster.mock.registry.store import ObjectStore, WatchEvent

Obj = dict[str, Any]

IP_ADDRESSES = ("networking.k8s.io", "ipaddresses")
SERVICES = ("", "services")
FAMILY_LABEL = "ipaddress.kubernetes.io/ip-family"
MANAGED_BY_LABEL = "ipaddress.kubernetes.io/managed-by"
ALLOCATOR = "ipallocator.k8s.io"
CIDR_FINALIZER = "networking.k8s.io/service-cidr-finalizer"
CIDR_READY = "Kubernetes Service CIDR is ready"


def service_cidr(ready_since: str) -> Obj:
    """The default ServiceCIDR once both controllers have seen it (its condition has no reason,
    which metav1.Condition stores as an empty string)."""
    return {"apiVersion": "networking.k8s.io/v1", "kind": "ServiceCIDR",
            "metadata": {"name": "kubernetes", "finalizers": [CIDR_FINALIZER]},
            "spec": {"cidrs": [str(SERVICE_CIDR)]},
            "status": {"conditions": [{"type": "Ready", "status": "True",
                                       "lastTransitionTime": ready_since, "reason": "",
                                       "message": CIDR_READY}]}}


def ip_address(ip: str, namespace: str, name: str) -> Obj:
    family = "IPv6" if ":" in ip else "IPv4"
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IPAddress",
            "metadata": {"name": ip, "labels": {FAMILY_LABEL: family,
                                                MANAGED_BY_LABEL: ALLOCATOR}},
            "spec": {"parentRef": {"resource": "services", "namespace": namespace,
                                   "name": name}}}


def sync(event: WatchEvent, store: ObjectStore, create: Callable[[Obj], Any]) -> None:
    """After a Service's change: an IPAddress for each of its cluster IPs, none for an IP it
    no longer holds. Offered every stored Service again when a cluster is restored from its
    image, it finds them there already."""
    if event.resource != SERVICES:
        return
    service = event.object
    meta = as_dict(service.get("metadata"))
    namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
    held: set[str] = set()
    if event.type != "DELETED":
        for text in list_in(as_dict(service.get("spec")), "clusterIPs"):
            ip = parse_ip(text)
            if ip is not None:
                held.add(str(ip))
    parent = {"resource": "services", "namespace": namespace, "name": name}
    for address in store.select(IP_ADDRESSES, lambda a: _parent(a) == parent):
        if address["metadata"]["name"] not in held and _managed(address):
            store.remove(IP_ADDRESSES, "", address["metadata"]["name"])
    for ip in sorted(held):
        if store.get(IP_ADDRESSES, "", ip) is None:
            create(ip_address(ip, namespace, name))


def _parent(address: Obj) -> Any:
    return as_dict(address.get("spec")).get("parentRef")


def _managed(address: Obj) -> bool:
    return as_dict(as_dict(address.get("metadata")).get("labels")).get(MANAGED_BY_LABEL) == \
        ALLOCATOR
