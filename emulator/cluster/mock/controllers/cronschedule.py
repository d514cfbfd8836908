"""CronJob schedules as kube reads them: robfig/cron v3's ParseStandard (vendored by
kube-controller-manager and kube-apiserver), and kube's validation of a schedule and a time zone.

Five fields (minute, hour, day of month, month, day of week; names for months and days, ``*``,
``?``, ranges, steps and lists), the descriptors @yearly/@annually/@monthly/@weekly/@daily/
@midnight/@hourly and ``@every <duration>``, an optional ``TZ=``/``CRON_TZ=`` prefix (kube's
validation refuses it in new objects; ``spec.timeZone`` is the way). The parsing and its error
texts are robfig's; the next time of a five-field schedule comes from croniter, which is handed
only plain numbers so that the two agree: a schedule that restricts both days matches either of
them (robfig's rule), so croniter gets one expression per day field and the earlier time wins;
a wall time that a DST change skips is skipped, as robfig does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from emulator import messages

YEARS_SEARCHED = 5  # robfig gives up on a schedule with no time within five years


class ScheduleError(ValueError):
    """robfig's parse error; ``str()`` is its text."""


@dataclass(frozen=True)
class _Bounds:
    low: int
    high: int
    names: tuple[str, ...] = ()  # lowercase names, the first one worth ``low``


_MINUTES, _HOURS, _DOM = _Bounds(0, 59), _Bounds(0, 23), _Bounds(1, 31)
_MONTHS = _Bounds(1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                          "nov", "dec"))
_DOW = _Bounds(0, 6, ("sun", "mon", "tue", "wed", "thu", "fri", "sat"))
_GO_INT = re.compile(r"[+-]?[0-9]+")


def _number(expr: str, bounds: _Bounds) -> int:
    if expr.lower() in bounds.names:
        return bounds.low + bounds.names.index(expr.lower())
    if not _GO_INT.fullmatch(expr):
        raise ScheduleError(messages.CRON_NOT_AN_INT.format(expr=expr))
    number = int(expr)
    if number < 0:
        raise ScheduleError(messages.CRON_NEGATIVE.format(number=number, expr=expr))
    return number


def _field(text: str, bounds: _Bounds) -> tuple[frozenset[int], bool]:
    """getField: the values a comma-separated list of ranges allows, and robfig's star bit (a
    ``*`` or ``?`` without a step above 1), which decides how the two day fields combine."""
    values: set[int] = set()
    star = False
    for expr in (part for part in text.split(",") if part):
        range_and_step = expr.split("/")
        low_high = range_and_step[0].split("-")
        if low_high[0] in ("*", "?"):
            start, end, extra = bounds.low, bounds.high, True
        else:
            extra = False
            start = _number(low_high[0], bounds)
            if len(low_high) == 1:
                end = start
            elif len(low_high) == 2:
                end = _number(low_high[1], bounds)
            else:
                raise ScheduleError(messages.CRON_TOO_MANY_HYPHENS.format(expr=expr))
        step = 1
        if len(range_and_step) == 2:
            step = _number(range_and_step[1], _Bounds(0, 0))
            if len(low_high) == 1:  # "N/step" means "N-max/step"
                end = bounds.high
            if step > 1:
                extra = False
        elif len(range_and_step) > 2:
            raise ScheduleError(messages.CRON_TOO_MANY_SLASHES.format(expr=expr))
        if start < bounds.low:
            raise ScheduleError(messages.CRON_BELOW_MINIMUM.format(
                start=start, minimum=bounds.low, expr=expr))
        if end > bounds.high:
            raise ScheduleError(messages.CRON_ABOVE_MAXIMUM.format(
                end=end, maximum=bounds.high, expr=expr))
        if start > end:
            raise ScheduleError(messages.CRON_RANGE_REVERSED.format(start=start, end=end,
                                                                    expr=expr))
        if step == 0:
            raise ScheduleError(messages.CRON_ZERO_STEP.format(expr=expr))
        values.update(range(start, end + 1, step))
        star = star or extra
    return frozenset(values), star


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3,
                   "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


def _go_duration(text: str) -> float:
    """Go's time.ParseDuration, in seconds."""
    quoted = f'"{text}"'
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0.0
    if not body:
        raise ScheduleError(f"time: invalid duration {quoted}")
    total, position = 0.0, 0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None:  # the pattern matches anywhere, possibly empty
            raise ScheduleError(f"time: invalid duration {quoted}")
        number, unit = match.group(1), match.group(2)
        if not number or number == ".":
            raise ScheduleError(f"time: invalid duration {quoted}")
        if not unit:
            raise ScheduleError(f"time: missing unit in duration {quoted}")
        if unit not in _DURATION_UNITS:
            raise ScheduleError(f'time: unknown unit "{unit}" in duration {quoted}')
        total += float(number) * _DURATION_UNITS[unit]
        position = match.end()
    return -total if text.startswith("-") else total


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: cron fields (``every`` None) or ``@every``'s whole seconds."""

    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()
    days_star: bool = True
    weekdays_star: bool = True
    zone: tzinfo = UTC
    every: int | None = None

    def next(self, after: datetime) -> datetime | None:
        """The first time strictly after ``after`` (whole seconds), or None if there is none
        within five years (robfig's zero time)."""
        if self.every is not None:  # ConstantDelaySchedule
            return after.replace(microsecond=0) + timedelta(seconds=self.every)
        if not (self.minutes and self.hours and self.months and (self.days or self.weekdays)):
            return None
        local = after.astimezone(self.zone)
        if self.days_star or self.weekdays_star:
            found = self._next(local, _days(self.days, self.days_star),
                               _days(self.weekdays, self.weekdays_star))
        else:  # both days restricted: either matches
            found = min((t for t in (self._next(local, _days(self.days, False), "*"),
                                     self._next(local, "*", _days(self.weekdays, False)))
                         if t is not None), default=None)
        return None if found is None else found.astimezone(UTC)

    def _next(self, local: datetime, days: str, weekdays: str) -> datetime | None:
        if days == "" or weekdays == "":
            return None
        expression = " ".join((_list(self.minutes), _list(self.hours), days,
                               _list(self.months), weekdays))
        limit = local.year + YEARS_SEARCHED
        try:
            times = croniter(expression, local, max_years_between_matches=YEARS_SEARCHED + 1)
            while True:
                found: datetime = times.get_next(datetime)
                if found.year > limit:
                    return None
                if self._exists(found):
                    return found
        except Exception:  # croniter found none in its window
            return None

    def _exists(self, found: datetime) -> bool:
        """Not a wall time that a DST change skipped (croniter moves those; robfig skips them)."""
        again = found.astimezone(UTC).astimezone(self.zone)
        return (again.hour, again.minute) == (found.hour, found.minute) \
            and again.hour in self.hours and again.minute in self.minutes


