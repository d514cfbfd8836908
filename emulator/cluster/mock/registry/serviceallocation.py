"""kube's service allocator (pkg/registry/core/service/storage/alloc.go with its ipallocator and
portallocator) for the mock's single-stack IPv4 cluster: what a Service's create or update gets
before it is validated, and the errors it is refused with.

- **IP families** (``initIPFamilyFields``): the policy the request leaves out is the old one, or
  ``SingleStack`` (``RequireDualStack`` for a headless service without a selector, which gets
  both families even here). The cluster IP fields are checked first and refused on their own;
  then IPv6, or a policy that needs it, is refused: this cluster has IPv4 only.
- **Cluster IPs** from ``10.96.0.0/12``: one a request asks for must be in the range (not its
  network or broadcast address) and free; 1.33+ allocates through ServiceCIDRs and words an IP
  out of range as theirs. Others come from the upper band of the range (from 10.96.1.1), kept
  for dynamic allocation so that the lower one stays free for the IPs clients choose, as kube
  does; the mock takes them in turn from a cursor instead of kube's random start.
- **Node ports** from 30000-32767 for NodePort and LoadBalancer services (unless
  ``allocateLoadBalancerNodePorts`` is false): a port a request names must be in the range and
  free; on create, ports with the same number share one (53/TCP and 53/UDP). Others come from
  the upper band (30086 up, from 1.28; the whole range in 1.27). A LoadBalancer service with
  ``externalTrafficPolicy: Local`` gets its ``healthCheckNodePort`` from the same pool.
- **An update** keeps what the request leaves out (kube's ``patchAllocatedValues``: the cluster
  IPs, a port's node port by the port's name, the health check port), allocates what a new type
  needs, and clears what the new type does not when the request did not change it
  (``dropTypeDependentFields``).

What is in use is read from the stored Services (``InUse``), so a deleted or changed service's
addresses are free again once it is gone, as kube's deferred release frees them on commit.
A port or IP already taken by another service fails as kube's does; kube answers a health
check port taken, and a node port named twice on an update, with a 500, where the mock answers
422 (a request's mistake is never a server error here).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fielderrors as fe
from emulator.cluster.mock.registry.fielderrors import FieldError
from emulator.cluster.mock.registry.jsonread import as_dict, list_in
from emulator.cluster.mock.wire.status import KubeError

Obj = dict[str, Any]

SERVICE_CIDR = ipaddress.IPv4Network("10.96.0.0/12")
NODE_PORT_LOW, NODE_PORT_HIGH = 30000, 32767
# calculateRangeOffset: the lower band kept for chosen values, clamp(size/16, 16, 256) of the
# IPs (counted from the network address + 1) and clamp(size/32, 16, 128) of the ports.
_IP_FIRST = int(SERVICE_CIDR.network_address) + 1
_IP_LAST = int(SERVICE_CIDR.broadcast_address) - 1
_IP_STATIC_BAND = min(max(SERVICE_CIDR.num_addresses // 16, 16), 256)
_PORT_STATIC_BAND = min(max((NODE_PORT_HIGH - NODE_PORT_LOW + 1) // 32, 16), 128)
_FIRST_BANDED_PORTS = 28  # ServiceNodePortStaticSubrange: alpha (off) in 1.27, on from 1.28
SINGLE, PREFER, REQUIRE = "SingleStack", "PreferDualStack", "RequireDualStack"
IP_FAMILY_POLICIES = (PREFER, REQUIRE, SINGLE)  # sorted, as kube lists them
IP_FAMILIES = ("IPv4", "IPv6")


@dataclass
class AllocationCursors:
    """Where the next dynamic cluster IP and node port are looked for: counts into each upper
    band. Part of a cluster's image, so a restored cluster allocates as the built one would."""
    ip: int = 0
    port: int = 0


@dataclass(frozen=True)
class InUse:
    """The cluster IPs (as integers) and node ports the other services hold."""
    ips: frozenset[int] = field(default_factory=frozenset)
    ports: frozenset[int] = field(default_factory=frozenset)


