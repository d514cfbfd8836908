"""Printers for the core group's everyday kinds, events and RBAC (kube's printers.go, in our words).

Pods, services, namespaces, config maps, secrets, service accounts, nodes, component statuses,
events (core and events.k8s.io, printed alike), and RBAC bindings; roles and the other kinds that
kube-apiserver has no printer for get its default convertor (Name, Created At).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from emulator import messages
from emulator.cluster.mock.registry.conversion import CORE_EVENT_NAMES
from emulator.cluster.mock.wire.tables.cells import (
    AGE, NAME, Cells, Column, Obj, Printer, age, aware, count, created, human_duration, items,
    labels_string, meta, name, parse_time, section, wide,
)

# --- pods -----------------------------------------------------------------------------------------


def _later(current: datetime | None, status: Obj) -> datetime | None:
    """The later of ``current`` and a container's last termination time."""
    if not status.get("lastState"):  # the usual case: never terminated
        return current
    finished = parse_time(section(status, "lastState", "terminated").get("finishedAt"))
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
               for c in items(status, "conditions"))


def _is_sidecar(container: Obj | None) -> bool:
    """A restartable init container (``restartPolicy: Always``) counts as a regular one."""
    return container is not None and container.get("restartPolicy") == "Always"


@dataclass(slots=True)
class _PodTally:
    """Running totals while walking container statuses, as kube's printPod keeps them."""

    reason: str
    ready: int = 0
    restarts: int = 0
    last_restart: datetime | None = None
    sidecar_restarts: int = 0
    sidecar_last_restart: datetime | None = None
    initializing: bool = False


# The pod printer runs for every row of a list of pods, so its helpers take the pod's spec and
# status as read once, rather than reading them again each.


def _walk_init_containers(spec: Obj, status: Obj, tally: _PodTally) -> None:
    statuses = items(status, "initContainerStatuses")
    if not statuses:  # most pods: nothing to walk
        return
    init_specs = {c.get("name"): c for c in items(spec, "initContainers")}
    for index, cs in enumerate(statuses):
        restarts = count(cs.get("restartCount"))
        tally.restarts += restarts
        tally.last_restart = _later(tally.last_restart, cs)
        sidecar = _is_sidecar(init_specs.get(cs.get("name")))
        if sidecar:
            tally.sidecar_restarts += restarts
            tally.sidecar_last_restart = _later(tally.sidecar_last_restart, cs)
        state = section(cs, "state")
        terminated, waiting = state.get("terminated"), section(state, "waiting")
        if isinstance(terminated, dict) and count(terminated.get("exitCode")) == 0:
            continue
        if sidecar and cs.get("started"):
            tally.ready += 1 if cs.get("ready") else 0
            continue
        if isinstance(terminated, dict):
            tally.reason = _terminated_reason(terminated, "Init:")
        elif waiting.get("reason") and waiting["reason"] != "PodInitializing":
            tally.reason = "Init:" + waiting["reason"]
        else:
            tally.reason = f"Init:{index}/{len(init_specs)}"
        tally.initializing = True
        break


