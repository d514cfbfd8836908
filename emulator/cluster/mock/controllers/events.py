"""Events as client-go's event recorder writes them for kube's controllers and the kubelet.

A core/v1 Event named ``<object>.<hex of the time in nanoseconds>``, in the object's namespace
(``default`` for a cluster-scoped object), with ``source`` and ``reporting*`` naming who reports
it. A repeat of the same type, reason and message about the same object from the same source
is counted on the first Event (``count``, ``lastTimestamp``), as client-go's EventCorrelator
counts it, for as long as the source remembers the event (``REMEMBERED_EVENTS``).
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.clock import rfc3339
from emulator.cluster.mock.registry.records import Record, freeze, thaw

NORMAL = "Normal"
WARNING = "Warning"


@dataclass(frozen=True)
class Source:
    component: str  # e.g. "deployment-controller", "kubelet", "default-scheduler"
    host: str = ""  # the node, for the kubelet


def involved(obj: dict[str, Any], field_path: str = "") -> dict[str, Any]:
    """An ObjectReference to ``obj`` (as ``ref.GetReference`` makes it)."""
    meta = obj.get("metadata") or {}
    ref: dict[str, Any] = {"kind": obj.get("kind", ""), "namespace": meta.get("namespace"),
                           "name": meta.get("name", ""), "uid": meta.get("uid", ""),
                           "apiVersion": obj.get("apiVersion", ""),
                           "resourceVersion": meta.get("resourceVersion", "")}
    if field_path:
        ref["fieldPath"] = field_path
    return {k: v for k, v in ref.items() if v is not None}


# client-go's EventCorrelator remembers the last 4,096 distinct events of each recorder
# (tools/record/events_cache.go, maxLruCacheEntries): a repeat of one it has forgotten is written
# as a new Event rather than counted onto the earlier one. Bounded so, what the recorder keeps
# does not grow with the objects a cluster ever held.
REMEMBERED_EVENTS = 4096
# An event's identity within its source, as client-go's getEventKey has it (the involved object
# by its uid, which names one object of one kind).
_EventKey = tuple[str, str, str, str, str]  # uid, fieldPath, type, reason, message


class EventRecorder:
    """Builds Events; ``write`` stores a new one, ``bump`` stores a counted repeat."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        # Each source's (component and host: one recorder each in kube) recent events, least
        # recently seen first, as the store keeps them: records, their JSON, not the decoded
        # objects, which were most of what a cluster of many pods held.
        self._seen: dict[Source, OrderedDict[_EventKey, Record]] = {}

    def event(self, obj: dict[str, Any], source: Source, type_: str, reason: str, message: str,
              field_path: str = "") -> tuple[dict[str, Any], bool]:
        """The Event to write, and whether it is new (False: a repeat to update)."""
        ref = involved(obj, field_path)
        now = self._now()
        seen = self._seen.setdefault(source, OrderedDict())
        key = _key(ref.get("uid", ""), field_path, type_, reason, message)
        earlier = seen.get(key)
        if earlier is not None:
            seen.move_to_end(key)  # seen again: the most recent
            repeat = thaw(earlier)
            repeat["count"] = int(repeat.get("count") or 1) + 1
            repeat["lastTimestamp"] = rfc3339(now)
            return repeat, False
        namespace = ref.get("namespace") or "default"
        source_body = {"component": source.component}
        if source.host:
            source_body["host"] = source.host
        event = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{ref.get('name', '')}.{_nanos(now):x}",
                         "namespace": namespace},
            "involvedObject": ref,
            "reason": reason, "message": message,
            "source": source_body,
            "firstTimestamp": rfc3339(now), "lastTimestamp": rfc3339(now),
            "count": 1, "type": type_,
            "eventTime": None,
            "reportingComponent": source.component,
            "reportingInstance": source.host,
        }
        return event, True

    def remember(self, event: dict[str, Any], source: Source,
                 record: Record | None = None) -> None:
        """Keep the stored ``event`` for its repeats; ``record``: the store's own record of it,
        shared rather than copied."""
        ref = event["involvedObject"]
        key = _key(ref.get("uid", ""), ref.get("fieldPath", ""), event.get("type") or "",
                   event["reason"], event["message"])
        seen = self._seen.setdefault(source, OrderedDict())
        seen[key] = record if record is not None else freeze(event)
        seen.move_to_end(key)
        while len(seen) > REMEMBERED_EVENTS:
            seen.popitem(last=False)


def _key(uid: str, field_path: str, type_: str, reason: str, message: str) -> _EventKey:
    # The same few paths, types, reasons and messages recur for every pod: one copy of each.
    return (uid, sys.intern(field_path), sys.intern(type_), sys.intern(reason),
            sys.intern(message))


_last_nanos = 0


def _nanos(moment: datetime) -> int:
    """Nanoseconds since the epoch, strictly increasing so that two Events of one object in
    the same instant get different names (client-go uses the wall clock, which always moves)."""
    global _last_nanos
    value = int(moment.timestamp() * 1_000_000) * 1000
    _last_nanos = max(value, _last_nanos + 1)
    return _last_nanos