def in_use(services: Iterable[Obj]) -> InUse:
    ips: set[int] = set()
    ports: set[int] = set()
    for service in services:
        spec = as_dict(service.get("spec"))
        for ip in list_in(spec, "clusterIPs"):
            parsed = parse_ip(ip)
            if parsed is not None:
                ips.add(int(parsed))
        for port in list_in(spec, "ports"):
            number = as_dict(port).get("nodePort")
            if isinstance(number, int) and number:
                ports.add(number)
        health = spec.get("healthCheckNodePort")
        if isinstance(health, int) and health:
            ports.add(health)
    return InUse(frozenset(ips), frozenset(ports))


def allocate(service: Obj, old: Obj | None, taken: InUse, cursors: AllocationCursors,
             minor: int) -> None:
    """``beginCreate`` / ``beginUpdate`` then ``PrepareForUpdate``: ``service`` (already
    defaulted) gets its IP families, cluster IPs, node ports and health check port, in place."""
    spec = service.setdefault("spec", {})
    old_spec = as_dict(old.get("spec")) if old is not None else None
    name = str(as_dict(service.get("metadata")).get("name") or "")
    if minor == 30 and (old_spec is None or old_spec.get("trafficDistribution") is None):
        # The strategy's dropServiceDisabledFields: 1.30's ServiceTrafficDistribution is alpha.
        spec.pop("trafficDistribution", None)
    if old_spec is not None:
        _patch_allocated_values(spec, old_spec)
    _normalize_cluster_ips(spec, old_spec)
    _init_ip_families(spec, old_spec, name, minor)
    _cluster_ips(spec, old_spec, name, taken, cursors, minor)
    _node_ports(spec, old_spec, name, taken, cursors, minor)
    if old_spec is not None:
        _drop_type_dependent_fields(spec, old_spec, minor)


# -- what an update keeps and drops ----------------------------------------------------------


def _needs_cluster_ip(spec: Obj) -> bool:
    return spec.get("type") != "ExternalName"


def _needs_node_ports(spec: Obj) -> bool:
    kind = spec.get("type")
    return kind == "NodePort" or (kind == "LoadBalancer"
                                  and spec.get("allocateLoadBalancerNodePorts") is not False)


def needs_health_check(spec: Obj) -> bool:
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def externally_accessible(spec: Obj, minor: int) -> bool:
    """Where an external traffic policy belongs: NodePort and LoadBalancer, and from 1.29 a
    ClusterIP service with external IPs (kubernetes#119150)."""
    kind = spec.get("type")
    return kind in ("NodePort", "LoadBalancer") or (
        minor >= 29 and kind == "ClusterIP" and bool(spec.get("externalIPs")))


def _patch_allocated_values(spec: Obj, old: Obj) -> None:
    """What a client that sends back the object it created (without the allocated values) keeps:
    re-applying the same manifest changes nothing."""
    if _needs_cluster_ip(old) and _needs_cluster_ip(spec):
        for name in ("clusterIP", "clusterIPs"):
            if not spec.get(name) and old.get(name):
                spec[name] = list(old[name]) if isinstance(old[name], list) else old[name]
    if _needs_node_ports(old) and _needs_node_ports(spec):
        by_name = {as_dict(p).get("name") or "": as_dict(p).get("nodePort")
                   for p in list_in(old, "ports")}
        used = {as_dict(p).get("nodePort") for p in list_in(spec, "ports")}
        for port in list_in(spec, "ports"):
            if isinstance(port, dict) and not port.get("nodePort"):
                kept = by_name.get(port.get("name") or "")
                if kept and kept not in used:
                    port["nodePort"] = kept
    if needs_health_check(old) and needs_health_check(spec) \
            and not spec.get("healthCheckNodePort") and old.get("healthCheckNodePort"):
        spec["healthCheckNodePort"] = old["healthCheckNodePort"]


