"""The controllers' event recorder: a repeat is counted onto the earlier Event, as client-go's
EventCorrelator counts it, and like that correlator it remembers only the last 4,096 distinct
events of each source (tools/record/events_cache.go, maxLruCacheEntries)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from emulator.cluster.mock.controllers.events import REMEMBERED_EVENTS, EventRecorder, Source

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
KUBELET = Source("kubelet", "node-1")
SCHEDULER = Source("default-scheduler")


def _pod(uid: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{uid}", "namespace": "default", "uid": uid}}


def _record(recorder: EventRecorder, uid: str, source: Source = KUBELET,
            type_: str = "Normal", reason: str = "Pulled") -> tuple[int, bool]:
    """The count written and whether the Event is new; then kept, as Context.event keeps it."""
    event, new = recorder.event(_pod(uid), source, type_, reason, "Pulled the image")
    recorder.remember(event, source)
    return event["count"], new


def test_a_repeat_is_counted_onto_the_earlier_event() -> None:
    recorder = EventRecorder(lambda: NOW)
    assert _record(recorder, "a") == (1, True)
    assert _record(recorder, "a") == (2, False)
    assert _record(recorder, "a") == (3, False)


def test_the_type_the_source_and_the_object_tell_events_apart() -> None:
    recorder = EventRecorder(lambda: NOW)
    _record(recorder, "a")
    assert _record(recorder, "a", type_="Warning") == (1, True)
    assert _record(recorder, "a", source=SCHEDULER) == (1, True)
    assert _record(recorder, "b") == (1, True)


def test_only_the_last_distinct_events_of_a_source_are_remembered() -> None:
    recorder = EventRecorder(lambda: NOW)
    _record(recorder, "first")
    _record(recorder, "kept")
    for n in range(REMEMBERED_EVENTS - 2):
        _record(recorder, f"filler-{n}")
    assert _record(recorder, "kept") == (2, False)  # seen again: the most recent now
    _record(recorder, "one-more")  # pushes out the least recently seen: "first"
    assert _record(recorder, "first") == (1, True)  # forgotten: a new Event
    assert _record(recorder, "kept") == (3, False)


def test_another_sources_events_push_none_of_a_source_out() -> None:
    recorder = EventRecorder(lambda: NOW)
    _record(recorder, "first")
    for n in range(REMEMBERED_EVENTS):
        _record(recorder, f"filler-{n}", source=SCHEDULER)
    assert _record(recorder, "first") == (2, False)
