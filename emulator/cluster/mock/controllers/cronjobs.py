"""kube's CronJob controller ("cronjob-controller", pkg/controller/cronjob/cronjob_controllerv2.go
and utils.go), on the emulator's clock. Schedules are read as kube reads them (cronschedule.py),
in ``spec.timeZone`` (UTC without one, as kube-controller-manager runs).

Each sync creates at most one Job, for the most recent schedule time missed, named
``<cronjob>-<minutes since the epoch>``; then it sets a timer for the next schedule time (kube's
requeue, 100 ms late). Nothing polls: the clock moving (control API) fires what is due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from emulator import messages
from emulator.clock import rfc3339
from emulator.cluster.mock.controllers.context import Context
from emulator.cluster.mock.controllers.cronschedule import (Schedule, ScheduleError, load_zone,
                                                            parse_schedule)
from emulator.cluster.mock.controllers.events import NORMAL, WARNING, Source
from emulator.cluster.mock.controllers.jobstate import (finished_condition,
                                                        owner_reference, parse_time)
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.registry.store import WatchEvent
from emulator.cluster.mock.wire.status import KubeError

NAME = "cronjob-controller"
SOURCE = Source(NAME)
SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"  # 1.28+
NEXT_SCHEDULE_DELTA = 0.1  # kube requeues 100 ms after the schedule time
MANY_MISSED = 100


# -- when to run (utils.go) ---------------------------------------------------------------------

@dataclass(frozen=True)
class _MostRecent:
    earliest: datetime
    time: datetime | None
    missed: str  # "none", "few", "many"


def most_recent(cron_job: dict[str, Any], now: datetime, schedule: Schedule,
                with_deadline: bool) -> _MostRecent:
    """mostRecentScheduleTime: the latest schedule time in (last schedule or creation, now];
    a ScheduleError when two schedule times are less than a second apart (or never come)."""
    meta, spec = cron_job.get("metadata") or {}, cron_job.get("spec") or {}
    earliest = parse_time((cron_job.get("status") or {}).get("lastScheduleTime")) \
        or parse_time(meta.get("creationTimestamp")) or now
    deadline = spec.get("startingDeadlineSeconds")
    if with_deadline and deadline is not None:
        earliest = max(earliest, now - timedelta(seconds=int(deadline)))
    t1 = schedule.next(earliest)
    if t1 is not None and now < t1:
        return _MostRecent(earliest, None, "none")
    t2 = schedule.next(t1) if t1 is not None else None
    if t1 is not None and t2 is not None and now < t2:
        return _MostRecent(earliest, t1, "none")
    between = round((t2 - t1).total_seconds()) if t1 is not None and t2 is not None else 0
    if between < 1:
        raise ScheduleError(messages.CRONJOB_SCHEDULES_TOO_CLOSE)
    assert t1 is not None
    missed = int((now - t1).total_seconds()) // between + 1
    found: datetime | None = None
    candidate = schedule.next(t1 + timedelta(seconds=(missed - 2) * between))
    while candidate is not None and candidate <= now:
        found, candidate = candidate, schedule.next(candidate)
    return _MostRecent(earliest, found, "many" if missed > MANY_MISSED else "few")


def seconds_to_next(cron_job: dict[str, Any], now: datetime, schedule: Schedule) -> float | None:
    """nextScheduleTimeDuration: from the most recent time (or now), to the next one, plus
    kube's 100 ms."""
    try:
        recent = most_recent(cron_job, now, schedule, with_deadline=False)
        base = recent.time or (recent.earliest if recent.missed == "none" else now)
    except ScheduleError:
        base = now
    upcoming = schedule.next(base)
    if upcoming is None:
        return None
    return (upcoming - now).total_seconds() + NEXT_SCHEDULE_DELTA