def _list(values: frozenset[int]) -> str:
    return ",".join(str(v) for v in sorted(values))


def _days(values: frozenset[int], star: bool) -> str:
    return "*" if star else _list(values)


_DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                "@hourly": "0 * * * *"}


def load_zone(name: str) -> tzinfo:
    """Go's time.LoadLocation: "" and "UTC" are UTC; an unknown name is an error."""
    if name in ("", "UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(messages.CRONJOB_UNKNOWN_ZONE_ERROR.format(zone=name)) from None


def parse_schedule(spec: str, zone: tzinfo = UTC) -> Schedule:
    """robfig/cron v3 ``ParseStandard`` (with a ``TZ=``/``CRON_TZ=`` prefix, as kube passes a
    timeZone to it)."""
    if not spec:
        raise ScheduleError(messages.CRON_EMPTY_SPEC)
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        name = spec[spec.index("=") + 1:space if space >= 0 else len(spec)]
        try:
            zone = load_zone(name)
        except ScheduleError as err:
            raise ScheduleError(messages.CRON_BAD_LOCATION.format(zone=name, error=err)) from None
        spec = spec[space:].strip() if space >= 0 else ""
    if spec.startswith("@"):
        if spec.startswith("@every "):
            try:
                seconds = _go_duration(spec[len("@every "):])
            except ScheduleError as err:
                raise ScheduleError(messages.CRON_BAD_DURATION.format(spec=spec, error=err)) \
                    from None
            return Schedule(every=max(int(seconds), 1), zone=zone)
        if spec not in _DESCRIPTORS:
            raise ScheduleError(messages.CRON_UNKNOWN_DESCRIPTOR.format(spec=spec))
        spec = _DESCRIPTORS[spec]
    fields = spec.split()
    if len(fields) != 5:
        raise ScheduleError(messages.CRON_FIELD_COUNT.format(count=len(fields),
                                                             fields=" ".join(fields)))
    minutes, _ = _field(fields[0], _MINUTES)
    hours, _ = _field(fields[1], _HOURS)
    days, days_star = _field(fields[2], _DOM)
    months, _ = _field(fields[3], _MONTHS)
    weekdays, weekdays_star = _field(fields[4], _DOW)
    return Schedule(minutes, hours, days, months, weekdays, days_star, weekdays_star, zone)


# -- kube-apiserver's validation (pkg/apis/batch/validation: validateScheduleFormat,
# validateTimeZone), for a new CronJob ------------------------------------------------------------

# A time zone name's parts: IANA's naming rules, with digits and "+" for legacy names.
_ZONE_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")


def validation_errors(schedule: str, time_zone: str | None) -> list[tuple[str, str]]:
    """(field path, message) of each error kube-apiserver finds in a new CronJob's schedule and
    timeZone, for the apiserver to report as field.Invalid."""
    return ([("spec.schedule", text) for text in schedule_errors(schedule)]
            + [("spec.timeZone", text) for text in time_zone_errors(time_zone)])


def schedule_errors(schedule: str, tz_allowed: bool = False) -> list[str]:
    """validateScheduleFormat: the parser's error, then a TZ or CRON_TZ prefix, which only a
    CronJob that already had one may keep (``tz_allowed``)."""
    errors = []
    try:
        parse_schedule(schedule)
    except ScheduleError as err:
        errors.append(str(err))
    if "TZ" in schedule and not tz_allowed:
        errors.append(messages.CRONJOB_TZ_IN_SCHEDULE)
    return errors


def time_zone_errors(time_zone: str | None) -> list[str]:
    """validateTimeZone: the first of its errors, or none for no time zone."""
    if time_zone is None:
        return []
    if not time_zone:
        return [messages.CRONJOB_TIME_ZONE_EMPTY]
    unknown = messages.CRONJOB_UNKNOWN_ZONE_ERROR.format(zone=time_zone)
    if any(part in (".", "..") or part.startswith("-") or not _ZONE_PART.fullmatch(part)
           for part in time_zone.split("/")):
        return [unknown]
    if time_zone.lower() == "local":
        return [messages.CRONJOB_TIME_ZONE_LOCAL]
    try:
        load_zone(time_zone)
    except ScheduleError:
        return [unknown]
    return []
