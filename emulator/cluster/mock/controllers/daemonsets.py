"""kube's DaemonSet controller ("daemonset-controller", pkg/controller/daemon).

One pod per node the DaemonSet should run on: its nodeSelector and required node affinity match
the node, and the node has no NoSchedule or NoExecute taint the pod does not tolerate (the
controller adds its default tolerations first, as kube's ``AddOrUpdateDaemonPodTolerations``).
A pod is made for its node as kube makes it since 1.12: with a required node affinity
``metadata.name In [node]`` in place of the template's node selector terms, and the scheduler
binds it (this cluster's scheduler knows only its own node: a pod for a node created through
the API stays Pending there, as it would on a node without a kubelet).

A sync is ``syncDaemonSet``: the current ControllerRevision (named ``<ds>-<hash>``, the hash
also on each pod as ``controller-revision-hash``), ``manage`` (create the missing pods, delete
failed ones, extra ones and those on nodes that should not run one), then, when manage had
nothing to do, the rolling update (``maxUnavailable`` or ``maxSurge``), history cleanup and status.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from emulator import messages
from emulator.cluster.mock.controllers import revisions as history
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.events import NORMAL, WARNING, Source
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.controllers.revisions import (
    POD_REVISION_LABEL,
    Obj,
    is_available,
    is_ready,
    is_terminating,
    phase,
)
from emulator.cluster.mock.controllers.scheduler import matches_node, tolerates
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.selectors import LabelSelector, label_selector_from_match
from emulator.cluster.mock.registry.store import WatchEvent
from emulator.cluster.mock.wire.status import KubeError

NAME = "daemonset-controller"
SOURCE = Source(NAME)
# apps/v1 DeprecatedTemplateGeneration (on the DaemonSet) and DaemonSetTemplateGenerationKey
# (on its pods): the template generation that came before revision hashes.
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"
TEMPLATE_GENERATION_LABEL = "pod-template-generation"
# AddOrUpdateDaemonPodTolerations, in kube's order: (key, effect); the last only for hostNetwork.
DEFAULT_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
HOST_NETWORK_TOLERATION = ("node.kubernetes.io/network-unavailable", "NoSchedule")
# failedPodsBackoff: a node's failed daemon pods are deleted at most this often, doubling.
BACKOFF_INITIAL = 1.0
BACKOFF_MAX = 15 * 60.0


@dataclass
class _Backoff:
    delay: float
    updated: datetime


# -- which nodes a DaemonSet runs on ---------------------------------------------------------------

def with_default_tolerations(spec: Obj) -> None:
    """AddOrUpdateDaemonPodTolerations (mutates ``spec``): each default toleration takes the
    place of the pod's toleration with the same key, effect, operator and value (one with a
    tolerationSeconds loses it), or is appended."""
    defaults = list(DEFAULT_TOLERATIONS)
    if spec.get("hostNetwork"):
        defaults.append(HOST_NETWORK_TOLERATION)
    tolerations = [t for t in spec.get("tolerations") or [] if isinstance(t, dict)]
    for key, effect in defaults:
        wanted = {"key": key, "operator": "Exists", "effect": effect}
        matching = [i for i, t in enumerate(tolerations) if _same_toleration(t, wanted)]
        for index in matching:
            tolerations[index] = dict(wanted)
        if not matching:
            tolerations.append(wanted)
    spec["tolerations"] = tolerations


def _same_toleration(toleration: Obj, wanted: Obj) -> bool:
    """Toleration.MatchToleration: the same key, effect, operator and value."""
    return (toleration.get("key", "") == wanted["key"]
            and toleration.get("effect", "") == wanted["effect"]
            and (toleration.get("operator") or "Equal") == wanted["operator"]
            and toleration.get("value", "") == "")


def should_run(node: Obj, ds: Obj) -> tuple[bool, bool]:
    """NodeShouldRunDaemonPod: (should run a pod there, should keep one already running there).
    A NoSchedule taint the pod does not tolerate stops new pods but keeps a running one; an
    untolerated NoExecute taint does both."""
    template_spec = clone(((ds["spec"].get("template") or {}).get("spec")) or {})
    node_name = node["metadata"]["name"]
    if template_spec.get("nodeName") and template_spec["nodeName"] != node_name:
        return False, False
    with_default_tolerations(template_spec)
    template_spec["nodeName"] = node_name
    if not matches_node(template_spec, node):
        return False, False
    tolerations = template_spec["tolerations"]
    untolerated = [t.get("effect") for t in (node.get("spec") or {}).get("taints") or []
                   if isinstance(t, dict) and t.get("effect") in ("NoSchedule", "NoExecute")
                   and not any(tolerates(tol, t) for tol in tolerations)]
    if untolerated:
        return False, "NoExecute" not in untolerated
    return True, True


def target_node(pod: Obj) -> str | None:
    """util.GetTargetNodeName: the pod's node, or, unscheduled, the one its affinity names."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    required = ((((spec.get("affinity") or {}).get("nodeAffinity")) or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution")) or {}
    for term in required.get("nodeSelectorTerms") or []:
        for expression in (term or {}).get("matchFields") or []:
            if expression.get("key") == "metadata.name" and expression.get("operator") == "In":
                values = expression.get("values") or []
                return str(values[0]) if len(values) == 1 else None
    return None


