"""Events as client-go's event recorder writes them for kube's controllers and the kubelet.

A core/v1 Event named ``<object>.<hex of the time in nanoseconds>``, in the object's namespace
(``default`` for a cluster-scoped object), with ``source`` and ``reporting*`` naming who reports
it. What is written passes client-go's EventCorrelator (tools/record/events_cache.go) first, as
in kube:

- a repeat of the same type, reason and message about the same object from the same source is
  counted on the first Event (``count``, ``lastTimestamp``), for as long as the source
  remembers the event (``REMEMBERED_EVENTS``);
- from the tenth different message of the same type and reason about the same object within
  ten minutes, they are counted on one Event instead, its message the latest one behind
  ``(combined from similar events): `` (``AGGREGATE_*``);
- a source may write 25 events about one object at once, then one every five minutes
  (``SPAM_*``): what is over is not written, though it is counted, so the next Event written
  carries the count of every occurrence.
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
# The EventAggregator's defaults: the tenth distinct message within the interval is combined.
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL_SECONDS = 600
AGGREGATE_PREFIX = "(combined from similar events): "
# The EventSourceObjectSpamFilter's token bucket per source and object: its burst, and its
# refill of one event every five minutes.
SPAM_BURST = 25
SPAM_REFILL_SECONDS = 300
# An event's identity within its source, as client-go's getEventKey has it (the involved object
# by its uid, which names one object of one kind); or, for a combined Event, its aggregate key.
_EventKey = tuple[str, ...]
# The involved object as the aggregator's and the spam filter's keys name it.
_ObjectKey = tuple[str, str, str, str, str]  # kind, namespace, name, uid, apiVersion


@dataclass(frozen=True)
class Observed:
    """An event through the correlator: what to write, under which key it is remembered."""

    event: dict[str, Any]
    new: bool  # False: a repeat, written onto the Event it counts
    key: _EventKey
    skip: bool  # the spam filter held it back: remember it, write nothing


class _Aggregate:
    """The distinct messages of one object's events of one type and reason, and when the last
    came (client-go's aggregateRecord)."""

    __slots__ = ("messages", "last")

    def __init__(self, last: datetime) -> None:
        self.messages: dict[str, None] = {}  # insertion-ordered: the first is the one let go
        self.last = last


class _Bucket:
    """One source's token bucket for one object (x/time/rate, as client-go's spam filter)."""

    __slots__ = ("tokens", "last")

    def __init__(self, last: datetime) -> None:
        self.tokens = float(SPAM_BURST)
        self.last = last

    def take(self, now: datetime) -> bool:
        elapsed = max((now - self.last).total_seconds(), 0.0)
        self.tokens = min(float(SPAM_BURST), self.tokens + elapsed / SPAM_REFILL_SECONDS)
        self.last = max(now, self.last)
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class _SourceState:
    """What one recorder keeps (kube has a recorder, so a correlator, per component and host),
    each least recently used first and bounded by REMEMBERED_EVENTS: the events it wrote (as
    records, their JSON: decoded objects were most of what a cluster of many pods held), the
    messages it aggregates, its token buckets."""

    __slots__ = ("seen", "aggregates", "buckets")

    def __init__(self) -> None:
        self.seen: OrderedDict[_EventKey, Record] = OrderedDict()
        self.aggregates: OrderedDict[tuple[Any, ...], _Aggregate] = OrderedDict()
        self.buckets: OrderedDict[_ObjectKey, _Bucket] = OrderedDict()


class EventRecorder:
    """Builds Events through the correlator (``event``); ``remember`` keeps what was written."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._sources: dict[Source, _SourceState] = {}

    def event(self, obj: dict[str, Any], source: Source, type_: str, reason: str, message: str,
              field_path: str = "") -> Observed:
        """EventCorrelate: the Event to write (new, or a counted repeat), or to hold back."""
        ref = involved(obj, field_path)
        now = self._now()
        state = self._sources.setdefault(source, _SourceState())
        target = _object_key(ref)
        key, shown, combined = self._aggregate(state, target, type_, reason, message,
                                               field_path, now)
        earlier = state.seen.get(key)
        if earlier is not None:
            state.seen.move_to_end(key)  # seen again: the most recent
            event = thaw(earlier)
            event["count"] = int(event.get("count") or 1) + 1
            event["lastTimestamp"] = rfc3339(now)
            event["message"] = shown  # a combined Event shows the latest message
            new = False
        else:
            event = _new_event(ref, source, type_, reason, shown, now, reporting=not combined)
            new = True
        return Observed(event, new, key, skip=not self._accept(state, target, now))

    def remember(self, observed: Observed, source: Source, record: Record | None = None) -> None:
        """Keep the Event as written (or as it would have been, when held back) for its
        repeats; ``record``: the store's own record of it, shared rather than copied."""
        seen = self._sources.setdefault(source, _SourceState()).seen
        seen[observed.key] = record if record is not None else freeze(observed.event)
        seen.move_to_end(observed.key)
        _trim(seen)

    @staticmethod
    def _aggregate(state: _SourceState, target: _ObjectKey, type_: str, reason: str,
                   message: str, field_path: str, now: datetime) -> tuple[_EventKey, str, bool]:
        """EventAggregate: the key to count the event under, the message to show, and whether
        the event is combined with its like."""
        group = (target, sys.intern(type_), sys.intern(reason))
        found = state.aggregates.get(group)
        if found is None or (now - found.last).total_seconds() > AGGREGATE_INTERVAL_SECONDS:
            found = _Aggregate(now)
        found.messages[sys.intern(message)] = None
        found.last = now
        state.aggregates[group] = found
        state.aggregates.move_to_end(group)
        _trim(state.aggregates)
        if len(found.messages) < AGGREGATE_MAX_EVENTS:
            return _key(target[3], field_path, type_, reason, message), message, False
        # One message let go (kube's PopAny: any of them; here the oldest), so the set stays
        # at the threshold, and the events counted together under the group's key.
        del found.messages[next(iter(found.messages))]
        return ("aggregate", *target, type_, reason), AGGREGATE_PREFIX + message, True

    @staticmethod
    def _accept(state: _SourceState, target: _ObjectKey, now: datetime) -> bool:
        """The spam filter's TryAccept for this source and object."""
        bucket = state.buckets.get(target)
        if bucket is None:
            bucket = state.buckets[target] = _Bucket(now)
        state.buckets.move_to_end(target)
        _trim(state.buckets)
        return bucket.take(now)


def _new_event(ref: dict[str, Any], source: Source, type_: str, reason: str, message: str,
               now: datetime, *, reporting: bool) -> dict[str, Any]:
    """A new Event; ``reporting``: with the reporting component and instance, which a combined
    Event (client-go makes it afresh, from a few of the event's fields) lacks."""
    source_body = {"component": source.component}
    if source.host:
        source_body["host"] = source.host
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{ref.get('name', '')}.{_nanos(now):x}",
                     "namespace": ref.get("namespace") or "default"},
        "involvedObject": ref,
        "reason": reason, "message": message,
        "source": source_body,
        "firstTimestamp": rfc3339(now), "lastTimestamp": rfc3339(now),
        "count": 1, "type": type_,
        "eventTime": None,
        "reportingComponent": source.component if reporting else "",
        "reportingInstance": source.host if reporting else "",
    }


def _object_key(ref: dict[str, Any]) -> _ObjectKey:
    return (ref.get("kind", ""), ref.get("namespace", ""), ref.get("name", ""),
            ref.get("uid", ""), ref.get("apiVersion", ""))


def _trim(cache: OrderedDict[Any, Any]) -> None:
    while len(cache) > REMEMBERED_EVENTS:
        cache.popitem(last=False)


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