def _normalize_cluster_ips(spec: Obj, old: Obj | None) -> None:
    """NormalizeClusterIPs: ``clusterIP`` alone asks for that IP; an update that changes or clears
    it beside an unchanged ``clusterIPs`` asks for the new one (or none)."""
    single, many = spec.get("clusterIP") or "", spec.get("clusterIPs")
    if old is None:
        if single and not many:
            spec["clusterIPs"] = [single]
        return
    old_single, old_many = old.get("clusterIP") or "", old.get("clusterIPs")
    if old_many and not many and single == old_single:
        spec["clusterIPs"] = list(old_many)
    elif not single and old_single and many == old_many:
        spec.pop("clusterIPs", None)
    elif single != old_single and many == old_many:
        spec["clusterIPs"] = [single]


def _drop_type_dependent_fields(spec: Obj, old: Obj, minor: int) -> None:
    """dropTypeDependentFields: what the old type needed and the new one does not is cleared,
    unless the request changed it (then validation tells the client)."""
    if _needs_cluster_ip(old) and not _needs_cluster_ip(spec):
        if spec.get("clusterIP") == old.get("clusterIP") \
                and spec.get("clusterIPs") == old.get("clusterIPs"):
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)
        for name in ("ipFamilies", "ipFamilyPolicy"):
            if spec.get(name) == old.get(name):
                spec.pop(name, None)
    if _needs_node_ports(old) and not _needs_node_ports(spec):
        old_ports = {as_dict(p).get("nodePort") for p in list_in(old, "ports")}
        ports = [p for p in list_in(spec, "ports") if isinstance(p, dict)]
        if all(p.get("nodePort") in old_ports for p in ports if p.get("nodePort")):
            for port in ports:
                port.pop("nodePort", None)
    if needs_health_check(old) and not needs_health_check(spec) \
            and spec.get("healthCheckNodePort") == old.get("healthCheckNodePort"):
        spec.pop("healthCheckNodePort", None)
    if old.get("type") == "LoadBalancer" and spec.get("type") != "LoadBalancer":
        for name in ("allocateLoadBalancerNodePorts", "loadBalancerClass"):
            if spec.get(name) is not None and spec.get(name) == old.get(name):
                spec.pop(name, None)
    if spec.get("externalTrafficPolicy") == old.get("externalTrafficPolicy") \
            and externally_accessible(old, minor) and not externally_accessible(spec, minor):
        spec.pop("externalTrafficPolicy", None)


# -- IP families ------------------------------------------------------------------------------


def _init_ip_families(spec: Obj, old: Obj | None, name: str, minor: int) -> None:
    if spec.get("type") == "ExternalName":
        return
    if spec.get("ipFamilyPolicy") is None:
        if old is not None and old.get("ipFamilyPolicy") is not None:
            spec["ipFamilyPolicy"] = old["ipFamilyPolicy"]
        elif spec.get("clusterIP") == "None" and not spec.get("selector"):
            spec["ipFamilyPolicy"] = REQUIRE
        else:
            spec["ipFamilyPolicy"] = SINGLE
    errors = cluster_ip_fields(spec, old, minor)
    if errors:
        raise fe.invalid("Service", "", name, errors)
    policy = spec["ipFamilyPolicy"]
    ips = [str(ip) for ip in list_in(spec, "clusterIPs")]
    families = [str(f) for f in list_in(spec, "ipFamilies")]
    if old is not None:
        old_ips = [str(ip) for ip in list_in(old, "clusterIPs")]
        old_families = [str(f) for f in list_in(old, "ipFamilies")]
        if policy == SINGLE and ips == old_ips and families == old_families:
            ips, families = ips[:1], families[:1]  # a downgrade releases the second
            _set(spec, "clusterIPs", ips)
            _set(spec, "ipFamilies", families)
        elif policy != SINGLE:
            for what, now, before in (("cluster IP", ips, old_ips),
                                      ("IP family", families, old_families)):
                if now and len(now) < len(before):  # left out is not reduced
                    errors.append(fe.invalid_value("spec.ipFamilyPolicy", policy,
                                                   messages.K8S_SINGLE_STACK_TO_RELEASE.format(
                                                       what=what), minor))
    if policy == SINGLE:
        for what, values in (("cluster IPs", ips), ("IP families", families)):
            if len(values) > 1:
                errors.append(fe.invalid_value("spec.ipFamilyPolicy", policy,
                                               messages.K8S_DUAL_STACK_POLICY_NEEDED.format(
                                                   what=what), minor))
    for i, ip in enumerate(ips):
        if ip == "None":
            break
        family = "IPv6" if ":" in ip else "IPv4"
        if family == "IPv6":
            errors.append(fe.invalid_value(f"spec.clusterIPs[{i}]", fe.strings_value(ips, minor),
                                           messages.K8S_FAMILY_NOT_CONFIGURED.format(
                                               family=family), minor))
        elif len(families) < i + 1:
            families.append(family)
    if errors:
        raise fe.invalid("Service", "", name, errors)
    if spec.get("clusterIP") == "None" and not spec.get("selector"):
        families = families or ["IPv4"]
        if len(families) < 2 and policy != SINGLE:
            families.append("IPv6" if families[0] == "IPv4" else "IPv4")
        spec["ipFamilies"] = families
        return
    if policy == REQUIRE:
        errors.append(fe.invalid_value("spec.ipFamilyPolicy", policy,
                                       messages.K8S_NOT_DUAL_STACK_CLUSTER, minor))
    errors += [fe.invalid_value(f"spec.ipFamilies[{i}]", family,
                                messages.K8S_FAMILY_NOT_ON_CLUSTER, minor)
               for i, family in enumerate(families) if family != "IPv4"]
    if errors:
        raise fe.invalid("Service", "", name, errors)
    spec["ipFamilies"] = families or ["IPv4"]


