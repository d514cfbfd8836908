"""A Service's EndpointSlices: kube's endpointslice controller (pkg/controller/endpointslice,
with k8s.io/endpointslice's reconciler).

The Service's pods (as ``endpoints.py`` selects them) become endpoints with ``ready``,
``serving`` and ``terminating`` conditions, grouped by the set of ports they serve, at most
MAX_PER_SLICE to a slice. Slices are named after the Service (generateName), labelled with its
name and this controller's managed-by value, and owned by the Service: when it goes, the garbage
collector takes them. A Service with no endpoints has one empty slice (the placeholder).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Hashable, Iterable
from datetime import datetime
from typing import Any

from emulator import messages
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.endpoints import (
    HEADLESS,
    PODS,
    SERVICES,
    Obj,
    TriggerTimes,
    annotate_trigger,
    find_port,
    has_cluster_ip,
    in_endpoints,
    is_ipv6,
    is_ready,
    pod_ips,
    selected_pods,
    selector,
    service_keys,
    sets_hostname,
    target_ref,
)
from emulator.cluster.mock.controllers.events import WARNING, Source
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.store import ResourceKey, WatchEvent
from emulator.cluster.mock.wire.status import KubeError

DISCOVERY = "discovery.k8s.io"
SLICES: ResourceKey = (DISCOVERY, "endpointslices")
# Labels (k8s.io/api discovery/v1 and core/v1 well-known names).
SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
ZONE = "topology.kubernetes.io/zone"
# This controller's value of the managed-by label (controllerQualifiedName).
SLICE_MANAGER = "endpointslice-controller.k8s.io"
RESERVED_LABELS = (SERVICE_NAME, MANAGED_BY, HEADLESS)
# How many endpoints a slice holds (kube-controller-manager's --max-endpoints-per-slice default).
MAX_PER_SLICE = 100


def _port_map_key(ports: list[Obj]) -> tuple[tuple[str, ...], ...]:
    """NewPortMapKey: the slice's set of ports, whatever their order."""
    return tuple(sorted((str(p.get("name") or ""), str(p.get("port")), str(p.get("protocol")),
                         str(p.get("appProtocol") or "")) for p in ports))


def _endpoint_hash(endpoint: Obj) -> tuple[Any, ...]:
    """hashEndpoint: an endpoint's identity (its addresses, hostname and pod)."""
    ref = endpoint.get("targetRef") or {}
    return (tuple(sorted(endpoint.get("addresses") or [])), endpoint.get("hostname") or "",
            ref.get("namespace", ""), ref.get("name", ""))


def _equal_beyond_hash(a: Obj, b: Obj) -> bool:
    """EndpointsEqualBeyondHash: node, zone, conditions, and the pod (without its version)."""
    def seen(endpoint: Obj) -> tuple[Any, ...]:
        ref = {k: v for k, v in (endpoint.get("targetRef") or {}).items()
               if k != "resourceVersion"}
        conditions = endpoint.get("conditions") or {}
        return (endpoint.get("nodeName"), endpoint.get("zone"), conditions.get("ready"),
                conditions.get("serving"), conditions.get("terminating"), ref)
    return seen(a) == seen(b)


def _owned_by(slice_: Obj, service: Obj) -> bool:
    return any(ref.get("uid") == service["metadata"].get("uid") and ref.get("kind") == "Service"
               and ref.get("apiVersion") == "v1"
               for ref in slice_["metadata"].get("ownerReferences") or [])


def _slice_labels(slice_: Obj | None, service: Obj) -> tuple[dict[str, str], bool]:
    """setEndpointSliceLabels: the service's labels (but the reserved ones), the headless label
    when it has no cluster IP, and the service-name and managed-by labels; whether the service's
    labels differ from the slice's."""
    def plain(labels: dict[str, Any] | None) -> dict[str, Any]:
        return {k: v for k, v in (labels or {}).items() if k not in RESERVED_LABELS}
    old = plain(slice_["metadata"].get("labels") if slice_ is not None else None)
    labels = plain(service["metadata"].get("labels"))
    changed = old != labels
    if not has_cluster_ip(service):
        labels[HEADLESS] = ""
    labels[SERVICE_NAME] = service["metadata"]["name"]
    labels[MANAGED_BY] = SLICE_MANAGER
    return labels, changed


def address_types(service: Obj) -> list[str]:
    """getAddressTypesForService: the service's IP families; without any, the cluster IP's
    family, and both for a headless service."""
    spec = service.get("spec") or {}
    families = [f for f in spec.get("ipFamilies") or [] if f in ("IPv4", "IPv6")]
    if families:
        return sorted(set(families))
    if has_cluster_ip(service):
        return ["IPv6" if is_ipv6(str(spec["clusterIP"])) else "IPv4"]
    return ["IPv4", "IPv6"]


