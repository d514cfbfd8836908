"""A Service's endpoints: kube's endpoint controller (pkg/controller/endpoint) writes one
Endpoints object per Service with a selector, and its endpointslice controller
(pkg/controller/endpointslice, k8s.io/endpointslice's reconciler) the EndpointSlices.

Both list the pods the selector matches in the Service's namespace. A pod with an IP that is not
finished is an endpoint: a ready address when its Ready condition is True, else a not-ready one
(Endpoints); in a slice, with ``ready``/``serving``/``terminating`` conditions. Ports come from
each service port's ``targetPort`` (a name is looked up among the pod's container ports). A
Service without a selector, or of type ExternalName, gets nothing from either: its endpoints are
the user's. When the Service goes, the endpoint controller deletes its Endpoints; the slices,
owned by the Service, go with the garbage collector.

This module holds the endpoint controller and what both read of pods and services (the
selection, readiness, ports, the last-change-trigger-time annotation); ``endpointslices.py``
the slice controller. ``controllers(ctx)`` lists both.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Hashable, Iterable
from datetime import UTC, datetime
from typing import Any

from emulator import messages
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.events import WARNING, Source
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.store import ResourceKey, WatchEvent
from emulator.cluster.mock.wire.status import KubeError

Obj = dict[str, Any]
ServiceKey = tuple[str, str]  # (namespace, name)

SERVICES: ResourceKey = ("", "services")
PODS: ResourceKey = ("", "pods")
ENDPOINTS: ResourceKey = ("", "endpoints")

# Annotations and labels (k8s.io/api core/v1 well-known names).
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
HEADLESS = "service.kubernetes.io/headless"
# The endpoint controller marks the Endpoints it writes from Kubernetes 1.33 (kubernetes#130564,
# for the Endpoints API's deprecation); kube compares labels without it, as the headless one.
MANAGED_BY = "endpoints.kubernetes.io/managed-by"
MANAGED_BY_FROM_MINOR = 33
# How many addresses an Endpoints object holds before it is truncated (maxCapacity).
MAX_CAPACITY = 1000


# -- pods and services, as both controllers read them ---------------------------------------------

def selector(service: Obj) -> dict[str, str] | None:
    """The service's selector; None (also for an empty one, which kube stores as none) means
    the controllers leave the service alone."""
    spec = service.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return None
    chosen = spec.get("selector")
    return chosen if isinstance(chosen, dict) and chosen else None


def matches(chosen: dict[str, str], labels: dict[str, Any] | None) -> bool:
    labels = labels or {}
    return all(labels.get(k) == v for k, v in chosen.items())


def selected_pods(ctx: Context, service: Obj, chosen: dict[str, str]) -> list[Obj]:
    """The pods of the service's namespace its selector matches, by name (only they are
    copied out of the store: a namespace may hold many more)."""
    pods = ctx.labelled(*PODS, service["metadata"].get("namespace", ""), chosen)
    return sorted(pods, key=lambda p: str(p["metadata"]["name"]))


def is_ready(pod: Obj) -> bool:
    return _ready_condition(pod).get("status") == "True"


def _ready_condition(pod: Obj) -> Obj:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == "Ready":
            return condition
    return {}


def in_endpoints(pod: Obj, include_terminating: bool) -> bool:
    """ShouldPodBeInEndpoints: not finished, has an IP, and (unless asked) not terminating."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return False
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    return include_terminating or not pod["metadata"].get("deletionTimestamp")


def pod_ips(pod: Obj) -> list[str]:
    """status.podIPs (the kubelet writes both; a seeded pod may name only podIP)."""
    status = pod.get("status") or {}
    ips = [str(entry.get("ip")) for entry in status.get("podIPs") or []
           if isinstance(entry, dict) and entry.get("ip")]
    return ips or ([str(status["podIP"])] if status.get("podIP") else [])


def is_ipv6(ip: str) -> bool | None:
    try:
        return ipaddress.ip_address(ip).version == 6
    except ValueError:
        return None


def sets_hostname(pod: Obj, service: Obj) -> bool:
    """ShouldSetHostname: the pod's hostname is published when its subdomain is the service."""
    spec = pod.get("spec") or {}
    return bool(spec.get("hostname")) and spec.get("subdomain") == service["metadata"]["name"] \
        and pod["metadata"].get("namespace") == service["metadata"].get("namespace")