def _walk_containers(status: Obj, tally: _PodTally) -> None:
    # Only sidecar restarts count once the pod is past initialisation. The totals are kept in
    # locals and helpers are called only where a status needs them: this runs for every row of
    # a long list of pods.
    restarts, last_restart = tally.sidecar_restarts, tally.sidecar_last_restart
    reason, ready, has_running = tally.reason, tally.ready, False
    for cs in reversed(items(status, "containerStatuses")):
        restart_count = cs.get("restartCount")
        if restart_count:
            restarts += count(restart_count)
        if cs.get("lastState"):
            last_restart = _later(last_restart, cs)
        state = cs.get("state")
        if not isinstance(state, dict):
            state = {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if isinstance(waiting, dict) and waiting.get("reason"):
            reason = waiting["reason"]
        elif isinstance(terminated, dict):
            reason = _terminated_reason(terminated)
        elif cs.get("ready") and ("running" in state or not state):
            # kube requires state.running; a status that gives no state at all is taken at its word.
            has_running = True
            ready += 1
    if reason == "Completed" and has_running:
        reason = "Running" if _condition_true(status, "Ready") else "NotReady"
    tally.restarts, tally.last_restart, tally.reason, tally.ready = (
        restarts, last_restart, reason, ready)


def _pod_status(metadata: Obj, spec: Obj, status: Obj) -> _PodTally:
    phase = status.get("phase") or ""
    tally = _PodTally(reason=status.get("reason") or phase)
    for c in items(status, "conditions"):
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            tally.reason = "SchedulingGated"
            break
    _walk_init_containers(spec, status, tally)
    if not tally.initializing or _condition_true(status, "Initialized"):
        _walk_containers(status, tally)
    if metadata.get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            tally.reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            tally.reason = "Terminating"
    return tally


def _pod_cells(pod: Obj, now: datetime) -> Cells:
    metadata, spec, status = meta(pod), section(pod, "spec"), section(pod, "status")
    tally = _pod_status(metadata, spec, status)
    total = len(items(spec, "containers"))
    if spec.get("initContainers"):
        for c in items(spec, "initContainers"):
            if _is_sidecar(c):
                total += 1
    restarts = str(tally.restarts)
    if tally.restarts and tally.last_restart is not None:
        restarts = messages.TABLE_RESTARTS_AGO.format(
            restarts=tally.restarts, age=human_duration(aware(now) - tally.last_restart))
    pod_ips = items(status, "podIPs") if status.get("podIPs") else ()
    pod_ip = (pod_ips[0].get("ip") if pod_ips else status.get("podIP")) or messages.TABLE_NONE
    gates = (_readiness_gates(spec, status) if spec.get("readinessGates")
             else messages.TABLE_NONE)
    return [str(metadata.get("name", "")), f"{tally.ready}/{total}", tally.reason, restarts,
            age(metadata.get("creationTimestamp"), now), pod_ip,
            spec.get("nodeName") or messages.TABLE_NONE,
            status.get("nominatedNodeName") or messages.TABLE_NONE, gates]


def _readiness_gates(spec: Obj, status: Obj) -> str:
    gates = items(spec, "readinessGates")
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
    wide("IP", "The pod's first IP address."),
    wide("Node", "The node the pod is bound to."),
    wide("Nominated Node", "The node the scheduler nominated for preemption."),
    wide("Readiness Gates", "Readiness gates whose condition is True, out of all of them."),
), _pod_cells)


def _pod_template_cells(template: Obj, now: datetime) -> Cells:
    pod = section(template, "template")
    listed = items(section(pod, "spec"), "containers")
    return [name(template), ",".join(str(c.get("name", "")) for c in listed),
            ",".join(str(c.get("image", "")) for c in listed),
            labels_string(meta(pod).get("labels"))]


# Pod templates print no age.
POD_TEMPLATES = Printer((
    NAME,
    Column("Containers", "Names of the containers in the template."),
    Column("Images", "Images of the containers in the template."),
    Column("Pod Labels", "The labels the template gives its pods."),
), _pod_template_cells)


# --- services -------------------------------------------------------------------------------------


def _service_ports(ports: Iterable[Obj]) -> str:
    pieces = []
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        if port.get("nodePort"):
            pieces.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces) or messages.TABLE_NONE


def load_balancer_addresses(status: Obj) -> list[str]:
    """The sorted, de-duplicated IPs (or else host names) of a load balancer status."""
    return sorted({str(i.get("ip") or i.get("hostname"))
                   for i in items(status, "ingress") if i.get("ip") or i.get("hostname")})


def _external_ip(service: Obj) -> str:
    spec = section(service, "spec")
    external = [str(ip) for ip in spec.get("externalIPs") or []]
    service_type = spec.get("type") or "ClusterIP"
    if service_type in ("ClusterIP", "NodePort"):
        return ",".join(external) or messages.TABLE_NONE
    if service_type == "LoadBalancer":
        balancers = load_balancer_addresses(section(service, "status", "loadBalancer"))
        return ",".join(balancers + external) or messages.TABLE_PENDING
    if service_type == "ExternalName":
        return str(spec.get("externalName", ""))
    return messages.TABLE_UNKNOWN