def cluster_ip_fields(spec: Obj, old: Obj | None, minor: int) -> list[FieldError]:
    """ValidateServiceClusterIPsRelatedFields: the cluster IPs agree with ``clusterIP``, are IPs,
    one per family, each of its family; the families and the policy are known ones. From 1.33 an
    IP the old object already had is not checked again."""
    if spec.get("type") == "ExternalName":
        return []
    errors: list[FieldError] = []
    single = spec.get("clusterIP") or ""
    ips = [str(ip) for ip in list_in(spec, "clusterIPs")]
    if single and not ips:
        errors.append(fe.required("spec.clusterIPs"))
    elif single and ips[0] != single:
        errors.append(fe.invalid_value("spec.clusterIPs", fe.strings_value(ips, minor),
                                       messages.K8S_CLUSTER_IP_FIRST, minor))
    elif not single and ips:
        errors.append(fe.invalid_value("spec.clusterIPs", fe.strings_value(ips, minor),
                                       messages.K8S_CLUSTER_IPS_WITHOUT_IP, minor))
    seen: set[str] = set()
    for i, family in enumerate(list_in(spec, "ipFamilies")):
        family = str(family)
        if family not in IP_FAMILIES:
            errors.append(fe.not_supported(f"spec.ipFamilies[{i}]", family, list(IP_FAMILIES),
                                           minor))
        if family in seen:
            errors.append(fe.duplicate(f"spec.ipFamilies[{i}]", family, minor))
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in IP_FAMILY_POLICIES:
        errors.append(fe.not_supported("spec.ipFamilyPolicy", policy, list(IP_FAMILY_POLICIES),
                                       minor))
    known = {str(ip) for ip in list_in(old, "clusterIPs")} if old and minor >= 33 else set()
    bad = False
    for i, ip in enumerate(ips):
        if i == 0 and ip == "None":
            if len(ips) > 1:
                bad = True
                errors.append(fe.invalid_value("spec.clusterIPs", fe.strings_value(ips, minor),
                                               messages.K8S_CLUSTER_IP_NONE_ALONE, minor))
            continue
        if ip not in known and parse_ip(ip) is None:
            bad = True
            errors.append(fe.invalid_value(f"spec.clusterIPs[{i}]", ip, messages.K8S_VALID_IP,
                                           minor))
    if len(ips) > 2:
        errors.append(fe.invalid_value("spec.clusterIPs", fe.strings_value(ips, minor),
                                       messages.K8S_CLUSTER_IPS_AT_MOST_TWO, minor))
    if bad:
        return errors
    if len(ips) > 1 and len({":" in ip for ip in ips}) != len(ips):
        errors.append(fe.invalid_value("spec.clusterIPs", fe.strings_value(ips, minor),
                                       messages.K8S_CLUSTER_IPS_ONE_PER_FAMILY, minor))
    families = [str(f) for f in list_in(spec, "ipFamilies")]
    if ips and ips[0] != "None" and families:
        for i, ip in enumerate(ips[:len(families)]):
            v6 = ":" in ip
            if families[i] == "IPv4" and v6 or families[i] == "IPv6" and not v6:
                errors.append(fe.invalid_value(
                    f"spec.clusterIPs[{i}]", ip, messages.K8S_CLUSTER_IP_FAMILY.format(
                        family=families[i], index=i), minor))
    return errors


