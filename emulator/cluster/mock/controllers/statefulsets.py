"""kube's StatefulSet controller ("statefulset-controller", pkg/controller/statefulset).

One sync of a set does what ``defaultStatefulSetControl.UpdateStatefulSet`` does: find (or make)
its current and update ControllerRevisions, create the missing ordinals (their claims first) at
the right revision, delete failed ones, scale down from the highest ordinal, replace pods of an
old revision from the highest ordinal down to the partition, then write the status kube would.
``OrderedReady`` stops at the first pod that is not Running and Ready (and available);
``Parallel`` does not wait. Each step is one write; the pod events it causes bring the next sync.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator import messages
from emulator.cluster.mock.controllers import revisions as history
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.events import NORMAL, WARNING, Source
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.controllers.revisions import (
    POD_REVISION_LABEL,
    REVISION_HASH_LABEL,
    Obj,
    is_available,
    is_ready,
    is_terminating,
    phase,
)
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.selectors import LabelSelector, label_selector_from_match
from emulator.cluster.mock.registry.store import WatchEvent
from emulator.cluster.mock.wire.status import KubeError

NAME = "statefulset-controller"
SOURCE = Source(NAME)
# apps/v1 StatefulSetPodNameLabel and PodIndexLabel (the PodIndexLabel gate is on from 1.28).
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
POD_INDEX_SINCE_MINOR = 28
RETAIN, DELETE = "Retain", "Delete"
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")


def parent_and_ordinal(name: str) -> tuple[str, int]:
    """getParentNameAndOrdinal: ``web-3`` is ordinal 3 of ``web``; no ordinal is -1."""
    match = _ORDINAL.match(name)
    if match is None:
        return "", -1
    ordinal = int(match.group(2))
    return match.group(1), ordinal if ordinal < 2 ** 31 else -1


def _ordinal(pod: Obj) -> int:
    return parent_and_ordinal(pod["metadata"]["name"])[1]


@dataclass
class _Plan:
    """One sync's view of a set: its revisions and pods as kube's updateStatefulSet holds them."""

    set_: Obj
    current: Obj  # the current ControllerRevision
    update: Obj  # the update ControllerRevision
    current_set: Obj  # the set with the current revision's template
    update_set: Obj  # the set with the update revision's template
    replicas: list[Obj] = field(default_factory=list)  # ordinal start..end; unmade ones lack status
    condemned: list[Obj] = field(default_factory=list)  # ordinals outside the range, highest first

    @property
    def spec(self) -> Obj:
        return self.set_["spec"]

    @property
    def min_ready(self) -> int:
        return int(self.spec.get("minReadySeconds") or 0)

    @property
    def monotonic(self) -> bool:
        return self.spec.get("podManagementPolicy") != "Parallel"


class StatefulSetController:
    name = NAME
    watches = (("apps", "statefulsets"), ("", "pods"), ("apps", "controllerrevisions"))

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- what a change enqueues -----------------------------------------------------------------

    def keys(self, event: WatchEvent) -> Iterable[tuple[str, str]]:
        meta = event.object.get("metadata") or {}
        if event.resource == ("apps", "statefulsets"):
            return [(meta.get("namespace", ""), meta.get("name", ""))]
        return history.owner_keys(self.ctx, event, "StatefulSet", "statefulsets")

    # -- one sync ---------------------------------------------------------------------------------

    def sync(self, key: tuple[str, str]) -> None:
        namespace, name = key
        set_ = self.ctx.get("apps", "statefulsets", namespace, name)
        if set_ is None:
            return
        try:
            selector = label_selector_from_match((set_.get("spec") or {}).get("selector"))
        except KubeError:
            return  # kube logs an unparsable selector and drops the key
        revisions = history.by_revision(self._revisions(set_, selector))
        pods = history.claim(self.ctx, set_, "", "pods", selector,
                             lambda pod: parent_and_ordinal(pod["metadata"]["name"])[0] == name)
        current, update, collisions = self._current_and_update(set_, revisions)
        plan = _Plan(set_, current, update, history.with_template(set_, current),
                     history.with_template(set_, update))
        status = self._update_set(plan, pods, collisions)
        self._write_status(set_, status)
        self._truncate_history(set_, pods, revisions, current, update)
        if plan.min_ready and status.get("readyReplicas", 0) != status["availableReplicas"]:
            # kube resyncs after minReadySeconds, when a ready pod has become available.
            self.ctx.later(plan.min_ready, NAME, key)

    def _revisions(self, set_: Obj, selector: LabelSelector) -> list[Obj]:
        """ListRevisions after AdoptOrphanRevisions: the revisions the set selects and controls
        (orphans it selects are adopted; kube never releases a revision)."""
        uid = set_["metadata"]["uid"]
        found = []
        for revision in history.claim(self.ctx, set_, "apps", "controllerrevisions", selector):
            ref = history.controller_of(revision)
            if ref is None or ref.get("uid") == uid:
                found.append(revision)
        return found

    # -- revisions ------------------------------------------------------------------------------

    def _current_and_update(self, set_: Obj, revisions: list[Obj]) -> tuple[Obj, Obj, int]:
        """getStatefulSetRevisions: the update revision is the set's template (an equal older
        revision is rolled forward by renumbering it; else a new one is created); the current
        one is the revision status.currentRevision names, else the update revision."""
        status = set_.get("status") or {}
        collisions = int(status.get("collisionCount") or 0)
        data = history.template_patch(set_)
        number = int(revisions[-1].get("revision") or 0) + 1 if revisions else 1
        equal = [r for r in revisions if r.get("data") == data]
        if equal and equal[-1] is revisions[-1]:
            update = revisions[-1]
        elif equal:
            renumbered = clone(equal[-1])
            renumbered["revision"] = number
            update = self.ctx.update("apps", "controllerrevisions", renumbered)
        else:
            update, collisions = history.create_revision(
                self.ctx, set_, self._new_revision(set_, data, number, collisions),
                lambda count: history.revision_name(
                    set_["metadata"]["name"], history.statefulset_hash(data, count)),
                collisions)
        current = next((r for r in revisions
                        if r["metadata"]["name"] == status.get("currentRevision")), update)
        return current, update, collisions

    @staticmethod
    def _new_revision(set_: Obj, data: Obj, number: int, collisions: int) -> Obj:
        """newRevision: the template's labels and the hash label, the set's annotations (kubectl
        reads a change-cause there), the controller reference."""
        meta = set_["metadata"]
        labels = dict((((set_["spec"].get("template") or {}).get("metadata")) or {}).get(
            "labels") or {})
        labels[REVISION_HASH_LABEL] = history.statefulset_hash(data, collisions)
        revision_meta: Obj = {"namespace": meta["namespace"], "labels": labels,
                              "ownerReferences": [history.controller_ref(set_)]}
        if meta.get("annotations"):
            revision_meta["annotations"] = dict(meta["annotations"])
        return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": revision_meta,
                "data": data, "revision": number}

    def _truncate_history(self, set_: Obj, pods: list[Obj], revisions: list[Obj], current: Obj,
                          update: Obj) -> None:
        """truncateHistory: beyond revisionHistoryLimit, the oldest revisions no pod, nor the
        current or update revision, uses are deleted."""
        live = {current["metadata"]["name"], update["metadata"]["name"]}
        live.update((p["metadata"].get("labels") or {}).get(POD_REVISION_LABEL, "") for p in pods)
        old = [r for r in revisions if r["metadata"]["name"] not in live]
        limit = set_["spec"].get("revisionHistoryLimit")
        limit = 10 if limit is None else int(limit)
        if limit < 0 or len(old) <= limit:
            return
        for revision in old[:len(old) - limit]:
            self.ctx.delete("apps", "controllerrevisions", revision["metadata"]["namespace"],
                            revision["metadata"]["name"], uid=revision["metadata"]["uid"])

    # -- pods -------------------------------------------------------------------------------------

    def _update_set(self, plan: _Plan, pods: list[Obj], collisions: int) -> Obj:
        """updateStatefulSet; the status it computes."""
        set_ = plan.set_
        start = int((plan.spec.get("ordinals") or {}).get("start") or 0)
        count = int(plan.spec.get("replicas") if plan.spec.get("replicas") is not None else 1)
        slots: list[Obj | None] = [None] * count
        for pod in pods:
            ordinal = _ordinal(pod)
            if start <= ordinal < start + count:
                slots[ordinal - start] = pod
            elif ordinal >= 0:
                plan.condemned.append(pod)
        plan.condemned.sort(key=_ordinal, reverse=True)
        plan.replicas = [pod if pod is not None else self._versioned_pod(plan, start + index)
                         for index, pod in enumerate(slots)]
        counts = _Counts(plan, collisions, self.ctx.now())
        unavailable = [p for p in [*plan.replicas, *reversed(plan.condemned)]
                       if self._unavailable(p, plan)]
        first_unavailable = unavailable[0] if unavailable else None
        if is_terminating(set_):
            return counts.status(pods)

        if self._for_all(plan, plan.replicas, lambda i: self._process_replica(plan, i)):
            return counts.status([*plan.replicas, *plan.condemned])
        if self._for_all(plan, plan.condemned, lambda i: self._fix_claims(plan, plan.condemned[i])):
            return counts.status([*plan.replicas, *plan.condemned])
        if self._for_all(plan, plan.condemned,
                         lambda i: self._process_condemned(plan, first_unavailable, i)):
            return counts.status([*plan.replicas, *plan.condemned])
        status = counts.status([*plan.replicas, *plan.condemned])
        strategy = plan.spec.get("updateStrategy") or {}
        if strategy.get("type") == "OnDelete":
            return status
        partition = int(((strategy.get("rollingUpdate") or {}).get("partition")) or 0)
        update_name = plan.update["metadata"]["name"]
        for target in range(len(plan.replicas) - 1, partition - 1, -1):
            pod = plan.replicas[target]
            if _revision(pod) != update_name and not is_terminating(pod):
                self._delete_pod(set_, pod)
                status["currentReplicas"] = status.get("currentReplicas", 0) - 1
                return status
            if self._unavailable(pod, plan):
                return status
        return status

    @staticmethod
    def _for_all(plan: _Plan, pods: list[Obj], step: Any) -> bool:
        """runForAll: in order, stopping at the first step that says so when monotonic; every
        step otherwise. True: the sync stops here."""
        if plan.monotonic:
            return any(step(i) for i in range(len(pods)))
        for i in range(len(pods)):
            step(i)
        return False

    def _unavailable(self, pod: Obj, plan: _Plan) -> bool:
        return not _healthy(pod) or not is_available(pod, plan.min_ready, self.ctx.now())

    def _process_replica(self, plan: _Plan, i: int) -> bool:
        set_, pod = plan.set_, plan.replicas[i]
        if phase(pod) in ("Failed", "Succeeded"):
            # A finished pod is deleted; the next sync makes it again.
            if not is_terminating(pod):
                self._delete_pod(set_, pod)
            return True
        if not phase(pod):  # not made yet
            if self._claim_is_stale(set_, pod):
                return True  # the garbage collector removes the old claim first
            plan.replicas[i] = self._create_pod(set_, pod)
            return plan.monotonic
        if phase(pod) == "Pending":
            self._create_claims(set_, pod)
        if plan.monotonic and (is_terminating(pod) or not _running_and_ready(pod)
                               or not is_available(pod, plan.min_ready, self.ctx.now())):
            return True
        if _identity_matches(set_, pod, self._index_label) and _storage_matches(set_, pod) \
                and self._claims_match(plan.update_set, pod):
            return False
        self._update_pod(plan.update_set, pod)
        return False

    def _process_condemned(self, plan: _Plan, first_unavailable: Obj | None, i: int) -> bool:
        pod = plan.condemned[i]
        if is_terminating(pod):
            return plan.monotonic
        if plan.monotonic and pod is not first_unavailable and (
                not _running_and_ready(pod)
                or not is_available(pod, plan.min_ready, self.ctx.now())):
            return True
        self._delete_pod(plan.set_, pod)
        return True

    def _fix_claims(self, plan: _Plan, pod: Obj) -> bool:
        if not self._claims_match(plan.update_set, pod):
            self._update_claims(plan.update_set, pod)
        return False

    @property
    def _index_label(self) -> bool:
        return self.ctx.registry.minor >= POD_INDEX_SINCE_MINOR

    def _versioned_pod(self, plan: _Plan, ordinal: int) -> Obj:
        """newVersionedStatefulSetPod: below the partition a missing pod is made at the current
        revision, else at the update revision."""
        strategy = plan.current_set["spec"].get("updateStrategy") or {}
        rolling = strategy.get("rollingUpdate")
        start = int((plan.spec.get("ordinals") or {}).get("start") or 0)
        current_count = int((plan.set_.get("status") or {}).get("currentReplicas") or 0)
        at_current = (strategy.get("type") == "RollingUpdate" and rolling is None
                      and ordinal < start + current_count) or (
            rolling is not None and ordinal < start + int(rolling.get("partition") or 0))
        source, revision = ((plan.current_set, plan.current) if at_current
                            else (plan.update_set, plan.update))
        pod = history.pod_from_template(source["spec"].get("template") or {}, plan.set_)
        pod["metadata"]["name"] = f"{plan.set_['metadata']['name']}-{ordinal}"
        _update_identity(source, pod, self._index_label)
        # initIdentity: hostname and subdomain are set once, at creation (they are immutable).
        pod["spec"]["hostname"] = pod["metadata"]["name"]
        if source["spec"].get("serviceName"):
            pod["spec"]["subdomain"] = source["spec"]["serviceName"]
        _update_storage(source, pod)
        pod["metadata"].setdefault("labels", {})[POD_REVISION_LABEL] = revision["metadata"]["name"]
        return pod

    # -- pod and claim writes (StatefulPodControl) ----------------------------------------------

    def _create_pod(self, set_: Obj, pod: Obj) -> Obj:
        """CreateStatefulPod: the claims first, then the pod, each with its Event."""
        try:
            self._create_claims(set_, pod)
        except KubeError as err:
            self._pod_event(set_, "create", pod, err)
            raise
        try:
            created = self.ctx.create("", "pods", pod)
        except KubeError as err:
            if err.reason != "AlreadyExists":
                self._pod_event(set_, "create", pod, err)
            raise
        self._update_claims(set_, created)
        self._pod_event(set_, "create", created)
        return created

    def _update_pod(self, set_: Obj, pod: Obj) -> None:
        """UpdateStatefulPod: put the pod's identity labels and claim volumes right."""
        changed = clone(pod)
        if not _identity_matches(set_, changed, self._index_label):
            _update_identity(set_, changed, self._index_label)
        if not _storage_matches(set_, changed):
            _update_storage(set_, changed)
            self._create_claims(set_, changed)
        if not self._claims_match(set_, changed):
            self._update_claims(set_, changed)
        if changed == pod:
            return
        try:
            self.ctx.update("", "pods", changed)
        except KubeError as err:
            self._pod_event(set_, "update", pod, err)
            raise
        self._pod_event(set_, "update", pod)

    def _delete_pod(self, set_: Obj, pod: Obj) -> None:
        meta = pod["metadata"]
        try:
            self.ctx.delete("", "pods", meta["namespace"], meta["name"], uid=meta.get("uid"))
        except KubeError as err:
            self._pod_event(set_, "delete", pod, err)
            raise
        self._pod_event(set_, "delete", pod)

    def _pod_event(self, set_: Obj, verb: str, pod: Obj, err: KubeError | None = None) -> None:
        args = {"verb": verb, "pod": pod["metadata"]["name"], "set": set_["metadata"]["name"]}
        if err is None:
            self.ctx.event(set_, SOURCE, NORMAL, f"Successful{verb.title()}",
                           messages.STATEFULSET_POD_SUCCEEDED.format(**args))
        else:
            self.ctx.event(set_, SOURCE, WARNING, f"Failed{verb.title()}",
                           messages.STATEFULSET_POD_FAILED.format(error=err.message, **args))

    def _create_claims(self, set_: Obj, pod: Obj) -> None:
        """createPersistentVolumeClaims: each missing claim of the pod, with an Event; the
        failures together (an aggregate error)."""
        failures: list[str] = []
        for claim in _claims(set_, pod):
            name = claim["metadata"]["name"]
            existing = self.ctx.get("", "persistentvolumeclaims", claim["metadata"]["namespace"],
                                    name)
            if existing is not None:
                if is_terminating(existing):
                    failures.append(messages.STATEFULSET_CLAIM_DELETING.format(claim=name))
                continue
            args = {"verb": "create", "claim": name, "pod": pod["metadata"]["name"],
                    "set": set_["metadata"]["name"]}
            try:
                self.ctx.create("", "persistentvolumeclaims", claim)
            except KubeError as err:
                failures.append(messages.STATEFULSET_CLAIM_CREATE_ERROR.format(
                    claim=name, error=err.message))
                if err.reason != "AlreadyExists":
                    self.ctx.event(set_, SOURCE, WARNING, "FailedCreate",
                                   messages.STATEFULSET_CLAIM_FAILED.format(
                                       error=err.message, **args))
                continue
            self.ctx.event(set_, SOURCE, NORMAL, "SuccessfulCreate",
                           messages.STATEFULSET_CLAIM_SUCCEEDED.format(**args))
        if failures:
            text = failures[0] if len(failures) == 1 else f"[{', '.join(failures)}]"
            raise KubeError(500, text)

    # -- claims and the retention policy (StatefulSetAutoDeletePVC) -----------------------------

    def _claim_objects(self, set_: Obj, pod: Obj) -> list[Obj]:
        namespace = set_["metadata"]["namespace"]
        found = [self.ctx.get("", "persistentvolumeclaims", namespace, c["metadata"]["name"])
                 for c in _claims(set_, pod)]
        return [c for c in found if c is not None]

    def _claim_is_stale(self, set_: Obj, pod: Obj) -> bool:
        """PodClaimIsStale: with whenScaled=Delete, a claim still owned by an earlier pod of the
        same name blocks the new pod until the garbage collector removes it."""
        if _policy(set_)[1] == RETAIN:
            return False
        uid = pod["metadata"].get("uid")
        return any(_refers_to(ref, pod) and ref.get("uid") != uid
                   for claim in self._claim_objects(set_, pod)
                   for ref in claim["metadata"].get("ownerReferences") or [])

    def _claims_match(self, set_: Obj, pod: Obj) -> bool:
        return all(_same_owners(c["metadata"].get("ownerReferences") or [],
                                _wanted_refs(set_, pod, c))
                   for c in self._claim_objects(set_, pod))

    def _update_claims(self, set_: Obj, pod: Obj) -> None:
        """UpdatePodClaimForRetentionPolicy: each claim owned by the set and/or the pod as the
        retention policy says."""
        for claim in self._claim_objects(set_, pod):
            wanted = _wanted_refs(set_, pod, claim)
            if _same_owners(claim["metadata"].get("ownerReferences") or [], wanted):
                continue
            changed = clone(claim)
            if wanted:
                changed["metadata"]["ownerReferences"] = wanted
            else:
                changed["metadata"].pop("ownerReferences", None)
            self.ctx.update("", "persistentvolumeclaims", changed)

    # -- status ---------------------------------------------------------------------------------

    def _write_status(self, set_: Obj, status: Obj) -> None:
        """updateStatefulSetStatus: complete a finished rolling update, then write the status
        when it differs from the stored one."""
        spec, stored = set_["spec"], set_.get("status") or {}
        replicas = int(spec.get("replicas") if spec.get("replicas") is not None else 1)
        if ((spec.get("updateStrategy") or {}).get("type") == "RollingUpdate"
                and status.get("updatedReplicas", 0) == replicas
                and status.get("readyReplicas", 0) == replicas
                and status["replicas"] == replicas):
            if status.get("updatedReplicas"):
                status["currentReplicas"] = status["updatedReplicas"]
            else:
                status.pop("currentReplicas", None)
            status["currentRevision"] = status["updateRevision"]
        compared = ("replicas", "currentReplicas", "readyReplicas", "updatedReplicas",
                    "currentRevision", "availableReplicas", "updateRevision")
        if (status.get("observedGeneration", 0) <= int(stored.get("observedGeneration") or 0)
                and all(_zero(status.get(f)) == _zero(stored.get(f)) for f in compared)):
            return
        changed = clone(set_)
        changed["status"] = _ordered_status(status)
        self.ctx.update("apps", "statefulsets", changed, subresource="status")


