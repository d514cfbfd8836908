"""What the Job controller reads of pods and Jobs, the shape of the status it writes and its
pod-failure back-off (pkg/controller/job: utils.go, indexed_job_utils.go, backoff_utils.go); the
CronJob controller reads Jobs with it too."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"  # annotation, and label (1.28+)
# A Job whose spec.managedBy names another controller is left to it.
MANAGED_BY_US = "kubernetes.io/job-controller"
COMPLETE, FAILED, SUSPENDED = "Complete", "Failed", "Suspended"
FAILURE_TARGET, SUCCESS_CRITERIA_MET = "FailureTarget", "SuccessCriteriaMet"
FINISHED_PHASES = ("Succeeded", "Failed")
# Pod re-creation after failures backs off from 10 s, doubling, to 10 min (job_controller.go
# DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff).
POD_FAILURE_BACKOFF = 10.0
MAX_POD_FAILURE_BACKOFF = 600.0


# -- reading pods ---------------------------------------------------------------------------------

def meta_of(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def status_of(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("status") or {}


def phase_of(pod: dict[str, Any]) -> str:
    return str(status_of(pod).get("phase") or "")


def is_deleting(obj: dict[str, Any]) -> bool:
    return bool(meta_of(obj).get("deletionTimestamp"))


def is_active(pod: dict[str, Any]) -> bool:
    """controller.IsPodActive."""
    return phase_of(pod) not in FINISHED_PHASES and not is_deleting(pod)


def is_terminating(pod: dict[str, Any]) -> bool:
    """controller.IsPodTerminating: being deleted and not yet in a terminal phase."""
    return phase_of(pod) not in FINISHED_PHASES and is_deleting(pod)


def is_ready(pod: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in status_of(pod).get("conditions") or [])


def has_finalizer(pod: dict[str, Any]) -> bool:
    return TRACKING_FINALIZER in (meta_of(pod).get("finalizers") or [])


def controller_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    return next((ref for ref in meta_of(obj).get("ownerReferences") or []
                 if ref.get("controller")), None)


def completion_index(pod: dict[str, Any]) -> int | None:
    value = (meta_of(pod).get("annotations") or {}).get(COMPLETION_INDEX)
    if not isinstance(value, str) or not value.isdigit():
        return None
    return int(value)


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def finished_time(pod: dict[str, Any]) -> datetime | None:
    """backoff_utils.go getFinishedTime: the last container's end, the Ready=False transition,
    the deletion (less its grace), else the pod's creation."""
    status = status_of(pod)
    ends = [parse_time(((s.get("state") or {}).get("terminated") or {}).get("finishedAt"))
            for s in status.get("containerStatuses") or []]
    if ends and all(ends):
        return max(e for e in ends if e)
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") == "False":
            when = parse_time(condition.get("lastTransitionTime"))
            if when:
                return when
    deleted = parse_time(meta_of(pod).get("deletionTimestamp"))
    if deleted:
        return deleted - timedelta(seconds=int(meta_of(pod).get("deletionGracePeriodSeconds") or 0))
    return parse_time(meta_of(pod).get("creationTimestamp"))


def removal_order(pod: dict[str, Any]) -> tuple[Any, ...]:
    """controller.ActivePods: pods earlier in their life go first (unscheduled, pending, not
    ready), then those restarted most, then the newest."""
    restarts = sum(int(s.get("restartCount") or 0)
                   for s in status_of(pod).get("containerStatuses") or [])
    rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(phase_of(pod), 0)
    created = meta_of(pod).get("creationTimestamp") or ""
    return (bool((pod.get("spec") or {}).get("nodeName")), rank, is_ready(pod), -restarts,
            tuple(-ord(c) for c in created))


def format_indexes(indexes: Iterable[int]) -> str:
    """kube's compressed index list: "1,3-5,7" (two in a row stay a pair: "1,2")."""
    runs: list[list[int]] = []
    for ix in sorted(set(indexes)):
        if runs and ix == runs[-1][1] + 1:
            runs[-1][1] = ix
        else:
            runs.append([ix, ix])
    parts = [str(a) if a == b else f"{a},{b}" if b == a + 1 else f"{a}-{b}" for a, b in runs]
    return ",".join(parts)


