"""emulator/clock.py: metav1.Time's wire format, as Go writes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from emulator.clock import rfc3339


def test_a_moment_is_written_in_utc_to_the_second() -> None:
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, 999999, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    paris = timezone(timedelta(hours=1))
    assert rfc3339(datetime(2026, 1, 2, 4, 4, 5, tzinfo=paris)) == "2026-01-02T03:04:05Z"


def test_the_kept_second_never_answers_for_another() -> None:
    moments = [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC),
               datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=UTC),
               datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
               datetime(1970, 1, 1, tzinfo=UTC)]
    assert [rfc3339(m) for m in moments] == [
        "2026-01-02T03:04:05Z", "2026-01-02T03:04:06Z", "2026-01-02T03:04:05Z",
        "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z"]


def test_a_year_is_four_digits_as_go_writes_it() -> None:
    assert rfc3339(datetime(5, 1, 1, tzinfo=UTC)) == "0005-01-01T00:00:00Z"
