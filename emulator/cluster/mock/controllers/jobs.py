"""kube's Job controller ("job-controller", pkg/controller/job/job_controller.go).

A Job's pods are created from its template with a generated name (``<job>-`` or, Indexed,
``<job>-<index>-``), a controller reference and the ``batch.kubernetes.io/job-tracking``
finalizer. A pod that finished is counted as kube counts it: its uid first goes into
``status.uncountedTerminatedPods``, then its finalizer is removed, then it moves into
``succeeded`` or ``failed``. The Job ends Complete once enough pods succeeded, or Failed past its
backoff limit or active deadline; from 1.31 the interim SuccessCriteriaMet / FailureTarget
condition comes first and the terminal one waits until no pod is terminating. Suspend deletes
the active pods and sets the Suspended condition.

Left out: pod failure policies, success policies, backoffLimitPerIndex, adopting orphan pods
that match the selector, and ttlSecondsAfterFinished (the TTL-after-finished controller).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from emulator import messages
from emulator.clock import rfc3339
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.events import NORMAL, WARNING, Source
from emulator.cluster.mock.controllers.jobstate import (
    COMPLETE, COMPLETION_INDEX, FAILED, FAILURE_TARGET, SUCCESS_CRITERIA_MET, SUSPENDED,
    TRACKING_FINALIZER, Backoff, backoff_limit, completion_index, controller_of,
    format_indexes, has_finalizer, is_active, is_deleting, is_finished, is_indexed, is_ready,
    is_terminating, managed_elsewhere, meta_of, owner_reference, parse_indexes, parse_time,
    phase_of, removal_order, set_uids, status_of, true_condition, wire_status)
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.store import WatchEvent
from emulator.cluster.mock.wire.status import KubeError

NAME = "job-controller"
SOURCE = Source(NAME)
COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"
# A sync delayed by a back-off waits at least 1 s (enqueueSyncJobWithDelay).
MIN_DELAYED_SYNC = 1.0
# The longest name the apiserver's name generator keeps before its 5 random characters.
MAX_GENERATED_NAME = 58


# -- keys ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class JobKey:
    namespace: str
    name: str


@dataclass(frozen=True)
class DeletedJob:
    """A Job that is gone: its pods' tracking finalizers are removed (cleanupPodFinalizers)."""
    namespace: str
    uid: str


@dataclass(frozen=True)
class OrphanPod:
    """A pod with the tracking finalizer whose Job may be gone or finished (syncOrphanPod)."""
    namespace: str
    name: str


# -- the controller ------------------------------------------------------------------------------

@dataclass
class _Sync:
    """One sync's view of a Job (syncJobCtx)."""
    job: dict[str, Any]
    pods: list[dict[str, Any]]
    active_pods: list[dict[str, Any]]
    ready: int
    terminating: int
    now: datetime  # read once: a clock moved during the sync does not shift its timers
    succeeded: int = 0
    failed: int = 0
    finished: dict[str, Any] | None = None  # the condition to reach
    succeeded_indexes: set[int] = field(default_factory=set)
    previous_indexes: set[int] = field(default_factory=set)


