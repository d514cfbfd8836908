"""What the StatefulSet and DaemonSet controllers share: ControllerRevisions (pkg/controller/history
and each controller's ``getPatch``), the controller reference and its claims
(controller_ref_manager.go), and the pod predicates both read (pkg/api/v1/pod ``IsPodReady``,
``IsPodAvailable``).

A revision stores its owner's pod template as the strategic merge patch that restores it,
``{"spec": {"template": {..., "$patch": "replace"}}}``, written as Go's ``json.Marshal`` writes a
map (keys sorted, no spaces, HTML characters escaped) from the typed object (so the template's
metadata has ``creationTimestamp: null``). A StatefulSet's revision is named by the FNV-1 hash of
those bytes, as kube's ``HashControllerRevision`` does: where the stored template is byte for byte
kube's, so is the revision's name. A DaemonSet's hash (kube hashes a Go value dump) is ours.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.selectors import LabelSelector, label_selector_from_match
from emulator.cluster.mock.registry.store import WatchEvent
from emulator.cluster.mock.wire.status import KubeError

Obj = dict[str, Any]

# apimachinery pkg/util/rand: the alphabet of generated names and encoded hashes (no vowels).
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
# history.ControllerRevisionHashLabel: a StatefulSet revision's hash, as a label on the revision.
REVISION_HASH_LABEL = "controller.kubernetes.io/hash"
# apps/v1 ControllerRevisionHashLabelKey (StatefulSetRevisionLabel, DefaultDaemonSetUniqueLabelKey):
# the revision a pod was made from, on the pod (and on a DaemonSet's revisions).
POD_REVISION_LABEL = "controller-revision-hash"
_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619


# -- hashing and naming --------------------------------------------------------------------------

def go_json(value: Any) -> bytes:
    """``value`` as Go's encoding/json writes a ``map[string]interface{}``: keys sorted, compact,
    ``<``, ``>`` and ``&`` escaped (and U+2028, U+2029), everything else as UTF-8."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text.encode()


def fnv32(data: bytes) -> int:
    """hash/fnv New32 (FNV-1: multiply, then xor)."""
    value = _FNV_OFFSET
    for byte in data:
        value = (value * _FNV_PRIME) & 0xFFFFFFFF
        value ^= byte
    return value


def fnv32a(data: bytes) -> int:
    """hash/fnv New32a (FNV-1a: xor, then multiply)."""
    value = _FNV_OFFSET
    for byte in data:
        value ^= byte
        value = (value * _FNV_PRIME) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    """rand.SafeEncodeString: each character mapped into the alphabet, so a hash never spells."""
    return "".join(_ALPHANUMS[ord(char) % len(_ALPHANUMS)] for char in text)


def revision_name(prefix: str, hash_: str) -> str:
    """history.ControllerRevisionName: the owner's name (at most 223 characters) and the hash."""
    return f"{prefix[:223]}-{hash_}"


def statefulset_hash(data: Obj, collision_count: int) -> str:
    """history.HashControllerRevision: FNV-1 of the revision's raw data, then the collision
    count's decimal digits (the StatefulSet controller always passes one)."""
    return safe_encode(str(fnv32(go_json(data) + str(collision_count).encode())))


def template_hash(template: Obj, collision_count: int | None) -> str:
    """controller.ComputeHash, the DaemonSet's revision hash: FNV-1a of the pod template, then the
    collision count as four little-endian bytes. kube hashes the Go value as go-spew prints it,
    which has no JSON equivalent; the template's Go JSON stands in for it (same inputs, same
    hash, a change of template a new one)."""
    data = go_json(template)
    if collision_count is not None:
        data += struct.pack("<I", collision_count & 0xFFFFFFFF)
    return safe_encode(str(fnv32a(data)))


def template_patch(owner: Obj) -> Obj:
    """The owner's ``getPatch``: the patch that restores its pod template. The template is written
    from the typed object, whose metadata always has a creationTimestamp (null)."""
    template = clone(((owner.get("spec") or {}).get("template")) or {})
    template.setdefault("metadata", {})
    template["metadata"].setdefault("creationTimestamp", None)
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def template_of(revision: Obj) -> Obj | None:
    """The pod template a revision restores (what ``ApplyRevision`` puts into the owner)."""
    template = ((revision.get("data") or {}).get("spec") or {}).get("template")
    if not isinstance(template, dict):
        return None
    template = {k: v for k, v in clone(template).items() if k != "$patch"}
    meta = template.get("metadata")
    if isinstance(meta, dict) and meta.get("creationTimestamp") is None:
        meta.pop("creationTimestamp", None)
    return template


def with_template(owner: Obj, revision: Obj) -> Obj:
    """``owner`` with the revision's pod template in place of its own."""
    restored = clone(owner)
    template = template_of(revision)
    if template is not None:
        restored.setdefault("spec", {})["template"] = template
    return restored


def by_revision(revisions: Iterable[Obj]) -> list[Obj]:
    """history.SortControllerRevisions: by revision number, a stable sort."""
    return sorted(revisions, key=lambda r: int(r.get("revision") or 0))


def create_revision(ctx: Context, owner: Obj, revision: Obj, name_for: Callable[[int], str],
                    collision_count: int) -> tuple[Obj, int]:
    """history.CreateControllerRevision: create ``revision`` under the name ``name_for`` gives
    the collision count; a namesake with the same data is the revision, one with other data is
    a collision (the count goes up and the name changes). The revision and the final count."""
    while True:
        body = clone(revision)
        body["metadata"]["name"] = name_for(collision_count)
        try:
            return ctx.create("apps", "controllerrevisions", body), collision_count
        except KubeError as err:
            if err.reason != "AlreadyExists":
                raise
        existing = ctx.get("apps", "controllerrevisions", owner["metadata"]["namespace"],
                           body["metadata"]["name"])
        if existing is not None and existing.get("data") == body.get("data"):
            return existing, collision_count
        collision_count += 1


