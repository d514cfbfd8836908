"""``meta.k8s.io/v1`` Tables: what ``kubectl get`` prints (k8s-streaming.md §7.2).

kubectl asks for ``as=Table`` and prints the columns the server chose, so these printers follow
kube-apiserver's built-in ones column by column and cell by cell (placeholders, age format, the
pod status rules). Like kube-apiserver, every row carries the wide (priority 1) cells too;
kubectl shows them only with ``-o wide``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from emulator import messages
from emulator.cluster.mock.resources import ResourceType
from emulator.cluster.mock.status import KubeError

Obj = dict[str, Any]
Cells = list[Any]

INCLUDE_NONE = "None"
INCLUDE_METADATA = "Metadata"
INCLUDE_OBJECT = "Object"


# --- Age: k8s.io/apimachinery/pkg/util/duration.HumanDuration -------------------------------------


def human_duration(delta: timedelta) -> str:
    """About two significant figures, exactly as kubectl's AGE column shows them."""
    seconds = math.trunc(delta.total_seconds())  # Go truncates toward zero
    if seconds < -1:
        return messages.TABLE_INVALID
    if seconds < 0:
        return "0s"  # up to a second of clock skew counts as "now"
    if seconds < 2 * 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return _two_units(minutes, "m", seconds % 60, "s")
    if minutes < 3 * 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return _two_units(hours, "h", minutes % 60, "m")
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 8 * 24:
        return _two_units(days, "d", hours % 24, "h")
    if hours < 2 * 365 * 24:
        return f"{days}d"
    if hours < 8 * 365 * 24:
        return _two_units(days // 365, "y", days % 365, "d")
    return f"{days // 365}y"


def _two_units(major: int, major_unit: str, minor: int, minor_unit: str) -> str:
    return f"{major}{major_unit}{minor}{minor_unit}" if minor else f"{major}{major_unit}"


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (``...Z``, optionally with fractions) or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def age(value: Any, now: datetime) -> str:
    """kube's translateTimestampSince: "<unknown>" for a missing time."""
    when = parse_time(value)
    if when is None:
        return messages.TABLE_UNKNOWN
    return human_duration(_aware(now) - when)


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


# --- columns and printers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    type: str = "string"
    format: str = ""
    priority: int = 0

    def definition(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "format": self.format,
                "description": self.description, "priority": self.priority}


@dataclass(frozen=True)
class Printer:
    columns: tuple[Column, ...]
    cells: Callable[[Obj, datetime], Cells]


NAME = Column("Name", "The object's name, unique within its namespace.", format="name")
AGE = Column("Age", "Time since the object was created (metadata.creationTimestamp).")


def _wide(name: str, description: str) -> Column:
    return Column(name, description, priority=1)


def _meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def _name(obj: Obj) -> str:
    return str(_meta(obj).get("name", ""))


def _age(obj: Obj, now: datetime) -> str:
    return age(_meta(obj).get("creationTimestamp"), now)


def _section(obj: Obj, key: str) -> Obj:
    return obj.get(key) or {}


def _generic_cells(obj: Obj, now: datetime) -> Cells:
    return [_name(obj), _age(obj, now)]


GENERIC = Printer((NAME, AGE), _generic_cells)


# --- pods -----------------------------------------------------------------------------------------


def _later(current: datetime | None, status: Obj) -> datetime | None:
    """The later of ``current`` and a container's last termination time."""
    finished = parse_time(((status.get("lastState") or {}).get("terminated") or {})
                          .get("finishedAt"))
    if finished is None or (current is not None and current >= finished):
        return current
    return finished


def _terminated_reason(terminated: Obj, prefix: str = "") -> str:
    if terminated.get("reason"):
        return prefix + terminated["reason"]
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def _condition_true(status: Obj, condition_type: str) -> bool:
    return any(c.get("type") == condition_type and c.get("status") == "True"
               for c in status.get("conditions") or [])


def _is_sidecar(container: Obj | None) -> bool:
    """A restartable init container (``restartPolicy: Always``) counts as a regular one."""
    return container is not None and container.get("restartPolicy") == "Always"


@dataclass
class _PodTally:
    """Running totals while walking container statuses, as kube's printPod keeps them."""

    reason: str
    ready: int = 0
    restarts: int = 0
    last_restart: datetime | None = None
    sidecar_restarts: int = 0
    sidecar_last_restart: datetime | None = None
    initializing: bool = False


def _walk_init_containers(pod: Obj, tally: _PodTally) -> None:
    spec, status = _section(pod, "spec"), _section(pod, "status")
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    for index, cs in enumerate(status.get("initContainerStatuses") or []):
        count = int(cs.get("restartCount") or 0)
        tally.restarts += count
        tally.last_restart = _later(tally.last_restart, cs)
        sidecar = _is_sidecar(init_specs.get(cs.get("name")))
        if sidecar:
            tally.sidecar_restarts += count
            tally.sidecar_last_restart = _later(tally.sidecar_last_restart, cs)
        state = cs.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting") or {}
        if terminated is not None and int(terminated.get("exitCode") or 0) == 0:
            continue
        if sidecar and cs.get("started"):
            tally.ready += 1 if cs.get("ready") else 0
            continue
        if terminated is not None:
            tally.reason = _terminated_reason(terminated, "Init:")
        elif waiting.get("reason") and waiting["reason"] != "PodInitializing":
            tally.reason = "Init:" + waiting["reason"]
        else:
            tally.reason = f"Init:{index}/{len(init_specs)}"
        tally.initializing = True
        break


def _walk_containers(pod: Obj, tally: _PodTally) -> None:
    status = _section(pod, "status")
    # Only sidecar restarts count once the pod is past initialisation.
    tally.restarts, tally.last_restart = tally.sidecar_restarts, tally.sidecar_last_restart
    has_running = False
    for cs in reversed(status.get("containerStatuses") or []):
        tally.restarts += int(cs.get("restartCount") or 0)
        tally.last_restart = _later(tally.last_restart, cs)
        state = cs.get("state") or {}
        waiting, terminated = state.get("waiting") or {}, state.get("terminated")
        if waiting.get("reason"):
            tally.reason = waiting["reason"]
        elif terminated is not None:
            tally.reason = _terminated_reason(terminated)
        elif cs.get("ready") and ("running" in state or not state):
            # kube requires state.running; a status that gives no state at all is taken at its word.
            has_running = True
            tally.ready += 1
    if tally.reason == "Completed" and has_running:
        tally.reason = "Running" if _condition_true(status, "Ready") else "NotReady"


def _pod_status(pod: Obj) -> _PodTally:
    status = _section(pod, "status")
    phase = status.get("phase") or ""
    tally = _PodTally(reason=status.get("reason") or phase)
    if any(c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated"
           for c in status.get("conditions") or []):
        tally.reason = "SchedulingGated"
    _walk_init_containers(pod, tally)
    if not tally.initializing or _condition_true(status, "Initialized"):
        _walk_containers(pod, tally)
    if _meta(pod).get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            tally.reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            tally.reason = "Terminating"
    return tally


def _pod_cells(pod: Obj, now: datetime) -> Cells:
    spec, status = _section(pod, "spec"), _section(pod, "status")
    tally = _pod_status(pod)
    total = len(spec.get("containers") or []) + sum(
        1 for c in spec.get("initContainers") or [] if _is_sidecar(c))
    restarts = str(tally.restarts)
    if tally.restarts and tally.last_restart is not None:
        restarts = messages.TABLE_RESTARTS_AGO.format(
            restarts=tally.restarts, age=human_duration(_aware(now) - tally.last_restart))
    pod_ips = status.get("podIPs") or []
    pod_ip = (pod_ips[0].get("ip") if pod_ips else status.get("podIP")) or messages.TABLE_NONE
    return [_name(pod), f"{tally.ready}/{total}", tally.reason, restarts, _age(pod, now),
            pod_ip, spec.get("nodeName") or messages.TABLE_NONE,
            status.get("nominatedNodeName") or messages.TABLE_NONE, _readiness_gates(spec, status)]


def _readiness_gates(spec: Obj, status: Obj) -> str:
    gates = spec.get("readinessGates") or []
    if not gates:
        return messages.TABLE_NONE
    true = sum(1 for gate in gates if _condition_true(status, gate.get("conditionType", "")))
    return f"{true}/{len(gates)}"


PODS = Printer((
    NAME,
    Column("Ready", "Ready containers out of all containers in the pod."),
    Column("Status", "The pod's aggregate status, from its phase and container states."),
    Column("Restarts", "Container restarts, with the time since the most recent one."),
    AGE,
    _wide("IP", "The pod's first IP address."),
    _wide("Node", "The node the pod is bound to."),
    _wide("Nominated Node", "The node the scheduler nominated for preemption."),
    _wide("Readiness Gates", "Readiness gates whose condition is True, out of all of them."),
), _pod_cells)


# --- workloads and services -----------------------------------------------------------------------


def _selector_string(selector: Obj | None) -> str:
    """A LabelSelector the way kube's labels.Selector prints it: requirements sorted by key."""
    if not selector:
        return ""
    requirements = [(key, f"{key}={value}")
                    for key, value in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key", ""), expression.get("operator", "")
        values = ",".join(sorted(expression.get("values") or []))
        rendered = {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                    "Exists": key, "DoesNotExist": f"!{key}"}.get(operator)
        if rendered is None:
            return messages.TABLE_INVALID
        requirements.append((key, rendered))
    return ",".join(text for _, text in sorted(requirements, key=lambda r: r[0]))


def _labels_string(labels: Obj | None) -> str:
    if not labels:
        return messages.TABLE_NONE
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def _deployment_cells(deployment: Obj, now: datetime) -> Cells:
    spec, status = _section(deployment, "spec"), _section(deployment, "status")
    desired = spec.get("replicas", 1)  # the apiserver defaults replicas to 1
    containers = _section(_section(spec, "template"), "spec").get("containers") or []
    return [
        _name(deployment),
        f"{int(status.get('readyReplicas') or 0)}/{int(desired or 0)}",
        int(status.get("updatedReplicas") or 0),
        int(status.get("availableReplicas") or 0),
        _age(deployment, now),
        ",".join(str(c.get("name", "")) for c in containers),
        ",".join(str(c.get("image", "")) for c in containers),
        _selector_string(spec.get("selector")),
    ]


DEPLOYMENTS = Printer((
    NAME,
    Column("Ready", "Ready pods out of the desired replicas."),
    Column("Up-to-date", "Replicas already running the latest pod template."),
    Column("Available", "Replicas available to serve for at least minReadySeconds."),
    AGE,
    _wide("Containers", "Names of the containers in the pod template."),
    _wide("Images", "Images of the containers in the pod template."),
    _wide("Selector", "The label selector that picks the deployment's pods."),
), _deployment_cells)


def _service_ports(ports: Iterable[Obj]) -> str:
    pieces = []
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        if port.get("nodePort"):
            pieces.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces) or messages.TABLE_NONE


def _external_ip(service: Obj) -> str:
    spec = _section(service, "spec")
    external = [str(ip) for ip in spec.get("externalIPs") or []]
    service_type = spec.get("type") or "ClusterIP"
    if service_type in ("ClusterIP", "NodePort"):
        return ",".join(external) or messages.TABLE_NONE
    if service_type == "LoadBalancer":
        ingress = _section(_section(service, "status"), "loadBalancer").get("ingress") or []
        balancers = sorted({str(i.get("ip") or i.get("hostname"))
                            for i in ingress if i.get("ip") or i.get("hostname")})
        return ",".join(balancers + external) or messages.TABLE_PENDING
    if service_type == "ExternalName":
        return str(spec.get("externalName", ""))
    return messages.TABLE_UNKNOWN


def _service_cells(service: Obj, now: datetime) -> Cells:
    spec = _section(service, "spec")
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [
        _name(service),
        spec.get("type") or "ClusterIP",
        cluster_ips[0] if cluster_ips else messages.TABLE_NONE,
        _external_ip(service),
        _service_ports(spec.get("ports") or []),
        _age(service, now),
        _labels_string(spec.get("selector")),
    ]


SERVICES = Printer((
    NAME,
    Column("Type", "How the service is exposed: ClusterIP, NodePort, LoadBalancer, ExternalName."),
    Column("Cluster-IP", "The service's virtual IP inside the cluster."),
    Column("External-IP", "Addresses the service is reachable at from outside the cluster."),
    Column("Port(s)", "Service ports as port[:nodePort]/protocol."),
    AGE,
    _wide("Selector", "The labels that pick the pods behind the service."),
), _service_cells)


# --- core objects ---------------------------------------------------------------------------------


def _namespace_cells(namespace: Obj, now: datetime) -> Cells:
    phase = _section(namespace, "status").get("phase") or "Active"
    return [_name(namespace), phase, _age(namespace, now)]


NAMESPACES = Printer((NAME, Column("Status", "The namespace's phase: Active or Terminating."),
                      AGE), _namespace_cells)


def _configmap_cells(configmap: Obj, now: datetime) -> Cells:
    count = len(configmap.get("data") or {}) + len(configmap.get("binaryData") or {})
    return [_name(configmap), count, _age(configmap, now)]


CONFIGMAPS = Printer((NAME, Column("Data", "Number of keys in data and binaryData."), AGE),
                     _configmap_cells)


def _secret_cells(secret: Obj, now: datetime) -> Cells:
    # stringData is merged into data on write; count a key once if a store kept both.
    keys = set(secret.get("data") or {}) | set(secret.get("stringData") or {})
    return [_name(secret), secret.get("type") or "Opaque", len(keys), _age(secret, now)]


SECRETS = Printer((NAME, Column("Type", "The secret's type, such as Opaque."),
                   Column("Data", "Number of keys in data."), AGE), _secret_cells)


def _service_account_cells(account: Obj, now: datetime) -> Cells:
    return [_name(account), len(account.get("secrets") or []), _age(account, now)]


SERVICE_ACCOUNTS = Printer((NAME, Column("Secrets", "Number of secrets listed."), AGE),
                           _service_account_cells)


def _node_status(node: Obj) -> str:
    ready = next((c for c in _section(node, "status").get("conditions") or []
                  if c.get("type") == "Ready"), None)
    words = ["Unknown" if ready is None else "Ready" if ready.get("status") == "True"
             else "NotReady"]
    if _section(node, "spec").get("unschedulable"):
        words.append("SchedulingDisabled")
    return ",".join(words)


def _node_roles(node: Obj) -> str:
    roles = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/") and key.split("/", 1)[1]:
            roles.add(key.split("/", 1)[1])
        elif key == "kubernetes.io/role" and value:
            roles.add(str(value))
    return ",".join(sorted(roles)) or messages.TABLE_NONE


def _node_address(node: Obj, address_type: str) -> str:
    return next((str(a.get("address")) for a in _section(node, "status").get("addresses") or []
                 if a.get("type") == address_type), messages.TABLE_NONE)


def _node_cells(node: Obj, now: datetime) -> Cells:
    info = _section(_section(node, "status"), "nodeInfo")
    return [
        _name(node), _node_status(node), _node_roles(node), _age(node, now),
        info.get("kubeletVersion", ""),
        _node_address(node, "InternalIP"), _node_address(node, "ExternalIP"),
        info.get("osImage") or messages.TABLE_UNKNOWN,
        info.get("kernelVersion") or messages.TABLE_UNKNOWN,
        info.get("containerRuntimeVersion") or messages.TABLE_UNKNOWN,
    ]


NODES = Printer((
    NAME,
    Column("Status", "Ready, NotReady or Unknown, plus SchedulingDisabled when cordoned."),
    Column("Roles", "Roles from the node-role.kubernetes.io/<role> labels."),
    AGE,
    Column("Version", "The kubelet version."),
    _wide("Internal-IP", "The node's first internal IP."),
    _wide("External-IP", "The node's first external IP."),
    _wide("OS-Image", "The operating system image."),
    _wide("Kernel-Version", "The kernel version."),
    _wide("Container-Runtime", "The container runtime and its version."),
), _node_cells)


def _event_cells(event: Obj, now: datetime) -> Cells:
    first_seen = (age(event["firstTimestamp"], now) if event.get("firstTimestamp")
                  else age(event.get("eventTime"), now))
    last_seen = age(event["lastTimestamp"], now) if event.get("lastTimestamp") else first_seen
    count = int(event.get("count") or 0)
    series = event.get("series")
    if series:
        last_seen = age(series.get("lastObservedTime"), now)
        count = int(series.get("count") or 0)
    elif count == 0:
        count = 1  # events of the newer API are singletons without a count
    involved = _section(event, "involvedObject")
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = _section(event, "source")
    component = source.get("component") or event.get("reportingComponent") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    return [last_seen, event.get("type", ""), event.get("reason", ""), target,
            involved.get("fieldPath", ""), f"{component}, {host}" if host else component,
            str(event.get("message", "")).strip(), first_seen, count, _name(event)]


EVENTS = Printer((
    Column("Last Seen", "Time since the event was last seen."),
    Column("Type", "Normal or Warning."),
    Column("Reason", "A short CamelCase reason."),
    Column("Object", "The object the event is about, as kind/name."),
    _wide("Subobject", "The part of the object the event is about, such as a container."),
    _wide("Source", "The component (and host) that reported the event."),
    Column("Message", "What happened."),
    _wide("First Seen", "Time since the event was first seen."),
    _wide("Count", "How many times the event occurred."),
    Column("Name", "The event's name.", format="name", priority=1),
), _event_cells)


# --- RBAC -----------------------------------------------------------------------------------------


def _created_at(obj: Obj) -> str:
    """RFC 3339 in UTC, as Go formats a (possibly zero) metav1.Time."""
    when = parse_time(_meta(obj).get("creationTimestamp"))
    if when is None:
        return "0001-01-01T00:00:00Z"
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _role_cells(role: Obj, now: datetime) -> Cells:
    return [_name(role), _created_at(role)]


# Roles have no printer in kube-apiserver; its default convertor gives Name and Created At.
ROLES = Printer((NAME, Column("Created At", "When the object was created.", type="date")),
                _role_cells)


def _subjects(binding: Obj, kind: str) -> str:
    names = []
    for subject in binding.get("subjects") or []:
        if subject.get("kind") != kind:
            continue
        if kind == "ServiceAccount":
            names.append(f"{subject.get('namespace', '')}/{subject.get('name', '')}")
        else:
            names.append(str(subject.get("name", "")))
    return ", ".join(names)


def _binding_cells(binding: Obj, now: datetime) -> Cells:
    role_ref = _section(binding, "roleRef")
    return [_name(binding), f"{role_ref.get('kind', '')}/{role_ref.get('name', '')}",
            _age(binding, now), _subjects(binding, "User"), _subjects(binding, "Group"),
            _subjects(binding, "ServiceAccount")]


BINDINGS = Printer((
    NAME,
    Column("Role", "The granted role, as Kind/name."),
    AGE,
    _wide("Users", "Users the binding grants the role to."),
    _wide("Groups", "Groups the binding grants the role to."),
    _wide("ServiceAccounts", "Service accounts (namespace/name) the binding grants the role to."),
), _binding_cells)


# Printers by ``ResourceType.group_resource``; any other resource gets GENERIC.
PRINTERS: dict[str, Printer] = {
    "pods": PODS,
    "namespaces": NAMESPACES,
    "services": SERVICES,
    "configmaps": CONFIGMAPS,
    "secrets": SECRETS,
    "serviceaccounts": SERVICE_ACCOUNTS,
    "nodes": NODES,
    "events": EVENTS,
    "deployments.apps": DEPLOYMENTS,
    "roles.rbac.authorization.k8s.io": ROLES,
    "clusterroles.rbac.authorization.k8s.io": ROLES,
    "rolebindings.rbac.authorization.k8s.io": BINDINGS,
    "clusterrolebindings.rbac.authorization.k8s.io": BINDINGS,
}


def printer_for(resource: ResourceType) -> Printer:
    return PRINTERS.get(resource.group_resource, GENERIC)


# --- the Table ------------------------------------------------------------------------------------


def to_table(resource: ResourceType, objects: list[Obj], *, now: datetime,
             include_object: str = INCLUDE_METADATA, resource_version: str,
             continue_token: str | None = None) -> Obj:
    """A ``meta.k8s.io/v1`` Table of ``objects`` (a list page, or one object for a GET)."""
    if include_object not in (INCLUDE_NONE, INCLUDE_METADATA, INCLUDE_OBJECT, ""):
        raise KubeError(400, messages.TABLE_INVALID_INCLUDE_OBJECT.format(value=include_object))
    printer = printer_for(resource)
    metadata: Obj = {"resourceVersion": resource_version}
    if continue_token:
        metadata["continue"] = continue_token
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": [column.definition() for column in printer.columns],
        "rows": [_row(printer, obj, now, include_object or INCLUDE_METADATA) for obj in objects],
    }


def _row(printer: Printer, obj: Obj, now: datetime, include_object: str) -> Obj:
    row: Obj = {"cells": printer.cells(obj, now)}
    if include_object == INCLUDE_OBJECT:
        row["object"] = copy.deepcopy(obj)
    elif include_object == INCLUDE_METADATA:
        # kubectl needs the metadata for --all-namespaces (NAMESPACE column) and --show-labels.
        row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                         "metadata": copy.deepcopy(_meta(obj))}
    return row