def _service_cells(service: Obj, now: datetime) -> Cells:
    spec = section(service, "spec")
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [
        name(service),
        spec.get("type") or "ClusterIP",
        cluster_ips[0] if cluster_ips else messages.TABLE_NONE,
        _external_ip(service),
        _service_ports(items(spec, "ports")),
        created(service, now),
        labels_string(spec.get("selector")),
    ]


SERVICES = Printer((
    NAME,
    Column("Type", "How the service is exposed: ClusterIP, NodePort, LoadBalancer, ExternalName."),
    Column("Cluster-IP", "The service's virtual IP inside the cluster."),
    Column("External-IP", "Addresses the service is reachable at from outside the cluster."),
    Column("Port(s)", "Service ports as port[:nodePort]/protocol."),
    AGE,
    wide("Selector", "The labels that pick the pods behind the service."),
), _service_cells)


# --- core objects ---------------------------------------------------------------------------------


def _namespace_cells(namespace: Obj, now: datetime) -> Cells:
    phase = section(namespace, "status").get("phase") or "Active"
    return [name(namespace), phase, created(namespace, now)]


NAMESPACES = Printer((NAME, Column("Status", "The namespace's phase: Active or Terminating."),
                      AGE), _namespace_cells)


def _configmap_cells(configmap: Obj, now: datetime) -> Cells:
    keys = len(configmap.get("data") or {}) + len(configmap.get("binaryData") or {})
    return [name(configmap), keys, created(configmap, now)]


CONFIGMAPS = Printer((NAME, Column("Data", "Number of keys in data and binaryData."), AGE),
                     _configmap_cells)


def _secret_cells(secret: Obj, now: datetime) -> Cells:
    # stringData is merged into data on write; count a key once if a store kept both.
    keys = set(secret.get("data") or {}) | set(secret.get("stringData") or {})
    return [name(secret), secret.get("type") or "Opaque", len(keys), created(secret, now)]


SECRETS = Printer((NAME, Column("Type", "The secret's type, such as Opaque."),
                   Column("Data", "Number of keys in data."), AGE), _secret_cells)


def _service_account_cells(account: Obj, now: datetime) -> Cells:
    return [name(account), len(items(account, "secrets")), created(account, now)]


SERVICE_ACCOUNTS = Printer((NAME, Column("Secrets", "Number of secrets listed."), AGE),
                           _service_account_cells)


def _node_status(node: Obj) -> str:
    ready = next((c for c in items(section(node, "status"), "conditions")
                  if c.get("type") == "Ready"), None)
    words = ["Unknown" if ready is None else "Ready" if ready.get("status") == "True"
             else "NotReady"]
    if section(node, "spec").get("unschedulable"):
        words.append("SchedulingDisabled")
    return ",".join(words)


def _node_roles(node: Obj) -> str:
    roles = set()
    for key, value in (meta(node).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/") and key.split("/", 1)[1]:
            roles.add(key.split("/", 1)[1])
        elif key == "kubernetes.io/role" and value:
            roles.add(str(value))
    return ",".join(sorted(roles)) or messages.TABLE_NONE


def _node_address(node: Obj, address_type: str) -> str:
    return next((str(a.get("address")) for a in items(section(node, "status"), "addresses")
                 if a.get("type") == address_type), messages.TABLE_NONE)


def _node_cells(node: Obj, now: datetime) -> Cells:
    info = section(node, "status", "nodeInfo")
    return [
        name(node), _node_status(node), _node_roles(node), created(node, now),
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
    wide("Internal-IP", "The node's first internal IP."),
    wide("External-IP", "The node's first external IP."),
    wide("OS-Image", "The operating system image."),
    wide("Kernel-Version", "The kernel version."),
    wide("Container-Runtime", "The container runtime and its version."),
), _node_cells)


def _component_status_cells(component: Obj, now: datetime) -> Cells:
    status, message, error = "Unknown", "", ""
    healthy = next((c for c in items(component, "conditions") if c.get("type") == "Healthy"), None)
    if healthy is not None:
        status = "Healthy" if healthy.get("status") == "True" else "Unhealthy"
        message, error = str(healthy.get("message", "")), str(healthy.get("error", ""))
    return [name(component), status, message, error]


