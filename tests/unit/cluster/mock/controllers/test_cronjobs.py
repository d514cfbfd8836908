"""The CronJob controller (controllers/cronjobs.py) on the emulator's clock, as kube's
cronjob-controller behaves: robfig/cron's schedule dialect (checked against a brute-force reading
of the same fields), one Job for the most recent schedule time missed, named by its minute,
concurrency policies, history limits, suspend, time zones and the status it keeps.

The clock is a FakeClock moved as the control API moves it (then ``clock_moved``); what a timer
does happens on the controllers' runtime thread, so the tests poll for it with a deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.clock import FakeClock
from emulator.cluster.mock.apiserver import MockApiserver
from emulator.cluster.mock.controllers import cronjobs
from emulator.cluster.mock.controllers.cronschedule import (ScheduleError, parse_schedule,
                                                            validation_errors)
from tests.unit.cluster.mock.conftest import call
from tests.unit.cluster.mock.controllers.test_jobs import (
    CRONJOBS,
    NS,
    advance,
    cluster,
    events,
    finish,
    pod_template,
    pods_of,
    quiet,
    wait_for,
)

START = datetime(2026, 1, 1, tzinfo=UTC)  # FakeClock's start: minute 29453760 since the epoch
START_MINUTE = int(START.timestamp()) // 60


# -- schedules: robfig/cron v3's ParseStandard ---------------------------------------------------

@pytest.mark.parametrize(("spec", "after", "expected"), [
    ("*/5 * * * *", START, START + timedelta(minutes=5)),
    ("0 * * * *", START, START + timedelta(hours=1)),
    ("@hourly", START, START + timedelta(hours=1)),
    ("@daily", START, START + timedelta(days=1)),
    ("@midnight", START + timedelta(seconds=1), START + timedelta(days=1)),
    ("@weekly", START, datetime(2026, 1, 4, tzinfo=UTC)),  # the next Sunday
    ("@monthly", START, datetime(2026, 2, 1, tzinfo=UTC)),
    ("@yearly", START, datetime(2027, 1, 1, tzinfo=UTC)),
    ("@annually", START, datetime(2027, 1, 1, tzinfo=UTC)),
    ("@every 90s", START + timedelta(microseconds=5), START + timedelta(seconds=90)),
    ("@every 1h30m", START, START + timedelta(minutes=90)),
    ("@every 200ms", START, START + timedelta(seconds=1)),  # at least a second
    ("30 9 * jan-mar MON", START, datetime(2026, 1, 5, 9, 30, tzinfo=UTC)),
    ("0 0 ? * ?", START, START + timedelta(days=1)),
    ("5/20 * * * *", START, START + timedelta(minutes=5)),  # "5/20" is 5-59/20
    # Both days restricted: either one (1 Jan 2026 is a Thursday; the 13th is a Tuesday).
    ("0 0 13 * 5", START, datetime(2026, 1, 2, tzinfo=UTC)),
    # A day field with a step above 1 is no star: OR again.
    ("0 0 */10 * 1", START + timedelta(hours=1), datetime(2026, 1, 5, tzinfo=UTC)),
    # One of them a star: both must match (Friday the 13th: February 2026).
    ("0 0 13 * *", START, datetime(2026, 1, 13, tzinfo=UTC)),
    ("0 9 * * *", START, START + timedelta(hours=9)),
    ("TZ=Asia/Tokyo 0 9 * * *", START, datetime(2026, 1, 2, 0, 0, tzinfo=UTC)),
    ("CRON_TZ=Asia/Tokyo 0 9 * * *", START, datetime(2026, 1, 2, 0, 0, tzinfo=UTC)),
    ("0 0 30 2 *", START, None),  # never: robfig's zero time
])
def test_schedules_fire_when_robfig_fires_them(spec: str, after: datetime,
                                               expected: datetime | None) -> None:
    assert parse_schedule(spec).next(after) == expected


def test_a_wall_time_skipped_by_dst_is_skipped() -> None:
    """2:30 does not happen on 8 March 2026 in New York: robfig fires on the 9th."""
    schedule = parse_schedule("30 2 * * *", ZoneInfo("America/New_York"))
    fired = schedule.next(datetime(2026, 3, 7, 12, tzinfo=UTC))
    assert fired == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(("spec", "error"), [
    ("", "empty spec string"),
    ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
    ("0 * * * * *", "expected exactly 5 fields, found 6: [0 * * * * *]"),
    ("61 * * * *", "end of range (61) above maximum (59): 61"),
    ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
    ("* * * * 7", "end of range (7) above maximum (6): 7"),
    ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
    ("1/2/3 * * * *", "too many slashes: 1/2/3"),
    ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
    ("* * * * L", 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'),
    ("H * * * *", 'failed to parse int from H: strconv.Atoi: parsing "H": invalid syntax'),
    ("* * * mon *", 'failed to parse int from mon: strconv.Atoi: parsing "mon": invalid syntax'),
    ("@every 5", 'failed to parse duration @every 5: time: missing unit in duration "5"'),
    ("@every 5x", 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'),
    ("@reboot", "unrecognized descriptor: @reboot"),
    ("TZ=Nowhere/City * * * * *", "provided bad location Nowhere/City: "
                                  "unknown time zone Nowhere/City"),
])
def test_bad_schedules_get_robfigs_words(spec: str, error: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(spec)
    assert str(raised.value) == error


@pytest.mark.parametrize(("schedule", "zone", "errors"), [
    ("*/5 * * * *", None, []),
    ("*/5 * * * *", "Europe/Paris", []),
    ("TZ=UTC */5 * * * *", None, [
        ("spec.schedule", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")]),
    ("61 * * * *", None, [("spec.schedule", "end of range (61) above maximum (59): 61")]),
    ("* * * * *", "", [("spec.timeZone", "timeZone must be nil or non-empty string")]),
    ("* * * * *", "Europe/Pariss", [("spec.timeZone", "unknown time zone Europe/Pariss")]),
    ("* * * * *", "../etc", [("spec.timeZone", "unknown time zone ../etc")]),
    ("* * * * *", "Local", [("spec.timeZone", "timeZone must be an explicit time zone as "
                                              "defined in https://www.iana.org/time-zones")]),
])
def test_kube_validation_of_schedule_and_time_zone(schedule: str, zone: str | None,
                                                   errors: list[tuple[str, str]]) -> None:
    assert validation_errors(schedule, zone) == errors


def _allowed(text: str, low: int, high: int) -> list[int]:
    return list(range(low, high + 1)) if text == "*" else sorted(int(v) for v in text.split(","))


def _first_after(fields: list[str], after: datetime) -> datetime | None:
    """The five fields read the plain way (lists of numbers or ``*``, robfig's rule for the two
    days): day by day from ``after``, the first allowed minute of the first allowed day."""
    minute, hour, day, month, weekday = fields
    days, weekdays = _allowed(day, 1, 31), _allowed(weekday, 0, 6)
    date = after.replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(3 * 366):
        day_ok, weekday_ok = date.day in days, date.isoweekday() % 7 in weekdays
        either = "*" not in (day, weekday)
        if date.month in _allowed(month, 1, 12) and (
                (day_ok or weekday_ok) if either else (day_ok and weekday_ok)):
            for h in _allowed(hour, 0, 23):
                for m in _allowed(minute, 0, 59):
                    moment = date.replace(hour=h, minute=m)
                    if moment > after:
                        return moment
        date += timedelta(days=1)
    return None


def _field(low: int, high: int) -> st.SearchStrategy[str]:
    values = st.lists(st.integers(low, high), min_size=1, max_size=3, unique=True)
    return st.one_of(st.just("*"), values.map(lambda vs: ",".join(map(str, sorted(vs)))))


@settings(max_examples=150, deadline=None)
@given(minute=_field(0, 59), hour=_field(0, 23), day=_field(1, 28), month=_field(1, 12),
       weekday=_field(0, 6), offset=st.integers(0, 60 * 24 * 366), second=st.integers(0, 59))
def test_next_agrees_with_a_plain_search(minute: str, hour: str, day: str, month: str,
                                         weekday: str, offset: int, second: int) -> None:
    fields = [minute, hour, day, month, weekday]
    after = START + timedelta(minutes=offset, seconds=second)
    assert parse_schedule(" ".join(fields)).next(after) == _first_after(fields, after)


# -- the controller -------------------------------------------------------------------------------

@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> Iterator[MockApiserver]:
    with cluster(clock, "v1.30.5") as api:
        yield api


def create_cron_job(api: MockApiserver, name: str = "tick", schedule: str = "*/5 * * * *",
                    **spec: Any) -> dict[str, Any]:
    body = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": schedule, **spec, "jobTemplate": {
                "metadata": {"labels": {"app": name}},
                "spec": {"template": pod_template()}}}}
    reply = call(api, "POST", CRONJOBS, body=body)
    assert reply.status == 201, reply.body
    return reply.body


def cron_job(api: MockApiserver, name: str = "tick") -> dict[str, Any]:
    found = api.store.get(("batch", "cronjobs"), NS, name)
    assert found is not None, name
    return found


def jobs_of(api: MockApiserver, name: str = "tick") -> list[dict[str, Any]]:
    return [j for j in api.store.list(("batch", "jobs"), NS)[0]
            if any(r.get("name") == name and r.get("kind") == "CronJob"
                   for r in j["metadata"].get("ownerReferences") or [])]


def job_names(api: MockApiserver, name: str = "tick") -> list[str]:
    return sorted(j["metadata"]["name"] for j in jobs_of(api, name))


def complete(api: MockApiserver, job: dict[str, Any]) -> None:
    for pod in pods_of(api, job):
        finish(api, pod["metadata"]["name"], "Succeeded")


def fail(api: MockApiserver, job: dict[str, Any]) -> None:
    for pod in pods_of(api, job):
        finish(api, pod["metadata"]["name"], "Failed", exit_code=1)


def test_a_schedule_time_creates_one_job(api: MockApiserver, clock: FakeClock) -> None:
    created = create_cron_job(api)
    assert jobs_of(api) == []
    advance(api, clock, 301)
    name = f"tick-{START_MINUTE + 5}"
    wait_for(api, lambda: job_names(api) == [name], "no Job at the schedule time")
    [job] = jobs_of(api)
    assert job["metadata"]["labels"] == {"app": "tick"}
    assert job["metadata"]["annotations"] == {
        "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-01-01T00:05:00Z"}
    assert job["metadata"]["ownerReferences"] == [{
        "apiVersion": "batch/v1", "kind": "CronJob", "name": "tick",
        "uid": created["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    assert len(pods_of(api, job)) == 1  # the Job controller took it from there
    wait_for(api, lambda: "lastScheduleTime" in cron_job(api).get("status", {}), "no status")
    status = cron_job(api)["status"]
    assert status["lastScheduleTime"] == "2026-01-01T00:05:00Z"
    assert status["active"] == [{"kind": "Job", "namespace": NS, "name": name,
                                 "uid": job["metadata"]["uid"], "apiVersion": "batch/v1",
                                 "resourceVersion": status["active"][0]["resourceVersion"]}]
    assert events(api, "CronJob", "tick") == [("Normal", "SuccessfulCreate", f"Created job {name}")]
    # Settled: syncing again writes nothing.
    before = cron_job(api)["metadata"]["resourceVersion"]
    with api.controllers.lock:
        api.controllers.enqueue("cronjob-controller", cronjobs.CronJobKey(NS, "tick"))
        api.controllers.settle()
    assert cron_job(api)["metadata"]["resourceVersion"] == before


def test_nothing_fires_before_the_schedule_time(api: MockApiserver, clock: FakeClock) -> None:
    create_cron_job(api)
    advance(api, clock, 299)
    quiet(api)
    assert jobs_of(api) == [] and "lastScheduleTime" not in cron_job(api).get("status", {})


def test_a_completed_job_leaves_the_active_list(api: MockApiserver, clock: FakeClock) -> None:
    create_cron_job(api)
    advance(api, clock, 301)
    wait_for(api, lambda: len(jobs_of(api)) == 1, "no Job")
    [job] = jobs_of(api)
    wait_for(api, lambda: "active" in cron_job(api).get("status", {}), "no active Job")
    complete(api, job)
    status = cron_job(api)["status"]
    assert "active" not in status
    assert status["lastSuccessfulTime"] == "2026-01-01T00:05:01Z"
    name = job["metadata"]["name"]
    assert events(api, "CronJob", "tick")[-1] == (
        "Normal", "SawCompletedJob", f"Saw completed job: {name}, status: Complete")


def test_missed_schedules_make_one_job_for_the_latest(api: MockApiserver,
                                                      clock: FakeClock) -> None:
    create_cron_job(api)
    advance(api, clock, 3 * 3600 + 1)
    wait_for(api, lambda: len(jobs_of(api)) == 1, "no Job")
    quiet(api)
    assert job_names(api) == [f"tick-{START_MINUTE + 180}"]
    assert cron_job(api)["status"]["lastScheduleTime"] == "2026-01-01T03:00:00Z"


def test_too_many_missed_times_are_reported(api: MockApiserver, clock: FakeClock) -> None:
    create_cron_job(api, schedule="* * * * *")
    advance(api, clock, 200 * 60 + 1)
    wait_for(api, lambda: len(jobs_of(api)) == 1, "no Job")
    assert ("Warning", "TooManyMissedTimes",
            "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or "
            "check clock skew") in events(api, "CronJob", "tick")
    assert job_names(api) == [f"tick-{START_MINUTE + 200}"]


def test_the_next_schedule_time_fires_too(api: MockApiserver, clock: FakeClock) -> None:
    create_cron_job(api)
    advance(api, clock, 301)
    wait_for(api, lambda: len(jobs_of(api)) == 1, "no first Job")
    advance(api, clock, 300)
    wait_for(api, lambda: len(jobs_of(api)) == 2, "no second Job")
    assert job_names(api) == [f"tick-{START_MINUTE + 5}", f"tick-{START_MINUTE + 10}"]


def test_forbid_skips_while_a_job_runs(api: MockApiserver, clock: FakeClock) -> None:
    create_cron_job(api, concurrencyPolicy="Forbid")
    advance(api, clock, 301)
    wait_for(api, lambda: len(jobs_of(api)) == 1, "no first Job")
    advance(api, clock, 300)
    wait_for(api, lambda: ("Normal", "JobAlreadyActive", "Not starting job because prior execution "
                      "is running and concurrency policy is Forbid")
             in events(api, "CronJob", "tick"), "no JobAlreadyActive")
    assert len(jobs_of(api)) == 1


def test_replace_deletes_the_running_job(api: MockApiserver, clock: FakeClock) -> None:
    create_cron_job(api, concurrencyPolicy="Replace")
    advance(api, clock, 301)
    wait_for(api, lambda: len(jobs_of(api)) == 1, "no first Job")
    first = f"tick-{START_MINUTE + 5}"
    advance(api, clock, 300)
    second = f"tick-{START_MINUTE + 10}"
    wait_for(api, lambda: job_names(api) == [second], "the first Job was not replaced")
    assert ("Normal", "SuccessfulDelete", f"Deleted job {first}") in events(api, "CronJob", "tick")
    assert [r["name"] for r in cron_job(api)["status"]["active"]] == [second]


def test_history_limits_delete_the_oldest_finished_jobs(api: MockApiserver,
                                                        clock: FakeClock) -> None:
    create_cron_job(api, successfulJobsHistoryLimit=1, failedJobsHistoryLimit=1)
    names = [f"tick-{START_MINUTE + 5 * i}" for i in (1, 2, 3)]
    for count, outcome in zip((1, 2, 3), (complete, complete, fail), strict=True):
        advance(api, clock, 300 if count > 1 else 301)
        wait_for(api, lambda n=names[count - 1]: n in job_names(api), "no Job")
        with api.controllers.lock:
            job = api.store.get(("batch", "jobs"), NS, names[count - 1])
        outcome(api, job)
    assert job_names(api) == names[1:]
    assert ("Normal", "SuccessfulDelete", f"Deleted job {names[0]}") in events(
        api, "CronJob", "tick")


def test_a_suspended_cron_job_creates_nothing(api: MockApiserver, clock: FakeClock) -> None:
    create_cron_job(api, suspend=True)
    advance(api, clock, 3601)
    quiet(api)
    assert jobs_of(api) == []


def test_the_time_zone_is_honoured(api: MockApiserver, clock: FakeClock) -> None:
    create_cron_job(api, schedule="0 9 * * *", timeZone="Asia/Tokyo")
    advance(api, clock, 24 * 3600 + 1)  # 09:00 in Tokyo is midnight UTC
    wait_for(api, lambda: len(jobs_of(api)) == 1, "no Job")
    [job] = jobs_of(api)
    assert job["metadata"]["name"] == f"tick-{START_MINUTE + 24 * 60}"
    assert job["metadata"]["annotations"][cronjobs.SCHEDULED_TIMESTAMP] == \
        "2026-01-02T09:00:00+09:00"


def test_the_apiserver_refuses_an_unknown_time_zone_and_an_unparseable_schedule(
        api: MockApiserver) -> None:
    """kube's CronJob validation (registry/workloadchecks.py), before any controller sees it."""
    for spec, field, text in (
            ({"timeZone": "Nowhere/City"}, "spec.timeZone",
             'Invalid value: "Nowhere/City": unknown time zone Nowhere/City'),
            ({"schedule": "every minute"}, "spec.schedule",
             'Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]')):
        body = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
                "spec": {"schedule": "*/5 * * * *", **spec, "jobTemplate": {
                    "spec": {"template": pod_template()}}}}
        reply = call(api, "POST", CRONJOBS, body=body)
        assert reply.status == 422, reply.body
        assert reply.body["details"]["causes"] == [
            {"reason": "FieldValueInvalid", "message": text, "field": field}]