# -- controller references and claims ------------------------------------------------------------

def controller_ref(owner: Obj) -> Obj:
    """metav1.NewControllerRef."""
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def controller_of(obj: Obj) -> Obj | None:
    """metav1.GetControllerOf: the ownerReference with ``controller: true``."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller"):
            return ref
    return None


def owner_key(obj: Obj, kind: str) -> tuple[str, str] | None:
    """The (namespace, name) of ``obj``'s controller when it is an apps/v1 ``kind``."""
    ref = controller_of(obj)
    if ref is None or ref.get("kind") != kind or str(ref.get("apiVersion", "")).split("/")[0] \
            != "apps":
        return None
    return (obj["metadata"].get("namespace", ""), ref.get("name", ""))


def owner_keys(ctx: Context, event: WatchEvent, kind: str,
               plural: str) -> set[tuple[str, str]]:
    """The apps/v1 ``kind`` objects a change to a pod or ControllerRevision concerns: its
    controller (before and after the change), or for an orphan pod the ``plural`` objects of its
    namespace that select it, which may adopt it."""
    keys = {key for obj in (event.object, event.previous) if obj is not None
            for key in [owner_key(obj, kind)] if key is not None}
    if keys or event.resource != ("", "pods") or event.type == "DELETED":
        return keys
    namespace = event.object["metadata"].get("namespace", "")
    labels = event.object["metadata"].get("labels") or {}
    for owner in ctx.store.list(("apps", plural), namespace)[0]:
        try:
            selector = label_selector_from_match((owner.get("spec") or {}).get("selector"))
        except KubeError:
            continue
        if not selector.empty and selector.matches(labels):
            keys.add((namespace, owner["metadata"]["name"]))
    return keys


def claim(ctx: Context, owner: Obj, group: str, plural: str, selector: LabelSelector,
          member: Callable[[Obj], bool] = lambda _: True) -> list[Obj]:
    """BaseControllerRefManager.ClaimObject over the namespace's ``group/plural``: what ``owner``
    controls and still selects; orphans it selects are adopted, what it controls but no longer
    selects is released (neither while the owner is being deleted)."""
    uid = owner["metadata"]["uid"]
    deleting = bool(owner["metadata"].get("deletionTimestamp"))
    claimed: list[Obj] = []
    for obj in ctx.list(group, plural, owner["metadata"]["namespace"]):
        ref = controller_of(obj)
        matches = selector.matches((obj["metadata"].get("labels")) or {}) and member(obj)
        if ref is not None:
            if ref.get("uid") != uid:
                continue
            if matches:
                claimed.append(obj)
            elif not deleting:
                _set_refs(ctx, group, plural, obj, [
                    r for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid") != uid])
            continue
        if deleting or not matches or obj["metadata"].get("deletionTimestamp"):
            continue
        adopted = _set_refs(ctx, group, plural, obj,
                            [*(obj["metadata"].get("ownerReferences") or []),
                             controller_ref(owner)])
        if adopted is not None:
            claimed.append(adopted)
    return claimed


def _set_refs(ctx: Context, group: str, plural: str, obj: Obj, refs: list[Obj]) -> Obj | None:
    changed = clone(obj)
    if refs:
        changed["metadata"]["ownerReferences"] = refs
    else:
        changed["metadata"].pop("ownerReferences", None)
    try:
        return ctx.update(group, plural, changed)
    except KubeError as err:
        if err.code == 404:  # gone meanwhile: nothing to claim
            return None
        raise


# -- pods ------------------------------------------------------------------------------------------

def ready_condition(pod: Obj) -> Obj | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == "Ready":
            return condition
    return None


def is_ready(pod: Obj) -> bool:
    """podutil.IsPodReady: the Ready condition is True."""
    condition = ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def is_available(pod: Obj, min_ready_seconds: int, now: datetime) -> bool:
    """podutil.IsPodAvailable: ready, and for longer than ``min_ready_seconds``."""
    if not is_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = _time((ready_condition(pod) or {}).get("lastTransitionTime"))
    return since is not None and since + timedelta(seconds=min_ready_seconds) < now


def phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def is_terminating(obj: Obj) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def pod_from_template(template: Obj, owner: Obj) -> Obj:
    """controller.GetPodFromTemplate: the template's labels, annotations, finalizers and spec, a
    generateName from the owner's name, and the owner's controller reference."""
    meta = template.get("metadata") or {}
    pod_meta: Obj = {"generateName": f"{owner['metadata']['name']}-",
                     "namespace": owner["metadata"]["namespace"],
                     "ownerReferences": [controller_ref(owner)]}
    for field in ("labels", "annotations"):
        if meta.get(field):
            pod_meta[field] = dict(meta[field])
    if meta.get("finalizers"):
        pod_meta["finalizers"] = list(meta["finalizers"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta,
            "spec": clone(template.get("spec") or {})}


def scaled(value: Any, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent (a bad value counts as 0)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.endswith("%"):
        try:
            percent = int(value[:-1])
        except ValueError:
            return 0
        product = percent * total
        return -(-product // 100) if round_up else product // 100
    return 0  # a string without "%" is an error to kube
