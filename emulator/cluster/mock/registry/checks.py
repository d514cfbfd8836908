"""What every write is checked for before it is stored: the object's name, the JSON shape of the
fields the mock itself reads, and the size of a ConfigMap's or Secret's data."""

from __future__ import annotations

import re
from typing import Any

from emulator import limits, messages
from emulator.cluster.mock.registry import fielderrors, namechecks
from emulator.cluster.mock.registry.resources import ResourceType
from emulator.cluster.mock.wire.status import KubeError

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def validate_name(resource: ResourceType, name: str) -> None:
    if resource.group == "rbac.authorization.k8s.io":
        # RBAC names are path segments (kube's ValidateRBACName), so "system:aggregate-to-view"
        # is valid where a DNS subdomain would not be.
        if name not in (".", "..") and "/" not in name and "%" not in name:
            return
        raise _invalid_name(resource, messages.K8S_INVALID_PATH_SEGMENT_NAME, name)
    if resource.kind == "Namespace":
        # Namespace names are DNS labels: no dots, at most 63 characters.
        if len(name) > 63 or not _DNS_LABEL.match(name):
            raise _invalid_name(resource, messages.K8S_INVALID_NAMESPACE_NAME, name)
        return
    if (resource.group, resource.kind) in (("", "Service"), ("apps", "StatefulSet")):
        # ValidateServiceName: a DNS-1035 label (a letter first, no dots); a StatefulSet's
        # names its pods' hostnames, a DNS-1123 label since 1.27. One error a message.
        problems = (namechecks.dns1035_label(name) if resource.kind == "Service"
                    else namechecks.dns1123_label(name))
        if problems:
            raise fielderrors.invalid(resource.kind, resource.group, name, [
                fielderrors.invalid_value("metadata.name", name, problem)
                for problem in problems])
        return
    if resource.group == "apiregistration.k8s.io":
        # An APIService is named <version>.<group>: "v1." is the core group's, so the usual
        # subdomain rule (no trailing dot) applies to the group part alone.
        version, dot, group = name.partition(".")
        if dot and _DNS_LABEL.match(version) and (not group or _DNS_SUBDOMAIN.match(group)):
            return
        raise _invalid_name(resource, messages.K8S_INVALID_NAME, name)
    if len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        raise _invalid_name(resource, messages.K8S_INVALID_NAME, name)


# What kube's WarningsOnCreate says of a name that is not a DNS label (1.27+): the pods these
# kinds make are named from it, and a pod's hostname is its name.
_HOSTNAME_WARNINGS = {("", "Pod"): messages.K8S_POD_NAME_NOT_LABEL,
                      **{key: messages.K8S_WORKLOAD_NAME_NOT_LABEL for key in (
                          ("apps", "Deployment"), ("apps", "ReplicaSet"),
                          ("", "ReplicationController"), ("batch", "Job"),
                          ("batch", "CronJob"))}}


def name_warnings(resource: ResourceType, name: str) -> list[str]:
    """The warning kube adds to a valid create whose pods' hostnames the name would make
    surprising (a dot in it, say)."""
    template = _HOSTNAME_WARNINGS.get((resource.group, resource.kind))
    problems = namechecks.dns1123_label(name) if template is not None else []
    return [template.format(problems=" ".join(problems))] if problems else []


def _invalid_name(resource: ResourceType, template: str, name: str) -> KubeError:
    """apierrors.NewInvalid for metadata.name: the kind qualified by its group in the message
    ("Deployment.apps"), and details naming it with the field error as the one cause."""
    kind = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
    message = template.format(kind=kind, name=name)
    cause = message.removeprefix(f'{kind} "{name}" is invalid: metadata.name: ')
    return KubeError(422, message, reason="Invalid", details={
        "name": name, "group": resource.group, "kind": resource.kind,
        "causes": [{"reason": "FieldValueInvalid", "message": cause, "field": "metadata.name"}]})


# Lists of objects (under spec) that the mock's own kubelet, admission and service allocator
# walk, and the strings under spec that admission looks up.
_OBJECT_LISTS: dict[str, tuple[str, ...]] = {
    "Pod": ("containers", "initContainers", "volumes", "tolerations", "imagePullSecrets"),
    "Service": ("ports",)}
_STRINGS: dict[str, tuple[str, ...]] = {
    "Pod": ("serviceAccountName", "serviceAccount", "priorityClassName")}
# The scalars in those lists that the mock's own code compares and keys by (the service
# allocator shares a node port by port number and keeps one by port name): what kube's typed
# decoding would refuse is refused, not hashed.
_LIST_SCALARS: dict[str, dict[str, dict[str, tuple[type, ...]]]] = {
    "Service": {"ports": {"name": (str,), "protocol": (str,), "appProtocol": (str,),
                          "port": (int,), "nodePort": (int,), "targetPort": (int, str)}}}


