"""Printers for services' plumbing: ingresses, ingress classes, network policies, endpoints,
endpoint slices, service CIDRs and IP addresses (kube-apiserver's columns and cells, in our
words)."""

from __future__ import annotations

from datetime import datetime
from ipaddress import ip_address

from emulator import messages
from emulator.cluster.mock.wire.tables.cells import (
    AGE, NAME, Cells, Column, Obj, Printer, created, format_selector, items, more, name, section,
)
from emulator.cluster.mock.wire.tables.core import load_balancer_addresses

_LIST_LIMIT = 3  # kube shows three hosts, endpoints or ports, then "+ N more..."


def ingress_hosts(rules: list[Obj]) -> str:
    """Up to three rule hosts, "*" when no rule names one. Like kube, the "+ N more..." count is
    of rules, and rules without a host take no place among the three."""
    hosts: list[str] = []
    cut = False
    for rule in rules:
        cut = cut or len(hosts) == _LIST_LIMIT
        if not cut and rule.get("host"):
            hosts.append(str(rule["host"]))
    if not hosts:
        return messages.TABLE_ANY_HOST
    if cut:
        return messages.TABLE_MORE.format(shown=",".join(hosts), more=len(rules) - _LIST_LIMIT)
    return ",".join(hosts)


def _ingress_cells(ingress: Obj, now: datetime) -> Cells:
    spec = section(ingress, "spec")
    ports = messages.TABLE_INGRESS_TLS_PORTS if items(spec, "tls") else messages.TABLE_INGRESS_PORTS
    return [name(ingress), spec.get("ingressClassName") or messages.TABLE_NONE,
            ingress_hosts(items(spec, "rules")),
            ",".join(load_balancer_addresses(section(ingress, "status", "loadBalancer"))),
            ports, created(ingress, now)]


INGRESSES = Printer((
    NAME,
    Column("Class", "The IngressClass that serves the ingress."),
    Column("Hosts", "Hosts the ingress rules match requests against."),
    Column("Address", "Where the load balancer took the ingress in."),
    Column("Ports", "The ports the ingress opens: 80, and 443 with TLS."),
    AGE,
), _ingress_cells)


def _ingress_class_cells(ingress_class: Obj, now: datetime) -> Cells:
    spec = section(ingress_class, "spec")
    parameters = messages.TABLE_NONE
    if isinstance(spec.get("parameters"), dict):
        ref = spec["parameters"]
        kind = f"{ref.get('kind', '')}.{ref['apiGroup']}" if ref.get("apiGroup") is not None \
            else str(ref.get("kind", ""))
        parameters = f"{kind}/{ref.get('name', '')}"
    return [name(ingress_class), str(spec.get("controller", "")), parameters,
            created(ingress_class, now)]


INGRESS_CLASSES = Printer((
    NAME,
    Column("Controller", "The controller that implements the class."),
    Column("Parameters", "The object holding the class's parameters, as Kind[.group]/name."),
    AGE,
), _ingress_class_cells)


def _network_policy_cells(policy: Obj, now: datetime) -> Cells:
    selector = section(policy, "spec").get("podSelector")
    return [name(policy), format_selector(selector if selector is not None else {}),
            created(policy, now)]


NETWORK_POLICIES = Printer((
    NAME,
    Column("Pod-Selector", "The pods the policy applies to."),
    AGE,
), _network_policy_cells)


def _host_port(ip: str, port: object) -> str:
    """Go's net.JoinHostPort: an IPv6 address in brackets."""
    try:
        bracket = ip_address(ip).version == 6
    except ValueError:
        bracket = ":" in ip
    return f"[{ip}]:{port}" if bracket else f"{ip}:{port}"


def format_endpoints(endpoints: Obj) -> str:
    """Up to three ip:port pairs over every subset (bare IPs where a subset has no ports)."""
    subsets = items(endpoints, "subsets")
    if not subsets:
        return messages.TABLE_NONE
    shown: list[str] = []
    total = 0
    for subset in subsets:
        addresses = [str(a.get("ip", "")) for a in items(subset, "addresses")]
        ports = items(subset, "ports")
        if not ports:
            total += len(addresses)
            shown.extend(addresses[:max(0, _LIST_LIMIT - len(shown))])
            continue
        for port in ports:
            total += len(addresses)
            shown.extend(_host_port(ip, port.get("port", 0))
                         for ip in addresses[:max(0, _LIST_LIMIT - len(shown))])
    return more(shown, total, _LIST_LIMIT)


def _endpoints_cells(endpoints: Obj, now: datetime) -> Cells:
    return [name(endpoints), format_endpoints(endpoints), created(endpoints, now)]


ENDPOINTS = Printer((
    NAME,
    Column("Endpoints", "Up to three of the addresses, as ip:port."),
    AGE,
), _endpoints_cells)


def _slice_ports(ports: list[Obj]) -> str:
    shown = []
    for port in ports[:_LIST_LIMIT]:
        if port.get("port") is not None:
            shown.append(str(port["port"]))
        elif port.get("name") is not None:
            shown.append(str(port["name"]))
        else:
            shown.append("*")
    return more(shown, len(ports), _LIST_LIMIT, messages.TABLE_UNSET)


def _slice_endpoints(endpoints: list[Obj]) -> str:
    addresses = [str(a) for e in endpoints for a in e.get("addresses") or []]
    return more(addresses[:_LIST_LIMIT], len(addresses), _LIST_LIMIT, messages.TABLE_UNSET)


def _endpoint_slice_cells(endpoint_slice: Obj, now: datetime) -> Cells:
    return [name(endpoint_slice), str(endpoint_slice.get("addressType", "")),
            _slice_ports(items(endpoint_slice, "ports")),
            _slice_endpoints(items(endpoint_slice, "endpoints")), created(endpoint_slice, now)]


ENDPOINT_SLICES = Printer((
    NAME,
    Column("AddressType", "IPv4, IPv6 or FQDN."),
    Column("Ports", "Up to three of the slice's ports."),
    Column("Endpoints", "Up to three of the slice's addresses."),
    AGE,
), _endpoint_slice_cells)


def _service_cidr_cells(service_cidr: Obj, now: datetime) -> Cells:
    cidrs = section(service_cidr, "spec").get("cidrs") or []
    return [name(service_cidr), ",".join(str(c) for c in cidrs), created(service_cidr, now)]


SERVICE_CIDRS = Printer((
    NAME, Column("CIDRs", "The ranges service IPs are allocated from."), AGE,
), _service_cidr_cells)


def _ip_address_cells(address: Obj, now: datetime) -> Cells:
    parent = section(address, "spec").get("parentRef")
    owner = messages.TABLE_NONE
    if isinstance(parent, dict):
        resource, group = str(parent.get("resource", "")), str(parent.get("group", ""))
        owner = (f"{resource}.{group}" if group else resource).lower()
        if parent.get("namespace"):
            owner += f"/{parent['namespace']}"
        owner += f"/{parent.get('name', '')}"
    return [name(address), owner]


# IP addresses print no age.
IP_ADDRESSES = Printer((
    NAME, Column("ParentRef", "The object the address is allocated to."),
), _ip_address_cells)
