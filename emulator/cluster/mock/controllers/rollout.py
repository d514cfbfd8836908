"""A Deployment's rollout arithmetic, as kube's pkg/controller/deployment/util does it: surge and
unavailability fenceposts, the pod-template hash, revisions and their annotations, which
ReplicaSet is new and which are old, proportions when scaling mid-rollout, conditions, status.

Pure functions over the stored JSON (ReplicaSets and Deployments as dicts), so the rules are
tested without a cluster. ``deployments.py`` is the controller that acts on them.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from emulator import messages
from emulator.clock import rfc3339

Obj = dict[str, Any]

# apps/v1 DefaultDeploymentUniqueLabelKey: the label that keeps a Deployment's ReplicaSets apart.
POD_TEMPLATE_HASH = "pod-template-hash"
# deployment_util.go's annotations on a Deployment and its ReplicaSets.
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
# Never copied from a Deployment to its ReplicaSets (annotationsToSkip).
SKIPPED_ANNOTATIONS = frozenset({
    "kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY,
    DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to"})
# sync.go maxRevHistoryLengthInChars: revision-history keeps at most this many characters.
REVISION_HISTORY_CHARS = 2000
# A progressDeadlineSeconds or revisionHistoryLimit of MaxInt32 means "none".
MAX_INT32 = 2**31 - 1

# Condition types and reasons (apps/v1 types.go, deployment_util.go).
AVAILABLE = "Available"
PROGRESSING = "Progressing"
REPLICA_FAILURE = "ReplicaFailure"
REPLICA_SET_UPDATED = "ReplicaSetUpdated"
FAILED_RS_CREATE = "ReplicaSetCreateError"
NEW_REPLICA_SET = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MINIMUM_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_UNAVAILABLE = "MinimumReplicasUnavailable"

# k8s.io/apimachinery/pkg/util/rand: the alphabet SafeEncodeString maps a hash's digits onto.
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619


# -- fenceposts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fenceposts:
    """How far a rolling update may go above (surge) and below (unavailable) the replicas."""

    surge: int
    unavailable: int


def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: an int as is; "25%" of ``total``, rounded up for a
    surge and down for unavailability. (Validation refuses other strings; a numeric one is read
    as its number.)"""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError(f"invalid value for IntOrString: {value!r}")
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.endswith("%"):
        return int(text)
    percent = int(text[:-1])
    product = percent * total
    return -((-product) // 100) if round_up else product // 100


def resolve_fenceposts(max_surge: Any, max_unavailable: Any, desired: int) -> Fenceposts:
    """ResolveFenceposts: both resolved together, and never both zero (maxUnavailable becomes 1,
    on the theory that a surge may be impossible for want of quota)."""
    surge = scaled_value(max_surge if max_surge is not None else 0, desired, True)
    unavailable = scaled_value(max_unavailable if max_unavailable is not None else 0, desired,
                               False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return Fenceposts(surge, unavailable)


def replicas(obj: Obj) -> int:
    """spec.replicas (defaulted to 1 by the apiserver, so absent only in a hand-made object)."""
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def is_rolling(deployment: Obj) -> bool:
    strategy = (deployment.get("spec") or {}).get("strategy") or {}
    return strategy.get("type", "RollingUpdate") == "RollingUpdate"


def _rolling(deployment: Obj) -> Obj:
    return ((deployment.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}


def fenceposts(deployment: Obj) -> Fenceposts:
    rolling = _rolling(deployment)
    return resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"),
                              replicas(deployment))


def max_surge(deployment: Obj) -> int:
    """MaxSurge: zero for Recreate."""
    return fenceposts(deployment).surge if is_rolling(deployment) else 0


def max_unavailable(deployment: Obj) -> int:
    """MaxUnavailable: zero for Recreate or no replicas, never more than the replicas."""
    desired = replicas(deployment)
    if not is_rolling(deployment) or desired == 0:
        return 0
    return min(fenceposts(deployment).unavailable, desired)


# -- the pod-template hash ------------------------------------------------------------------------


def fnv32a(data: bytes) -> int:
    value = _FNV_OFFSET
    for byte in data:
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    """rand.SafeEncodeString: each character onto the alphabet by its code point."""
    return "".join(_SAFE_ALPHABET[ord(c) % len(_SAFE_ALPHABET)] for c in text)


def compute_hash(template: Obj, collision_count: int | None) -> str:
    """controller.ComputeHash's shape: FNV-32a over the template, then the collision count as 8
    little-endian bytes when there is one, its decimal sum mapped by SafeEncodeString. kube
    hashes Go's spew printing of the typed template; the emulator hashes its canonical JSON,
    so the label is as stable (same template, same hash) but not kube's exact value."""
    data = json.dumps(semantic(template), sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        data += struct.pack("<I", collision_count & 0xFFFFFFFF) + b"\0" * 4
    return safe_encode(str(fnv32a(data)))


def semantic(value: Any) -> Any:
    """A value as apimachinery's semantic equality sees it: a null, an empty map and an empty
    list are the same as an absent field."""
    if isinstance(value, dict):
        kept = {k: semantic(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [semantic(v) for v in value]
    return value


def without_hash(template: Obj | None) -> Any:
    copy = semantic(template or {})
    labels = (copy.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(POD_TEMPLATE_HASH, None)
    return semantic(copy)


def equal_ignore_hash(one: Obj | None, other: Obj | None) -> bool:
    """EqualIgnoreHash: two pod templates alike but for their pod-template-hash label."""
    return without_hash(one) == without_hash(other)


# -- ReplicaSets: counting, sorting, new and old --------------------------------------------------


def spec_replicas(rss: Iterable[Obj | None]) -> int:
    """GetReplicaCountForReplicaSets: the replicas they are asked for."""
    return sum(replicas(rs) for rs in rss if rs is not None)


def status_count(rss: Iterable[Obj | None], field: str) -> int:
    """A status count summed over ReplicaSets (replicas, readyReplicas, availableReplicas)."""
    return sum(int((rs.get("status") or {}).get(field) or 0) for rs in rss if rs is not None)


def active(rss: Iterable[Obj | None]) -> list[Obj]:
    """FilterActiveReplicaSets: those asked for at least one replica."""
    return [rs for rs in rss if rs is not None and replicas(rs) > 0]


def by_creation(rs: Obj) -> tuple[str, str]:
    """ReplicaSetsByCreationTimestamp: oldest first, then by name."""
    meta = rs["metadata"]
    return (meta.get("creationTimestamp") or "", meta["name"])


def revision(obj: Obj) -> int | None:
    """The revision annotation: 0 when absent, None when it is not a number."""
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION)
    if raw is None:
        return 0
    try:
        return int(raw)
    except ValueError:
        return None


def by_revision(rs: Obj) -> tuple[int, str, str]:
    """ReplicaSetsByRevision: lowest revision first, then by creation."""
    return (revision(rs) or 0, *by_creation(rs))


def max_revision(rss: Iterable[Obj]) -> int:
    return max((r for r in (revision(rs) for rs in rss) if r is not None), default=0)


def find_new(deployment: Obj, rss: Sequence[Obj]) -> Obj | None:
    """FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's."""
    template = (deployment.get("spec") or {}).get("template")
    for rs in sorted(rss, key=by_creation):
        if equal_ignore_hash((rs.get("spec") or {}).get("template"), template):
            return rs
    return None


def find_old(deployment: Obj, rss: Sequence[Obj]) -> list[Obj]:
    """FindOldReplicaSets (its second list): every ReplicaSet but the new one."""
    new = find_new(deployment, rss)
    new_uid = None if new is None else new["metadata"].get("uid")
    return [rs for rs in rss if new is None or rs["metadata"].get("uid") != new_uid]


def find_active_or_latest(new: Obj | None, old: Sequence[Obj]) -> Obj | None:
    """FindActiveOrLatest: the one active ReplicaSet, else the newest when none is active;
    None when several are active (they scale proportionally)."""
    if new is None and not old:
        return None
    newest_first = sorted(old, key=by_creation, reverse=True)
    running = active([*newest_first, new])
    if not running:
        return new if new is not None else newest_first[0]
    return running[0] if len(running) == 1 else None


def is_saturated(deployment: Obj, rs: Obj | None) -> bool:
    """IsSaturated: the ReplicaSet holds, is annotated for and has available every replica."""
    if rs is None:
        return False
    desired = desired_replicas(rs)
    want = replicas(deployment)
    return (desired is not None and replicas(rs) == want and desired == want
            and int((rs.get("status") or {}).get("availableReplicas") or 0) == want)


def new_rs_new_replicas(deployment: Obj, all_rss: Sequence[Obj | None], new: Obj) -> int:
    """NewRSNewReplicas: how big the new ReplicaSet may be now. Rolling: up to the surge limit,
    never past the Deployment's replicas; Recreate: all of them at once."""
    want = replicas(deployment)
    if not is_rolling(deployment):
        return want
    surge = scaled_value(_rolling(deployment).get("maxSurge"), want, True)
    current = spec_replicas(all_rss)
    most = want + surge
    if current >= most:
        return replicas(new)
    return replicas(new) + min(most - current, want - replicas(new))


def _round(value: float) -> int:
    """Go's math.Round: halves away from zero."""
    return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)


def get_proportion(rs: Obj | None, deployment: Obj, to_add: int, added: int) -> int:
    """GetProportion: this ReplicaSet's share of ``to_add`` replicas (negative: to remove),
    from its size against the size it was annotated for."""
    if rs is None or replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = _fraction(rs, deployment)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _fraction(rs: Obj, deployment: Obj) -> int:
    if replicas(deployment) == 0:
        return -replicas(rs)
    deployment_replicas = replicas(deployment) + max_surge(deployment)
    annotated = annotation_int(rs, MAX_REPLICAS)
    if annotated is None:
        annotated = int((deployment.get("status") or {}).get("replicas") or 0)
    if annotated == 0:
        return 0
    return _round(replicas(rs) * deployment_replicas / annotated) - replicas(rs)


# -- annotations ----------------------------------------------------------------------------------


def annotations(obj: Obj) -> dict[str, str]:
    return obj.setdefault("metadata", {}).setdefault("annotations", {})


def annotation_int(obj: Obj, key: str) -> int | None:
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(key)
    try:
        return None if raw is None else int(raw)
    except ValueError:
        return None


def desired_replicas(rs: Obj) -> int | None:
    return annotation_int(rs, DESIRED_REPLICAS)


def set_replicas_annotations(rs: Obj, desired: int, most: int) -> bool:
    """SetReplicasAnnotations: desired-replicas and max-replicas; whether they changed."""
    notes = annotations(rs)
    changed = False
    for key, value in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(most))):
        if notes.get(key) != value:
            notes[key] = value
            changed = True
    return changed


def replicas_annotations_need_update(rs: Obj, desired: int, most: int) -> bool:
    notes = (rs.get("metadata") or {}).get("annotations") or {}
    return notes.get(DESIRED_REPLICAS) != str(desired) or notes.get(MAX_REPLICAS) != str(most)


def set_new_rs_annotations(deployment: Obj, rs: Obj, new_revision: int, exists: bool) -> bool:
    """SetNewReplicaSetAnnotations: the Deployment's own annotations copied (but the skipped
    ones), the revision raised to ``new_revision`` when lower (a ReplicaSet taken back into use
    keeps its former revisions in revision-history), and, for one about to be created, the
    replica annotations. Whether anything changed."""
    notes = annotations(rs)
    changed = False
    for key, value in ((deployment.get("metadata") or {}).get("annotations") or {}).items():
        if key in SKIPPED_ANNOTATIONS or notes.get(key) == value:
            continue
        notes[key] = value
        changed = True
    old_text = notes.get(REVISION)
    try:
        old = int(old_text) if old_text is not None else 0
    except ValueError:
        return False  # kube gives up on a revision that is not a number
    if old < new_revision:
        notes[REVISION] = str(new_revision)
        changed = True
        if old_text is not None:
            _remember_revision(notes, old_text)
    if not exists and set_replicas_annotations(
            rs, replicas(deployment), replicas(deployment) + max_surge(deployment)):
        changed = True
    return changed


def _remember_revision(notes: dict[str, str], old: str) -> None:
    history = notes.get(REVISION_HISTORY, "")
    if not history:
        notes[REVISION_HISTORY] = old
        return
    kept = history.split(",")
    total = len(history) + len(old) + 1
    start = 0
    while total > REVISION_HISTORY_CHARS and start < len(kept):
        total -= len(kept[start]) + 1
        start += 1
    if total <= REVISION_HISTORY_CHARS:
        notes[REVISION_HISTORY] = ",".join([*kept[start:], old])


# -- conditions -----------------------------------------------------------------------------------


def new_condition(type_: str, status: str, reason: str, message: str, now: datetime) -> Obj:
    """A DeploymentCondition, fields in kube's order."""
    moment = rfc3339(now)
    return {"type": type_, "status": status, "lastUpdateTime": moment,
            "lastTransitionTime": moment, "reason": reason, "message": message}


def get_condition(status: Obj, type_: str) -> Obj | None:
    return next((c for c in status.get("conditions") or [] if c.get("type") == type_), None)


def set_condition(status: Obj, condition: Obj) -> None:
    """SetDeploymentCondition: nothing when the status and reason are already those; the
    transition time kept when only the reason changes; the condition goes last."""
    current = get_condition(status, condition["type"])
    if (current is not None and current.get("status") == condition["status"]
            and current.get("reason") == condition["reason"]):
        return
    if current is not None and current.get("status") == condition["status"]:
        condition = {**condition, "lastTransitionTime": current.get("lastTransitionTime")}
    remove_condition(status, condition["type"])
    status["conditions"] = [*(status.get("conditions") or []), condition]


def remove_condition(status: Obj, type_: str) -> None:
    kept = [c for c in status.get("conditions") or [] if c.get("type") != type_]
    if kept:
        status["conditions"] = kept
    else:
        status.pop("conditions", None)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


# -- the Deployment's status ----------------------------------------------------------------------


def has_progress_deadline(deployment: Obj) -> bool:
    deadline = (deployment.get("spec") or {}).get("progressDeadlineSeconds")
    return deadline is not None and deadline != MAX_INT32


def has_revision_history_limit(deployment: Obj) -> bool:
    limit = (deployment.get("spec") or {}).get("revisionHistoryLimit")
    return limit is not None and limit != MAX_INT32


def _count(status: Obj, field: str) -> int:
    return int(status.get(field) or 0)


def calculate_status(all_rss: Sequence[Obj | None], new: Obj | None, deployment: Obj,
                     now: datetime) -> Obj:
    """calculateStatus: the counts from the ReplicaSets' own statuses, the conditions carried
    over, and Available set from the minimum availability."""
    available = status_count(all_rss, "availableReplicas")
    unavailable = max(spec_replicas(all_rss) - available, 0)
    old_status = deployment.get("status") or {}
    status: Obj = {
        "observedGeneration": int(deployment["metadata"].get("generation") or 0),
        "replicas": status_count(all_rss, "replicas"),
        "updatedReplicas": status_count([new], "replicas"),
        "readyReplicas": status_count(all_rss, "readyReplicas"),
        "availableReplicas": available,
        "unavailableReplicas": unavailable,
        "conditions": [dict(c) for c in old_status.get("conditions") or []],
    }
    if old_status.get("collisionCount") is not None:
        status["collisionCount"] = old_status["collisionCount"]
    if available >= replicas(deployment) - max_unavailable(deployment):
        set_condition(status, new_condition(AVAILABLE, "True", MINIMUM_AVAILABLE,
                                            messages.DEPLOYMENT_MINIMUM_AVAILABLE, now))
    else:
        set_condition(status, new_condition(AVAILABLE, "False", MINIMUM_UNAVAILABLE,
                                            messages.DEPLOYMENT_MINIMUM_UNAVAILABLE, now))
    return wire_status(status)


_STATUS_ORDER = ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
                 "availableReplicas", "unavailableReplicas", "terminatingReplicas", "conditions",
                 "collisionCount")


def wire_status(status: Obj) -> Obj:
    """DeploymentStatus as Go writes it: kube's field order, zero counts and no conditions
    left out (omitempty); collisionCount, a pointer, kept even at zero."""
    out: Obj = {}
    for field in _STATUS_ORDER:
        value = status.get(field)
        if field == "collisionCount":
            if value is not None:
                out[field] = value
        elif value:
            out[field] = value
    return out


def deployment_complete(deployment: Obj, status: Obj) -> bool:
    """DeploymentComplete: every replica updated and available, no old one left, and this
    generation observed."""
    want = replicas(deployment)
    return (_count(status, "updatedReplicas") == want and _count(status, "replicas") == want
            and _count(status, "availableReplicas") == want
            and _count(status, "observedGeneration")
            >= int(deployment["metadata"].get("generation") or 0))


def deployment_progressing(deployment: Obj, new_status: Obj) -> bool:
    """DeploymentProgressing: more pods updated, ready or available, or fewer old ones."""
    old = deployment.get("status") or {}
    old_old = _count(old, "replicas") - _count(old, "updatedReplicas")
    new_old = _count(new_status, "replicas") - _count(new_status, "updatedReplicas")
    return (_count(new_status, "updatedReplicas") > _count(old, "updatedReplicas")
            or new_old < old_old
            or _count(new_status, "readyReplicas") > _count(old, "readyReplicas")
            or _count(new_status, "availableReplicas") > _count(old, "availableReplicas"))


def progress_due(deployment: Obj, status: Obj) -> datetime | None:
    """When the Progressing condition's deadline passes (None: no deadline to watch)."""
    if not has_progress_deadline(deployment):
        return None
    condition = get_condition(status, PROGRESSING)
    if condition is None:
        return None
    since = _parse_time(condition.get("lastUpdateTime"))
    if since is None:
        return None
    seconds = int(deployment["spec"]["progressDeadlineSeconds"])
    return since + timedelta(seconds=seconds)


def deployment_timed_out(deployment: Obj, status: Obj, now: datetime) -> bool:
    """DeploymentTimedOut: the last progress is older than progressDeadlineSeconds."""
    condition = get_condition(status, PROGRESSING)
    if not has_progress_deadline(deployment) or condition is None:
        return False
    if condition.get("reason") == NEW_RS_AVAILABLE:
        return False
    if condition.get("reason") == TIMED_OUT:
        return True
    due = progress_due(deployment, status)
    return due is not None and due < now


def track_progress(deployment: Obj, status: Obj, new_name: str | None, now: datetime) -> None:
    """syncRolloutStatus's Progressing condition in ``status``: none without a deadline;
    untouched once the rollout completed; else complete, progressing (lastUpdateTime moves on
    even when the reason stays), or timed out."""
    if not has_progress_deadline(deployment):
        remove_condition(status, PROGRESSING)
        return
    current = get_condition(deployment.get("status") or {}, PROGRESSING)
    if (_count(status, "replicas") == _count(status, "updatedReplicas") and current is not None
            and current.get("reason") == NEW_RS_AVAILABLE):
        return
    name = deployment["metadata"]["name"]

    def text(for_rs: str, for_deployment: str) -> str:
        return (for_rs.format(replica_set=new_name) if new_name is not None
                else for_deployment.format(deployment=name))
    if deployment_complete(deployment, status):
        set_condition(status, new_condition(
            PROGRESSING, "True", NEW_RS_AVAILABLE,
            text(messages.DEPLOYMENT_RS_PROGRESSED, messages.DEPLOYMENT_PROGRESSED), now))
    elif deployment_progressing(deployment, status):
        condition = new_condition(
            PROGRESSING, "True", REPLICA_SET_UPDATED,
            text(messages.DEPLOYMENT_RS_PROGRESSING, messages.DEPLOYMENT_PROGRESSING), now)
        if current is not None:
            if current.get("status") == "True":
                condition["lastTransitionTime"] = current.get("lastTransitionTime")
            remove_condition(status, PROGRESSING)
        set_condition(status, condition)
    elif deployment_timed_out(deployment, status, now):
        set_condition(status, new_condition(
            PROGRESSING, "False", TIMED_OUT,
            text(messages.DEPLOYMENT_RS_TIMED_OUT, messages.DEPLOYMENT_TIMED_OUT), now))


def replica_failure(all_rss: Sequence[Obj | None], new: Obj | None) -> Obj | None:
    """getReplicaFailures: the new ReplicaSet's ReplicaFailure, else an old one's, as a
    Deployment condition."""
    for rs in [r for r in (new, *all_rss) if r is not None]:
        for c in (rs.get("status") or {}).get("conditions") or []:
            if c.get("type") == REPLICA_FAILURE:
                return {"type": REPLICA_FAILURE, "status": c.get("status"),
                        "lastUpdateTime": c.get("lastTransitionTime"),
                        "lastTransitionTime": c.get("lastTransitionTime"),
                        "reason": c.get("reason"), "message": c.get("message")}
    return None
