"""How a delete goes, kube's rules that need no store: preconditions, a pod's grace period, the
garbage collector's finalizers, and the marks of an object being deleted (``objects.py`` applies
them to the stored object)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from emulator import messages
from emulator.clock import rfc3339
from emulator.cluster.mock.registry.resources import ResourceType
from emulator.cluster.mock.wire.status import KubeError

# The garbage collector's finalizers (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents).
ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"
GC_FINALIZERS = (ORPHAN, FOREGROUND)


@dataclass(frozen=True)
class Deletion:
    """A delete's answer and whether the object went at once (kube's ``wasDeleted``): a
    graceful, finalizer-held or namespace deletion is still under way when kube answers."""

    body: dict[str, Any]
    immediate: bool


def finalized(resource: ResourceType, current: dict[str, Any], merged: dict[str, Any]) -> bool:
    """kube's ShouldDeleteDuringUpdate: the object was being deleted without grace left and the
    update leaves it no finalizers (a namespace: no spec.finalizers either)."""
    old = current["metadata"]
    if not old.get("deletionTimestamp") or old.get("deletionGracePeriodSeconds"):
        return False
    if merged["metadata"].get("finalizers"):
        return False
    return not (resource.kind == "Namespace" and not resource.group
                and (merged.get("spec") or {}).get("finalizers"))


def grace_period(resource: ResourceType, obj: dict[str, Any],
                  options: dict[str, Any]) -> int | None:
    """Pods alone delete gracefully (podStrategy.CheckGracefulTermination): the grace asked for,
    else the pod's terminationGracePeriodSeconds; none for a pod never scheduled or already
    finished. A negative grace counts as 1 second (rest.BeforeDelete). None: not graceful."""
    if (resource.group, resource.plural) != ("", "pods"):
        return None
    wanted = options.get("gracePeriodSeconds")
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if isinstance(wanted, int) and not isinstance(wanted, bool):
        period = 1 if wanted < 0 else wanted
    else:
        default = spec.get("terminationGracePeriodSeconds")
        period = default if isinstance(default, int) and not isinstance(default, bool) else 0
    if not spec.get("nodeName") or status.get("phase") in ("Failed", "Succeeded"):
        period = 0
    return period


def gc_finalizers(resource: ResourceType, existing: list[str],
                   options: dict[str, Any]) -> list[str] | None:
    """The finalizers the garbage collector's options put on the object (store.go
    ``deletionFinalizersForGarbageCollection``), or None when they change nothing."""
    if not resource.behaviour.garbage_collected:
        return None
    orphan_option, policy = options.get("orphanDependents"), options.get("propagationPolicy")
    if isinstance(orphan_option, bool):
        orphan, foreground = orphan_option, False
    elif policy in ("Orphan", "Background", "Foreground"):
        orphan, foreground = policy == "Orphan", policy == "Foreground"
    elif ORPHAN in existing or FOREGROUND in existing:
        orphan, foreground = ORPHAN in existing, FOREGROUND in existing and ORPHAN not in existing
    else:
        orphan, foreground = resource.behaviour.orphans_by_default, False
    wanted = [f for f in existing if f not in GC_FINALIZERS]
    wanted += [ORPHAN] * orphan + [FOREGROUND] * foreground
    return None if set(wanted) == set(existing) else wanted


def mark_deleting(meta: dict[str, Any], now: datetime, grace: int) -> None:
    """deletionTimestamp (now plus the grace, never later than one already set) and
    deletionGracePeriodSeconds; the first mark bumps a tracked generation (markAsDeleting)."""
    if not meta.get("deletionTimestamp") and isinstance(meta.get("generation"), int):
        meta["generation"] += 1
    when = rfc3339(now + timedelta(seconds=grace))
    if not meta.get("deletionTimestamp") or meta["deletionTimestamp"] > when:
        meta["deletionTimestamp"] = when
    meta["deletionGracePeriodSeconds"] = grace


def check_preconditions(current: dict[str, Any], preconditions: dict[str, Any]) -> None:
    meta = current["metadata"]
    if preconditions.get("uid") and preconditions["uid"] != meta.get("uid"):
        raise KubeError(409, messages.K8S_PRECONDITION_UID.format(
            want=preconditions["uid"], got=meta.get("uid")), reason="Conflict")
    rv = preconditions.get("resourceVersion")
    if rv and rv != meta.get("resourceVersion"):
        raise KubeError(409, messages.K8S_PRECONDITION_RV.format(
            want=rv, got=meta.get("resourceVersion")), reason="Conflict")