def stored_as_is(api: MockApiserver, **spec: Any) -> None:
    """A CronJob already in storage that today's validation would refuse (stored by an older
    apiserver): only the controller can report it."""
    created = create_cron_job(api)
    created["spec"].update(spec)
    created.pop("apiVersion"), created.pop("kind")
    with api.controllers.lock:
        api.store.put(("batch", "cronjobs"), created, event="MODIFIED")
        api.controllers.settle()


def test_an_unknown_time_zone_is_reported(api: MockApiserver) -> None:
    stored_as_is(api, timeZone="Nowhere/City")
    assert events(api, "CronJob", "tick") == [
        ("Warning", "UnknownTimeZone", 'invalid timeZone: "Nowhere/City": unknown time zone '
                                       "Nowhere/City")]


def test_an_unparseable_schedule_is_reported(api: MockApiserver) -> None:
    stored_as_is(api, schedule="every minute")
    assert events(api, "CronJob", "tick") == [
        ("Warning", "UnparseableSchedule", 'unparseable schedule: "every minute" : expected '
                                           "exactly 5 fields, found 2: [every minute]")]


def test_a_starting_deadline_drops_old_schedule_times(api: MockApiserver,
                                                      clock: FakeClock) -> None:
    """Only times within the deadline count: an hourly schedule seen 30 minutes late with a
    10-minute deadline makes no Job."""
    create_cron_job(api, schedule="0 * * * *", startingDeadlineSeconds=600)
    advance(api, clock, 5400)
    quiet(api)
    assert jobs_of(api) == []
    advance(api, clock, 1801)  # 02:00:01: in time
    wait_for(api, lambda: job_names(api) == [f"tick-{START_MINUTE + 120}"], "no Job at 02:00")


def test_a_job_made_by_hand_from_the_cron_job_is_unexpected(api: MockApiserver) -> None:
    """What ``kubectl create job --from=cronjob/tick`` makes: a Job the controller did not."""
    cron = create_cron_job(api)
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {
        "name": "manual", "annotations": {"cronjob.kubernetes.io/instantiate": "manual"},
        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "tick",
                             "uid": cron["metadata"]["uid"], "controller": True}]},
        "spec": {"template": pod_template()}}
    assert call(api, "POST", f"/apis/batch/v1/namespaces/{NS}/jobs", body=body).status == 201
    assert ("Warning", "UnexpectedJob",
            "Saw a job that the controller did not create or forgot: manual") in events(
        api, "CronJob", "tick")
    assert "active" not in cron_job(api).get("status", {})


def test_job_names_count_minutes_since_the_epoch() -> None:
    assert cronjobs.job_name({"metadata": {"name": "tick"}}, START) == f"tick-{START_MINUTE}"
    assert START_MINUTE == 29453760  # 1767225600 s
