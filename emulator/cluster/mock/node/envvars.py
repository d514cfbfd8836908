"""A container's environment as the kubelet makes it (kubelet_pods.go makeEnvironmentVariables,
pkg/kubelet/envvars): ``envFrom`` ConfigMaps and Secrets first, then ``env`` over them, each value
with its ``$(VAR)`` references expanded or read from its source (a ConfigMap or Secret key, a pod
field), then the service links: the ``kubernetes`` Service's variables always, and those of every
Service of the pod's namespace while ``enableServiceLinks`` is on, none of them overriding a
variable the container sets. Read once, when the container's sandbox is made.

Not modelled: ``resourceFieldRef`` (the variable is empty), and the refusal to start a container
whose non-optional source is missing (kube's CreateContainerConfigError): the variable is left
out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.cluster.mock.node.mounts import Reader, contents, field_value
from emulator.cluster.mock.registry.defaults import each

# The Services whose variables every pod gets, from the default namespace.
MASTER_SERVICES = ("kubernetes",)

ServiceLister = Callable[[str], list[dict[str, Any]]]  # a namespace's Services


def environment(pod: dict[str, Any], container_spec: dict[str, Any], read: Reader,
                services: ServiceLister) -> dict[str, str]:
    spec = pod.get("spec") or {}
    service_env = _service_variables(pod["metadata"].get("namespace", ""),
                                     spec.get("enableServiceLinks") is not False, services)
    env: dict[str, str] = {}
    for source in each(container_spec, "envFrom"):
        prefix = str(source.get("prefix") or "")
        for kind, plural in (("configMapRef", "configmaps"), ("secretRef", "secrets")):
            ref = source.get(kind)
            if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                for key, value in _values(read(plural, ref["name"]), plural).items():
                    env[prefix + key] = value
    for variable in each(container_spec, "env"):
        name = variable.get("name")
        if not isinstance(name, str) or not name:
            continue
        value = variable.get("value")
        if isinstance(value, str) and value:
            env[name] = expand(value, lambda ref: env.get(ref, service_env.get(ref)))
            continue
        resolved = _from_source(pod, variable.get("valueFrom"), read)
        if resolved is not None:
            env[name] = resolved
        elif not isinstance(variable.get("valueFrom"), dict):
            env[name] = ""  # declared without a value
    for name, value in service_env.items():
        env.setdefault(name, value)
    return env


def _from_source(pod: dict[str, Any], source: Any, read: Reader) -> str | None:
    if not isinstance(source, dict):
        return None
    field = source.get("fieldRef")
    if isinstance(field, dict):
        return field_value(pod, str(field.get("fieldPath", "")))
    if isinstance(source.get("resourceFieldRef"), dict):
        return ""
    for kind, plural in (("configMapKeyRef", "configmaps"), ("secretKeyRef", "secrets")):
        ref = source.get(kind)
        if isinstance(ref, dict) and isinstance(ref.get("name"), str):
            return _values(read(plural, ref["name"]), plural).get(str(ref.get("key")))
    return None


def _values(obj: dict[str, Any] | None, plural: str) -> dict[str, str]:
    """A ConfigMap's data (binaryData is never an environment), or a Secret's decoded data."""
    if obj is None:
        return {}
    if plural == "configmaps":
        return {k: str(v) for k, v in (obj.get("data") or {}).items()}
    return {k: v.decode(errors="replace") for k, v in contents(obj, "secret").items()}


def expand(value: str, lookup: Callable[[str], str | None]) -> str:
    """kube's ``$(VAR)`` expansion (third_party/forked/golang/expansion): a defined variable's
    value, ``$$`` for a literal ``$``; an unknown or unclosed reference stays as written."""
    out: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        if char != "$" or i + 1 >= len(value):
            out.append(char)
            i += 1
            continue
        following = value[i + 1]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "(":
            close = value.find(")", i + 2)
            if close < 0:
                out.append("$(")
                i += 2
                continue
            name = value[i + 2:close]
            found = lookup(name)
            out.append(found if found is not None else f"$({name})")
            i = close + 1
        else:
            out.append("$" + following)
            i += 2
    return "".join(out)


def _service_variables(namespace: str, links: bool,
                       services: ServiceLister) -> dict[str, str]:
    chosen: dict[str, dict[str, Any]] = {}
    for service in services("default"):
        if service["metadata"]["name"] in MASTER_SERVICES:
            chosen[service["metadata"]["name"]] = service
    if links:  # the namespace's own, a namesake of a master Service included
        for service in services(namespace):
            chosen[service["metadata"]["name"]] = service
    variables: dict[str, str] = {}
    for service in chosen.values():
        variables.update(_one_service(service))
    return variables


def _one_service(service: dict[str, Any]) -> dict[str, str]:
    """envvars.FromServices for one Service with a cluster IP."""
    spec = service.get("spec") or {}
    address = spec.get("clusterIP")
    ports = each(spec, "ports")
    if not address or address == "None" or not ports:
        return {}
    prefix = service["metadata"]["name"].replace("-", "_").upper()
    host_port = (lambda port: f"[{address}]:{port}" if ":" in address else f"{address}:{port}")
    variables = {f"{prefix}_SERVICE_HOST": address,
                 f"{prefix}_SERVICE_PORT": str(ports[0].get("port"))}
    for port in ports:
        if port.get("name"):
            name = str(port["name"]).replace("-", "_").upper()
            variables[f"{prefix}_SERVICE_PORT_{name}"] = str(port.get("port"))
    for index, port in enumerate(ports):
        protocol = str(port.get("protocol") or "TCP")
        url = f"{protocol.lower()}://{host_port(port.get('port'))}"
        if index == 0:
            variables[f"{prefix}_PORT"] = url
        named = f"{prefix}_PORT_{port.get('port')}_{protocol.upper()}"
        variables.update({named: url, f"{named}_PROTO": protocol.lower(),
                          f"{named}_PORT": str(port.get("port")), f"{named}_ADDR": address})
    return variables
