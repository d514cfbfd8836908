"""kube's validation of a Service (``ValidateService`` and ``ValidateServiceUpdate``,
pkg/apis/core/validation), in its order and words for each minor 1.27-1.35:

- an update first: the cluster IPs it had may not change (``validateUpgradeDowngradeClusterIPs``,
  the common case), nor a LoadBalancer's class, nor its health check node port;
- then every write: the topology annotations agree; ports are required (but for a headless or
  ExternalName service); what each type allows (no 10250 on a LoadBalancer before 1.33, no
  headless NodePort or LoadBalancer, an ExternalName's name and no IPs); each port's name (a DNS
  label, required when there are several, none twice), number, protocol and target port; the
  selector's keys and values; the session affinity and its timeout; the cluster IP fields
  (serviceallocation.py); external IPs; the type; no node port on a ClusterIP service, none
  twice, no port twice; the load balancer source ranges (one error before 1.30, one per entry
  after); the LoadBalancer-only fields; the external and internal traffic policies and the
  health check port; the traffic distribution (1.31+).

Not checked: an ``appProtocol``'s and a ``loadBalancerClass``'s format (1.35 words these as
label keys), ipFamilies changes beyond what the allocator refuses on a single-stack cluster,
and ``StrictIPCIDRValidation`` (alpha, off). A Service's name is a
DNS-1035 label (checks.validate_name).
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry import namechecks, schedulingchecks
from emulator.cluster.mock.registry.fielderrors import FieldError, GoText
from emulator.cluster.mock.registry.jsonread import as_dict, dict_in, list_in
from emulator.cluster.mock.registry.podspecchecks import PORT_PROTOCOLS
from emulator.cluster.mock.registry.serviceallocation import (
    cluster_ip_fields, externally_accessible, needs_health_check, parse_ip)

Obj = dict[str, Any]

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")  # sorted, as kube lists
AFFINITIES = ("ClientIP", "None")
TRAFFIC_POLICIES = ("Cluster", "Local")
KUBELET_PORT = 10250
MAX_AFFINITY_SECONDS = 86400
TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints"
TOPOLOGY_MODE = "service.kubernetes.io/topology-mode"
SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"


def validate(service: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidateServiceCreate, or ValidateServiceUpdate when there is an ``old`` one."""
    errors = _update(service, old, minor) if old is not None else []
    return errors + _service(service, old, minor)


# -- an update's own checks -----------------------------------------------------------------------


def _update(service: Obj, old: Obj, minor: int) -> list[FieldError]:
    spec, old_spec = dict_in(service, "spec"), dict_in(old, "spec")
    errors = _cluster_ips_kept(spec, old_spec, minor)
    if spec.get("type") == old_spec.get("type") == "LoadBalancer" \
            and spec.get("loadBalancerClass") != old_spec.get("loadBalancerClass"):
        errors.append(fe.invalid_value("spec.loadBalancerClass", spec.get("loadBalancerClass"),
                                       messages.K8S_CHANGED_ONCE_SET, minor))
    errors += _load_balancer_class(spec)  # kube checks it here and again below
    if needs_health_check(spec) and needs_health_check(old_spec) \
            and spec.get("healthCheckNodePort") != old_spec.get("healthCheckNodePort"):
        errors.append(fe.forbidden("spec.healthCheckNodePort",
                                   messages.K8S_SERVICE_HEALTH_PORT_IMMUTABLE))
    return errors