def find_port(pod: Obj, port: Obj) -> int | None:
    """podutil.FindPort: a number is the port; a name is a container port of that name and the
    service port's protocol (sidecars, init containers that always restart, count too)."""
    target = port.get("targetPort")
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    if not isinstance(target, str):
        return None
    spec = pod.get("spec") or {}
    containers = [*(spec.get("containers") or []),
                  *(c for c in spec.get("initContainers") or []
                    if isinstance(c, dict) and c.get("restartPolicy") == "Always")]
    for container in containers:
        for candidate in container.get("ports") or []:
            if candidate.get("name") == target and \
                    (candidate.get("protocol") or "TCP") == port.get("protocol"):
                return candidate.get("containerPort")
    return None


def has_cluster_ip(service: Obj) -> bool:
    cluster_ip = (service.get("spec") or {}).get("clusterIP")
    return bool(cluster_ip) and cluster_ip != "None"


def target_ref(pod: Obj) -> Obj:
    meta = pod["metadata"]
    return {"kind": "Pod", "namespace": meta.get("namespace", ""), "name": meta["name"],
            "uid": meta.get("uid", "")}


def service_keys(ctx: Context, event: WatchEvent) -> Iterable[Hashable]:
    """The services a pod's change concerns (GetPodServiceMemberships and, for an update,
    GetServicesToUpdateOnPodChange): those whose selector matches its labels, old or new. An
    update that changes nothing an endpoint shows concerns none."""
    pod, old = event.object, event.previous
    labels = [pod["metadata"].get("labels") or {}]
    if event.type == "MODIFIED" and old is not None:
        if not _endpoint_changed(old, pod):
            return ()
        if (old["metadata"].get("labels") or {}) != labels[0]:
            labels.append(old["metadata"].get("labels") or {})
    namespace = pod["metadata"].get("namespace", "")

    def wanted(service: Obj) -> bool:
        chosen = selector(service)
        return (service["metadata"].get("namespace") == namespace and chosen is not None
                and any(matches(chosen, these) for these in labels))
    return [(s["metadata"]["namespace"], s["metadata"]["name"])
            for s in ctx.store.select(SERVICES, wanted)]


def _endpoint_changed(old: Obj, new: Obj) -> bool:
    """podEndpointsChanged, and the label and hostname changes that move a pod between services
    (the phase too: a finished pod leaves the endpoints)."""
    def seen(pod: Obj) -> tuple[Any, ...]:
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        return (pod["metadata"].get("labels") or {}, spec.get("hostname"), spec.get("subdomain"),
                spec.get("nodeName"), pod["metadata"].get("deletionTimestamp"), is_ready(pod),
                pod_ips(pod), status.get("phase"))
    return seen(old) != seen(new)


# -- the last-change-trigger-time annotation ------------------------------------------------------