class JobController:
    name = NAME
    watches = (("batch", "jobs"), ("", "pods"))

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._backoff: dict[JobKey, Backoff] = {}

    @property
    def minor(self) -> int:
        return self.ctx.registry.minor

    # -- which keys a change wakes --------------------------------------------------------------

    def keys(self, event: WatchEvent) -> Iterable[Any]:
        meta = meta_of(event.object)
        namespace = meta.get("namespace", "")
        if event.resource == ("batch", "jobs"):
            yield JobKey(namespace, meta.get("name", ""))
            if event.type == "DELETED":
                yield DeletedJob(namespace, meta.get("uid", ""))
            return
        ref = controller_of(event.object)
        if ref is not None and ref.get("kind") == "Job" \
                and str(ref.get("apiVersion", "")).startswith("batch/"):
            yield JobKey(namespace, ref.get("name", ""))
        if event.type != "DELETED" and has_finalizer(event.object):
            yield OrphanPod(namespace, meta.get("name", ""))

    def sync(self, key: Any) -> None:
        if isinstance(key, JobKey):
            self._sync_job(key)
        elif isinstance(key, DeletedJob):
            for pod in self.ctx.list("", "pods", key.namespace):
                ref = controller_of(pod)
                if ref is not None and ref.get("uid") == key.uid:
                    self._remove_finalizer(pod)
        elif isinstance(key, OrphanPod):
            self._sync_orphan(key)

    def _sync_orphan(self, key: OrphanPod) -> None:
        pod = self.ctx.get("", "pods", key.namespace, key.name)
        if pod is None or not has_finalizer(pod):
            return
        ref = controller_of(pod)
        if ref is not None:
            if ref.get("kind") != "Job" or ref.get("apiVersion") != "batch/v1":
                return
            job = self.ctx.get("batch", "jobs", key.namespace, ref.get("name", ""))
            if job is not None and meta_of(job).get("uid") == ref.get("uid"):
                if managed_elsewhere(job, self.minor) or not is_finished(job):
                    return
        self._remove_finalizer(pod)

    # -- syncJob --------------------------------------------------------------------------------

    def _sync_job(self, key: JobKey) -> None:
        job = self.ctx.get("batch", "jobs", key.namespace, key.name)
        if job is None:
            self._backoff.pop(key, None)
            self.ctx.cancel(NAME, key)
            return
        if managed_elsewhere(job, self.minor):
            return
        if is_finished(job):
            self._backoff.pop(key, None)
            self.ctx.cancel(NAME, key)
            for pod in self.ctx.owned_by("", "pods", job):
                if has_finalizer(pod):
                    self._remove_finalizer(pod)
            return
        spec = job.get("spec") or {}
        if spec.get("completionMode", "NonIndexed") not in ("NonIndexed", "Indexed"):
            self.ctx.event(job, SOURCE, WARNING, "UnknownCompletionMode",
                           messages.JOB_UNKNOWN_COMPLETION_MODE)
            return
        status = job.setdefault("status", {})
        status.setdefault("uncountedTerminatedPods", {})
        pods = self.ctx.owned_by("", "pods", job)
        active = [p for p in pods if is_active(p)]
        now = self.ctx.now()
        run = _Sync(job, pods, active, ready=sum(map(is_ready, active)),
                    terminating=sum(map(is_terminating, pods)), now=now)
        uncounted = status["uncountedTerminatedPods"]
        new_succeeded = self._new_finished(run, uncounted.get("succeeded") or [],
                                           lambda p: phase_of(p) == "Succeeded")
        new_failed = self._new_finished(run, uncounted.get("failed") or [],
                                        lambda p: self._is_failed(p, job))
        run.succeeded = (int(status.get("succeeded") or 0) + len(new_succeeded)
                         + len(uncounted.get("succeeded") or []))
        run.failed = (int(status.get("failed") or 0) + len(new_failed)
                      + len(uncounted.get("failed") or []))
        if not status.get("startTime") and not spec.get("suspend"):
            status["startTime"] = rfc3339(now)
        self._backoff.setdefault(key, Backoff()).record(new_succeeded, new_failed, now)

        run.finished = true_condition(status, SUCCESS_CRITERIA_MET)
        if run.finished is None:
            target = true_condition(status, FAILURE_TARGET)
            if target is not None:
                run.finished = self._new_condition(FAILED, target.get("reason", ""),
                                                   target.get("message", ""))
        if run.finished is None:
            if run.failed > backoff_limit(spec) or self._past_backoff_limit_on_failure(job, pods):
                run.finished = self._failure("BackoffLimitExceeded",
                                             messages.JOB_BACKOFF_LIMIT_EXCEEDED)
            elif self._past_deadline(job, now):
                run.finished = self._failure("DeadlineExceeded", messages.JOB_DEADLINE_EXCEEDED)
            elif spec.get("activeDeadlineSeconds") is not None and not spec.get("suspend"):
                started = parse_time(status.get("startTime")) or now
                deadline = timedelta(seconds=int(spec["activeDeadlineSeconds"]))
                self.ctx.at(NAME, key, started + deadline)
        if is_indexed(job):
            completions = int(spec.get("completions") or 0)
            run.previous_indexes = parse_indexes(status.get("completedIndexes", ""), completions)
            run.succeeded_indexes = run.previous_indexes | {
                ix for p in pods if phase_of(p) == "Succeeded" and has_finalizer(p)
                for ix in [completion_index(p)] if ix is not None and ix < completions}
            run.succeeded = len(run.succeeded_indexes)

        failure: KubeError | None = None
        suspend_changed = False
        if run.finished is not None:
            deleted = [p for p in run.active_pods if self._delete_pod(job, p)]
            run.active_pods = [p for p in run.active_pods if p not in deleted]
            run.terminating += len(deleted)
            run.ready -= sum(map(is_ready, deleted))
            status["active"] = len(run.active_pods)
        else:
            active_count, failure = len(active), None
            managed = not is_deleting(job)  # a Job being deleted gets no new pods
            if managed:
                active_count, failure = self._manage(key, run)
            completions = spec.get("completions")
            if completions is None:
                complete = run.succeeded > 0 and active_count == 0
            else:
                complete = run.succeeded >= int(completions) and active_count == 0
            if complete:
                run.finished = self._success()
            elif managed:
                suspend_changed = self._suspend_condition(job, spec)
            status["active"] = active_count
        status["ready"] = run.ready
        if self.minor >= 29:  # JobPodReplacementPolicy (beta): terminating pods are reported
            status["terminating"] = run.terminating
        self._track(run)
        if suspend_changed:
            self.ctx.event(job, SOURCE, NORMAL, *(
                ("Suspended", messages.JOB_SUSPENDED) if spec.get("suspend")
                else ("Resumed", messages.JOB_RESUMED)))
        if failure is not None:
            raise failure  # retried with back-off by the manager, as kube requeues a failed sync

    def _new_finished(self, run: _Sync, uncounted: list[str], finished: Any) -> list[dict]:
        """getNewFinishedPods: finished pods that still carry the finalizer and are not in the
        uncounted list yet (for an Indexed Job, only pods with a valid index)."""
        completions = int((run.job.get("spec") or {}).get("completions") or 0)
        found = []
        for pod in run.pods:
            if not has_finalizer(pod) or meta_of(pod).get("uid") in uncounted:
                continue
            if is_indexed(run.job):
                ix = completion_index(pod)
                if ix is None or ix >= completions:
                    continue
            if finished(pod):
                found.append(pod)
        return found

    def _is_failed(self, pod: dict[str, Any], job: dict[str, Any]) -> bool:
        """isPodFailed: Failed, or (unless only failed pods are replaced) deleted before it
        succeeded."""
        if phase_of(pod) == "Failed":
            return True
        if self._only_replace_failed(job):
            return False
        return is_deleting(pod) and phase_of(pod) != "Succeeded"

    def _only_replace_failed(self, job: dict[str, Any]) -> bool:
        spec = job.get("spec") or {}
        return (self.minor >= 29 and spec.get("podReplacementPolicy") == "Failed") \
            or spec.get("podFailurePolicy") is not None

    def _past_backoff_limit_on_failure(self, job: dict[str, Any],
                                       pods: list[dict[str, Any]]) -> bool:
        """With restartPolicy OnFailure the kubelet restarts containers in place: their restarts
        count against the backoff limit."""
        spec = job.get("spec") or {}
        if ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") != "OnFailure":
            return False
        restarts = sum(int(s.get("restartCount") or 0) for p in pods
                       if phase_of(p) in ("Running", "Pending")
                       for s in [*(status_of(p).get("initContainerStatuses") or []),
                                 *(status_of(p).get("containerStatuses") or [])])
        limit = backoff_limit(spec)
        return restarts > 0 if limit == 0 else restarts >= limit

    def _past_deadline(self, job: dict[str, Any], now: datetime) -> bool:
        spec, status = job.get("spec") or {}, status_of(job)
        started = parse_time(status.get("startTime"))
        if spec.get("activeDeadlineSeconds") is None or started is None or spec.get("suspend"):
            return False
        return (now - started).total_seconds() >= int(spec["activeDeadlineSeconds"])

    # -- conditions -------------------------------------------------------------------------------

    def _new_condition(self, type_: str, reason: str, message: str,
                       status: str = "True") -> dict[str, Any]:
        now = rfc3339(self.ctx.now())
        condition = {"type": type_, "status": status, "lastProbeTime": now,
                     "lastTransitionTime": now, "reason": reason, "message": message}
        return {k: v for k, v in condition.items() if v != ""}

    def _delay_terminal(self) -> bool:
        """From 1.31 the terminal condition waits for the pods to terminate: FailureTarget or
        SuccessCriteriaMet first (delayTerminalCondition, JobPodReplacementPolicy on)."""
        return self.minor >= 31

    def _failure(self, reason: str, message: str) -> dict[str, Any]:
        return self._new_condition(FAILURE_TARGET if self._delay_terminal() else FAILED,
                                   reason, message)

    def _success(self) -> dict[str, Any]:
        if self._delay_terminal():
            return self._new_condition(SUCCESS_CRITERIA_MET, "CompletionsReached",
                                       messages.JOB_COMPLETIONS_REACHED)
        return self._new_condition(COMPLETE, "", "")

    def _ensure_condition(self, status: dict[str, Any], type_: str, value: str, reason: str,
                          message: str) -> bool:
        """ensureJobConditionStatus: replace a condition that differs, add a new one unless it
        would be False; whether anything changed."""
        conditions = status.setdefault("conditions", [])
        for i, existing in enumerate(conditions):
            if existing.get("type") == type_:
                if (existing.get("status"), existing.get("reason", ""),
                        existing.get("message", "")) != (value, reason, message):
                    conditions[i] = self._new_condition(type_, reason, message, value)
                    return True
                return False
        if value == "False":
            if not conditions:
                status.pop("conditions")
            return False
        conditions.append(self._new_condition(type_, reason, message, value))
        return True

    def _suspend_condition(self, job: dict[str, Any], spec: dict[str, Any]) -> bool:
        status = job["status"]
        if spec.get("suspend"):
            return self._ensure_condition(status, SUSPENDED, "True", "JobSuspended",
                                          messages.JOB_SUSPENDED)
        changed = self._ensure_condition(status, SUSPENDED, "False", "JobResumed",
                                         messages.JOB_RESUMED)
        if changed:  # a resumed Job's active deadline counts from now
            status["startTime"] = rfc3339(self.ctx.now())
        return changed

    # -- manageJob --------------------------------------------------------------------------------

    def _manage(self, key: JobKey, run: _Sync) -> tuple[int, KubeError | None]:
        """Create or delete pods towards the wanted number of active ones; the number active
        after, and the error that stopped a create (the sync is retried)."""
        job, spec = run.job, run.job.get("spec") or {}
        active = len(run.active_pods)
        if spec.get("suspend"):
            removed = [p for p in run.active_pods if self._delete_pod(job, p, untrack=True)]
            run.terminating += len(removed)
            run.ready -= sum(map(is_ready, removed))
            return active - len(removed), None
        parallelism = int(spec.get("parallelism") if spec.get("parallelism") is not None else 1)
        if spec.get("completions") is None:
            want = active if run.succeeded > 0 else parallelism
        else:
            want = max(min(int(spec["completions"]) - run.succeeded, parallelism), 0)
        surplus = self._pods_to_remove(run, max(active - want, 0))
        if surplus:
            removed = [p for p in surplus if self._delete_pod(job, p, untrack=True)]
            run.terminating += len(removed)
            run.ready -= sum(map(is_ready, removed))
            return active - len(removed), None
        terminating = run.terminating if self._only_replace_failed(job) else 0
        missing = want - terminating - active
        if missing <= 0:
            return active, None
        record = self._backoff.get(key)
        wait = record.left(run.now) if record is not None else 0.0
        if wait > 0:
            self.ctx.at(NAME, key, run.now + timedelta(seconds=max(wait, MIN_DELAYED_SYNC)))
            return active, None
        indexes: list[int | None] = [None] * missing
        if is_indexed(job):
            indexes = list(self._pending_indexes(run, missing))
        for ix in indexes:
            try:
                self._create_pod(job, ix)
            except KubeError as err:
                self.ctx.event(job, SOURCE, WARNING, "FailedCreate",
                               messages.JOB_POD_CREATE_FAILED.format(error=err.message))
                return active, err
            active += 1
        return active, None

    def _pods_to_remove(self, run: _Sync, at_least: int) -> list[dict[str, Any]]:
        """activePodsForRemoval: for an Indexed Job, pods without a valid index and all but one
        of each repeated index first; then the earliest in their life."""
        remove: list[dict[str, Any]] = []
        left = list(run.active_pods)
        if is_indexed(run.job):
            completions = int((run.job.get("spec") or {}).get("completions") or 0)
            by_index: dict[int, list[dict[str, Any]]] = {}
            for pod in run.active_pods:
                ix = completion_index(pod)
                if ix is None or ix >= completions:
                    remove.append(pod)
                else:
                    by_index.setdefault(ix, []).append(pod)
            left = []
            for same in by_index.values():
                same.sort(key=removal_order)
                remove.extend(same[:-1])
                left.append(same[-1])
        if len(remove) < at_least:
            left.sort(key=removal_order)
            remove.extend(left[:at_least - len(remove)])
        return remove

    def _pending_indexes(self, run: _Sync, count: int) -> Iterable[int]:
        """firstPendingIndexes: the lowest indexes neither succeeded nor running."""
        completions = int((run.job.get("spec") or {}).get("completions") or 0)
        taken = set(run.succeeded_indexes)
        taken.update(ix for p in run.active_pods for ix in [completion_index(p)] if ix is not None)
        if self._only_replace_failed(run.job):
            taken.update(ix for p in run.pods if is_terminating(p)
                         for ix in [completion_index(p)] if ix is not None)
        return [ix for ix in range(completions) if ix not in taken][:count]

    def _create_pod(self, job: dict[str, Any], index: int | None) -> None:
        """controller_utils.go GetPodFromTemplate + CreatePodsWithGenerateName, with the Job's
        tracking finalizer and, Indexed, its completion index."""
        meta, spec = meta_of(job), job.get("spec") or {}
        template = clone(spec.get("template") or {})
        template_meta = template.get("metadata") or {}
        pod_spec = template.get("spec") or {}
        labels = dict(template_meta.get("labels") or {})
        annotations = dict(template_meta.get("annotations") or {})
        finalizers = list(template_meta.get("finalizers") or [])
        if TRACKING_FINALIZER not in finalizers:
            finalizers.append(TRACKING_FINALIZER)
        name = meta.get("name", "")
        generate = f"{name}-"
        if index is not None:
            field_path = (f"metadata.labels['{COMPLETION_INDEX}']" if self.minor >= 28
                          else f"metadata.annotations['{COMPLETION_INDEX}']")
            for container in [*(pod_spec.get("initContainers") or []),
                              *(pod_spec.get("containers") or [])]:
                env = container.setdefault("env", [])
                if not any(v.get("name") == COMPLETION_INDEX_ENV for v in env):
                    env.append({"name": COMPLETION_INDEX_ENV,
                                "valueFrom": {"fieldRef": {"fieldPath": field_path}}})
            annotations[COMPLETION_INDEX] = str(index)
            if self.minor >= 28:  # PodIndexLabel (beta)
                labels[COMPLETION_INDEX] = str(index)
            pod_spec["hostname"] = f"{name}-{index}"
            suffix = f"-{index}-"
            generate = name + suffix
            if len(generate) > MAX_GENERATED_NAME:
                generate = generate[:MAX_GENERATED_NAME - len(suffix)] + suffix
        pod_meta: dict[str, Any] = {"generateName": generate, "namespace": meta.get("namespace"),
                                    "labels": labels}
        if annotations:
            pod_meta["annotations"] = annotations
        pod_meta["finalizers"] = finalizers
        pod_meta["ownerReferences"] = [owner_reference(job)]
        pod = self.ctx.create("", "pods", {"metadata": pod_meta, "spec": pod_spec})
        self.ctx.event(job, SOURCE, NORMAL, "SuccessfulCreate",
                       messages.JOB_POD_CREATED.format(pod=meta_of(pod).get("name")))

    def _delete_pod(self, job: dict[str, Any], pod: dict[str, Any], untrack: bool = False) -> bool:
        """RealPodControl.DeletePod (deleteJobPods first removes the tracking finalizer, so that a
        pod deleted for a suspend or a scale down is never counted as failed)."""
        if untrack and has_finalizer(pod):
            pod = self._remove_finalizer(pod) or pod
        try:
            self.ctx.delete("", "pods", meta_of(pod).get("namespace", ""), meta_of(pod)["name"],
                            uid=meta_of(pod).get("uid"))
        except KubeError as err:
            self.ctx.event(job, SOURCE, WARNING, "FailedDelete", f"Error deleting: {err.message}")
            return False
        self.ctx.event(job, SOURCE, NORMAL, "SuccessfulDelete",
                       messages.JOB_POD_DELETED.format(pod=meta_of(pod)["name"]))
        return True

    def _remove_finalizer(self, pod: dict[str, Any]) -> dict[str, Any] | None:
        """The strategic merge patch ``$deleteFromPrimitiveList/finalizers``; a pod gone already
        is fine."""
        fresh = self.ctx.get("", "pods", meta_of(pod).get("namespace", ""), meta_of(pod)["name"])
        if fresh is None or meta_of(fresh).get("uid") != meta_of(pod).get("uid") \
                or not has_finalizer(fresh):
            return None
        fresh["metadata"]["finalizers"] = [f for f in fresh["metadata"]["finalizers"]
                                           if f != TRACKING_FINALIZER]
        try:
            return self.ctx.update("", "pods", fresh)
        except KubeError as err:
            if err.code == 404:
                return None
            raise

    # -- trackJobStatusAndRemoveFinalizers -------------------------------------------------------

    def _track(self, run: _Sync) -> None:
        """Count finished pods through status.uncountedTerminatedPods, remove their finalizers,
        then add the terminal condition and record the Job's end."""
        job, status = run.job, run.job["status"]
        uncounted = status["uncountedTerminatedPods"]
        succeeded_uids = list(uncounted.get("succeeded") or [])
        failed_uids = list(uncounted.get("failed") or [])
        with_finalizer = {meta_of(p).get("uid") for p in run.pods if has_finalizer(p)}
        self._count_uncounted(status, with_finalizer)
        completions = int((job.get("spec") or {}).get("completions") or 0)
        finishing = run.finished is not None and run.finished["type"] not in (
            SUCCESS_CRITERIA_MET, COMPLETE)
        to_untrack = []
        for pod in run.pods:
            if not has_finalizer(pod):
                continue
            failed = self._is_failed(pod, job)
            if not (run.finished is not None or is_deleting(job) or phase_of(pod) == "Succeeded"
                    or failed):
                continue
            to_untrack.append(pod)
            uid = meta_of(pod).get("uid")
            ix = completion_index(pod)
            if phase_of(pod) == "Succeeded" and uid not in failed_uids:
                if not is_indexed(job) and uid not in succeeded_uids:
                    succeeded_uids.append(uid)
            elif failed or finishing:
                if uid not in failed_uids and (not is_indexed(job)
                                               or (ix is not None and ix < completions)):
                    failed_uids.append(uid)
        set_uids(uncounted, "succeeded", succeeded_uids)
        set_uids(uncounted, "failed", failed_uids)
        if is_indexed(job):
            status["succeeded"] = len(run.succeeded_indexes)
            status["completedIndexes"] = format_indexes(run.succeeded_indexes)
        finished = run.finished
        if finished is not None and finished["type"] == FAILURE_TARGET:
            status.setdefault("conditions", []).append(finished)
            finished = self._new_condition(FAILED, finished.get("reason", ""),
                                           finished.get("message", ""))
        if finished is not None and finished["type"] == SUCCESS_CRITERIA_MET:
            if true_condition(status, SUCCESS_CRITERIA_MET) is None:
                status.setdefault("conditions", []).append(finished)
            finished = self._new_condition(COMPLETE, finished.get("reason", ""),
                                           finished.get("message", ""))
        job = self._flush(job)
        for pod in to_untrack:
            self._remove_finalizer(pod)
            with_finalizer.discard(meta_of(pod).get("uid"))
        status = job["status"]
        self._count_uncounted(status, with_finalizer)
        ended = finished is not None and self._enact_finished(job, run, finished)
        job = self._flush(job)
        if ended and finished is not None:
            self._record_finished(job, finished)

    def _count_uncounted(self, status: dict[str, Any], with_finalizer: set[Any]) -> None:
        """cleanUncountedPodsWithoutFinalizers: uids whose pods lost their finalizer (or are
        gone) move into the counters."""
        uncounted = status.setdefault("uncountedTerminatedPods", {})
        for kind in ("succeeded", "failed"):
            uids = uncounted.get(kind) or []
            kept = [uid for uid in uids if uid in with_finalizer]
            if len(kept) != len(uids):
                status[kind] = int(status.get(kind) or 0) + len(uids) - len(kept)
                set_uids(uncounted, kind, kept)

    def _enact_finished(self, job: dict[str, Any], run: _Sync, finished: dict[str, Any]) -> bool:
        status = job["status"]
        uncounted = status.get("uncountedTerminatedPods") or {}
        if uncounted.get("succeeded") or uncounted.get("failed"):
            return False
        if self._delay_terminal() and run.terminating > 0:
            return False
        self._ensure_condition(status, finished["type"], finished["status"],
                               finished.get("reason", ""), finished.get("message", ""))
        if finished["type"] == COMPLETE:
            status["completionTime"] = true_condition(status, COMPLETE)["lastTransitionTime"]
        return True

    def _record_finished(self, job: dict[str, Any], finished: dict[str, Any]) -> None:
        spec, status = job.get("spec") or {}, status_of(job)
        if finished["type"] == COMPLETE:
            completions = spec.get("completions")
            if completions is not None and int(status.get("succeeded") or 0) > int(completions):
                self.ctx.event(job, SOURCE, WARNING, "TooManySucceededPods",
                               messages.JOB_TOO_MANY_SUCCEEDED)
            self.ctx.event(job, SOURCE, NORMAL, "Completed", messages.JOB_COMPLETED)
        else:
            self.ctx.event(job, SOURCE, WARNING, finished.get("reason", ""),
                           finished.get("message", ""))

    def _flush(self, job: dict[str, Any]) -> dict[str, Any]:
        """Write the Job's status if it changed (the status subresource, as UpdateStatus)."""
        meta = meta_of(job)
        stored = self.ctx.get("batch", "jobs", meta.get("namespace", ""), meta.get("name", ""))
        wanted = wire_status(job["status"])
        if stored is not None and meta_of(stored).get("uid") == meta.get("uid") \
                and status_of(stored) == wanted:
            stored["status"] = clone(wanted)
            return stored
        job["status"] = wanted
        updated = self.ctx.update("batch", "jobs", job, subresource="status")
        updated.setdefault("status", {}).setdefault("uncountedTerminatedPods", {})
        return updated


def controllers(ctx: Context) -> list[Controller]:
    return [JobController(ctx)]