class _Counts:
    """updateStatus: the status fields counted over the pods kube has made."""

    def __init__(self, plan: _Plan, collisions: int, now: datetime) -> None:
        self.plan = plan
        self.collisions = collisions
        self.now = now

    def status(self, pods: list[Obj]) -> Obj:
        plan = self.plan
        current, update = plan.current["metadata"]["name"], plan.update["metadata"]["name"]
        counts = {"replicas": 0, "readyReplicas": 0, "availableReplicas": 0,
                  "currentReplicas": 0, "updatedReplicas": 0}
        for pod in pods:
            made = bool(phase(pod))
            counts["replicas"] += made
            if _running_and_ready(pod):
                counts["readyReplicas"] += 1
                counts["availableReplicas"] += is_available(pod, plan.min_ready, self.now)
            if made and not is_terminating(pod):
                counts["currentReplicas"] += _revision(pod) == current
                counts["updatedReplicas"] += _revision(pod) == update
        return {"observedGeneration": int(plan.set_["metadata"].get("generation") or 0),
                **counts, "currentRevision": current, "updateRevision": update,
                "collisionCount": self.collisions}


# -- the set's rules for its pods (stateful_set_utils.go) -----------------------------------------

def _revision(pod: Obj) -> str:
    return str((pod["metadata"].get("labels") or {}).get(POD_REVISION_LABEL, ""))