def _cluster_ips_kept(spec: Obj, old: Obj, minor: int) -> list[FieldError]:
    """validateUpgradeDowngradeClusterIPs: the IPs a service has may not change, the first may
    not be unset, and releasing the second needs a SingleStack policy. A service that is or was
    an ExternalName, or headless before and after, has none to keep."""
    if "ExternalName" in (spec.get("type"), old.get("type")):
        return []
    ips = [str(ip) for ip in list_in(spec, "clusterIPs")]
    old_ips = [str(ip) for ip in list_in(old, "clusterIPs")]
    if ips == old_ips == ["None"]:
        return []
    shown = fe.strings_value(ips or None, minor)
    if len(ips) == len(old_ips):
        return [fe.invalid_value(f"spec.clusterIPs[{i}]", shown, messages.K8S_CHANGED_ONCE_SET,
                                 minor) for i in range(len(ips)) if ips[i] != old_ips[i]]
    errors = []
    if not ips:
        errors.append(fe.invalid_value("spec.clusterIPs[0]", shown,
                                       messages.K8S_CLUSTER_IP_UNSET, minor))
    if ips and old_ips and ips[0] != old_ips[0]:
        errors.append(fe.invalid_value("spec.clusterIPs[0]", shown,
                                       messages.K8S_CHANGED_ONCE_SET, minor))
    if len(ips) == 1 < len(old_ips) and spec.get("ipFamilyPolicy") != "SingleStack":
        errors.append(fe.invalid_value("spec.ipFamilyPolicy", spec.get("ipFamilyPolicy"),
                                       messages.K8S_CLUSTER_IP_RELEASE_POLICY, minor))
    return errors


# -- every write ---------------------------------------------------------------------------------


