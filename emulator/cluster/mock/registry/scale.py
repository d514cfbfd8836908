"""The scale subresource of deployments, replicasets, statefulsets and replicationcontrollers: the
workload seen as an autoscaling/v1 ``Scale``.

``kubectl scale`` merge-patches it with ``{"spec":{"replicas":N}}``, or reads and replaces it when
given ``--current-replicas`` or ``--resource-version``. Only ``spec.replicas`` goes back into the
workload. No controller runs the pods, so ``status.replicas`` stays what the workload's status
says.
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import fieldvalidation
from emulator.cluster.mock.registry.selectors import label_selector_from_match
from emulator.cluster.mock.wire.status import KubeError

_META = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")


def as_scale(workload: dict[str, Any]) -> dict[str, Any]:
    meta = workload["metadata"]
    spec = workload.get("spec") or {}
    status = workload.get("status") or {}
    selector = spec.get("selector")
    if workload.get("kind") == "ReplicationController" and isinstance(selector, dict):
        selector = {"matchLabels": selector}  # a v1 controller's selector is a plain label map
    return {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {key: meta[key] for key in _META if key in meta},
        # ScaleSpec.replicas is omitempty; ScaleStatus.replicas is not.
        "spec": {"replicas": spec["replicas"]} if spec.get("replicas") else {},
        "status": {"replicas": status.get("replicas", 0),
                   "selector": label_selector_from_match(selector).text()},
    }


def custom_scale(obj: dict[str, Any], paths: tuple[str, str, str]) -> dict[str, Any]:
    """A custom resource as its CRD's scale subresource shows it: replicas read from the
    specReplicasPath and statusReplicasPath, the selector (a string) from labelSelectorPath."""
    spec_path, status_path, selector_path = paths
    meta = obj["metadata"]
    replicas = _at(obj, spec_path)
    selector = _at(obj, selector_path) if selector_path else None
    status: dict[str, Any] = {"replicas": _at(obj, status_path) or 0}
    if isinstance(selector, str) and selector:
        status["selector"] = selector
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {key: meta[key] for key in _META if key in meta},
            "spec": {"replicas": replicas} if replicas else {}, "status": status}


def with_custom_replicas(obj: dict[str, Any], spec_path: str, replicas: int) -> dict[str, Any]:
    """A copy of ``obj`` with ``replicas`` at its specReplicasPath (``.spec.replicas``)."""
    steps = [s for s in spec_path.split(".") if s]
    out = dict(obj)
    node = out
    for step in steps[:-1]:
        child = node.get(step)
        node[step] = dict(child) if isinstance(child, dict) else {}
        node = node[step]
    node[steps[-1]] = replicas
    return out


def _at(obj: Any, path: str) -> Any:
    for step in (s for s in path.split(".") if s):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(step)
    return obj


def replicas_of(scale: Any, name: str, *, patched: bool = False) -> int:
    """``spec.replicas`` of a Scale a client sent (``patched``: that a patch produced), decoded
    and validated as kube does."""
    spec = scale.get("spec") if isinstance(scale, dict) else None
    if spec is None:
        return 0
    if not isinstance(spec, dict):
        raise _undecodable(scale, patched, spec, "Scale", "spec", "v1.ScaleSpec")
    replicas = spec.get("replicas", 0)
    if replicas is None:
        return 0
    if isinstance(replicas, bool) or not isinstance(replicas, int) or not (
            -2**31 <= replicas < 2**31):
        raise _undecodable(scale, patched, replicas, "ScaleSpec", "spec.replicas", "int32")
    if replicas < 0:
        detail = messages.K8S_SCALE_NEGATIVE.format(replicas=replicas)
        raise KubeError(422, messages.K8S_SCALE_INVALID.format(name=name, detail=detail),
                        details={"name": name, "group": "autoscaling", "kind": "Scale",
                                 "causes": [{"reason": "FieldValueInvalid", "message": detail,
                                             "field": "spec.replicas"}]})
    return replicas


def _undecodable(scale: Any, patched: bool, value: Any, struct: str, field: str,
                 go_type: str) -> KubeError:
    """Go's UnmarshalTypeError, inside kube's decode error for a Scale body, or for a patch its
    invalid ``patch`` quoting the Scale it produced."""
    if isinstance(value, bool):
        found = "bool"
    elif isinstance(value, (int, float)):
        found = f"number {value}"
    else:
        found = {str: "string", dict: "object", list: "array"}.get(type(value), "null")
    detail = messages.K8S_GO_UNMARSHAL_TYPE.format(value=found, struct=struct, field=field,
                                                   type=go_type)
    if patched:
        return fieldvalidation.invalid_patch(fieldvalidation.go_json(scale), detail)
    return KubeError(400, messages.K8S_CANNOT_HANDLE.format(kind="Scale", version="v1",
                                                            want="Scale", detail=detail))
