"""kube's ReplicaSet controller ("replicaset-controller", pkg/controller/replicaset) and the
ReplicationController controller ("replication-controller"), which kube runs as the same code
over core/v1: keep as many active pods as spec.replicas asks for, made from spec.template.

One sync, as replica_set.go's syncReplicaSet: list the namespace's active pods (not finished,
not being deleted), claim them (adopt orphans the selector matches, release owned pods it no
longer matches), create or delete the difference (the least useful pods go first, as kube's
ActivePods ranking orders them), and write the status (replicas, fullyLabeledReplicas,
readyReplicas, availableReplicas with minReadySeconds, observedGeneration) through /status.

The ownership helpers (controller references, claiming) serve the Deployment controller too.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from emulator import messages
from emulator.clock import rfc3339
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.events import NORMAL, WARNING, Source
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.selectors import LabelSelector, label_selector_from_match
from emulator.cluster.mock.registry.store import WatchEvent
from emulator.cluster.mock.wire.status import KubeError

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name)

PODS = ("", "pods")
# replicaset.BurstReplicas: at most this many pods made or removed in one sync.
BURST_REPLICAS = 500
# The Event reasons of controller_utils.go's RealPodControl.
SUCCESSFUL_CREATE = "SuccessfulCreate"
FAILED_CREATE = "FailedCreate"
SUCCESSFUL_DELETE = "SuccessfulDelete"
FAILED_DELETE = "FailedDelete"
# controller.PodDeletionCost: pods with a lower cost are removed first.
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
# Pending < Unknown < Running when choosing pods to remove (ActivePods).
_PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}


@dataclass(frozen=True)
class OwnerKind:
    """What an owner reference names: the owner's kind and API version."""

    kind: str
    api_version: str


@dataclass(frozen=True)
class ReplicaKind:
    """A kind of replica controller: where its objects live and how its selector is written."""

    group: str
    plural: str
    owner: OwnerKind
    component: str
    selector_is_map: bool  # a ReplicationController's selector is a plain label map

    @property
    def resource(self) -> tuple[str, str]:
        return (self.group, self.plural)

    def selector(self, obj: Obj) -> LabelSelector:
        raw = (obj.get("spec") or {}).get("selector")
        if self.selector_is_map:
            return label_selector_from_match({"matchLabels": raw or {}})
        return label_selector_from_match(raw)


REPLICA_SETS = ReplicaKind("apps", "replicasets", OwnerKind("ReplicaSet", "apps/v1"),
                           "replicaset-controller", selector_is_map=False)
REPLICATION_CONTROLLERS = ReplicaKind("", "replicationcontrollers",
                                      OwnerKind("ReplicationController", "v1"),
                                      "replication-controller", selector_is_map=True)


# -- ownership ------------------------------------------------------------------------------------


def controller_ref(obj: Obj | None) -> Obj | None:
    """metav1.GetControllerOf: the owner reference marked controller."""
    if obj is None:
        return None
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return next((r for r in refs if isinstance(r, dict) and r.get("controller")), None)


def owner_reference(owner: Obj, kind: OwnerKind) -> Obj:
    """metav1.NewControllerRef: controller and blockOwnerDeletion both true."""
    meta = owner["metadata"]
    return {"apiVersion": kind.api_version, "kind": kind.kind, "name": meta["name"],
            "uid": meta.get("uid", ""), "controller": True, "blockOwnerDeletion": True}


def is_deleting(obj: Obj) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def labels_of(obj: Obj | None) -> dict[str, str]:
    return dict(((obj or {}).get("metadata") or {}).get("labels") or {})


def selects_own_template(selector: LabelSelector, owner: Obj) -> bool:
    """Whether the selector is set and selects the template's own labels. kube's validation
    refuses anything else; a controller handed such an object would make pods (or ReplicaSets)
    it cannot select, and make them again on every sync, so it leaves the object alone."""
    template = (owner.get("spec") or {}).get("template") or {}
    return not selector.empty and selector.matches(labels_of(template))