class EndpointSliceController:
    """pkg/controller/endpointslice: a Service's pods as EndpointSlices of at most
    MAX_PER_SLICE endpoints, one group of slices per set of ports, owned by the Service."""

    name = "endpointslice-controller"
    watches = (SERVICES, PODS, SLICES)
    source = Source("endpoint-slice-controller")

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.triggers = TriggerTimes()
        # Set while this controller writes a slice: the change is its own, and needs no sync
        # (kube's endpointSliceTracker skips the slices it has written the same way).
        self._writing = False

    def keys(self, event: WatchEvent) -> Iterable[Hashable]:
        meta = event.object["metadata"]
        if event.resource == PODS:
            return service_keys(self.ctx, event)
        if event.resource == SERVICES:
            return [(meta.get("namespace", ""), meta["name"])]
        if self._writing:
            return ()
        # A slice this controller manages changed (or one stopped or started being managed).
        keys = []
        for seen in (event.object, event.previous):
            labels = (seen or {}).get("metadata", {}).get("labels") or {}
            if labels.get(MANAGED_BY) == SLICE_MANAGER and labels.get(SERVICE_NAME):
                keys.append((meta.get("namespace", ""), labels[SERVICE_NAME]))
        return keys

    def sync(self, key: Hashable) -> None:
        namespace, name = key  # type: ignore[misc]
        service = self.ctx.get("", "services", namespace, name)
        if service is None:
            self.triggers.forget((namespace, name))  # its slices go with the garbage collector
            return
        chosen = selector(service)
        if chosen is None:
            return
        pods = selected_pods(self.ctx, service, chosen)
        slices = [s for s in self.ctx.list(DISCOVERY, "endpointslices", namespace)
                  if (s["metadata"].get("labels") or {}).get(SERVICE_NAME) == name
                  and (s["metadata"].get("labels") or {}).get(MANAGED_BY) == SLICE_MANAGER
                  and not s["metadata"].get("deletionTimestamp")]
        trigger = self.triggers.compute(service, pods)
        try:
            self._reconcile(service, pods, slices, trigger)
        except KubeError as err:
            self.ctx.event(service, self.source, WARNING, "FailedToUpdateEndpointSlices",
                           messages.ENDPOINTSLICES_UPDATE_FAILED.format(
                               namespace=namespace, name=name, error=err.message))
            raise

    def _reconcile(self, service: Obj, pods: list[Obj], slices: list[Obj],
                   trigger: datetime | None) -> None:
        """Reconciler.Reconcile: per address type; slices of a type the service no longer has
        are deleted."""
        types = address_types(service)
        by_type: dict[str, list[Obj]] = {}
        gone: list[Obj] = []
        for slice_ in slices:
            if slice_.get("addressType") in types:
                by_type.setdefault(slice_["addressType"], []).append(slice_)
            else:
                gone.append(slice_)
        for address_type in types:
            self._reconcile_type(service, pods, by_type.get(address_type, []), trigger,
                                 address_type)
        for slice_ in gone:
            self._delete(service, slice_)

    def _reconcile_type(self, service: Obj, pods: list[Obj], existing: list[Obj],
                        trigger: datetime | None, address_type: str) -> None:
        to_create: list[Obj] = []
        to_update: list[Obj] = []
        to_delete: list[Obj] = []
        existing_by_ports: dict[Any, list[Obj]] = {}
        for slice_ in existing:
            if _owned_by(slice_, service):
                existing_by_ports.setdefault(_port_map_key(slice_.get("ports") or []),
                                             []).append(slice_)
            else:
                to_delete.append(slice_)
        desired: dict[Any, dict[Any, Obj]] = {}
        desired_ports: dict[Any, list[Obj]] = {}
        publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
        nodes: dict[str, Obj | None] = {"": None}
        for pod in pods:
            if not in_endpoints(pod, True):
                continue
            ports = _endpoint_ports(service, pod)
            key = _port_map_key(ports)
            wanted = desired.setdefault(key, {})
            desired_ports.setdefault(key, ports)
            node_name = (pod.get("spec") or {}).get("nodeName") or ""
            if node_name not in nodes:
                nodes[node_name] = self.ctx.get("", "nodes", "", node_name)
            node = nodes[node_name]
            if node is None and not publish:
                continue  # kube skips a pod whose node is not found (and retries later)
            endpoint = _pod_endpoint(pod, node, service, address_type)
            if endpoint["addresses"]:
                wanted[_endpoint_hash(endpoint)] = endpoint
        for key, wanted in desired.items():
            created, updated, deleted = self._by_ports(
                service, existing_by_ports.get(key, []), wanted, desired_ports[key],
                address_type)
            to_create += created
            to_update += updated
            to_delete += deleted
        for key, slices in existing_by_ports.items():
            if key not in desired:
                to_delete += slices
        if len(existing) == len(to_delete) and not to_create:
            # No endpoints at all: one empty slice says so (the placeholder).
            placeholder = _new_slice(service, [], address_type)
            if len(to_delete) == 1 and _same_placeholder(to_delete[0], placeholder):
                to_delete = []
            else:
                to_create.append(placeholder)
        self._finalize(service, to_create, to_update, to_delete, trigger)

    def _by_ports(self, service: Obj, existing: list[Obj], desired: dict[Any, Obj],
                  ports: list[Obj], address_type: str) -> tuple[list[Obj], list[Obj], list[Obj]]:
        """reconcileByPortMapping: keep the endpoints still wanted where they are (updated if
        they changed), drop the others, fill the changed slices, then an unchanged one that has
        room, then new slices."""
        by_name: dict[str, Obj] = {}
        unchanged: list[str] = []
        to_update: list[str] = []
        to_delete: list[str] = []
        for slice_ in existing:
            name = slice_["metadata"]["name"]
            by_name[name] = slice_
            kept: list[Obj] = []
            changed = False
            for endpoint in slice_.get("endpoints") or []:
                got = desired.pop(_endpoint_hash(endpoint), None)
                if got is not None:
                    kept.append(got)
                    changed = changed or not _equal_beyond_hash(got, endpoint)
            labels, labels_changed = _slice_labels(slice_, service)
            if changed or len(kept) != len(slice_.get("endpoints") or []):
                if not kept:
                    to_delete.append(name)
                    continue
                copy = clone(slice_)
                copy["endpoints"] = kept
                copy["metadata"]["labels"] = labels
                by_name[name] = copy
                to_update.append(name)
            elif labels_changed:
                copy = clone(slice_)
                copy["metadata"]["labels"] = labels
                by_name[name] = copy
                to_update.append(name)
            else:
                unchanged.append(name)
        left = list(desired.values())
        if left and to_update:
            for name in sorted(to_update, key=lambda n: -len(by_name[n].get("endpoints") or [])):
                room = MAX_PER_SLICE - len(by_name[name]["endpoints"])
                by_name[name]["endpoints"] += left[:max(room, 0)]
                left = left[max(room, 0):]
        to_create: list[Obj] = []
        while left:
            fill: Obj | None = None
            if len(left) < MAX_PER_SLICE and unchanged:
                fill = _slice_to_fill([by_name[n] for n in unchanged], len(left))
            if fill is None:
                fill = _new_slice(service, ports, address_type)
            else:
                fill = clone(fill)
                by_name[fill["metadata"]["name"]] = fill
            room = MAX_PER_SLICE - len(fill.get("endpoints") or [])
            fill["endpoints"] = [*(fill.get("endpoints") or []), *left[:room]]
            left = left[room:]
            name = fill["metadata"].get("name")
            if name:
                to_update.append(name)
                unchanged.remove(name)
            else:
                to_create.append(fill)
        return (to_create, [by_name[n] for n in to_update], [by_name[n] for n in to_delete])

    def _finalize(self, service: Obj, to_create: list[Obj], to_update: list[Obj],
                  to_delete: list[Obj], trigger: datetime | None) -> None:
        """Reconciler.finalize: a slice to create takes the name of one to delete (an update);
        nothing is created for a service being deleted."""
        i = 0
        while i < len(to_delete) and to_create:
            old, new = to_delete[i], to_create[-1]
            if old.get("addressType") == new.get("addressType") and _owned_by(old, service):
                new["metadata"]["name"] = old["metadata"]["name"]
                to_update.append(to_create.pop())
                del to_delete[i]
            else:
                i += 1
        meta = service["metadata"]
        namespace, name = meta.get("namespace", ""), meta["name"]
        if not meta.get("deletionTimestamp"):
            for slice_ in to_create:
                annotate_trigger(slice_["metadata"], trigger)
                self._write(slice_, messages.ENDPOINTSLICE_CREATE_FAILED, namespace, name,
                            create=True)
        for slice_ in to_update:
            annotate_trigger(slice_["metadata"], trigger)
            self._write(slice_, messages.ENDPOINTSLICE_UPDATE_FAILED, namespace, name)
        for slice_ in to_delete:
            self._delete(service, slice_)

    def _write(self, slice_: Obj, text: str, namespace: str, name: str,
               create: bool = False) -> None:
        body = _wire(slice_)
        self._writing = True
        try:
            if create:
                self.ctx.create(DISCOVERY, "endpointslices", body)
            else:
                self.ctx.update(DISCOVERY, "endpointslices", body)
        except KubeError as err:
            raise KubeError(err.code, text.format(
                slice=slice_["metadata"].get("name", ""), namespace=namespace, name=name,
                error=err.message), reason=err.reason) from err
        finally:
            self._writing = False

    def _delete(self, service: Obj, slice_: Obj) -> None:
        meta = service["metadata"]
        self._writing = True
        try:
            self.ctx.delete(DISCOVERY, "endpointslices", meta.get("namespace", ""),
                            slice_["metadata"]["name"])
        except KubeError as err:
            raise KubeError(err.code, messages.ENDPOINTSLICE_DELETE_FAILED.format(
                slice=slice_["metadata"]["name"], namespace=meta.get("namespace", ""),
                name=meta["name"], error=err.message), reason=err.reason) from err
        finally:
            self._writing = False


