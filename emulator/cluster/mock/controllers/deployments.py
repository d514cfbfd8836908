"""kube's Deployment controller ("deployment-controller", pkg/controller/deployment): a
Deployment's pods are those of its ReplicaSets, one per pod template ("<deployment>-<hash>",
labelled and selected by pod-template-hash), numbered by revision.

One sync follows deployment_controller.go's syncDeployment: claim the ReplicaSets the selector
matches; a Deployment being deleted only gets its status; a paused one is scaled but never
rolled out (its Progressing condition says DeploymentPaused); a change of replicas alone scales
the ReplicaSets in proportion; else the strategy rolls out: RollingUpdate within maxSurge and
maxUnavailable, or Recreate (every old pod gone before a new one is made). The status and its
Available and Progressing conditions follow, and a rollout that makes no progress for
progressDeadlineSeconds (on the emulator's clock) is marked ProgressDeadlineExceeded, which is
what makes ``kubectl rollout status`` give up. Old ReplicaSets beyond revisionHistoryLimit go.

The arithmetic is in ``rollout.py``; claiming and timers are shared with ``replicasets.py``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import timedelta

from emulator import messages
from emulator.cluster.mock.controllers import rollout
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.events import NORMAL, WARNING, Source
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.controllers.replicasets import (PODS, OwnerKind, claim,
                                                           controller_ref, is_deleting, labels_of,
                                                           selects_own_template)
from emulator.cluster.mock.controllers.rollout import Obj, replicas
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.selectors import LabelSelector, label_selector_from_match
from emulator.cluster.mock.registry.store import WatchEvent
from emulator.cluster.mock.wire.status import KubeError

DEPLOYMENTS = ("apps", "deployments")
REPLICA_SETS = ("apps", "replicasets")
DEPLOYMENT = OwnerKind("Deployment", "apps/v1")
NAME = "deployment-controller"
SCALING_REPLICA_SET = "ScalingReplicaSet"
SELECTING_ALL = "SelectingAll"


def selector_of(deployment: Obj) -> LabelSelector:
    return label_selector_from_match((deployment.get("spec") or {}).get("selector"))


def _selects_everything(deployment: Obj) -> bool:
    selector = (deployment.get("spec") or {}).get("selector")
    return isinstance(selector, dict) and not selector.get("matchLabels") \
        and not selector.get("matchExpressions")


class DeploymentController:
    name = NAME
    watches = (DEPLOYMENTS, REPLICA_SETS, PODS)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.source = Source(NAME)

    # -- what to sync -----------------------------------------------------------------------------

    def keys(self, event: WatchEvent) -> Iterable[Hashable]:
        meta = event.object.get("metadata") or {}
        namespace = meta.get("namespace", "")
        if event.resource == DEPLOYMENTS:
            if event.type == "DELETED":
                self.ctx.cancel(NAME, (namespace, meta["name"]))
                return ()
            return ((namespace, meta["name"]),)
        if event.resource == REPLICA_SETS:
            return self._replica_set_keys(event, namespace)
        return self._pod_keys(event, namespace)

    def _replica_set_keys(self, event: WatchEvent, namespace: str) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for rs in (event.object, event.previous):
            ref = controller_ref(rs)
            if ref is not None and ref.get("kind") == DEPLOYMENT.kind:
                found.add((namespace, ref.get("name", "")))
        if event.type != "DELETED" and controller_ref(event.object) is None and (
                event.previous is None or labels_of(event.previous) != labels_of(event.object)
                or controller_ref(event.previous) is not None):
            labels = labels_of(event.object)
            for deployment in self.ctx.list(*DEPLOYMENTS, namespace):
                if not _selects_everything(deployment) and selector_of(deployment).matches(
                        labels):
                    found.add((namespace, deployment["metadata"]["name"]))
        return found

    def _pod_keys(self, event: WatchEvent, namespace: str) -> set[tuple[str, str]]:
        """A Recreate rollout waits for the old pods to be gone (or finished), which their
        ReplicaSet's status does not always show: a pod that goes or finishes wakes it."""
        phase = (event.object.get("status") or {}).get("phase")
        if event.type != "DELETED" and phase not in ("Succeeded", "Failed"):
            return set()
        ref = controller_ref(event.object)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return set()
        rs = self.ctx.store.get(REPLICA_SETS, namespace, ref.get("name", ""))
        owner = controller_ref(rs)
        if owner is None or owner.get("kind") != DEPLOYMENT.kind:
            return set()
        return {(namespace, owner.get("name", ""))}

    # -- one sync ---------------------------------------------------------------------------------

    def sync(self, key: Hashable) -> None:
        namespace, name = key  # type: ignore[misc]
        deployment = self.ctx.get(*DEPLOYMENTS, namespace, name)
        if deployment is None:
            return
        _Sync(self, key, deployment).run()