def job_name(cron_job: dict[str, Any], scheduled: datetime) -> str:
    """getJobName: the CronJob's name and the schedule time in minutes since the epoch."""
    return f"{cron_job['metadata']['name']}-{int(scheduled.timestamp()) // 60}"


# -- the controller -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CronJobKey:
    namespace: str
    name: str


class CronJobController:
    name = NAME
    watches = (("batch", "cronjobs"), ("batch", "jobs"))

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def keys(self, event: WatchEvent) -> Iterable[Any]:
        meta = event.object.get("metadata") or {}
        if event.resource == ("batch", "cronjobs"):
            yield CronJobKey(meta.get("namespace", ""), meta.get("name", ""))
            return
        ref = _controller(event.object)
        if ref is not None:
            yield CronJobKey(meta.get("namespace", ""), ref.get("name", ""))

    def sync(self, key: Any) -> None:
        cron_job = self.ctx.get("batch", "cronjobs", key.namespace, key.name)
        if cron_job is None:
            self.ctx.cancel(NAME, key)
            return
        jobs = [j for j in self.ctx.list("batch", "jobs", key.namespace)
                if (_controller(j) or {}).get("name") == key.name]
        before = clone(cron_job.get("status") or {})
        cron_job.setdefault("status", {})
        self._cleanup(cron_job, jobs)
        failure: KubeError | None = None
        now = self.ctx.now()
        try:
            wait = self._sync(cron_job, jobs, now)
        except KubeError as err:  # written status first, then retried (kube's sync does too)
            wait, failure = None, err
        status = _wire_status(cron_job["status"])
        if status != _wire_status(before):
            cron_job["status"] = status
            self.ctx.update("batch", "cronjobs", cron_job, subresource="status")
        if wait is not None:
            self.ctx.at(NAME, key, now + timedelta(seconds=wait))
        if failure is not None:
            raise failure

    # -- syncCronJob ------------------------------------------------------------------------------

    def _sync(self, cron_job: dict[str, Any], jobs: list[dict[str, Any]],
              now: datetime) -> float | None:
        """One pass of syncCronJob; the seconds from ``now`` to the next sync (None: none is
        needed)."""
        status, spec = cron_job["status"], cron_job.get("spec") or {}
        children = set()
        for job in jobs:
            uid = job["metadata"].get("uid")
            children.add(uid)
            found = _in_active(cron_job, uid)
            finished = finished_condition(job)
            if not found and finished is None:
                self._event(cron_job, WARNING, "UnexpectedJob",
                            messages.CRONJOB_UNEXPECTED_JOB.format(job=job["metadata"]["name"]))
            elif found and finished is not None:
                _drop_active(cron_job, uid)
                self._event(cron_job, NORMAL, "SawCompletedJob", messages.CRONJOB_SAW_COMPLETED
                            .format(job=job["metadata"]["name"], status=finished))
            elif finished == "Complete":
                completed = parse_time((job.get("status") or {}).get("completionTime"))
                last = parse_time(status.get("lastSuccessfulTime"))
                if completed is not None and (last is None or completed > last):
                    status["lastSuccessfulTime"] = job["status"]["completionTime"]
        for ref in list(status.get("active") or []):
            if ref.get("uid") in children:
                continue
            if self.ctx.get("batch", "jobs", ref.get("namespace", ""), ref.get("name", "")) is None:
                self._event(cron_job, NORMAL, "MissingJob",
                            messages.CRONJOB_MISSING_JOB.format(job=ref.get("name")))
                _drop_active(cron_job, ref.get("uid"))
        if cron_job["metadata"].get("deletionTimestamp"):
            return None
        zone_name = spec.get("timeZone")
        zone: tzinfo = UTC
        if zone_name is not None:
            try:
                zone = load_zone(zone_name)
            except ScheduleError as err:
                self._event(cron_job, WARNING, "UnknownTimeZone",
                            messages.CRONJOB_UNKNOWN_TIME_ZONE.format(zone=zone_name, error=err))
                return None
        if spec.get("suspend"):
            return None
        text = str(spec.get("schedule") or "")
        if "TZ" in text:
            self._event(cron_job, WARNING, "UnsupportedSchedule",
                        messages.CRONJOB_UNSUPPORTED_SCHEDULE.format(schedule=text))
        try:
            schedule = parse_schedule(text, zone)
        except ScheduleError as err:
            self._event(cron_job, WARNING, "UnparseableSchedule",
                        messages.CRONJOB_UNPARSEABLE_SCHEDULE.format(schedule=text, error=err))
            return None
        try:
            recent = most_recent(cron_job, now, schedule, with_deadline=True)
        except ScheduleError as err:
            self._event(cron_job, WARNING, "InvalidSchedule",
                        messages.CRONJOB_INVALID_SCHEDULE.format(schedule=text, error=err))
            return None
        scheduled = recent.time
        if scheduled is None:
            return seconds_to_next(cron_job, now, schedule)
        if recent.missed == "many":
            self._event(cron_job, WARNING, "TooManyMissedTimes", messages.CRONJOB_TOO_MANY_MISSED)
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None and scheduled + timedelta(seconds=int(deadline)) < now:
            self._event(cron_job, WARNING, "MissSchedule", messages.CRONJOB_MISSED_SCHEDULE.format(
                time=scheduled.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")))
            return seconds_to_next(cron_job, now, schedule)
        name = job_name(cron_job, scheduled)
        if any(ref.get("name") == name for ref in status.get("active") or []) \
                or parse_time(status.get("lastScheduleTime")) == scheduled:
            return seconds_to_next(cron_job, now, schedule)
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and status.get("active"):
            self._event(cron_job, NORMAL, "JobAlreadyActive", messages.CRONJOB_ALREADY_ACTIVE)
            return seconds_to_next(cron_job, now, schedule)
        if policy == "Replace":
            for ref in list(status.get("active") or []):
                if not self._delete_job(cron_job, ref):  # kube retries the whole sync
                    return seconds_to_next(cron_job, now, schedule)
        job = self._create_job(cron_job, scheduled, zone, name)
        if job is None:
            return None
        status.setdefault("active", []).append(_reference(job))
        status["lastScheduleTime"] = rfc3339(scheduled)
        return seconds_to_next(cron_job, now, schedule)

    def _create_job(self, cron_job: dict[str, Any], scheduled: datetime, zone: tzinfo,
                    name: str) -> dict[str, Any] | None:
        """getJobFromTemplate2, then CreateJob: the Job made now, or the one of that name this
        controller made before (it is then put back in the active list)."""
        template = clone((cron_job.get("spec") or {}).get("jobTemplate") or {})
        template_meta = template.get("metadata") or {}
        annotations = dict(template_meta.get("annotations") or {})
        if self.ctx.registry.minor >= 28:  # CronJobsScheduledAnnotation (beta)
            # Go's RFC3339 in the CronJob's zone: "Z" wherever the offset is zero.
            local = scheduled.astimezone(zone)
            annotations[SCHEDULED_TIMESTAMP] = (rfc3339(scheduled) if not local.utcoffset()
                                                else local.isoformat(timespec="seconds"))
        meta: dict[str, Any] = {"name": name, "namespace": cron_job["metadata"]["namespace"]}
        if template_meta.get("labels"):
            meta["labels"] = dict(template_meta["labels"])
        if annotations:
            meta["annotations"] = annotations
        meta["ownerReferences"] = [owner_reference(cron_job)]
        body = {"metadata": meta, "spec": template.get("spec") or {}}
        try:
            job = self.ctx.create("batch", "jobs", body)
        except KubeError as err:
            if err.code != 409:
                self._event(cron_job, WARNING, "FailedCreate",
                            messages.CRONJOB_JOB_CREATE_FAILED.format(error=err.message))
                raise
            existing = self.ctx.get("batch", "jobs", meta["namespace"], name)
            ref = _controller(existing) if existing is not None else None
            if existing is None or ref is None \
                    or ref.get("uid") != cron_job["metadata"].get("uid") \
                    or _in_active(cron_job, existing["metadata"].get("uid")):
                return None
            return existing
        self._event(cron_job, NORMAL, "SuccessfulCreate",
                    messages.CRONJOB_JOB_CREATED.format(job=name))
        return job

    # -- cleanupFinishedJobs ----------------------------------------------------------------------

    def _cleanup(self, cron_job: dict[str, Any], jobs: list[dict[str, Any]]) -> None:
        spec = cron_job.get("spec") or {}
        for kind, limit in (("Complete", spec.get("successfulJobsHistoryLimit")),
                            ("Failed", spec.get("failedJobsHistoryLimit"))):
            if limit is None:
                continue
            done = [j for j in jobs if finished_condition(j) == kind]
            excess = len(done) - int(limit)
            if excess <= 0:
                continue
            done.sort(key=_start_order)
            for job in done[:excess]:
                if self._delete_job(cron_job, _reference(job)):
                    jobs.remove(job)

    def _delete_job(self, cron_job: dict[str, Any], ref: dict[str, Any]) -> bool:
        """deleteJob: the Job (its pods follow, background propagation) and its active entry."""
        try:
            self.ctx.delete("batch", "jobs", ref.get("namespace", ""), ref.get("name", ""),
                            propagation="Background")
        except KubeError as err:
            self._event(cron_job, WARNING, "FailedDelete",
                        messages.CRONJOB_JOB_DELETE_FAILED.format(error=err.message))
            return False
        _drop_active(cron_job, ref.get("uid"))
        self._event(cron_job, NORMAL, "SuccessfulDelete",
                    messages.CRONJOB_JOB_DELETED.format(job=ref.get("name")))
        return True

    def _event(self, cron_job: dict[str, Any], type_: str, reason: str, message: str) -> None:
        self.ctx.event(cron_job, SOURCE, type_, reason, message)


def _controller(obj: dict[str, Any]) -> dict[str, Any] | None:
    return next((ref for ref in (obj.get("metadata") or {}).get("ownerReferences") or []
                 if ref.get("controller") and ref.get("kind") == "CronJob"), None)


def _in_active(cron_job: dict[str, Any], uid: Any) -> bool:
    return any(ref.get("uid") == uid for ref in cron_job["status"].get("active") or [])


def _drop_active(cron_job: dict[str, Any], uid: Any) -> None:
    status = cron_job["status"]
    status["active"] = [ref for ref in status.get("active") or [] if ref.get("uid") != uid]


def _reference(job: dict[str, Any]) -> dict[str, Any]:
    """An ObjectReference to a Job (ref.GetReference), in Go's field order."""
    meta = job["metadata"]
    return {"kind": "Job", "namespace": meta.get("namespace", ""), "name": meta["name"],
            "uid": meta.get("uid", ""), "apiVersion": "batch/v1",
            "resourceVersion": meta.get("resourceVersion", "")}


def _start_order(job: dict[str, Any]) -> tuple[Any, ...]:
    """byJobStartTime: started ones first, oldest first; names break ties."""
    started = parse_time((job.get("status") or {}).get("startTime"))
    return (started is None, started or datetime.min.replace(tzinfo=UTC), job["metadata"]["name"])


def _wire_status(status: dict[str, Any]) -> dict[str, Any]:
    """CronJobStatus in Go's field order, an empty active list left out."""
    out = {k: status[k] for k in ("active", "lastScheduleTime", "lastSuccessfulTime")
           if status.get(k)}
    out.update({k: v for k, v in status.items() if k not in out and k not in (
        "active", "lastScheduleTime", "lastSuccessfulTime")})
    return out


def controllers(ctx: Context) -> list[Controller]:
    return [CronJobController(ctx)]