def _wire(slice_: Obj) -> Obj:
    """The slice as kube stores it: ``endpoints`` and ``ports`` have no omitempty, and an empty
    list comes back from storage as null."""
    body = clone(slice_)
    for field in ("endpoints", "ports"):
        if not body.get(field):
            body[field] = None
    return body


def _endpoint_ports(service: Obj, pod: Obj) -> list[Obj]:
    """getEndpointPorts: each service port the pod serves (a headless service may have none)."""
    spec = service.get("spec") or {}
    ports: list[Obj] = []
    for port in spec.get("ports") or []:
        number = find_port(pod, port)
        if number is None:
            continue
        endpoint_port: Obj = {"name": port.get("name") or "", "protocol": port.get("protocol"),
                              "port": number}
        if port.get("appProtocol") is not None:
            endpoint_port["appProtocol"] = port["appProtocol"]
        ports.append(endpoint_port)
    return ports


def _pod_endpoint(pod: Obj, node: Obj | None, service: Obj, address_type: str) -> Obj:
    """podToEndpoint: a pod as a slice's endpoint."""
    serving = is_ready(pod)
    terminating = bool(pod["metadata"].get("deletionTimestamp"))
    publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    want_v6 = address_type == "IPv6"
    endpoint: Obj = {
        "addresses": [str(ipaddress.ip_address(ip)) for ip in pod_ips(pod)
                      if is_ipv6(ip) is want_v6],
        "conditions": {"ready": publish or (serving and not terminating), "serving": serving,
                       "terminating": terminating},
    }
    if sets_hostname(pod, service):
        endpoint["hostname"] = pod["spec"]["hostname"]
    endpoint["targetRef"] = target_ref(pod)
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        endpoint["nodeName"] = node_name
    zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(ZONE)
    if zone:
        endpoint["zone"] = zone
    return endpoint