def node_affinity_for(affinity: Obj | None, node: str) -> Obj:
    """util.ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's required node affinity becomes
    the one term ``metadata.name In [node]`` (its preferred terms and other affinities stay)."""
    selector = {"nodeSelectorTerms": [{"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": [node]}]}]}
    result = clone(affinity) if affinity else {}
    node_affinity = result.setdefault("nodeAffinity", {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = selector
    return result


def template_generation(ds: Obj) -> int | None:
    """util.GetTemplateGeneration: from the deprecated annotation, when it parses."""
    text = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def is_updated(pod: Obj, hash_: str, generation: int | None) -> bool:
    """util.IsPodUpdated: the pod carries the current revision's hash (or, from before
    revisions, the template generation)."""
    labels = pod["metadata"].get("labels") or {}
    return ((generation is not None and labels.get(TEMPLATE_GENERATION_LABEL) == str(generation))
            or (bool(hash_) and labels.get(POD_REVISION_LABEL) == hash_))


def _oldest_first(pods: list[Obj]) -> list[Obj]:
    """podByCreationTimestampAndPhase: scheduled pods first, then by age and name."""
    return sorted(pods, key=lambda p: (not (p.get("spec") or {}).get("nodeName"),
                                       p["metadata"].get("creationTimestamp", ""),
                                       p["metadata"]["name"]))


def _counts(ds: Obj, total: int) -> tuple[int, int]:
    """updatedDesiredNodeCounts: (maxSurge, maxUnavailable) scaled to the desired nodes (rounded
    up); neither set allows one unavailable."""
    strategy = ds["spec"].get("updateStrategy") or {}
    rolling = strategy.get("rollingUpdate")
    if strategy.get("type") != "RollingUpdate" or not isinstance(rolling, dict):
        surge = unavailable = 0
    else:
        unavailable = history.scaled(rolling.get("maxUnavailable"), total, True)
        surge = (history.scaled(rolling["maxSurge"], total, True)
                 if rolling.get("maxSurge") is not None else 0)
    if total > 0 and surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _allows_surge(ds: Obj) -> bool:
    strategy = ds["spec"].get("updateStrategy") or {}
    rolling = strategy.get("rollingUpdate")
    return (strategy.get("type") == "RollingUpdate" and isinstance(rolling, dict)
            and rolling.get("maxSurge") is not None
            and history.scaled(rolling["maxSurge"], 1, True) != 0)


# -- the controller --------------------------------------------------------------------------------

class DaemonSetController:
    name = NAME
    watches = (("apps", "daemonsets"), ("", "pods"), ("", "nodes"),
               ("apps", "controllerrevisions"))

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._backoff: dict[tuple[str, str], _Backoff] = {}  # (ds uid, node) -> failed pods

    # -- what a change enqueues -----------------------------------------------------------------

    def keys(self, event: WatchEvent) -> Iterable[tuple[str, str]]:
        meta = event.object.get("metadata") or {}
        if event.resource == ("apps", "daemonsets"):
            return [(meta.get("namespace", ""), meta.get("name", ""))]
        if event.resource == ("", "nodes"):
            if event.type == "MODIFIED" and not _node_changed(event.previous, event.object):
                return []
            return [(d["metadata"].get("namespace", ""), d["metadata"]["name"])
                    for d in self.ctx.store.list(("apps", "daemonsets"), None)[0]]
        return history.owner_keys(self.ctx, event, "DaemonSet", "daemonsets")

    # -- one sync ---------------------------------------------------------------------------------

    def sync(self, key: tuple[str, str]) -> None:
        namespace, name = key
        ds = self.ctx.get("apps", "daemonsets", namespace, name)
        if ds is None:
            return
        if ds["spec"].get("selector") == {}:
            self.ctx.event(ds, SOURCE, WARNING, "SelectingAll", messages.DAEMONSET_SELECTING_ALL)
            return
        selector = _selector(ds)
        if selector is None or is_terminating(ds):
            return  # kube cannot count a DaemonSet being deleted: it leaves its status alone
        nodes = self.ctx.list("", "nodes")
        current, old = self._history(ds, selector)
        hash_ = (current["metadata"].get("labels") or {}).get(POD_REVISION_LABEL, "")
        pods = history.claim(self.ctx, ds, "", "pods", selector)
        failure: KubeError | None = None
        try:
            if not self._manage(ds, nodes, hash_, pods):
                # kube's expectations: the rolling update waits until manage's own writes are
                # seen, i.e. for the next sync, which their pod events bring.
                if (ds["spec"].get("updateStrategy") or {}).get("type") == "RollingUpdate":
                    self._rolling_update(ds, nodes, hash_, self._pods(ds, selector))
            self._cleanup_history(ds, old, self._pods(ds, selector, include_terminal=True))
        except KubeError as err:
            failure = err
        self._write_status(ds, nodes, hash_, self._pods(ds, selector))
        if failure is not None:
            raise failure

    def _pods(self, ds: Obj, selector: LabelSelector, include_terminal: bool = False) -> list[Obj]:
        """The pods ``ds`` controls and selects, as the claim left them (no writes)."""
        return [p for p in self.ctx.owned_by("", "pods", ds)
                if selector.matches(p["metadata"].get("labels") or {})
                and (include_terminal or not (is_terminating(p)
                                              and phase(p) in ("Failed", "Succeeded")))]

    # -- manage -----------------------------------------------------------------------------------

    def _manage(self, ds: Obj, nodes: list[Obj], hash_: str, pods: list[Obj]) -> bool:
        """manage: the pods to make and to delete, node by node. True when it wrote anything."""
        by_node = _by_node([p for p in pods if not (is_terminating(p)
                                                    and phase(p) in ("Failed", "Succeeded"))])
        needing: list[str] = []
        doomed: list[Obj] = []
        for node in nodes:
            make, remove = self._pods_for_node(ds, node, by_node, hash_)
            needing += make
            doomed += remove
        names = {n["metadata"]["name"] for n in nodes}
        # An unscheduled pod for a node that is gone never runs, and pod GC does not see it.
        doomed += [p for node, on_node in by_node.items() if node not in names
                   for p in on_node if not (p.get("spec") or {}).get("nodeName")]
        return self._sync_nodes(ds, doomed, needing, hash_)

    def _pods_for_node(self, ds: Obj, node: Obj, by_node: dict[str, list[Obj]],
                       hash_: str) -> tuple[list[str], list[Obj]]:
        """podsShouldBeOnNode."""
        name = node["metadata"]["name"]
        run, keep = should_run(node, ds)
        exists = name in by_node
        on_node = by_node.get(name, [])
        if run and not exists:
            return [name], []
        if not keep:
            return [], [p for p in on_node if not is_terminating(p)] if exists else []
        doomed: list[Obj] = []
        running: list[Obj] = []
        for pod in on_node:
            if is_terminating(pod):
                continue
            if phase(pod) == "Failed":
                if self._in_backoff(ds, name):
                    continue
                self.ctx.event(ds, SOURCE, WARNING, "FailedDaemonPod",
                               messages.DAEMONSET_FAILED_POD.format(
                                   namespace=pod["metadata"]["namespace"],
                                   pod=pod["metadata"]["name"], node=name))
                doomed.append(pod)
            elif phase(pod) == "Succeeded":
                self.ctx.event(ds, SOURCE, NORMAL, "SucceededDaemonPod",
                               messages.DAEMONSET_SUCCEEDED_POD.format(
                                   namespace=pod["metadata"]["namespace"],
                                   pod=pod["metadata"]["name"], node=name))
                doomed.append(pod)
            else:
                running.append(pod)
        if not _allows_surge(ds):
            # One pod per node: all but the oldest go.
            return [], doomed + _oldest_first(running)[1:]
        if len(running) <= 1:
            return ([name] if not running and run else []), doomed
        # Surging: an old and a new pod may share the node until the new one is available.
        oldest_new = oldest_old = None
        for pod in _oldest_first(running):
            if (pod["metadata"].get("labels") or {}).get(POD_REVISION_LABEL) == hash_:
                if oldest_new is None:
                    oldest_new = pod
                    continue
            elif oldest_old is None:
                oldest_old = pod
                continue
            doomed.append(pod)
        if oldest_new is not None and oldest_old is not None and (
                not is_ready(oldest_old) or is_available(
                    oldest_new, int(ds["spec"].get("minReadySeconds") or 0), self.ctx.now())):
            doomed.append(oldest_old)
        return [], doomed

    def _in_backoff(self, ds: Obj, node: str) -> bool:
        """failedPodsBackoff: within the delay since the last failed pod on this node, wait
        (and come back then); else the delay doubles (from 1s, at most 15 minutes)."""
        key = (ds["metadata"]["uid"], node)
        now = self.ctx.now()
        entry = self._backoff.get(key)
        if entry is not None and now - entry.updated < timedelta(seconds=entry.delay):
            self.ctx.later(entry.delay, NAME, (ds["metadata"]["namespace"],
                                               ds["metadata"]["name"]))
            return True
        if entry is None or now - entry.updated > timedelta(seconds=2 * BACKOFF_MAX):
            self._backoff[key] = _Backoff(BACKOFF_INITIAL, now)
        else:
            self._backoff[key] = _Backoff(min(entry.delay * 2, BACKOFF_MAX), now)
        return False

    def _sync_nodes(self, ds: Obj, doomed: list[Obj], needing: list[str], hash_: str) -> bool:
        """syncNodes: create a pod for each node in ``needing``, delete ``doomed``, with
        RealPodControl's Events; the first failure is raised after the rest were tried."""
        template = clone(ds["spec"].get("template") or {})
        with_default_tolerations(template.setdefault("spec", {}))
        labels = template.setdefault("metadata", {}).setdefault("labels", {})
        generation = template_generation(ds)
        if generation is not None:
            labels[TEMPLATE_GENERATION_LABEL] = str(generation)
        if hash_:
            labels[POD_REVISION_LABEL] = hash_
        failure: KubeError | None = None
        for node in needing:
            pod = history.pod_from_template(template, ds)
            pod["spec"]["affinity"] = node_affinity_for(pod["spec"].get("affinity"), node)
            try:
                created = self.ctx.create("", "pods", pod)
            except KubeError as err:
                self.ctx.event(ds, SOURCE, WARNING, "FailedCreate",
                               messages.DAEMONSET_POD_CREATE_FAILED.format(error=err.message))
                failure = failure or err
                continue
            self.ctx.event(ds, SOURCE, NORMAL, "SuccessfulCreate",
                           messages.DAEMONSET_POD_CREATED.format(pod=created["metadata"]["name"]))
        for pod in doomed:
            meta = pod["metadata"]
            if self.ctx.get("", "pods", meta["namespace"], meta["name"]) is None:
                continue  # already gone: kube's delete is a NotFound, without an Event
            try:
                self.ctx.delete("", "pods", meta["namespace"], meta["name"], uid=meta.get("uid"))
            except KubeError as err:
                self.ctx.event(ds, SOURCE, WARNING, "FailedDelete",
                               messages.DAEMONSET_POD_DELETE_FAILED.format(error=err.message))
                failure = failure or err
                continue
            self.ctx.event(ds, SOURCE, NORMAL, "SuccessfulDelete",
                           messages.DAEMONSET_POD_DELETED.format(pod=meta["name"]))
        if failure is not None:
            raise failure
        return bool(needing or doomed)

    # -- the rolling update (update.go) ---------------------------------------------------------

    def _rolling_update(self, ds: Obj, nodes: list[Obj], hash_: str, pods: list[Obj]) -> None:
        by_node = _by_node(pods)
        runnable = {n["metadata"]["name"]: n for n in nodes if should_run(n, ds)[0]}
        for node in runnable:
            by_node.setdefault(node, [])
        surge, unavailable = _counts(ds, len(runnable))
        min_ready = int(ds["spec"].get("minReadySeconds") or 0)
        now = self.ctx.now()
        generation = template_generation(ds)

        def available(pod: Obj) -> bool:
            return is_available(pod, min_ready, now)

        if surge == 0:
            # Delete just enough old pods to stay within maxUnavailable; manage makes new ones.
            unavailable_now = 0
            replace: list[Obj] = []
            candidates: list[Obj] = []
            for node_pods in by_node.values():
                found = _new_and_old(node_pods, hash_, generation)
                if found is None:
                    unavailable_now += 1
                    continue
                new, old = found
                if (old is None) == (new is None):
                    unavailable_now += 1
                elif new is not None:
                    unavailable_now += not available(new)
                elif old is not None and not available(old):
                    replace.append(old)
                    unavailable_now += 1
                elif unavailable_now < unavailable and old is not None:
                    candidates.append(old)
            room = max(unavailable - unavailable_now, 0)
            self._sync_nodes(ds, replace + candidates[:room], [], hash_)
            return
        # Surging: a new pod beside each old one (at most maxSurge at a time), then the old
        # pod goes once the new one is available.
        doomed: list[Obj] = []
        not_running_here: list[Obj] = []
        candidates_nodes: list[str] = []
        allowed_nodes: list[str] = []
        surging = 0
        available_count = 0
        for node, node_pods in by_node.items():
            found = _new_and_old(node_pods, hash_, generation)
            if found is None:
                surging += 1
                continue
            new, old = found
            if old is not None:
                available_count += available(old)
            elif new is not None:
                available_count += available(new)
            if old is None:
                continue
            if new is None:
                if node not in runnable:
                    (doomed if not available(old) else not_running_here).append(old)
                elif not available(old):
                    allowed_nodes.append(node)
                elif surging < surge:
                    candidates_nodes.append(node)
                continue
            if not available(new):
                surging += 1
                continue
            doomed.append(old)
        removable = max(available_count - len(runnable), 0)
        doomed += not_running_here[:removable]
        room = min(max(surge - surging, 0), len(candidates_nodes))
        self._sync_nodes(ds, doomed, allowed_nodes + candidates_nodes[:room], hash_)

    # -- history (update.go constructHistory, snapshot, cleanupHistory) -------------------------

    def _history(self, ds: Obj, selector: LabelSelector) -> tuple[Obj, list[Obj]]:
        """constructHistory: the revision that matches the DaemonSet's template (made if none,
        renumbered to be the newest) and the others."""
        data = history.template_patch(ds)
        current: list[Obj] = []
        old: list[Obj] = []
        for revision in history.claim(self.ctx, ds, "apps", "controllerrevisions", selector):
            if POD_REVISION_LABEL not in (revision["metadata"].get("labels") or {}):
                revision = clone(revision)
                revision["metadata"].setdefault("labels", {})[POD_REVISION_LABEL] = \
                    revision["metadata"]["name"]
                revision = self.ctx.update("apps", "controllerrevisions", revision)
            (current if revision.get("data") == data else old).append(revision)
        number = max((int(r.get("revision") or 0) for r in old), default=0) + 1
        if not current:
            return self._snapshot(ds, data, number), old
        keep = self._dedup(ds, current)
        if int(keep.get("revision") or 0) < number:
            keep = clone(keep)
            keep["revision"] = number
            keep = self.ctx.update("apps", "controllerrevisions", keep)
        return keep, old

    def _snapshot(self, ds: Obj, data: Obj, number: int) -> Obj:
        meta = ds["metadata"]
        collisions = (ds.get("status") or {}).get("collisionCount")
        hash_ = history.template_hash(ds["spec"].get("template") or {}, collisions)
        labels = dict((((ds["spec"].get("template") or {}).get("metadata")) or {}).get(
            "labels") or {})
        labels[POD_REVISION_LABEL] = hash_
        revision_meta: Obj = {"name": history.revision_name(meta["name"], hash_),
                              "namespace": meta["namespace"], "labels": labels,
                              "ownerReferences": [history.controller_ref(ds)]}
        if meta.get("annotations"):
            revision_meta["annotations"] = dict(meta["annotations"])
        body = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": revision_meta,
                "data": data, "revision": number}
        try:
            return self.ctx.create("apps", "controllerrevisions", body)
        except KubeError as err:
            if err.reason != "AlreadyExists":
                raise
            existing = self.ctx.get("apps", "controllerrevisions", meta["namespace"],
                                    revision_meta["name"])
            if existing is not None and existing.get("data") == data:
                return existing
            # A different revision has this name: count the collision (the hash changes) and
            # try again, as kube does through its queue.
            bumped = clone(ds)
            bumped.setdefault("status", {})["collisionCount"] = int(collisions or 0) + 1
            self.ctx.update("apps", "daemonsets", bumped, subresource="status")
            raise

    def _dedup(self, ds: Obj, current: list[Obj]) -> Obj:
        """dedupCurHistories: of several revisions with the template, the newest stays; the
        pods of the others are relabelled to its hash and the others deleted."""
        keep = max(current, key=lambda r: int(r.get("revision") or 0))
        keep_hash = (keep["metadata"].get("labels") or {}).get(POD_REVISION_LABEL)
        for duplicate in current:
            if duplicate is keep:
                continue
            dup_hash = (duplicate["metadata"].get("labels") or {}).get(POD_REVISION_LABEL)
            for pod in self.ctx.owned_by("", "pods", ds):
                if (pod["metadata"].get("labels") or {}).get(POD_REVISION_LABEL) == dup_hash:
                    relabelled = clone(pod)
                    relabelled["metadata"]["labels"][POD_REVISION_LABEL] = keep_hash
                    self.ctx.update("", "pods", relabelled)
            self.ctx.delete("apps", "controllerrevisions", duplicate["metadata"]["namespace"],
                            duplicate["metadata"]["name"], uid=duplicate["metadata"]["uid"])
        return keep

    def _cleanup_history(self, ds: Obj, old: list[Obj], pods: list[Obj]) -> None:
        """cleanupHistory: beyond revisionHistoryLimit, the oldest revisions no pod uses go."""
        limit = ds["spec"].get("revisionHistoryLimit")
        excess = len(old) - (10 if limit is None else int(limit))
        if excess <= 0:
            return
        live = {(p["metadata"].get("labels") or {}).get(POD_REVISION_LABEL) for p in pods}
        for revision in history.by_revision(old):
            if excess <= 0:
                break
            if (revision["metadata"].get("labels") or {}).get(POD_REVISION_LABEL) in live:
                continue
            self.ctx.delete("apps", "controllerrevisions", revision["metadata"]["namespace"],
                            revision["metadata"]["name"], uid=revision["metadata"]["uid"])
            excess -= 1

    # -- status ---------------------------------------------------------------------------------

    def _write_status(self, ds: Obj, nodes: list[Obj], hash_: str, pods: list[Obj]) -> None:
        """updateDaemonSetStatus and storeDaemonSetStatus."""
        by_node = _by_node(pods)
        min_ready = int(ds["spec"].get("minReadySeconds") or 0)
        now = self.ctx.now()
        generation = template_generation(ds)
        desired = current = misscheduled = ready = updated = available = 0
        for node in nodes:
            name = node["metadata"]["name"]
            scheduled = bool(by_node.get(name))
            if not should_run(node, ds)[0]:
                misscheduled += scheduled
                continue
            desired += 1
            if not scheduled:
                continue
            current += 1
            pod = _oldest_first(by_node[name])[0]
            if is_ready(pod):
                ready += 1
                available += is_available(pod, min_ready, now)
            updated += is_updated(pod, hash_, generation)
        counts = {"currentNumberScheduled": current, "numberMisscheduled": misscheduled,
                  "desiredNumberScheduled": desired, "numberReady": ready,
                  "updatedNumberScheduled": updated, "numberAvailable": available,
                  "numberUnavailable": desired - available}
        stored = ds.get("status") or {}
        generation_seen = int(ds["metadata"].get("generation") or 0)
        if min_ready and ready != available:
            self.ctx.later(min_ready, NAME, (ds["metadata"]["namespace"], ds["metadata"]["name"]))
        if (all(int(stored.get(k) or 0) == v for k, v in counts.items())
                and int(stored.get("observedGeneration") or 0) >= generation_seen):
            return
        changed = clone(ds)
        changed["status"] = _ordered_status({**stored, **counts,
                                             "observedGeneration": generation_seen})
        self.ctx.update("apps", "daemonsets", changed, subresource="status")


def _selector(ds: Obj) -> LabelSelector | None:
    try:
        return label_selector_from_match((ds.get("spec") or {}).get("selector"))
    except KubeError:
        return None


def _by_node(pods: list[Obj]) -> dict[str, list[Obj]]:
    """getNodesToDaemonPods: the pods by the node they run on or are meant for."""
    grouped: dict[str, list[Obj]] = {}
    for pod in pods:
        node = target_node(pod)
        if node is not None:
            grouped.setdefault(node, []).append(pod)
    return grouped


def _new_and_old(pods: list[Obj], hash_: str,
                 generation: int | None) -> tuple[Obj | None, Obj | None] | None:
    """findUpdatedPodsOnNode: the node's one updated and one old pod (not being deleted); None
    when it has two of either (manage cleans that up first)."""
    new = old = None
    for pod in pods:
        if is_terminating(pod):
            continue
        if is_updated(pod, hash_, generation):
            if new is not None:
                return None
            new = pod
        else:
            if old is not None:
                return None
            old = pod
    return new, old


def _node_changed(previous: Obj | None, current: Obj) -> bool:
    """shouldIgnoreNodeUpdate, inverted: what a DaemonSet decides on changed (labels, taints,
    unschedulable, the conditions' statuses), heartbeats aside."""
    if previous is None:
        return True

    def view(node: Obj) -> tuple[Any, ...]:
        conditions = sorted((c.get("type"), c.get("status"))
                            for c in (node.get("status") or {}).get("conditions") or []
                            if isinstance(c, dict))
        return ((node.get("metadata") or {}).get("labels"), node.get("spec"), conditions)
    return view(previous) != view(current)


# DaemonSetStatus in Go's field order; omitempty fields are left out at their zero value.
_STATUS_FIELDS = ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                  "numberReady", "observedGeneration", "updatedNumberScheduled",
                  "numberAvailable", "numberUnavailable", "collisionCount", "conditions")
_ALWAYS = ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
           "numberReady")


def _ordered_status(status: Obj) -> Obj:
    return {f: status[f] for f in _STATUS_FIELDS
            if f in status and (f in _ALWAYS or f == "collisionCount" and status[f] is not None
                                or status[f] not in (0, None, []))}


def controllers(ctx: Context) -> list[Controller]:
    return [DaemonSetController(ctx)]