def _running_and_ready(pod: Obj) -> bool:
    return phase(pod) == "Running" and is_ready(pod)


def _healthy(pod: Obj) -> bool:
    return _running_and_ready(pod) and not is_terminating(pod)


def _identity_matches(set_: Obj, pod: Obj, index_label: bool) -> bool:
    meta = pod["metadata"]
    parent, ordinal = parent_and_ordinal(meta["name"])
    labels = meta.get("labels") or {}
    return (ordinal >= 0 and parent == set_["metadata"]["name"]
            and meta.get("namespace") == set_["metadata"]["namespace"]
            and labels.get(POD_NAME_LABEL) == meta["name"]
            and (not index_label or labels.get(POD_INDEX_LABEL) == str(ordinal)))


def _update_identity(set_: Obj, pod: Obj, index_label: bool) -> None:
    meta = pod["metadata"]
    ordinal = _ordinal(pod)
    meta["name"] = f"{set_['metadata']['name']}-{ordinal}"
    meta["namespace"] = set_["metadata"]["namespace"]
    labels = meta.setdefault("labels", {})
    labels[POD_NAME_LABEL] = meta["name"]
    if index_label:
        labels[POD_INDEX_LABEL] = str(ordinal)


def _claims(set_: Obj, pod: Obj) -> list[Obj]:
    """getPersistentVolumeClaims: one claim per template, ``<template>-<set>-<ordinal>``, labelled
    with the set's matchLabels."""
    ordinal = _ordinal(pod)
    match_labels = ((set_["spec"].get("selector") or {}).get("matchLabels")) or {}
    claims = []
    for template in set_["spec"].get("volumeClaimTemplates") or []:
        claim = clone(template)
        meta = claim.setdefault("metadata", {})
        meta["name"] = f"{template['metadata']['name']}-{set_['metadata']['name']}-{ordinal}"
        meta["namespace"] = set_["metadata"]["namespace"]
        meta["labels"] = {**(meta.get("labels") or {}), **match_labels}
        claim["apiVersion"], claim["kind"] = "v1", "PersistentVolumeClaim"
        claim.pop("status", None)
        claims.append(claim)
    return claims