def parse_indexes(text: str, completions: int) -> set[int]:
    found: set[int] = set()
    for part in (text or "").split(","):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            continue
        first, last = int(low), int(high) if high else int(low)
        found.update(range(first, min(last, completions - 1) + 1))
    return found


# -- Jobs ------------------------------------------------------

def owner_reference(owner: dict[str, Any]) -> dict[str, Any]:
    """metav1.NewControllerRef."""
    meta = meta_of(owner)
    return {"apiVersion": owner.get("apiVersion", ""), "kind": owner.get("kind", ""),
            "name": meta.get("name", ""), "uid": meta.get("uid", ""), "controller": True,
            "blockOwnerDeletion": True}


def finished_condition(job: dict[str, Any]) -> str | None:
    """util.IsJobFinished: "Complete" or "Failed" when that condition is True."""
    for condition in status_of(job).get("conditions") or []:
        if condition.get("type") in (COMPLETE, FAILED) and condition.get("status") == "True":
            return str(condition["type"])
    return None


def is_finished(job: dict[str, Any]) -> bool:
    return finished_condition(job) is not None


def managed_elsewhere(job: dict[str, Any], minor: int) -> bool:
    """spec.managedBy names another controller (JobManagedBy: on by default from 1.32; before,
    kube-apiserver drops the field, so the Job is ours)."""
    managed_by = (job.get("spec") or {}).get("managedBy")
    return minor >= 32 and managed_by is not None and managed_by != MANAGED_BY_US


def backoff_limit(spec: dict[str, Any]) -> int:
    """spec.backoffLimit (defaulted to 6 by the apiserver)."""
    limit = spec.get("backoffLimit")
    return 6 if limit is None else int(limit)


def is_indexed(job: dict[str, Any]) -> bool:
    return (job.get("spec") or {}).get("completionMode") == "Indexed"


def true_condition(status: dict[str, Any], type_: str) -> dict[str, Any] | None:
    return next((c for c in status.get("conditions") or []
                 if c.get("type") == type_ and c.get("status") == "True"), None)


def set_uids(uncounted: dict[str, Any], kind: str, uids: list[Any]) -> None:
    if uids:
        uncounted[kind] = uids
    else:
        uncounted.pop(kind, None)


# JobStatus in its Go field order; ints with omitempty are left out at zero.
_STATUS_ORDER = ("conditions", "startTime", "completionTime", "active", "succeeded", "failed",
                 "terminating", "completedIndexes", "failedIndexes", "uncountedTerminatedPods",
                 "ready")
_OMIT_ZERO = ("active", "succeeded", "failed")


def wire_status(status: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in (*_STATUS_ORDER, *(k for k in status if k not in _STATUS_ORDER)):
        if key not in status:
            continue
        value = status[key]
        if key in _OMIT_ZERO and not value:
            continue
        if key in ("conditions", "completedIndexes") and not value:
            continue
        out[key] = value
    return out


@dataclass
class Backoff:
    """backoff_utils.go backoffRecord: failures since the last success, and when the last one
    finished (kept in memory, as kube keeps it)."""
    failures: int = 0
    last_failure: datetime | None = None

    def record(self, succeeded: list[dict[str, Any]], failed: list[dict[str, Any]],
               now: datetime) -> None:
        """newBackoffRecord: a success resets the count, unless failures finished after it."""
        if not failed:
            if succeeded:
                self.failures, self.last_failure = 0, None
            return
        ended = sorted(t for t in map(finished_time, failed) if t)
        if not succeeded:
            self.failures += len(failed)
            self.last_failure = ended[-1] if ended else now
            return
        last_success = max((t for t in map(finished_time, succeeded) if t), default=None)
        self.failures, self.last_failure = 0, None
        for when in reversed(ended):
            if last_success is not None and when <= last_success:
                break
            self.last_failure = self.last_failure or when
            self.failures += 1

    def left(self, now: datetime) -> float:
        """getRemainingTime: seconds before the next pod may be created."""
        if self.failures == 0 or self.last_failure is None:
            return 0.0
        delay = min(POD_FAILURE_BACKOFF * 2 ** (self.failures - 1), MAX_POD_FAILURE_BACKOFF)
        return max(delay - (now - self.last_failure).total_seconds(), 0.0)