# -- cluster IPs -------------------------------------------------------------------------------


def _cluster_ips(spec: Obj, old: Obj | None, name: str, taken: InUse,
                 cursors: AllocationCursors, minor: int) -> None:
    if not _needs_cluster_ip(spec):
        return
    ips = [str(ip) for ip in list_in(spec, "clusterIPs")]
    if ips[:1] == ["None"]:
        return
    if old is not None and _needs_cluster_ip(old):
        return  # kept (or changed, which validation refuses)
    if ips:
        reason = _static_ip_problem(ips[0], taken, minor)
        if reason is not None:
            raise fe.invalid("Service", "", name, [fe.invalid_value(
                "spec.clusterIPs", fe.strings_value(ips, minor), messages.K8S_IP_ALLOCATION_FAILED.format(
                    ip=ips[0], reason=reason), minor)])
        spec["clusterIP"] = ips[0]
        return
    address = _next_ip(taken, cursors)
    spec["clusterIP"], spec["clusterIPs"] = address, [address]


def _static_ip_problem(text: str, taken: InUse, minor: int) -> str | None:
    ip = parse_ip(text)
    if ip is None or not _IP_FIRST <= int(ip) <= _IP_LAST:
        # 1.33 allocates from ServiceCIDR objects, and an IP in none of them is their mismatch.
        return messages.K8S_IP_NETWORK_MISMATCH if minor >= 33 else \
            messages.K8S_IP_NOT_IN_RANGE.format(ip=ip or text, cidr=SERVICE_CIDR)
    return messages.K8S_IP_TAKEN if int(ip) in taken.ips else None


def _next_ip(taken: InUse, cursors: AllocationCursors) -> str:
    upper_first = _IP_FIRST + _IP_STATIC_BAND
    upper = _IP_LAST - upper_first + 1
    for step in range(upper):
        offset = (cursors.ip + step) % upper
        if upper_first + offset not in taken.ips:
            cursors.ip = offset + 1
            return str(ipaddress.IPv4Address(upper_first + offset))
    for address in range(_IP_FIRST, upper_first):
        if address not in taken.ips:
            return str(ipaddress.IPv4Address(address))
    raise _internal(messages.K8S_SERVICE_IP_EXHAUSTED)