def _new_slice(service: Obj, ports: list[Obj], address_type: str) -> Obj:
    """newEndpointSlice: named after the service (generateName), owned by it."""
    meta = service["metadata"]
    labels, _ = _slice_labels(None, service)
    return {
        "apiVersion": f"{DISCOVERY}/v1", "kind": "EndpointSlice",
        "metadata": {"generateName": f"{meta['name']}-", "namespace": meta.get("namespace", ""),
                     "labels": labels,
                     "ownerReferences": [{"apiVersion": "v1", "kind": "Service",
                                          "name": meta["name"], "uid": meta.get("uid", ""),
                                          "controller": True, "blockOwnerDeletion": True}]},
        "addressType": address_type,
        "endpoints": [],
        "ports": clone(ports),
    }


def _same_placeholder(slice_: Obj, placeholder: Obj) -> bool:
    """placeholderSliceCompare: namespace, labels, address type, and no endpoints or ports."""
    return (slice_["metadata"].get("namespace") == placeholder["metadata"]["namespace"]
            and (slice_["metadata"].get("labels") or {}) == placeholder["metadata"]["labels"]
            and slice_.get("addressType") == placeholder["addressType"]
            and not slice_.get("endpoints") and not slice_.get("ports"))


def _slice_to_fill(slices: list[Obj], count: int) -> Obj | None:
    """getSliceToFill: the slice that would be closest to full with ``count`` more."""
    closest, best = None, MAX_PER_SLICE
    for slice_ in slices:
        gap = MAX_PER_SLICE - (count + len(slice_.get("endpoints") or []))
        if 0 <= gap < best:
            closest, best = slice_, gap
            if gap == 0:
                break
    return closest