def check_shapes(resource: ResourceType, obj: dict[str, Any]) -> None:
    """Refuse (400) the JSON types kube's typed decoding refuses, where the mock's own code reads
    them; they used to surface as 500s (a numeric name, a list of labels, a string pod spec).
    Explicit nulls are dropped, as Go decodes them to zero values."""
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail="metadata"))
    for name in ("name", "generateName", "namespace", "resourceVersion", "uid"):
        if name in meta and meta[name] is None:
            del meta[name]
        elif name in meta and not isinstance(meta[name], str):
            raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail=f"metadata.{name}"))
    for name in ("labels", "annotations"):
        if name in meta and meta[name] is None:
            del meta[name]
        elif name in meta and not (isinstance(meta[name], dict)
                                   and all(isinstance(v, str) for v in meta[name].values())):
            raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail=f"metadata.{name}"))
    for name in ("spec", "status"):
        if name in obj and obj[name] is None:
            del obj[name]
        elif name in obj and not isinstance(obj[name], dict):
            raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail=name))
    spec = obj.get("spec", {})
    for name in _OBJECT_LISTS.get(resource.kind, ()):
        if name in spec and spec[name] is None:
            del spec[name]
        elif name in spec and not (isinstance(spec[name], list)
                                   and all(isinstance(i, dict) for i in spec[name])):
            raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail=f"spec.{name}"))
    for name in _STRINGS.get(resource.kind, ()):
        if name in spec and spec[name] is None:
            del spec[name]
        elif name in spec and not isinstance(spec[name], str):
            raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail=f"spec.{name}"))
    for name in ("containers", "initContainers") if resource.kind == "Pod" else ():
        for i, container in enumerate(spec.get(name) or ()):
            if container.get("resources") is None:
                container.pop("resources", None)
            elif not isinstance(container["resources"], dict):  # defaulting reads it
                raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(
                    detail=f"spec.{name}[{i}].resources"))
    for name, fields in _LIST_SCALARS.get(resource.kind, {}).items():
        for i, item in enumerate(spec.get(name) or ()):
            for field, types in fields.items():
                value = item.get(field)
                if value is None:
                    item.pop(field, None)
                elif isinstance(value, bool) or not isinstance(value, types):
                    raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(
                        detail=f"spec.{name}[{i}].{field}"))


def check_data_size(resource: ResourceType, obj: dict[str, Any], minor: int) -> None:
    """kube's ValidateConfigMap and ValidateSecret size rule: at most 1 MiB of data. A ConfigMap
    counts its data (UTF-8 bytes) and binaryData (decoded) and reports the whole object (field
    "[]", field.NewPath("")); a Secret counts its decoded data (stringData is merged into it by
    then) and reports "data". field.TooLong's wording changed in Kubernetes 1.32."""
    if resource.group or resource.kind not in ("ConfigMap", "Secret"):
        return
    if resource.kind == "ConfigMap":
        field = "[]"
        total = sum(len(v.encode("utf-8", "surrogatepass")) for v in _strings(obj, "data"))
        total += sum(_decoded_size(v) for v in _strings(obj, "binaryData"))
    else:
        field = "data"
        total = sum(_decoded_size(v) for v in _strings(obj, "data"))
    if total <= limits.KUBE_MAX_DATA_BYTES:
        return
    name = obj["metadata"].get("name", "")
    cause = (messages.K8S_TOO_LONG_CAUSE_1_32 if minor >= 32 else messages.K8S_TOO_LONG_CAUSE
             ).format(limit=limits.KUBE_MAX_DATA_BYTES)
    raise KubeError(422, messages.K8S_TOO_LONG.format(kind=resource.kind, name=name, field=field,
                                                      cause=cause), reason="Invalid",
                    details={"name": name, "kind": resource.kind, "causes": [
                        {"reason": "FieldValueTooLong", "message": cause, "field": field}]})


def _strings(obj: dict[str, Any], key: str) -> list[str]:
    """The string values of a map field (other values are refused elsewhere, or not stored)."""
    values = obj.get(key)
    return [v for v in values.values() if isinstance(v, str)] if isinstance(values, dict) else []


def _decoded_size(text: str) -> int:
    """The bytes a base64 text ([]byte in JSON) decodes to, counted without decoding it."""
    padding = min(2, len(text) - len(text.rstrip("=")))
    return max(0, len(text) * 3 // 4 - padding)