def _storage_matches(set_: Obj, pod: Obj) -> bool:
    volumes = {v.get("name"): v for v in pod["spec"].get("volumes") or []}
    for claim, template in zip(_claims(set_, pod), set_["spec"].get("volumeClaimTemplates") or []):
        source = (volumes.get(template["metadata"]["name"]) or {}).get("persistentVolumeClaim")
        if not source or source.get("claimName") != claim["metadata"]["name"]:
            return False
    return True


def _update_storage(set_: Obj, pod: Obj) -> None:
    """updateStorage: a volume per claim template, then the pod's other volumes."""
    templates = [t["metadata"]["name"] for t in set_["spec"].get("volumeClaimTemplates") or []]
    claim_volumes = [{"name": template, "persistentVolumeClaim": {
        "claimName": claim["metadata"]["name"]}}
        for template, claim in zip(templates, _claims(set_, pod))]
    others = [v for v in pod["spec"].get("volumes") or [] if v.get("name") not in templates]
    if claim_volumes or others:
        pod["spec"]["volumes"] = [*claim_volumes, *others]


def _policy(set_: Obj) -> tuple[str, str]:
    """(whenDeleted, whenScaled) of persistentVolumeClaimRetentionPolicy; Retain by default."""
    policy = set_["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
    return policy.get("whenDeleted") or RETAIN, policy.get("whenScaled") or RETAIN


def _refers_to(ref: Obj, obj: Obj) -> bool:
    """matchesRef: the reference names ``obj`` by apiVersion, kind and name (not uid)."""
    return (ref.get("apiVersion") == obj.get("apiVersion") and ref.get("kind") == obj.get("kind")
            and ref.get("name") == obj["metadata"]["name"])


def _wanted_refs(set_: Obj, pod: Obj, claim: Obj) -> list[Obj]:
    """updateClaimOwnerRefForSetAndPod: the claim's references to the set and the pod replaced by
    what the retention policy asks: the set when claims go with the set, the pod when they go on
    scale down and the pod is beyond the replicas. A reference to an earlier set or pod of the
    same name (stale), or another controller of the claim, is not ours to change."""
    pod = {**pod, "apiVersion": "v1", "kind": "Pod"}
    refs = claim["metadata"].get("ownerReferences") or []
    for owner in (set_, pod):
        if any(_refers_to(r, owner) and r.get("uid") != owner["metadata"].get("uid")
               for r in refs):
            return refs
    kept = [r for r in refs if not (_refers_to(r, set_) or _refers_to(r, pod))]
    when_deleted, when_scaled = _policy(set_)
    if (when_deleted, when_scaled) == (RETAIN, RETAIN) or any(r.get("controller") for r in kept):
        return kept
    start = int((set_["spec"].get("ordinals") or {}).get("start") or 0)
    replicas = int(set_["spec"].get("replicas") if set_["spec"].get("replicas") is not None
                   else 1)
    scaled_down = not start <= _ordinal(pod) < start + replicas
    wanted = list(kept)
    if when_scaled == DELETE and scaled_down:
        if pod["metadata"].get("uid"):
            wanted.append(history.controller_ref(pod))
    elif when_deleted == DELETE:
        wanted.append(history.controller_ref(set_))
    return wanted


def _same_owners(refs: list[Obj], wanted: list[Obj]) -> bool:
    """isClaimOwnerUpToDate compares owners by uid."""
    return {r.get("uid") for r in refs} == {r.get("uid") for r in wanted}


def _zero(value: Any) -> Any:
    return value or 0 if not isinstance(value, str) else value


# StatefulSetStatus in Go's field order; the zero values of omitempty fields are left out.
_STATUS_FIELDS = ("observedGeneration", "replicas", "readyReplicas", "currentReplicas",
                  "updatedReplicas", "currentRevision", "updateRevision", "collisionCount",
                  "conditions", "availableReplicas")
_ALWAYS = ("replicas", "collisionCount", "availableReplicas")


def _ordered_status(status: Obj) -> Obj:
    return {f: status[f] for f in _STATUS_FIELDS
            if f in status and (f in _ALWAYS or status[f] not in (0, "", None, []))}


def controllers(ctx: Context) -> list[Controller]:
    return [StatefulSetController(ctx)]
