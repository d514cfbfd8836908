"""Injectable time, so quota windows, token expiry and ages are tested without sleeping."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def advance(self, seconds: float) -> None: ...


class SystemClock:
    """The machine's time, plus however far the control API has moved the emulator forward
    (``POST /_emulator/clock``): CronJobs fire and back-offs end on this clock."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class FakeClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


# The last second formatted, and its text: a write stamps several fields within one second.
# One tuple, replaced whole, so threads that format at once never pair one's key with the
# other's text.
_last_second: tuple[int, str] | None = None


def rfc3339(moment: datetime) -> str:
    """Kubernetes' metav1.Time wire format: second precision, UTC, trailing Z. Formatted by
    hand, and the last second kept: strftime took a twentieth of a seeded pod's time (a pod and
    its Events hold a dozen timestamps), and pads no year below 1000 to four digits as Go does."""
    global _last_second
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    second = int(moment.timestamp() // 1)
    last = _last_second
    if last is not None and last[0] == second:
        return last[1]
    text = (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")
    _last_second = (second, text)
    return text