def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def rfc3339_nano(moment: datetime) -> str:
    """Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


class TriggerTimes:
    """endpointsliceutil.TriggerTimeTracker: the time of the earliest change (a pod's Ready
    transition, the service's creation) since the last sync of a service; its creation time on
    the first sync; None when nothing changed."""

    def __init__(self) -> None:
        self._states: dict[ServiceKey, tuple[datetime | None, dict[str, datetime]]] = {}

    def compute(self, service: Obj, pods: list[Obj]) -> datetime | None:
        key = (service["metadata"].get("namespace", ""), service["metadata"]["name"])
        known = self._states.get(key)
        last_service, last_pods = known if known is not None else (None, {})
        earliest: datetime | None = None
        times: dict[str, datetime] = {}
        for pod in pods:
            moment = _moment(_ready_condition(pod).get("lastTransitionTime"))
            if moment is None:
                continue
            times[pod["metadata"]["name"]] = moment
            previous = last_pods.get(pod["metadata"]["name"])
            if previous is None or moment > previous:
                earliest = moment if earliest is None else min(earliest, moment)
        created = _moment(service["metadata"].get("creationTimestamp"))
        if created is not None and (last_service is None or created > last_service):
            earliest = created if earliest is None else min(earliest, created)
        self._states[key] = (created, times)
        return created if known is None else earliest

    def forget(self, key: ServiceKey) -> None:
        self._states.pop(key, None)


def annotate_trigger(meta: Obj, trigger: datetime | None) -> None:
    annotations = meta.setdefault("annotations", {})
    if trigger is not None:
        annotations[TRIGGER_TIME] = rfc3339_nano(trigger)
    else:
        annotations.pop(TRIGGER_TIME, None)


# -- Endpoints ------------------------------------------------------------------------------------

class EndpointController:
    """pkg/controller/endpoint: one Endpoints per selecting Service, named as it."""

    name = "endpoint-controller"
    watches = (SERVICES, PODS, ENDPOINTS)
    source = Source("endpoint-controller")

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.triggers = TriggerTimes()

    def keys(self, event: WatchEvent) -> Iterable[Hashable]:
        meta = event.object["metadata"]
        if event.resource == PODS:
            return service_keys(self.ctx, event)
        if event.resource == ENDPOINTS and event.type != "DELETED":
            return ()  # only a deleted Endpoints is looked at again (onEndpointsDelete)
        return [(meta.get("namespace", ""), meta["name"])]

    def sync(self, key: Hashable) -> None:
        namespace, name = key  # type: ignore[misc]
        service = self.ctx.get("", "services", namespace, name)
        if service is None:
            self.triggers.forget((namespace, name))
            self.ctx.delete("", "endpoints", namespace, name)
            return
        chosen = selector(service)
        if chosen is None:
            return
        pods = selected_pods(self.ctx, service, chosen)
        trigger = self.triggers.compute(service, pods)
        subsets = repack(self._subsets(service, pods))
        current = self.ctx.get("", "endpoints", namespace, name)
        labels = dict(service["metadata"].get("labels") or {})
        marked = self.ctx.registry.minor >= MANAGED_BY_FROM_MINOR
        if current is not None:
            shown = {k: v for k, v in (current["metadata"].get("labels") or {}).items()
                     if k != HEADLESS and not (marked and k == MANAGED_BY)}
            if (_without_versions(current.get("subsets") or []) == subsets and shown == labels
                    and _capacity_marked_right(current)):
                return
            wanted = clone(current)
        else:
            wanted = {"apiVersion": "v1", "kind": "Endpoints",
                      "metadata": {"name": name, "namespace": namespace}}
        meta = wanted["metadata"]
        annotate_trigger(meta, trigger)
        if truncate(subsets):
            meta["annotations"][OVER_CAPACITY] = "truncated"
        else:
            meta["annotations"].pop(OVER_CAPACITY, None)
        if has_cluster_ip(service):
            labels.pop(HEADLESS, None)
        else:
            labels[HEADLESS] = ""
        if marked:
            labels[MANAGED_BY] = self.name
        meta["labels"] = labels
        wanted.pop("subsets", None)
        if subsets:
            wanted["subsets"] = subsets
        self._write(service, wanted, create=current is None)

    def _subsets(self, service: Obj, pods: list[Obj]) -> list[Obj]:
        spec = service.get("spec") or {}
        publish = bool(spec.get("publishNotReadyAddresses"))
        subsets: list[Obj] = []
        for pod in pods:
            if not in_endpoints(pod, publish):
                continue
            ip = _address_for(service, pod)
            if ip is None:
                continue
            address: Obj = {"ip": ip}
            if sets_hostname(pod, service):
                address["hostname"] = pod["spec"]["hostname"]
            address["nodeName"] = (pod.get("spec") or {}).get("nodeName", "")
            address["targetRef"] = target_ref(pod)
            field = "addresses" if publish or is_ready(pod) else "notReadyAddresses"
            ports = spec.get("ports") or []
            if not ports:
                if spec.get("clusterIP") == "None":  # a headless service may have no ports
                    subsets.append({field: [address]})
                continue
            for port in ports:
                number = find_port(pod, port)
                if number is None:
                    continue
                endpoint_port = {"name": port.get("name"), "port": number,
                                 "protocol": port.get("protocol"),
                                 "appProtocol": port.get("appProtocol")}
                subsets.append({field: [address],
                                "ports": [{k: v for k, v in endpoint_port.items() if v}]})
        return subsets

    def _write(self, service: Obj, endpoints: Obj, create: bool) -> None:
        meta = service["metadata"]
        try:
            if create:
                self.ctx.create("", "endpoints", endpoints)
            else:
                self.ctx.update("", "endpoints", endpoints)
        except KubeError as err:
            text = messages.ENDPOINTS_CREATE_FAILED if create else messages.ENDPOINTS_UPDATE_FAILED
            reason = "FailedToCreateEndpoint" if create else "FailedToUpdateEndpoint"
            self.ctx.event(endpoints, self.source, WARNING, reason, text.format(
                namespace=meta.get("namespace", ""), name=meta["name"], error=err.message))
            raise


def _address_for(service: Obj, pod: Obj) -> str | None:
    """podToEndpointAddressForService: the pod's first IP of the service's family."""
    families = (service.get("spec") or {}).get("ipFamilies") or []
    if families:
        want_v6 = families[0] == "IPv6"
    elif has_cluster_ip(service):
        want_v6 = bool(is_ipv6(str(service["spec"]["clusterIP"])))
    else:
        want_v6 = bool(is_ipv6(str((pod.get("status") or {}).get("podIP") or "")))
    return next((ip for ip in pod_ips(pod) if is_ipv6(ip) is want_v6), None)


def _address_key(address: Obj) -> tuple[str, str]:
    return (str(address.get("ip", "")), str((address.get("targetRef") or {}).get("uid", "")))


def repack(subsets: list[Obj]) -> list[Obj]:
    """endpoints.RepackSubsets: one subset per set of addresses that share their ports, an
    address not ready on a port if it is not ready in any subset of that port; addresses without
    any port (a headless service's) are kept, in a subset without ports. kube orders the subsets
    and ports by a hash of their contents; here by their contents."""
    addresses: dict[tuple[str, str], Obj] = {}
    by_port: dict[tuple[tuple[str, Any], ...], dict[tuple[str, str], bool]] = {}
    for subset in subsets:
        # () stands for "no port" (kube's sentinel port -1).
        for port_key in [tuple(sorted(p.items())) for p in subset.get("ports") or []] or [()]:
            ready_by_address = by_port.setdefault(port_key, {})
            for field, ready in (("addresses", True), ("notReadyAddresses", False)):
                for address in subset.get(field) or []:
                    key = _address_key(address)
                    addresses.setdefault(key, address)
                    if ready_by_address.get(key, True):
                        ready_by_address[key] = ready
    grouped: dict[tuple[tuple[tuple[str, str], bool], ...], list[Obj]] = {}
    for port_key, ready_by_address in by_port.items():
        ports = grouped.setdefault(tuple(sorted(ready_by_address.items())), [])
        if port_key:
            ports.append(dict(port_key))
    final: list[Obj] = []
    for members, ports in grouped.items():
        subset: Obj = {}
        ready = [addresses[k] for k, is_ready_ in members if is_ready_]
        not_ready = [addresses[k] for k, is_ready_ in members if not is_ready_]
        if ready:
            subset["addresses"] = ready
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        if ports:
            subset["ports"] = sorted(ports, key=_port_order)
        final.append(subset)
    return sorted(final, key=lambda s: ([_port_order(p) for p in s.get("ports", [])],
                                        [_address_key(a) for a in s.get("addresses", [])]))


def _port_order(port: Obj) -> tuple[str, int, str]:
    return (str(port.get("name", "")), int(port.get("port") or 0), str(port.get("protocol", "")))


def _without_versions(subsets: list[Obj]) -> list[Obj]:
    """The subsets without the targetRefs' resourceVersions, which kube's comparison ignores
    (this controller never writes one: only a copy of another writer's subsets is cleaned)."""
    if not any("resourceVersion" in (address.get("targetRef") or {})
               for subset in subsets for field in ("addresses", "notReadyAddresses")
               for address in subset.get(field) or []):
        return subsets
    copied = clone(subsets)
    for subset in copied:
        for field in ("addresses", "notReadyAddresses"):
            for address in subset.get(field) or []:
                (address.get("targetRef") or {}).pop("resourceVersion", None)
    return copied


def _capacity_marked_right(endpoints: Obj) -> bool:
    """capacityAnnotationSetCorrectly: within capacity and not marked truncated."""
    count = sum(len(s.get("addresses") or []) + len(s.get("notReadyAddresses") or [])
                for s in endpoints.get("subsets") or [])
    annotations = endpoints["metadata"].get("annotations") or {}
    return count <= MAX_CAPACITY and OVER_CAPACITY not in annotations


def truncate(subsets: list[Obj]) -> bool:
    """truncateEndpoints: at most MAX_CAPACITY addresses, ready ones first, each subset keeping
    its share (rounded up). Whether anything was cut."""
    ready = sum(len(s.get("addresses") or []) for s in subsets)
    not_ready = sum(len(s.get("notReadyAddresses") or []) for s in subsets)
    if ready + not_ready <= MAX_CAPACITY:
        return False
    cut_ready = ready > MAX_CAPACITY
    limit, total = (MAX_CAPACITY, ready) if cut_ready else (MAX_CAPACITY - ready, not_ready)
    room = limit
    for subset in subsets:
        field = "addresses" if cut_ready else "notReadyAddresses"
        share = min(-(-len(subset.get(field) or []) * limit // total), room)
        kept = (subset.get(field) or [])[:share]
        if kept:
            subset[field] = kept
        else:
            subset.pop(field, None)
        if cut_ready:
            subset.pop("notReadyAddresses", None)
        room -= len(kept)
    return True



def controllers(ctx: Context) -> list[Controller]:
    # Imported here: endpointslices.py builds on this module's helpers.
    from emulator.cluster.mock.controllers.endpointslices import EndpointSliceController
    return [EndpointController(ctx), EndpointSliceController(ctx)]
