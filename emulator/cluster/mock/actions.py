"""The subresources that act rather than store: pods/eviction, pods/binding (and the ``bindings``
resource), namespaces/finalize and certificatesigningrequests/approval.

Each one changes its parent object the way kube's REST handler for it does, reduced to what a
client can observe: an eviction deletes the pod, a binding sets ``spec.nodeName`` once, finalize
replaces ``spec.finalizers``, an approval replaces ``status.conditions``.
"""

from __future__ import annotations

from typing import Any

from emulator import messages
from emulator.cluster.mock.registry.objects import Objects
from emulator.cluster.mock.query import Query
from emulator.cluster.mock.registry.resources import Registry, ResourceType
from emulator.cluster.mock.wire.status import KubeError

ACTIONS = ("eviction", "binding", "finalize", "approval")


def success(code: int) -> dict[str, Any]:
    """The Status kube answers when an action succeeded and has no object to show."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "code": code}


def evict(objects: Objects, pods: ResourceType, namespace: str, name: str,
          body: dict[str, Any], q: Query) -> dict[str, Any]:
    _named(body, name, "Eviction")
    objects.delete(pods, namespace, name, body.get("deleteOptions") or {}, q)
    return success(201)


def bind(objects: Objects, registry: Registry, namespace: str, name: str,
         body: dict[str, Any], q: Query) -> dict[str, Any]:
    """POST pods/{name}/binding or bindings: assign an unscheduled pod to a node."""
    _named(body, name, "Binding")
    target = body.get("target")
    node = target.get("name") if isinstance(target, dict) else None
    if not isinstance(node, str) or not node:
        raise KubeError(422, messages.K8S_BINDING_NO_TARGET.format(name=name), reason="Invalid")
    pods = _core(registry, "pods")
    pod = objects.get(pods, namespace, name)
    bound = (pod.get("spec") or {}).get("nodeName")
    if bound:
        raise KubeError(409, messages.K8S_POD_ALREADY_ASSIGNED.format(name=name, node=bound),
                        reason="Conflict", details={"name": name, "kind": "pods"})
    # The stored pod with a checked node name: nothing in it for the schema walk to drop (the
    # client's body only names the node), so it is skipped, as for a controller's write.
    objects.update(pods, namespace, name, {**pod, "spec": {**pod["spec"], "nodeName": node}}, q,
                   "binding", trusted=True)
    return success(201)


def finalize(objects: Objects, namespaces: ResourceType, name: str, body: dict[str, Any],
             q: Query) -> dict[str, Any]:
    current = objects.get(namespaces, None, name)
    finalizers = (body.get("spec") or {}).get("finalizers") or []
    if not isinstance(finalizers, list) or not all(isinstance(f, str) for f in finalizers):
        raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail="spec.finalizers"))
    spec = {**(current.get("spec") or {}), "finalizers": finalizers}
    return objects.update(namespaces, None, name, {**current, "spec": spec}, q)


def approve(objects: Objects, csrs: ResourceType, name: str, body: dict[str, Any],
            q: Query) -> dict[str, Any]:
    current = objects.get(csrs, None, name)
    conditions = (body.get("status") or {}).get("conditions") or []
    if not isinstance(conditions, list):
        raise KubeError(400, messages.K8S_BODY_NOT_OBJECT.format(detail="status.conditions"))
    status = {**(current.get("status") or {}), "conditions": conditions}
    return objects.update(csrs, None, name, {**current, "status": status}, q, "status")


def _named(body: dict[str, Any], name: str, kind: str) -> None:
    """The body's metadata.name, when given, must be the URL's (kube: 400)."""
    sent = (body.get("metadata") or {}).get("name")
    if sent and sent != name:
        raise KubeError(400, messages.K8S_ACTION_NAME_MISMATCH.format(kind=kind))


def _core(registry: Registry, plural: str) -> ResourceType:
    resource = registry.lookup("", "v1", plural)
    assert resource is not None, plural
    return resource