# Component statuses print no age.
COMPONENT_STATUSES = Printer((
    NAME,
    Column("Status", "Healthy or Unhealthy, from the Healthy condition."),
    Column("Message", "The Healthy condition's message."),
    Column("Error", "The Healthy condition's error."),
), _component_status_cells)


# --- events ---------------------------------------------------------------------------------------


def _event_cells(event: Obj, now: datetime) -> Cells:
    first_seen = (age(event["firstTimestamp"], now) if event.get("firstTimestamp")
                  else age(event.get("eventTime"), now))
    last_seen = age(event["lastTimestamp"], now) if event.get("lastTimestamp") else first_seen
    seen = count(event.get("count"))
    series = event.get("series")
    if isinstance(series, dict) and series:
        last_seen = age(series.get("lastObservedTime"), now)
        seen = count(series.get("count"))
    elif seen == 0:
        seen = 1  # events of the newer API are singletons without a count
    involved = section(event, "involvedObject")
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = section(event, "source")
    component = source.get("component") or event.get("reportingComponent") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    return [last_seen, event.get("type", ""), event.get("reason", ""), target,
            involved.get("fieldPath", ""), f"{component}, {host}" if host else component,
            str(event.get("message", "")).strip(), first_seen, seen, name(event)]


EVENTS = Printer((
    Column("Last Seen", "Time since the event was last seen."),
    Column("Type", "Normal or Warning."),
    Column("Reason", "A short CamelCase reason."),
    Column("Object", "The object the event is about, as kind/name."),
    wide("Subobject", "The part of the object the event is about, such as a container."),
    wide("Source", "The component (and host) that reported the event."),
    Column("Message", "What happened."),
    wide("First Seen", "Time since the event was first seen."),
    wide("Count", "How many times the event occurred."),
    Column("Name", "The event's name.", format="name", priority=1),
), _event_cells)

# events.k8s.io/v1 names the core Event's fields differently; kube converts one to the other
# before printing, so both print alike.


def as_core_event(event: Obj) -> Obj:
    """An events.k8s.io/v1 Event with the core Event's field names."""
    return {CORE_EVENT_NAMES.get(key, key): value for key, value in event.items()}


EVENTS_V1 = Printer(EVENTS.columns, lambda event, now: _event_cells(as_core_event(event), now))


# --- RBAC and kube's default convertor ------------------------------------------------------------


def _created_at(obj: Obj) -> str:
    """RFC 3339 in UTC, as Go formats a (possibly zero) metav1.Time."""
    when = parse_time(meta(obj).get("creationTimestamp"))
    if when is None:
        return "0001-01-01T00:00:00Z"
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _created_at_cells(obj: Obj, now: datetime) -> Cells:
    return [name(obj), _created_at(obj)]


# kube-apiserver's default convertor, for the kinds it has no printer for (roles, limit ranges,
# custom resource definitions, ...): Name and Created At.
CREATED_AT = Printer((NAME, Column("Created At", "When the object was created.", type="date")),
                     _created_at_cells)
ROLES = CREATED_AT


def _subjects(binding: Obj, kind: str) -> str:
    names = []
    for subject in items(binding, "subjects"):
        if subject.get("kind") != kind:
            continue
        if kind == "ServiceAccount":
            names.append(f"{subject.get('namespace', '')}/{subject.get('name', '')}")
        else:
            names.append(str(subject.get("name", "")))
    return ", ".join(names)


def _binding_cells(binding: Obj, now: datetime) -> Cells:
    role_ref = section(binding, "roleRef")
    return [name(binding), f"{role_ref.get('kind', '')}/{role_ref.get('name', '')}",
            created(binding, now), _subjects(binding, "User"), _subjects(binding, "Group"),
            _subjects(binding, "ServiceAccount")]


BINDINGS = Printer((
    NAME,
    Column("Role", "The granted role, as Kind/name."),
    AGE,
    wide("Users", "Users the binding grants the role to."),
    wide("Groups", "Groups the binding grants the role to."),
    wide("ServiceAccounts", "Service accounts (namespace/name) the binding grants the role to."),
), _binding_cells)
