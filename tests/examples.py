"""Minimal objects of any built-in kind, made from that minor's schema: every required field, at
any depth, with a value of its type. Tests use them to create one object of each served kind.
"""

from __future__ import annotations

from typing import Any

from emulator.cluster.mock.registry.schema import schema_for

# Strings whose format a server checks; the rest can be any text.
_NAMED_STRINGS = {"name": "example", "image": "busybox:1.36", "apiVersion": "v1",
                  "kind": "Pod", "schedule": "0 * * * *", "port": 80, "protocol": "TCP"}


def _api_version(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


# Where a client's model asks more than the schema: the kubernetes client's ControllerRevision
# model requires ``data``, its CSR model a base64 ``request``, its binding model a policy.
_CLIENT_WANTS: dict[str, dict[str, Any]] = {
    "ControllerRevision": {"data": {}},
    "ValidatingAdmissionPolicyBinding": {"spec": {"policyName": "example",
                                                  "validationActions": ["Deny"]}},
    "CertificateSigningRequest": {"spec": {"request": "ZXhhbXBsZQ==",
                                           "signerName": "example.com/signer"}},
    # An Event with an eventTime names who reported it and what it did (eventchecks.py).
    "events.k8s.io/Event": {"reportingController": "example.com/sweeper",
                            "reportingInstance": "sweeper-1", "action": "Sweep",
                            "reason": "Swept", "type": "Normal"},
    # A Service needs a port unless it is headless or an ExternalName (servicechecks.py).
    "Service": {"spec": {"ports": [{"port": 80}]}},
}


# Fields the schema leaves optional that kube's validation wants wherever they are.
_KUBE_WANTS = ("spec", "template", "image")
# Where a Job's pods are: kube wants them restarted OnFailure or Never, not the default Always.
_JOB_POD_SPECS = {"Job": ("spec", "template", "spec"),
                  "CronJob": ("spec", "jobTemplate", "spec", "template", "spec")}


# apps/v1 workloads and ReplicationControllers: kube's validation wants a selector that selects
# the template's labels (registry/workloadchecks.py), which the schema leaves optional.
_SELECTING = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


def example(minor: int, group: str, version: str, kind: str, name: str) -> dict[str, Any]:
    definition = schema_for(minor).definition_name(_api_version(group, version), kind)
    assert definition is not None, (group, version, kind)
    obj = _value(minor, {"$ref": f"#/$defs/{definition}"}, "", depth=0)
    assert isinstance(obj, dict)
    obj.update(apiVersion=_api_version(group, version), kind=kind,
               metadata={"name": name})
    wants = _CLIENT_WANTS.get(f"{group}/{kind}") or _CLIENT_WANTS.get(kind, {})
    for key, value in wants.items():
        obj[key] = {**obj[key], **value} if isinstance(value, dict) and key in obj else value
    if group == "apps" and kind in _SELECTING:
        labels = {"app": name}
        obj["spec"]["selector"] = {"matchLabels": labels}
        template = obj["spec"].setdefault("template", {"spec": {"containers": [
            {"name": "example", "image": _NAMED_STRINGS["image"]}]}})  # optional for a ReplicaSet
        template.setdefault("metadata", {})["labels"] = labels
    if group == "" and kind == "ReplicationController":  # its selector is a plain map
        labels = {"app": name}
        obj["spec"]["selector"] = labels
        obj["spec"].setdefault("template", {}).setdefault("metadata", {})["labels"] = labels
    if group == "batch" and kind in _JOB_POD_SPECS:
        spec = obj
        for key in _JOB_POD_SPECS[kind]:
            spec = spec.setdefault(key, {})
        spec["restartPolicy"] = "Never"
    return obj


def _value(minor: int, schema: dict[str, Any], field: str, depth: int) -> Any:
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        if ref.endswith("IntOrString"):
            return 80
        if ref.endswith("Quantity"):
            return "1"
        if ref.endswith(".Time"):
            return "2024-01-01T00:00:00Z"
        if ref.endswith(".MicroTime"):  # exactly six fraction digits, as kube parses it
            return "2024-01-01T00:00:00.000000Z"
        return _value(minor, schema_for(minor).definitions[ref], field, depth)
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    kinds = schema.get("type", "object")
    kind = next(k for k in (kinds if isinstance(kinds, list) else [kinds]) if k != "null")
    if kind == "object":
        out: dict[str, Any] = {}
        if depth < 12:
            # spec, a pod template and an image too, at any depth: kube's validation wants what
            # the schema leaves optional there (podspecchecks.py)
            wanted = [*schema.get("required", []),
                      *(k for k in _KUBE_WANTS if k in schema.get("properties", {}))]
            for key in wanted:
                out[key] = _value(minor, schema.get("properties", {}).get(key, {}), key,
                                  depth + 1)
        return out
    if kind == "array":
        return [_value(minor, schema.get("items", {}), field, depth + 1)]
    if field in _NAMED_STRINGS:
        return _NAMED_STRINGS[field]
    return {"string": "example", "integer": 1, "number": 1, "boolean": False}[kind]