def parse_ip(text: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """netutils.ParseIPSloppy: an IPv4 address may have leading zeros (read as decimal)."""
    if not isinstance(text, str) or not text:
        return None
    parts = text.split(".")
    if len(parts) == 4 and all(p.isdigit() and p.isascii() and int(p) <= 255 for p in parts):
        return ipaddress.IPv4Address(".".join(str(int(p)) for p in parts))
    try:
        return ipaddress.IPv6Address(text) if ":" in text else None
    except ValueError:
        return None


# -- node ports -------------------------------------------------------------------------------


def _node_ports(spec: Obj, old: Obj | None, name: str, taken: InUse,
                cursors: AllocationCursors, minor: int) -> None:
    """initNodePorts (a create) or updateNodePorts, then the health check port."""
    ports = [p for p in list_in(spec, "ports") if isinstance(p, dict)]
    mine: set[int] = set()  # allocated by this request
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        allocating = _needs_node_ports(spec)
        if old is None:
            _create_node_ports(ports, allocating, name, taken, mine, cursors, minor)
        else:  # updateNodePorts, whatever the old type: no sharing by port number
            before = {as_dict(p).get("nodePort") for p in list_in(old, "ports")}
            for i, port in enumerate(ports):
                number = port.get("nodePort")
                if isinstance(number, int) and number:
                    if number not in before and number not in mine:
                        _take_port(number, i, name, taken, mine, minor)
                elif allocating:
                    port["nodePort"] = _next_port(taken, mine, cursors, minor,
                                                  messages.K8S_NODE_PORT_EXHAUSTED)
    # A port the service had stays (patchAllocatedValues kept it; validation refuses a change).
    if needs_health_check(spec) and not (old is not None and needs_health_check(old)):
        wanted = spec.get("healthCheckNodePort")
        if isinstance(wanted, int) and wanted:
            _take_port(wanted, None, name, taken, mine, minor)
        else:
            spec["healthCheckNodePort"] = _next_port(taken, mine, cursors, minor,
                                                     messages.K8S_HEALTH_PORT_EXHAUSTED)


def _create_node_ports(ports: list[Obj], allocating: bool, name: str, taken: InUse,
                       mine: set[int], cursors: AllocationCursors, minor: int) -> None:
    """initNodePorts: ports with the same number share a node port, the first one named for
    that number among them, else one allocated."""
    by_number: dict[Any, int] = {}
    for i, port in enumerate(ports):
        number = port.get("nodePort")
        if not number and not allocating:
            continue
        shared = by_number.get(port.get("port"))
        if shared is None:
            wanted = next((p.get("nodePort") for p in ports
                           if p.get("port") == port.get("port") and p.get("nodePort")), None)
            if isinstance(wanted, int):
                _take_port(wanted, i, name, taken, mine, minor)
            else:
                wanted = _next_port(taken, mine, cursors, minor,
                                    messages.K8S_NODE_PORT_EXHAUSTED)
            port["nodePort"] = by_number[port.get("port")] = wanted
        elif not number:
            port["nodePort"] = shared
        elif number != shared and isinstance(number, int):
            _take_port(number, i, name, taken, mine, minor)


def _take_port(number: int, index: int | None, name: str, taken: InUse, mine: set[int],
               minor: int) -> None:
    if not NODE_PORT_LOW <= number <= NODE_PORT_HIGH:
        reason = messages.K8S_PORT_NOT_IN_RANGE.format(low=NODE_PORT_LOW, high=NODE_PORT_HIGH)
    elif number in taken.ports or number in mine:
        reason = messages.K8S_PORT_TAKEN
    else:
        mine.add(number)
        return
    path = "spec.healthCheckNodePort" if index is None else f"spec.ports[{index}].nodePort"
    raise fe.invalid("Service", "", name, [fe.invalid_value(path, number, reason, minor)])


def _next_port(taken: InUse, mine: set[int], cursors: AllocationCursors, minor: int,
               exhausted: str) -> int:
    band = _PORT_STATIC_BAND if minor >= _FIRST_BANDED_PORTS else 0
    upper_first = NODE_PORT_LOW + band
    upper = NODE_PORT_HIGH - upper_first + 1
    for step in range(upper):
        offset = (cursors.port + step) % upper
        if upper_first + offset not in taken.ports and upper_first + offset not in mine:
            cursors.port = offset + 1
            mine.add(upper_first + offset)
            return upper_first + offset
    for number in range(NODE_PORT_LOW, upper_first):
        if number not in taken.ports and number not in mine:
            mine.add(number)
            return number
    raise _internal(exhausted)


# -- small helpers ------------------------------------------------------------------------------



def _set(spec: Obj, name: str, values: list[str]) -> None:
    if values:
        spec[name] = values
    else:
        spec.pop(name, None)


def _internal(template: str) -> KubeError:
    """apierrors.NewInternalError: 500, the error itself as the one cause."""
    message = template.format(reason=messages.K8S_RANGE_FULL)
    return KubeError(500, message, reason="InternalError", details={
        "causes": [{"message": message.removeprefix("Internal error occurred: ")}]})