def claim(ctx: Context, owner: Obj, kind: OwnerKind, selector: LabelSelector,
          candidates: Iterable[Obj], resource: tuple[str, str]) -> list[Obj]:
    """ControllerRefManager.ClaimObject over ``candidates``: the owner's own that still match,
    orphans that match adopted, its own that stopped matching released. What it owns after."""
    uid = owner["metadata"].get("uid")
    leaving = is_deleting(owner)
    owned: list[Obj] = []
    for obj in candidates:
        ref = controller_ref(obj)
        matches = selector.matches(labels_of(obj))
        if ref is not None:
            if ref.get("uid") != uid:
                continue  # another controller's
            if matches:
                owned.append(obj)
            elif not leaving:
                _set_refs(ctx, obj, resource, [r for r in obj["metadata"]["ownerReferences"]
                                               if r.get("uid") != uid])
            continue
        if leaving or not matches or is_deleting(obj):
            continue
        refs = [*(obj["metadata"].get("ownerReferences") or []), owner_reference(owner, kind)]
        adopted = _set_refs(ctx, obj, resource, refs)
        if adopted is not None:
            owned.append(adopted)
    return owned


def _set_refs(ctx: Context, obj: Obj, resource: tuple[str, str], refs: list[Obj]) -> Obj | None:
    changed = clone(obj)
    changed["metadata"]["ownerReferences"] = refs
    try:
        return ctx.update(resource[0], resource[1], changed)
    except KubeError as err:
        if err.code == 404:  # gone meanwhile: nothing to own or release
            return None
        raise


# -- pods -----------------------------------------------------------------------------------------


def is_active(pod: Obj) -> bool:
    """controller.IsPodActive: not finished and not being deleted."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not is_deleting(pod)


def _ready_condition(pod: Obj) -> Obj | None:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Ready"), None)


def is_ready(pod: Obj) -> bool:
    condition = _ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def ready_since(pod: Obj) -> datetime | None:
    condition = _ready_condition(pod)
    return None if condition is None else parse_time(condition.get("lastTransitionTime"))


def available_at(pod: Obj, min_ready: int) -> datetime | None:
    """When a ready pod counts as available (podutil.IsPodAvailable: ready for longer than
    minReadySeconds); None for a pod that is not ready or has no transition time."""
    since = ready_since(pod) if is_ready(pod) else None
    return None if since is None else since + timedelta(seconds=max(min_ready, 0))


def is_available(pod: Obj, min_ready: int, now: datetime) -> bool:
    if not is_ready(pod):
        return False
    if min_ready <= 0:
        return True
    since = ready_since(pod)
    return since is not None and since + timedelta(seconds=min_ready) < now


def _restarts(pod: Obj) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return max((int(s.get("restartCount") or 0) for s in statuses), default=0)


def _deletion_cost(pod: Obj) -> int:
    raw = ((pod.get("metadata") or {}).get("annotations") or {}).get(DELETION_COST)
    try:
        return int(raw) if raw is not None else 0
    except ValueError:
        return 0


def _newest_first(moment: datetime | None) -> tuple[int, float]:
    """afterOrZero's order: an unknown time first, then the newest."""
    return (0, 0.0) if moment is None else (1, -moment.timestamp())


def pods_to_delete(pods: list[Obj], count: int) -> list[Obj]:
    """getPodsToDelete: the ``count`` pods least worth keeping, by kube's ActivePodsWithRanks:
    unscheduled before scheduled; Pending, Unknown, Running; not ready before ready; lower
    deletion cost; more pods on the same node; ready most recently; more restarts; newest."""
    if count >= len(pods):
        return list(pods)
    on_node: dict[str, int] = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName") or ""
        on_node[node] = on_node.get(node, 0) + 1

    def rank(pod: Obj) -> tuple[Any, ...]:
        node = (pod.get("spec") or {}).get("nodeName") or ""
        ready = is_ready(pod)
        return (1 if node else 0,
                _PHASE_ORDER.get((pod.get("status") or {}).get("phase") or "", 0),
                1 if ready else 0,
                _deletion_cost(pod),
                -on_node[node] if node else 0,
                _newest_first(ready_since(pod)) if ready else (0, 0.0),
                -_restarts(pod),
                _newest_first(parse_time(pod["metadata"].get("creationTimestamp"))))
    return sorted(pods, key=rank)[:count]