class _Sync:
    """One syncDeployment: the Deployment as last written (``d``) and its ReplicaSets as last
    written, so that every write in the sync starts from what the store holds."""

    def __init__(self, controller: DeploymentController, key: Hashable, deployment: Obj) -> None:
        self.controller = controller
        self.ctx = controller.ctx
        self.key = key
        self.d = deployment
        self.rss: dict[str, Obj] = {}

    # -- the steps --------------------------------------------------------------------------------

    def run(self) -> None:
        if _selects_everything(self.d):
            self._event(WARNING, SELECTING_ALL, messages.DEPLOYMENT_SELECTING_ALL)
            generation = int(self.d["metadata"].get("generation") or 0)
            status = self.d.get("status") or {}
            if int(status.get("observedGeneration") or 0) < generation:
                self._write_status(rollout.wire_status({**status,
                                                        "observedGeneration": generation}))
            return
        if not selects_own_template(selector_of(self.d), self.d):
            return
        namespace = self.d["metadata"]["namespace"]
        claimed = claim(self.ctx, self.d, DEPLOYMENT, selector_of(self.d),
                        self.ctx.list(*REPLICA_SETS, namespace), REPLICA_SETS)
        self.rss = {rs["metadata"]["uid"]: rs for rs in claimed}
        if is_deleting(self.d):
            new, old = self._new_and_old(create=False)
            self._sync_status([*old, new], new)
            return
        self._check_paused_conditions()
        if (self.d.get("spec") or {}).get("paused"):
            self._sync_paused_or_scaled()
            return
        if self._is_scaling_event():
            self._sync_paused_or_scaled()
            return
        if rollout.is_rolling(self.d):
            self._rolling()
        else:
            self._recreate()

    def _sync_paused_or_scaled(self) -> None:
        """sync.go's sync: scale (no rollout), clean up a paused Deployment's history."""
        new, old = self._new_and_old(create=False)
        self._scale(new, old)
        if (self.d.get("spec") or {}).get("paused"):
            self._cleanup(old)
        self._sync_status([*old, new], new)

    def _is_scaling_event(self) -> bool:
        """Whether an active ReplicaSet was sized for other replicas than the Deployment's."""
        new, old = self._new_and_old(create=False)
        want = replicas(self.d)
        return any(rollout.desired_replicas(rs) not in (None, want)
                   for rs in rollout.active([*old, new]))

    def _check_paused_conditions(self) -> None:
        """checkPausedConditions: Progressing Unknown while paused, and when resumed, so that
        time spent paused never counts against the progress deadline."""
        if not rollout.has_progress_deadline(self.d):
            return
        status = clone(self.d.get("status") or {})
        current = rollout.get_condition(status, rollout.PROGRESSING)
        if current is not None and current.get("reason") == rollout.TIMED_OUT:
            return
        paused = bool((self.d.get("spec") or {}).get("paused"))
        marked = current is not None and current.get("reason") == rollout.PAUSED
        if paused and not marked:
            condition = self._condition(rollout.PROGRESSING, "Unknown", rollout.PAUSED,
                                        messages.DEPLOYMENT_PAUSED)
        elif not paused and marked:
            condition = self._condition(rollout.PROGRESSING, "Unknown", rollout.RESUMED,
                                        messages.DEPLOYMENT_RESUMED)
        else:
            return
        rollout.set_condition(status, condition)
        self._write_status(rollout.wire_status(status))

    # -- strategies -------------------------------------------------------------------------------

    def _rolling(self) -> None:
        """rolling.go's rolloutRolling: scale the new ReplicaSet up within the surge, else the
        old ones down within the unavailability, else clean up once complete."""
        new, old = self._new_and_old(create=True)
        assert new is not None
        all_rss: list[Obj | None] = [*old, new]
        if self._reconcile_new(all_rss, new):
            self._sync_rollout_status(all_rss, new)
            return
        new = self._current(new)
        old = [self._current(rs) for rs in old]
        if self._reconcile_old([*old, new], rollout.active(old), new):
            self._sync_rollout_status(all_rss, new)
            return
        if rollout.deployment_complete(self.d, self.d.get("status") or {}):
            self._cleanup(old)
        self._sync_rollout_status([*old, new], new)

    def _reconcile_new(self, all_rss: list[Obj | None], new: Obj) -> bool:
        want = replicas(self.d)
        if replicas(new) == want:
            return False
        if replicas(new) > want:
            return self._scale_and_record(new, want)
        return self._scale_and_record(new, rollout.new_rs_new_replicas(self.d, all_rss, new))

    def _reconcile_old(self, all_rss: list[Obj], old: list[Obj], new: Obj) -> bool:
        """reconcileOldReplicaSets: how far the old ReplicaSets may shrink now, counting the
        new ReplicaSet's unavailable pods against it; unhealthy old replicas go first."""
        if rollout.spec_replicas(old) == 0:
            return False
        min_available = replicas(self.d) - rollout.max_unavailable(self.d)
        new_unavailable = replicas(new) - rollout.status_count([new], "availableReplicas")
        most = rollout.spec_replicas(all_rss) - min_available - new_unavailable
        if most <= 0:
            return False
        old, cleaned = self._cleanup_unhealthy(old, most)
        scaled = self._scale_down_old([*old, self._current(new)], old)
        return cleaned + scaled > 0

    def _cleanup_unhealthy(self, old: list[Obj], most: int) -> tuple[list[Obj], int]:
        """cleanupUnhealthyReplicas: an old ReplicaSet's unavailable replicas cost nothing."""
        old = sorted(old, key=rollout.by_creation)
        total = 0
        for i, rs in enumerate(old):
            if total >= most:
                break
            available = rollout.status_count([rs], "availableReplicas")
            if replicas(rs) == 0 or replicas(rs) == available:
                continue
            count = min(most - total, replicas(rs) - available)
            self._scale_and_record(rs, replicas(rs) - count)
            total += count
            old[i] = self._current(rs)
        return old, total

    def _scale_down_old(self, all_rss: list[Obj], old: list[Obj]) -> int:
        """scaleDownOldReplicaSetsForRollingUpdate: down to the minimum available, oldest
        first."""
        min_available = replicas(self.d) - rollout.max_unavailable(self.d)
        available = rollout.status_count(all_rss, "availableReplicas")
        if available <= min_available:
            return 0
        wanted = available - min_available
        total = 0
        for rs in sorted(old, key=rollout.by_creation):
            if total >= wanted:
                break
            if replicas(rs) == 0:
                continue
            count = min(replicas(rs), wanted - total)
            self._scale_and_record(rs, replicas(rs) - count)
            total += count
        return total

    def _recreate(self) -> None:
        """recreate.go's rolloutRecreate: every old ReplicaSet to zero, wait until no old pod
        runs, then the new ReplicaSet (made only now) at full size."""
        new, old = self._new_and_old(create=False)
        scaled = False
        for rs in rollout.active(old):
            scaled = self._scale_and_record(rs, 0) or scaled
        if scaled or self._old_pods_running(new, old):
            self._sync_rollout_status([*old, new], new)
            return
        if new is None:
            new, old = self._new_and_old(create=True)
            assert new is not None
        self._scale_and_record(new, replicas(self.d))
        if rollout.deployment_complete(self.d, self.d.get("status") or {}):
            self._cleanup(old)
        self._sync_rollout_status([*old, new], new)

    def _old_pods_running(self, new: Obj | None, old: list[Obj]) -> bool:
        """oldPodsRunning: an old ReplicaSet still counts pods, or a pod of one has not
        finished (a pod being deleted still runs until it is gone)."""
        if rollout.status_count(old, "replicas") > 0:
            return True
        new_uid = None if new is None else new["metadata"].get("uid")
        old_uids = {uid for uid in self.rss if uid != new_uid}
        selector = selector_of(self.d)
        for pod in self.ctx.list(*PODS, self.d["metadata"]["namespace"]):
            ref = controller_ref(pod)
            if (ref is None or ref.get("uid") not in old_uids
                    or not selector.matches(labels_of(pod))):
                continue
            if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
                return True
        return False

    # -- scaling ----------------------------------------------------------------------------------

    def _scale(self, new: Obj | None, old: list[Obj]) -> None:
        """sync.go's scale: the one active (or the newest) ReplicaSet to the full size; a
        saturated new one leaves the old at zero; otherwise, rolling, every active ReplicaSet
        in proportion to the size it was annotated for."""
        target = rollout.find_active_or_latest(new, old)
        if target is not None:
            if replicas(target) != replicas(self.d):
                self._scale_and_record(target, replicas(self.d))
            return
        if rollout.is_saturated(self.d, new):
            for rs in rollout.active(old):
                self._scale_and_record(rs, 0)
            return
        if not rollout.is_rolling(self.d):
            return
        running = rollout.active([*old, new])
        allowed = (replicas(self.d) + rollout.max_surge(self.d)) if replicas(self.d) > 0 else 0
        to_add = allowed - rollout.spec_replicas(running)
        # Scaling up: the biggest first, newer first among equals; down: older first.
        running.sort(key=rollout.by_creation, reverse=to_add > 0)
        running.sort(key=lambda rs: -replicas(rs))
        direction = "up" if to_add > 0 else "down" if to_add < 0 else ""
        added = 0
        sizes: dict[str, int] = {}
        for rs in running:
            share = rollout.get_proportion(rs, self.d, to_add, added) if to_add else 0
            sizes[rs["metadata"]["uid"]] = replicas(rs) + share
            added += share
        for i, rs in enumerate(running):
            uid = rs["metadata"]["uid"]
            if i == 0 and to_add:
                sizes[uid] = max(sizes[uid] + to_add - added, 0)
            self._scale_rs(rs, sizes[uid], direction)

    def _scale_and_record(self, rs: Obj, size: int) -> bool:
        """scaleReplicaSetAndRecordEvent: whether the size changed."""
        current = self._current(rs)
        if replicas(current) == size:
            return False
        return self._scale_rs(current, size, "up" if replicas(current) < size else "down")

    def _scale_rs(self, rs: Obj, size: int, direction: str) -> bool:
        """scaleReplicaSet: the size and the replica annotations, and an Event for a resize."""
        current = self._current(rs)
        want = replicas(self.d)
        most = want + rollout.max_surge(self.d)
        resized = replicas(current) != size
        if not resized and not rollout.replicas_annotations_need_update(current, want, most):
            return False
        previous = replicas(current)
        changed = clone(current)
        changed["spec"]["replicas"] = size
        rollout.set_replicas_annotations(changed, want, most)
        updated = self._write_rs(changed)
        if resized:
            self._event(NORMAL, SCALING_REPLICA_SET, messages.DEPLOYMENT_SCALED.format(
                direction=direction, replica_set=updated["metadata"]["name"], replicas=size,
                previous=previous))
        return resized

    def _cleanup(self, old: list[Obj]) -> None:
        """cleanupDeployment: beyond revisionHistoryLimit, the lowest revisions go, if they
        have no replicas left and their controller has seen that."""
        if not rollout.has_revision_history_limit(self.d):
            return
        alive = [self._current(rs) for rs in old]
        alive = [rs for rs in alive if not is_deleting(rs)]
        excess = len(alive) - int(self.d["spec"]["revisionHistoryLimit"])
        if excess <= 0:
            return
        for rs in sorted(alive, key=rollout.by_revision)[:excess]:
            status = rs.get("status") or {}
            if (int(status.get("replicas") or 0) != 0 or replicas(rs) != 0
                    or int(rs["metadata"].get("generation") or 0)
                    > int(status.get("observedGeneration") or 0)):
                continue
            meta = rs["metadata"]
            self.ctx.delete(*REPLICA_SETS, meta["namespace"], meta["name"], uid=meta["uid"])
            self.rss.pop(meta["uid"], None)

    # -- the new ReplicaSet -----------------------------------------------------------------------

    def _new_and_old(self, create: bool) -> tuple[Obj | None, list[Obj]]:
        """getAllReplicaSetsAndSyncRevision."""
        listed = list(self.rss.values())
        old = rollout.find_old(self.d, listed)
        new = self._new_replica_set(listed, old, create)
        if new is not None:
            old = [rs for rs in old if rs["metadata"]["uid"] != new["metadata"]["uid"]]
        return new, [self._current(rs) for rs in old]

    def _new_replica_set(self, listed: list[Obj], old: list[Obj], create: bool) -> Obj | None:
        """getNewReplicaSet: the ReplicaSet of the current template, its annotations and the
        Deployment's revision brought up to date; made when missing and ``create``."""
        existing = rollout.find_new(self.d, listed)
        new_revision = rollout.max_revision(old) + 1
        if existing is not None:
            return self._found(existing, new_revision)
        if not create:
            return None
        return self._create(old, new_revision)

    def _found(self, existing: Obj, new_revision: int) -> Obj:
        changed = clone(existing)
        annotated = rollout.set_new_rs_annotations(self.d, changed, new_revision, exists=True)
        min_ready = int((self.d.get("spec") or {}).get("minReadySeconds") or 0)
        if annotated or int(changed["spec"].get("minReadySeconds") or 0) != min_ready:
            _set_min_ready(changed["spec"], min_ready)
            return self._write_rs(changed)
        status = clone(self.d.get("status") or {})
        needs_update = self._set_revision(
            ((changed["metadata"].get("annotations") or {}).get(rollout.REVISION)) or "")
        if (rollout.has_progress_deadline(self.d)
                and rollout.get_condition(status, rollout.PROGRESSING) is None):
            rollout.set_condition(status, self._condition(
                rollout.PROGRESSING, "True", rollout.FOUND_NEW_RS,
                messages.DEPLOYMENT_FOUND_NEW_RS.format(replica_set=changed["metadata"]["name"])))
            needs_update = True
        if needs_update:
            self._write_status(rollout.wire_status(status))
        return changed

    def _create(self, old: list[Obj], new_revision: int) -> Obj:
        spec = self.d["spec"]
        status = clone(self.d.get("status") or {})
        template = clone(spec.get("template") or {})
        pod_hash = rollout.compute_hash(template, status.get("collisionCount"))
        template.setdefault("metadata", {}).setdefault("labels", {})[
            rollout.POD_TEMPLATE_HASH] = pod_hash
        selector = clone(spec.get("selector") or {})
        selector.setdefault("matchLabels", {})[rollout.POD_TEMPLATE_HASH] = pod_hash
        meta = self.d["metadata"]
        name = f"{meta['name']}-{pod_hash}"
        new: Obj = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": {"name": name, "namespace": meta["namespace"],
                                 "labels": clone(template["metadata"]["labels"]),
                                 "ownerReferences": [_owner_reference(self.d)]},
                    "spec": {"replicas": 0, "selector": selector, "template": template}}
        _set_min_ready(new["spec"], int(spec.get("minReadySeconds") or 0))
        count = rollout.new_rs_new_replicas(self.d, [*old, new], new)
        new["spec"]["replicas"] = count
        rollout.set_new_rs_annotations(self.d, new, new_revision, exists=False)
        found = False
        try:
            created = self.ctx.create(*REPLICA_SETS, new)
        except KubeError as err:
            if err.reason != "AlreadyExists":
                self._failed_create(name, err)
                raise
            created = self._collision(name, err)
            found = True
        self.rss[created["metadata"]["uid"]] = created
        if not found and count > 0:
            self._event(NORMAL, SCALING_REPLICA_SET, messages.DEPLOYMENT_SCALED_UP_NEW.format(
                replica_set=name, replicas=count))
        status = clone(self.d.get("status") or {})
        needs_update = self._set_revision(str(new_revision))
        if not found and rollout.has_progress_deadline(self.d):
            rollout.set_condition(status, self._condition(
                rollout.PROGRESSING, "True", rollout.NEW_REPLICA_SET,
                messages.DEPLOYMENT_CREATED_NEW_RS.format(replica_set=name)))
            needs_update = True
        if needs_update:
            self._write_status(rollout.wire_status(status))
        return created

    def _collision(self, name: str, err: KubeError) -> Obj:
        """A ReplicaSet of that name exists: ours with this template is the new one; anyone
        else's is a hash collision, counted in status.collisionCount so the next try hashes
        differently."""
        existing = self.ctx.get(*REPLICA_SETS, self.d["metadata"]["namespace"], name)
        ref = controller_ref(existing)
        if (existing is not None and ref is not None
                and ref.get("uid") == self.d["metadata"].get("uid")
                and rollout.equal_ignore_hash(self.d["spec"].get("template"),
                                              (existing.get("spec") or {}).get("template"))):
            return existing
        status = clone(self.d.get("status") or {})
        status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
        self._write_status(rollout.wire_status(status))
        raise err

    def _failed_create(self, name: str, err: KubeError) -> None:
        message = messages.DEPLOYMENT_RS_CREATE_FAILED.format(replica_set=name, error=err.message)
        if rollout.has_progress_deadline(self.d):
            status = clone(self.d.get("status") or {})
            rollout.set_condition(status, self._condition(
                rollout.PROGRESSING, "False", rollout.FAILED_RS_CREATE, message))
            try:
                self._write_status(rollout.wire_status(status))
            except KubeError:
                pass  # the failure to create is the news; kube ignores this one too
        self._event(WARNING, rollout.FAILED_RS_CREATE, message)

    def _set_revision(self, revision: str) -> bool:
        """SetDeploymentRevision (written with the next status update)."""
        notes = self.d.setdefault("metadata", {}).setdefault("annotations", {})
        if notes.get(rollout.REVISION) == revision:
            return False
        notes[rollout.REVISION] = revision
        return True

    # -- status -----------------------------------------------------------------------------------

    def _sync_status(self, all_rss: list[Obj | None], new: Obj | None) -> None:
        """syncDeploymentStatus: the counts and Available, written when they changed."""
        all_rss, new = self._fresh(all_rss), self._fresh([new])[0]
        status = rollout.calculate_status(all_rss, new, self.d, self.ctx.now())
        if status != (self.d.get("status") or {}):
            self._write_status(status)

    def _sync_rollout_status(self, all_rss: list[Obj | None], new: Obj | None) -> None:
        """progress.go's syncRolloutStatus: Progressing follows the rollout (created, progressing,
        complete, or past its deadline); a ReplicaSet's ReplicaFailure is carried over."""
        now = self.ctx.now()
        all_rss, new = self._fresh(all_rss), self._fresh([new])[0]
        status = rollout.calculate_status(all_rss, new, self.d, now)
        rollout.track_progress(self.d, status, None if new is None else new["metadata"]["name"],
                               now)
        failure = rollout.replica_failure(all_rss, new)
        if failure is not None:
            rollout.set_condition(status, failure)
        else:
            rollout.remove_condition(status, rollout.REPLICA_FAILURE)
        status = rollout.wire_status(status)
        if status == (self.d.get("status") or {}):
            self._requeue_stuck(status)
            return
        self._write_status(status)

    def _requeue_stuck(self, status: Obj) -> None:
        """requeueStuckDeployment: a rollout that made no progress is looked at again once its
        deadline has passed (a second after, as kube does), on the emulator's clock."""
        current = rollout.get_condition(self.d.get("status") or {}, rollout.PROGRESSING)
        if not rollout.has_progress_deadline(self.d) or current is None:
            return
        if (rollout.deployment_complete(self.d, status)
                or current.get("reason") == rollout.TIMED_OUT):
            self.ctx.cancel(NAME, self.key)  # nothing left to time out
            return
        due = rollout.progress_due(self.d, self.d.get("status") or {})
        if due is not None:
            self.ctx.at(NAME, self.key, due + timedelta(seconds=1))

    # -- writing ----------------------------------------------------------------------------------

    def _current(self, rs: Obj | None) -> Obj:
        """The ReplicaSet as this sync last wrote or read it."""
        assert rs is not None
        return self.rss.get(rs["metadata"]["uid"], rs)

    def _fresh(self, rss: list[Obj | None]) -> list[Obj | None]:
        """The ReplicaSets as last written (kube reads its stale copies here; the emulator's
        are never stale, which spares a status write that the next sync would correct)."""
        return [None if rs is None else self._current(rs) for rs in rss]

    def _write_rs(self, rs: Obj) -> Obj:
        updated = self.ctx.update(*REPLICA_SETS, rs)
        self.rss[updated["metadata"]["uid"]] = updated
        return updated

    def _write_status(self, status: Obj) -> None:
        changed = clone(self.d)
        changed["status"] = status
        self.d = self.ctx.update(*DEPLOYMENTS, changed, subresource="status")

    def _condition(self, type_: str, status: str, reason: str, message: str) -> Obj:
        return rollout.new_condition(type_, status, reason, message, self.ctx.now())

    def _event(self, type_: str, reason: str, message: str) -> None:
        self.ctx.event(self.d, self.controller.source, type_, reason, message)


def _owner_reference(deployment: Obj) -> Obj:
    meta = deployment["metadata"]
    return {"apiVersion": DEPLOYMENT.api_version, "kind": DEPLOYMENT.kind, "name": meta["name"],
            "uid": meta.get("uid", ""), "controller": True, "blockOwnerDeletion": True}


def _set_min_ready(spec: Obj, seconds: int) -> None:
    """minReadySeconds is omitempty: a zero is left out."""
    if seconds:
        spec["minReadySeconds"] = seconds
    else:
        spec.pop("minReadySeconds", None)


def controllers(ctx: Context) -> list[Controller]:
    return [DeploymentController(ctx)]