def _service(service: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    spec = dict_in(service, "spec")
    old_spec = dict_in(old, "spec") if old is not None else None
    kind = spec.get("type")
    ports = [as_dict(p) for p in list_in(spec, "ports")]
    ips = [str(ip) for ip in list_in(spec, "clusterIPs")]
    headless = ips == ["None"]
    errors = _topology_annotations(as_dict(dict_in(service, "metadata").get("annotations")),
                                   minor)
    if not ports and not headless and kind != "ExternalName":
        errors.append(fe.required("spec.ports"))
    errors += _by_type(spec, kind, ports, ips, headless, minor)
    names: set[str] = set()
    for i, port in enumerate(ports):
        errors += _port(port, f"spec.ports[{i}]", len(ports) > 1, names, minor)
    if isinstance(spec.get("selector"), dict):
        errors += schedulingchecks.labels(spec["selector"], "spec.selector", minor)
    errors += _session_affinity(spec, minor)
    errors += cluster_ip_fields(spec, old_spec, minor)
    errors += _external_ips(spec, old_spec, minor)
    if not kind:
        errors.append(fe.required("spec.type"))
    elif kind not in SERVICE_TYPES:
        errors.append(fe.not_supported("spec.type", kind, list(SERVICE_TYPES), minor))
    if kind == "ClusterIP":
        errors += [fe.forbidden(f"spec.ports[{i}].nodePort",
                                messages.K8S_SERVICE_NODE_PORT_ON_CLUSTER_IP)
                   for i, port in enumerate(ports) if port.get("nodePort")]
    errors += _repeats(ports, minor)
    errors += _source_ranges(service, old, minor)
    if spec.get("allocateLoadBalancerNodePorts") is not None and kind != "LoadBalancer":
        errors.append(fe.forbidden("spec.allocateLoadBalancerNodePorts",
                                   messages.K8S_SERVICE_LOAD_BALANCER_ONLY))
    if kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        errors.append(fe.required("allocateLoadBalancerNodePorts"))  # kube's path, no spec.
    errors += _load_balancer_class(spec)
    errors += _traffic_policies(spec, minor)
    return errors + _traffic_distribution(spec, minor)


def _topology_annotations(annotations: Obj, minor: int) -> list[FieldError]:
    mode, hints = annotations.get(TOPOLOGY_MODE), annotations.get(TOPOLOGY_HINTS)
    if mode is not None and hints is not None and mode != hints:
        return [fe.invalid_value(f"metadata.annotations[{TOPOLOGY_MODE}]", mode,
                                 messages.K8S_SERVICE_TOPOLOGY_MODE.format(
                                     annotation=TOPOLOGY_HINTS), minor)]
    return []


def _by_type(spec: Obj, kind: Any, ports: list[Obj], ips: list[str], headless: bool,
             minor: int) -> list[FieldError]:
    errors: list[FieldError] = []
    if kind == "LoadBalancer" and minor <= 32:  # the kubelet's port, gone in 1.33
        errors += [fe.invalid_value(f"spec.ports[{i}]", KUBELET_PORT,
                                    messages.K8S_SERVICE_KUBELET_PORT.format(port=KUBELET_PORT),
                                    minor)
                   for i, port in enumerate(ports) if port.get("port") == KUBELET_PORT]
    if kind in ("LoadBalancer", "NodePort") and headless:
        errors.append(fe.invalid_value("spec.clusterIPs[0]", "None",
                                       messages.K8S_SERVICE_HEADLESS_TYPE.format(type=kind),
                                       minor))
    if kind == "ExternalName":
        for name, present in (("clusterIPs", bool(ips)),
                              ("ipFamilies", bool(list_in(spec, "ipFamilies"))),
                              ("ipFamilyPolicy", spec.get("ipFamilyPolicy") is not None)):
            if present:
                errors.append(fe.forbidden(f"spec.{name}",
                                           messages.K8S_SERVICE_EXTERNAL_NAME_FIELD))
        cname = str(spec.get("externalName") or "").removesuffix(".")
        if not cname:
            errors.append(fe.required("spec.externalName"))
        errors += [fe.invalid_value("spec.externalName", cname, text, minor)
                   for text in (namechecks.dns1123_subdomain(cname) if cname else [])]
    return errors


def _port(port: Obj, path: str, name_required: bool, names: set[str],
          minor: int) -> list[FieldError]:
    """validateServicePort."""
    errors: list[FieldError] = []
    name = port.get("name")
    if name_required and not name:
        errors.append(fe.required(f"{path}.name"))
    elif isinstance(name, str) and name:
        errors += [fe.invalid_value(f"{path}.name", name, text, minor)
                   for text in namechecks.dns1123_label(name)]
        if name in names:
            errors.append(fe.duplicate(f"{path}.name", name, minor))
        names.add(name)
    number = port.get("port")
    if isinstance(number, int):
        errors += [fe.invalid_value(f"{path}.port", number, text, minor)
                   for text in namechecks.port_number(number)]
    protocol = port.get("protocol")
    if not protocol:
        errors.append(fe.required(f"{path}.protocol"))
    elif protocol not in PORT_PROTOCOLS:
        errors.append(fe.not_supported(f"{path}.protocol", protocol, list(PORT_PROTOCOLS),
                                       minor))
    target = port.get("targetPort")
    if isinstance(target, int) and not isinstance(target, bool):
        errors += [fe.invalid_value(f"{path}.targetPort", target, text, minor)
                   for text in namechecks.port_number(target)]
    elif isinstance(target, str):
        errors += [fe.invalid_value(f"{path}.targetPort", target, text, minor)
                   for text in namechecks.port_name(target)]
    return errors


def _session_affinity(spec: Obj, minor: int) -> list[FieldError]:
    affinity = spec.get("sessionAffinity")
    if not affinity:
        return [fe.required("spec.sessionAffinity")]
    if affinity not in AFFINITIES:
        return [fe.not_supported("spec.sessionAffinity", affinity, list(AFFINITIES), minor)]
    config = spec.get("sessionAffinityConfig")
    if affinity == "None":
        return [] if config is None else [fe.forbidden(
            "spec.sessionAffinityConfig", messages.K8S_SERVICE_AFFINITY_CONFIG_FORBIDDEN)]
    # validateClientIPAffinityConfig: a config, its clientIP, its timeout, each required.
    needed, path = messages.K8S_SERVICE_AFFINITY_CONFIG_REQUIRED, "spec.sessionAffinityConfig"
    if config is None:
        return [fe.required(path, needed)]
    client = as_dict(config).get("clientIP")
    if client is None:
        return [fe.required(f"{path}.clientIP", needed)]
    timeout = as_dict(client).get("timeoutSeconds")
    if timeout is None:
        return [fe.required(f"{path}.clientIP.timeoutSeconds", needed)]
    if isinstance(timeout, int) and not 0 < timeout <= MAX_AFFINITY_SECONDS:
        return [fe.invalid_value(f"{path}.clientIP.timeoutSeconds", timeout,
                                 messages.K8S_SERVICE_AFFINITY_TIMEOUT.format(
                                     limit=MAX_AFFINITY_SECONDS), minor)]
    return []


def _external_ips(spec: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """Each an IP (from 1.33 one the old object had is not checked again), and not a special
    one (ValidateNonSpecialIP)."""
    known = {str(ip) for ip in list_in(old, "externalIPs")} if old and minor >= 33 else set()
    errors: list[FieldError] = []
    for i, text in enumerate(str(ip) for ip in list_in(spec, "externalIPs")):
        path, ip = f"spec.externalIPs[{i}]", parse_ip(text)
        if ip is None:
            if text not in known:
                errors.append(fe.invalid_value(path, text, messages.K8S_VALID_IP, minor))
            continue
        problems = [messages.K8S_IP_UNSPECIFIED.format(ip=text)] if ip.is_unspecified else []
        if ip.is_loopback:
            problems.append(messages.K8S_IP_LOOPBACK)
        if ip.is_link_local:
            problems.append(messages.K8S_IP_LINK_LOCAL)
        packed = ip.packed
        if (ip.version == 4 and packed[:3] == b"\xe0\x00\x00") or (
                ip.version == 6 and packed[0] == 0xff and packed[1] & 0x0f == 0x02):
            problems.append(messages.K8S_IP_LINK_LOCAL_MULTICAST)
        errors += [fe.invalid_value(path, text, problem, minor) for problem in problems]
    return errors


def _repeats(ports: list[Obj], minor: int) -> list[FieldError]:
    """A node port (by protocol) or a port (by protocol and number) used twice."""
    errors: list[FieldError] = []
    node_ports: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        number = port.get("nodePort")
        if number:
            if (port.get("protocol"), number) in node_ports:
                errors.append(fe.duplicate(f"spec.ports[{i}].nodePort", number, minor))
            node_ports.add((port.get("protocol"), number))
    seen: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        pair = (port.get("protocol"), port.get("port"))
        if pair in seen:
            errors.append(fe.duplicate(f"spec.ports[{i}]", _port_key(*pair, minor), minor))
        seen.add(pair)
    return errors


def _port_key(protocol: Any, number: Any, minor: int) -> GoText:
    """The core.ServicePort kube reports twice, holding only its protocol and port."""
    if minor >= 34:  # JSON of the Go struct: its field names, in its order
        return GoText(f'{{"Name":"","Protocol":{fe.go_json(protocol)},"AppProtocol":null,'
                      f'"Port":{fe.go_json(number)},"TargetPort":0,"NodePort":0}}')
    return GoText(f'core.ServicePort{{Name:"", Protocol:{fe.go_value(str(protocol))}, '
                  f"AppProtocol:(*string)(nil), Port:{number}, TargetPort:intstr.IntOrString"
                  '{Type:0, IntVal:0, StrVal:""}, NodePort:0}')


def _source_ranges(service: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """The LoadBalancer's source ranges, or the annotation that predates them: one error for
    the list before 1.30, one per bad entry after; from 1.33 what the old service had (an
    unchanged annotation, a range it listed) is not checked again."""
    spec = dict_in(service, "spec")
    ranges = [str(r) for r in list_in(spec, "loadBalancerSourceRanges")]
    annotations = as_dict(dict_in(service, "metadata").get("annotations"))
    annotated = annotations.get(SOURCE_RANGES)
    if not ranges and annotated is None:
        return []
    path = ("spec.LoadBalancerSourceRanges" if ranges
            else f"metadata.annotations[{SOURCE_RANGES}]")
    errors = [] if spec.get("type") == "LoadBalancer" else [
        fe.forbidden(path, messages.K8S_SERVICE_LOAD_BALANCER_ONLY)]
    if ranges:
        values = ranges
    else:  # an empty annotation is every address (0.0.0.0/0)
        values = str(annotated).split(",") if str(annotated).strip() else []
    bad = [value.strip() for value in values if _parse_cidr(value.strip()) is None]
    if minor <= 29:
        if bad:  # one error, the whole list as Go's %v prints it
            shown = "[" + " ".join(ranges) + "]" if ranges else str(annotated)
            errors.append(fe.invalid_value(path, shown, messages.K8S_SERVICE_SOURCE_RANGES_1_29,
                                           minor))
        return errors
    old_ranges = {str(r).strip() for r in list_in(dict_in(old, "spec"), "loadBalancerSourceRanges")
                  } if old is not None and minor >= 33 else set()
    if not ranges and minor >= 33 and old is not None and annotated == as_dict(
            dict_in(old, "metadata").get("annotations")).get(SOURCE_RANGES):
        return errors  # an unchanged annotation is not checked again
    for i, value in enumerate(values):
        value = value.strip()
        if value in bad and value not in old_ranges:
            at = f"{path}[{i}]" if ranges else path
            errors.append(fe.invalid_value(at, value, messages.K8S_VALID_CIDR, minor))
    return errors


def _load_balancer_class(spec: Obj) -> list[FieldError]:
    if spec.get("loadBalancerClass") is not None and spec.get("type") != "LoadBalancer":
        return [fe.forbidden("spec.loadBalancerClass", messages.K8S_SERVICE_LOAD_BALANCER_ONLY)]
    return []


def _traffic_policies(spec: Obj, minor: int) -> list[FieldError]:
    """validateServiceExternalTrafficPolicy (with the health check port), then
    validateServiceInternalTrafficFieldsValue."""
    errors: list[FieldError] = []
    external = spec.get("externalTrafficPolicy")
    if not externally_accessible(spec, minor):
        if external:
            errors.append(fe.invalid_value("spec.externalTrafficPolicy", external, (
                messages.K8S_SERVICE_TRAFFIC_POLICY if minor >= 29
                else messages.K8S_SERVICE_TRAFFIC_POLICY_1_28), minor))
    elif not external:
        errors.append(fe.required("spec.externalTrafficPolicy"))
    elif external not in TRAFFIC_POLICIES:
        errors.append(fe.not_supported("spec.externalTrafficPolicy", external,
                                       list(TRAFFIC_POLICIES), minor))
    health = spec.get("healthCheckNodePort")
    if not needs_health_check(spec):
        if health:
            errors.append(fe.invalid_value("spec.healthCheckNodePort", health,
                                           messages.K8S_SERVICE_HEALTH_PORT_UNNEEDED, minor))
    elif not health:
        errors.append(fe.required("spec.healthCheckNodePort"))
    elif isinstance(health, int):
        errors += [fe.invalid_value("spec.healthCheckNodePort", health, text, minor)
                   for text in namechecks.port_number(health)]
    internal = spec.get("internalTrafficPolicy")
    if internal is None and spec.get("type") in ("ClusterIP", "NodePort", "LoadBalancer"):
        errors.append(fe.required("spec.internalTrafficPolicy"))
    elif internal is not None and internal not in TRAFFIC_POLICIES:
        errors.append(fe.not_supported("spec.internalTrafficPolicy", internal,
                                       list(TRAFFIC_POLICIES), minor))
    return errors


def _traffic_distribution(spec: Obj, minor: int) -> list[FieldError]:
    """From 1.31 (1.30's gate is off: serviceallocation drops the field); PreferSameZone and
    PreferSameNode from 1.34, listed in kube's order, not sorted."""
    value = spec.get("trafficDistribution")
    if value is None or minor < 31:
        return []
    allowed = ["PreferClose", "PreferSameZone", "PreferSameNode"] if minor >= 34 \
        else ["PreferClose"]
    return [] if value in allowed else [
        fe.not_supported("spec.trafficDistribution", value, allowed, minor)]


# -- small helpers ------------------------------------------------------------------------------




def _parse_cidr(text: str) -> Any:
    """netutils.ParseCIDRSloppy: an address (leading zeros allowed) and a prefix length."""
    address, slash, length = text.partition("/")
    ip = parse_ip(address)
    if ip is None or not slash or not length.isdigit() or not length.isascii():
        return None
    return ip if int(length) <= (32 if ip.version == 4 else 128) else None