def pod_from_template(owner: Obj, kind: OwnerKind) -> Obj:
    """controller.GetPodFromTemplate: the template's labels, annotations, finalizers and spec,
    the name generated from ``<owner>-``, owned by ``owner``."""
    template = (owner.get("spec") or {}).get("template") or {}
    template_meta = template.get("metadata") or {}
    meta: Obj = {"generateName": f"{owner['metadata']['name']}-",
                 "namespace": owner["metadata"].get("namespace"),
                 "ownerReferences": [owner_reference(owner, kind)]}
    for field in ("labels", "annotations", "finalizers"):
        if template_meta.get(field):
            meta[field] = clone(template_meta[field])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": clone(template.get("spec") or {})}


# -- timers ---------------------------------------------------------------------------------------


# -- the controller -------------------------------------------------------------------------------


class ReplicaController:
    """replica_set.go's ReplicaSetController for one ReplicaKind."""

    def __init__(self, ctx: Context, kind: ReplicaKind) -> None:
        self.ctx = ctx
        self.kind = kind
        self.name = kind.component
        self.watches = (kind.resource, PODS)
        self.source = Source(kind.component)

    # -- what to sync -----------------------------------------------------------------------------

    def keys(self, event: WatchEvent) -> Iterable[Hashable]:
        meta = event.object.get("metadata") or {}
        namespace = meta.get("namespace", "")
        if event.resource == self.kind.resource:
            if event.type == "DELETED":
                self.ctx.cancel(self.name, (namespace, meta["name"]))
                return ()
            return ((namespace, meta["name"]),)
        found: set[Key] = set()
        for pod in (event.object, event.previous):
            ref = controller_ref(pod)
            if ref is not None and ref.get("kind") == self.kind.owner.kind:
                found.add((namespace, ref.get("name", "")))
        # An orphan (new, relabelled or just released) may be adopted by any that selects it.
        if event.type != "DELETED" and controller_ref(event.object) is None and (
                event.previous is None or labels_of(event.previous) != labels_of(event.object)
                or controller_ref(event.previous) is not None):
            labels = labels_of(event.object)
            for owner in self.ctx.list(*self.kind.resource, namespace):
                if self.kind.selector(owner).matches(labels):
                    found.add((namespace, owner["metadata"]["name"]))
        return found

    # -- one sync ---------------------------------------------------------------------------------

    def sync(self, key: Hashable) -> None:
        namespace, name = key  # type: ignore[misc]
        owner = self.ctx.get(*self.kind.resource, namespace, name)
        if owner is None:
            return
        selector = self.kind.selector(owner)
        if not selects_own_template(selector, owner):
            return
        pods = [p for p in self.ctx.list(*PODS, namespace) if is_active(p)]
        pods = claim(self.ctx, owner, self.kind.owner, selector, pods, PODS)
        failure: KubeError | None = None
        if not is_deleting(owner):
            failure = self._manage(owner, pods)
        updated = self._write_status(owner, pods, failure)
        self._wake_for_availability(key, updated, pods)
        if failure is not None:
            raise failure  # retried with back-off, as kube requeues a failed sync

    def _manage(self, owner: Obj, pods: list[Obj]) -> KubeError | None:
        """manageReplicas: make or remove the difference; the first error stops the batch."""
        diff = len(pods) - replicaset_replicas(owner)
        if diff < 0:
            for _ in range(min(-diff, BURST_REPLICAS)):
                try:
                    pod = self.ctx.create(*PODS, pod_from_template(owner, self.kind.owner))
                except KubeError as err:
                    self.ctx.event(owner, self.source, WARNING, FAILED_CREATE,
                                   messages.REPLICAS_CREATE_FAILED.format(error=err.message))
                    return err
                self.ctx.event(owner, self.source, NORMAL, SUCCESSFUL_CREATE,
                               messages.REPLICAS_CREATED_POD.format(pod=pod["metadata"]["name"]))
        elif diff > 0:
            for pod in pods_to_delete(pods, min(diff, BURST_REPLICAS)):
                meta = pod["metadata"]
                try:
                    self.ctx.delete(*PODS, meta["namespace"], meta["name"], uid=meta.get("uid"))
                except KubeError as err:
                    self.ctx.event(owner, self.source, WARNING, FAILED_DELETE,
                                   messages.REPLICAS_DELETE_FAILED.format(error=err.message))
                    return err
                self.ctx.event(owner, self.source, NORMAL, SUCCESSFUL_DELETE,
                               messages.REPLICAS_DELETED_POD.format(pod=meta["name"]))
        return None

    def _write_status(self, owner: Obj, pods: list[Obj], failure: KubeError | None) -> Obj:
        """calculateStatus and updateReplicaSetStatus: written only when something changed."""
        now = self.ctx.now()
        spec = owner.get("spec") or {}
        min_ready = int(spec.get("minReadySeconds") or 0)
        template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        fully = sum(1 for p in pods
                    if all(labels_of(p).get(k) == v for k, v in template_labels.items()))
        ready = sum(1 for p in pods if is_ready(p))
        available = sum(1 for p in pods if is_available(p, min_ready, now))
        old = owner.get("status") or {}
        conditions = [dict(c) for c in old.get("conditions") or []]
        has_failure = any(c.get("type") == "ReplicaFailure" for c in conditions)
        if failure is not None and not has_failure:
            reason = FAILED_CREATE if len(pods) < replicaset_replicas(owner) else FAILED_DELETE
            conditions.append({"type": "ReplicaFailure", "status": "True",
                               "lastTransitionTime": rfc3339(now), "reason": reason,
                               "message": failure.message})
        elif failure is None and has_failure:
            conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
        status = replica_status(len(pods), fully, ready, available,
                                int(owner["metadata"].get("generation") or 0), conditions)
        if status == old:
            return owner
        changed = clone(owner)
        changed["status"] = status
        return self.ctx.update(*self.kind.resource, changed, subresource="status")

    def _wake_for_availability(self, key: Hashable, owner: Obj, pods: list[Obj]) -> None:
        """A ready pod becomes available once minReadySeconds have passed: sync then."""
        min_ready = int((owner.get("spec") or {}).get("minReadySeconds") or 0)
        if min_ready <= 0:
            return
        now = self.ctx.now()
        waiting = [at for p in pods if not is_available(p, min_ready, now)
                   and (at := available_at(p, min_ready)) is not None]
        if waiting:
            # IsPodAvailable wants the time strictly past: a moment later.
            self.ctx.at(self.name, key, min(waiting) + timedelta(milliseconds=1))


def replicaset_replicas(owner: Obj) -> int:
    value = (owner.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def replica_status(replicas: int, fully: int, ready: int, available: int, generation: int,
                   conditions: list[Obj]) -> Obj:
    """ReplicaSetStatus (and ReplicationControllerStatus) as Go writes it: ``replicas`` always,
    the other counts, observedGeneration and conditions only when set (omitempty)."""
    status: Obj = {"replicas": replicas}
    for field, value in (("fullyLabeledReplicas", fully), ("readyReplicas", ready),
                         ("availableReplicas", available), ("observedGeneration", generation)):
        if value:
            status[field] = value
    if conditions:
        status["conditions"] = conditions
    return status


def controllers(ctx: Context) -> list[Controller]:
    return [ReplicaController(ctx, REPLICA_SETS), ReplicaController(ctx, REPLICATION_CONTROLLERS)]
