from __future__ import annotations

from datetime import timedelta

from emulator.clock import FakeClock
from emulator.gateway.quota import RequestRate, StreamQuota


def test_slots_are_counted_per_project_up_to_the_limit() -> None:
    quota = StreamQuota(limit=2)
    assert [quota.acquire("p1"), quota.acquire("p1"), quota.acquire("p1")] == [1, 2, None]
    assert quota.acquire("p2") == 1  # another fleet host project has its own slots
    quota.release("p1")
    assert quota.active("p1") == 1
    assert quota.acquire("p1") == 2


def test_release_never_goes_below_zero() -> None:
    quota = StreamQuota(limit=1)
    quota.release("p")
    assert quota.active("p") == 0
    assert quota.acquire("p") == 1


def test_a_zero_limit_refuses_every_stream() -> None:
    assert StreamQuota(limit=0).acquire("p") is None


def test_requests_per_minute_slide_with_the_clock() -> None:
    clock, rate = FakeClock(), RequestRate()
    assert [rate.admit("p", clock.now(), 2) for _ in range(3)] == [True, True, False]
    assert rate.admit("other", clock.now(), 2) is True  # per fleet host project
    clock.advance(59)
    assert rate.admit("p", clock.now(), 2) is False
    clock.current += timedelta(seconds=1)  # a minute after the first two
    assert rate.admit("p", clock.now(), 2) is True
