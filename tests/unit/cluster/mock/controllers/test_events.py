"""The controllers' event recorder, as client-go's EventCorrelator (tools/record/events_cache.go):
a repeat is counted onto the earlier Event; the last 4,096 distinct events of each source are
remembered (maxLruCacheEntries); similar events are combined from the tenth distinct message
in ten minutes; a source writes 25 events about an object, then one every five minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from emulator.cluster.mock.controllers.events import (
    AGGREGATE_INTERVAL_SECONDS,
    AGGREGATE_MAX_EVENTS,
    AGGREGATE_PREFIX,
    REMEMBERED_EVENTS,
    SPAM_BURST,
    SPAM_REFILL_SECONDS,
    EventRecorder,
    Observed,
    Source,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
KUBELET = Source("kubelet", "node-1")
SCHEDULER = Source("default-scheduler")


def _pod(uid: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{uid}", "namespace": "default", "uid": uid}}


def _record(recorder: EventRecorder, uid: str, source: Source = KUBELET,
            type_: str = "Normal", reason: str = "Pulled") -> tuple[int, bool]:
    """The count written and whether the Event is new; then kept, as Context.event keeps it."""
    observed = recorder.event(_pod(uid), source, type_, reason, "Pulled the image")
    recorder.remember(observed, source)
    return observed.event["count"], observed.new


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


def _say(recorder: EventRecorder, message: str, at: datetime = NOW, uid: str = "a",
         source: Source = KUBELET) -> Observed:
    """One event about pod ``uid``, kept as Context.event keeps it (written or held back)."""
    observed = recorder.event(_pod(uid), source, "Normal", "Created", message)
    recorder.remember(observed, source)
    return observed


def test_the_tenth_distinct_message_is_combined_with_its_like() -> None:
    recorder = EventRecorder(lambda: NOW)
    singles = [_say(recorder, f"Created pod: p-{n}") for n in range(AGGREGATE_MAX_EVENTS - 1)]
    assert all(o.new and not o.event["message"].startswith(AGGREGATE_PREFIX) for o in singles)
    combined = _say(recorder, "Created pod: p-9")
    assert combined.new and combined.event["message"] == AGGREGATE_PREFIX + "Created pod: p-9"
    # client-go makes the combined Event from a few fields: no reporting component.
    assert (combined.event["reportingComponent"], combined.event["count"]) == ("", 1)
    later = _say(recorder, "Created pod: p-10")
    assert (later.new, later.event["count"]) == (False, 2)
    assert later.event["message"] == AGGREGATE_PREFIX + "Created pod: p-10"
    assert later.event["metadata"]["name"] == combined.event["metadata"]["name"]
    # A message among the nine the aggregator holds brings it under the threshold: written on
    # its own (a new Event: it never was on its own), as client-go does.
    again = _say(recorder, "Created pod: p-10")
    assert (again.new, again.event["count"], again.event["message"]) == (
        True, 1, "Created pod: p-10")


def test_similar_events_are_combined_only_within_ten_minutes() -> None:
    moment = [NOW]
    recorder = EventRecorder(lambda: moment[0])
    for n in range(AGGREGATE_MAX_EVENTS - 1):
        _say(recorder, f"m-{n}")
        moment[0] += timedelta(seconds=AGGREGATE_INTERVAL_SECONDS // AGGREGATE_MAX_EVENTS)
    moment[0] += timedelta(seconds=AGGREGATE_INTERVAL_SECONDS + 1)  # a quiet spell
    fresh = _say(recorder, "m-9")
    assert fresh.new and fresh.event["message"] == "m-9"


def test_a_source_writes_25_events_about_an_object_then_one_every_five_minutes() -> None:
    moment = [NOW]
    recorder = EventRecorder(lambda: moment[0])
    said = [_say(recorder, "Back-off restarting failed container") for _ in range(SPAM_BURST + 3)]
    assert [o.skip for o in said] == [False] * SPAM_BURST + [True] * 3
    # Held back yet counted: the next one written carries every occurrence.
    moment[0] += timedelta(seconds=SPAM_REFILL_SECONDS)
    written = _say(recorder, "Back-off restarting failed container")
    assert (written.skip, written.event["count"]) == (False, SPAM_BURST + 4)
    assert _say(recorder, "Back-off restarting failed container").skip
    # Another object, or another source, has its own budget.
    assert not _say(recorder, "Back-off restarting failed container", uid="b").skip
    assert not _say(recorder, "Back-off restarting failed container", source=SCHEDULER).skip
