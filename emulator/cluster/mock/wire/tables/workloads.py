"""Printers for workloads: apps, batch, autoscaling and policy kinds, and replication controllers.

Column by column as kube-apiserver's printers.go prints them (in our words). Two columns are newer
than the oldest minor served: Job's Status and CronJob's Timezone both arrived in 1.30.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from emulator import messages
from emulator.cluster.mock.wire.tables.cells import (
    AGE, CONTAINERS, IMAGES, NAME, Cells, Column, Obj, Printer, age, aware, bool_word, condition,
    containers, count, created, deleting, format_selector, human_duration, int_or_string, items,
    labels_string, name, parse_time, quantity, section, selector_string, wide,
)

# --- apps -----------------------------------------------------------------------------------------


def _deployment_cells(deployment: Obj, now: datetime) -> Cells:
    spec, status = section(deployment, "spec"), section(deployment, "status")
    desired = spec.get("replicas", 1)  # the apiserver defaults replicas to 1
    names, images = containers(section(spec, "template", "spec"))
    selector = selector_string(spec.get("selector"))
    return [
        name(deployment),
        f"{count(status.get('readyReplicas'))}/{count(desired)}",
        count(status.get("updatedReplicas")),
        count(status.get("availableReplicas")),
        created(deployment, now),
        names, images,
        messages.TABLE_INVALID if selector is None else selector,
    ]


DEPLOYMENTS = Printer((
    NAME,
    Column("Ready", "Ready pods out of the desired replicas."),
    Column("Up-to-date", "Replicas already running the latest pod template."),
    Column("Available", "Replicas available to serve for at least minReadySeconds."),
    AGE, CONTAINERS, IMAGES,
    wide("Selector", "The label selector that picks the deployment's pods."),
), _deployment_cells)


def _replica_set_cells(replica_set: Obj, now: datetime) -> Cells:
    spec, status = section(replica_set, "spec"), section(replica_set, "status")
    names, images = containers(section(spec, "template", "spec"))
    return [name(replica_set), count(spec.get("replicas", 1)), count(status.get("replicas")),
            count(status.get("readyReplicas")), created(replica_set, now), names, images,
            format_selector(spec.get("selector"))]


_REPLICA_COLUMNS = (
    NAME,
    Column("Desired", "The replicas the spec asks for.", type="integer"),
    Column("Current", "The replicas that exist.", type="integer"),
    Column("Ready", "The replicas that are ready.", type="integer"),
    AGE, CONTAINERS, IMAGES,
    wide("Selector", "The label selector that picks the pods."),
)
REPLICA_SETS = Printer(_REPLICA_COLUMNS, _replica_set_cells)


def _replication_controller_cells(controller: Obj, now: datetime) -> Cells:
    spec, status = section(controller, "spec"), section(controller, "status")
    names, images = containers(section(spec, "template", "spec"))
    return [name(controller), count(spec.get("replicas", 1)), count(status.get("replicas")),
            count(status.get("readyReplicas")), created(controller, now), names, images,
            labels_string(spec.get("selector"))]


REPLICATION_CONTROLLERS = Printer(_REPLICA_COLUMNS, _replication_controller_cells)


def _stateful_set_cells(stateful_set: Obj, now: datetime) -> Cells:
    spec, status = section(stateful_set, "spec"), section(stateful_set, "status")
    names, images = containers(section(spec, "template", "spec"))
    return [name(stateful_set),
            f"{count(status.get('readyReplicas'))}/{count(spec.get('replicas', 1))}",
            created(stateful_set, now), names, images]


STATEFUL_SETS = Printer((
    NAME,
    Column("Ready", "Ready pods out of the desired replicas."),
    AGE, CONTAINERS, IMAGES,
), _stateful_set_cells)


def _daemon_set_cells(daemon_set: Obj, now: datetime) -> Cells:
    spec, status = section(daemon_set, "spec"), section(daemon_set, "status")
    template_spec = section(spec, "template", "spec")
    names, images = containers(template_spec)
    return [name(daemon_set), count(status.get("desiredNumberScheduled")),
            count(status.get("currentNumberScheduled")), count(status.get("numberReady")),
            count(status.get("updatedNumberScheduled")), count(status.get("numberAvailable")),
            labels_string(template_spec.get("nodeSelector")), created(daemon_set, now),
            names, images, format_selector(spec.get("selector"))]


DAEMON_SETS = Printer((
    NAME,
    Column("Desired", "Nodes that should run the daemon pod.", type="integer"),
    Column("Current", "Nodes that run it.", type="integer"),
    Column("Ready", "Nodes where it is ready.", type="integer"),
    Column("Up-to-date", "Nodes that run the latest pod template.", type="integer"),
    Column("Available", "Nodes where it is available.", type="integer"),
    Column("Node Selector", "The pod template's node selector."),
    AGE, CONTAINERS, IMAGES,
    wide("Selector", "The label selector that picks the daemon's pods."),
), _daemon_set_cells)


def controller_of(obj: Obj) -> str:
    """The owner reference marked controller, as group-qualified kind/name (lower case)."""
    owner = next((o for o in items(section(obj, "metadata"), "ownerReferences")
                  if o.get("controller") is True), None)
    if owner is None:
        return messages.TABLE_NONE
    api_version, kind = str(owner.get("apiVersion", "")), str(owner.get("kind", ""))
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    if not kind:
        return str(owner.get("name", ""))
    qualified = f"{kind}.{group}" if group else kind
    return f"{qualified.lower()}/{owner.get('name', '')}"


def _controller_revision_cells(revision: Obj, now: datetime) -> Cells:
    return [name(revision), controller_of(revision), count(revision.get("revision")),
            created(revision, now)]


CONTROLLER_REVISIONS = Printer((
    NAME,
    Column("Controller", "The object that owns the revision, as kind.group/name."),
    Column("Revision", "The revision number."),
    AGE,
), _controller_revision_cells)


# --- batch ----------------------------------------------------------------------------------------


def _condition_true(obj: Obj, kind: str) -> bool:
    found = condition(obj, kind)
    return found is not None and found.get("status") == "True"


def job_status(job: Obj, minor: int) -> str:
    """The Status column: the first of these that holds (SuccessCriteriaMet since 1.34)."""
    if _condition_true(job, "Complete"):
        return "Complete"
    if _condition_true(job, "Failed"):
        return "Failed"
    if deleting(job):
        return "Terminating"
    if _condition_true(job, "Suspended"):
        return "Suspended"
    if _condition_true(job, "FailureTarget"):
        return "FailureTarget"
    if minor >= 34 and _condition_true(job, "SuccessCriteriaMet"):
        return "SuccessCriteriaMet"
    return "Running"


def job_completions(spec: Obj, status: Obj) -> str:
    succeeded = count(status.get("succeeded"))
    if spec.get("completions") is not None:
        return f"{succeeded}/{count(spec.get('completions'))}"
    parallelism = count(spec.get("parallelism"))
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def job_duration(status: Obj, now: datetime) -> str:
    started = parse_time(status.get("startTime"))
    if started is None:
        return ""
    finished = parse_time(status.get("completionTime"))
    return human_duration((finished or aware(now)) - started)


def _job_cells_for(minor: int) -> Callable[[Obj, datetime], Cells]:
    def cells(job: Obj, now: datetime) -> Cells:
        spec, status = section(job, "spec"), section(job, "status")
        names, images = containers(section(spec, "template", "spec"))
        return [name(job), job_status(job, minor), job_completions(spec, status),
                job_duration(status, now), created(job, now), names, images,
                format_selector(spec.get("selector"))]
    return cells


def jobs(minor: int) -> Printer:
    return Printer((
        NAME,
        Column("Status", "What the job came to: Running, Complete, Failed, Suspended...",
               since=30),
        Column("Completions", "Succeeded pods out of the completions asked for."),
        Column("Duration", "How long the job ran, or has been running."),
        AGE, CONTAINERS, IMAGES,
        wide("Selector", "The label selector that picks the job's pods."),
    ), _job_cells_for(minor))


def _cron_job_cells(cron_job: Obj, now: datetime) -> Cells:
    spec, status = section(cron_job, "spec"), section(cron_job, "status")
    job_spec = section(spec, "jobTemplate", "spec")
    names, images = containers(section(job_spec, "template", "spec"))
    last = status.get("lastScheduleTime")
    return [name(cron_job), str(spec.get("schedule", "")),
            spec.get("timeZone") or messages.TABLE_NONE, bool_word(spec.get("suspend")),
            len(items(status, "active")), age(last, now) if last else messages.TABLE_NONE,
            created(cron_job, now), names, images, format_selector(job_spec.get("selector"))]


CRON_JOBS = Printer((
    NAME,
    Column("Schedule", "The cron schedule."),
    Column("Timezone", "The time zone the schedule is read in.", since=30),
    Column("Suspend", "Whether new runs are held back.", type="boolean"),
    Column("Active", "Jobs running now.", type="integer"),
    Column("Last Schedule", "Time since a job was last scheduled."),
    AGE, CONTAINERS, IMAGES,
    wide("Selector", "The label selector of the job template."),
), _cron_job_cells)


# --- autoscaling ----------------------------------------------------------------------------------


def _reported(status: Obj | None, source: str) -> Obj | None:
    """The current value a status reports for a metric source, or None when it reports none."""
    if status is None or not isinstance(status.get(source), dict):
        return None
    return section(status, source, "current")


def _nil_quantity(value: Any) -> str:
    """A *Quantity's String(): Go prints a missing one as <nil>."""
    return messages.TABLE_NIL if value is None else quantity(value)


def _object_metric(spec: Obj, status: Obj | None, source: str) -> str:
    """current/target for an Object or External metric; "(avg)" for an average-value target."""
    target, current = section(spec, source, "target"), _reported(status, source)
    if target.get("averageValue") is not None:
        now_value = (quantity(current["averageValue"])
                     if current is not None and current.get("averageValue") is not None
                     else messages.TABLE_UNKNOWN)
        return f"{now_value}/{quantity(target['averageValue'])} (avg)"
    now_value = messages.TABLE_UNKNOWN if current is None else _nil_quantity(current.get("value"))
    return f"{now_value}/{_nil_quantity(target.get('value'))}"


def _resource_metric(spec: Obj, status: Obj | None, source: str) -> str:
    """"cpu: 40%/80%" for a utilization target, "memory: 100Mi/200Mi" for an average value."""
    resource = section(spec, source)
    target, current = section(resource, "target"), _reported(status, source)
    label = resource.get("name", "")
    if target.get("averageValue") is not None:
        now_value = (messages.TABLE_UNKNOWN if current is None
                     else _nil_quantity(current.get("averageValue")))
        return f"{label}: {now_value}/{quantity(target['averageValue'])}"
    now_value = messages.TABLE_UNKNOWN
    if current is not None and current.get("averageUtilization") is not None:
        now_value = f"{count(current['averageUtilization'])}%"
    goal = (f"{count(target['averageUtilization'])}%"
            if target.get("averageUtilization") is not None else messages.TABLE_AUTO)
    return f"{label}: {now_value}/{goal}"


def _metric(spec: Obj, status: Obj | None) -> str:
    kind = spec.get("type")
    if kind in ("External", "Object"):
        return _object_metric(spec, status, kind.lower())
    if kind == "Pods":
        current = _reported(status, "pods")
        now_value = (messages.TABLE_UNKNOWN if current is None
                     else _nil_quantity(current.get("averageValue")))
        return f"{now_value}/{_nil_quantity(section(spec, 'pods', 'target').get('averageValue'))}"
    if kind == "Resource":
        return _resource_metric(spec, status, "resource")
    if kind == "ContainerResource":
        return _resource_metric(spec, status, "containerResource")
    return messages.TABLE_UNKNOWN_METRIC


def hpa_metrics(hpa: Obj) -> tuple[list[Obj], list[Obj]]:
    """The spec and status metrics in autoscaling/v2's shape, whichever version ``hpa`` is in.

    An autoscaling/v1 object names only a CPU target, and kube stores every HPA as v2, where an
    HPA without metrics gets an 80% CPU target; so a v1 object without one prints that target.
    """
    spec, status = section(hpa, "spec"), section(hpa, "status")
    v1 = (hpa.get("apiVersion") == "autoscaling/v1" or "targetCPUUtilizationPercentage" in spec
          or "currentCPUUtilizationPercentage" in status)
    if not v1 or "metrics" in spec:
        return items(spec, "metrics"), items(status, "currentMetrics")
    target = spec.get("targetCPUUtilizationPercentage")
    metric = {"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 80 if target is None else target}}}
    current: list[Obj] = []
    if status.get("currentCPUUtilizationPercentage") is not None:
        current = [{"type": "Resource", "resource": {"name": "cpu", "current": {
            "averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
    return [metric], current


def format_hpa_metrics(specs: list[Obj], statuses: list[Obj]) -> str:
    """The Targets column: the first two metrics as current/target, then "+ N more..."."""
    if not specs:
        return messages.TABLE_NONE
    shown = [_metric(spec, statuses[i] if i < len(statuses) else None)
             for i, spec in enumerate(specs)]
    text = ", ".join(shown[:2])
    if len(shown) > 2:
        return messages.TABLE_MORE.format(shown=text, more=len(shown) - 2)
    return text


def _hpa_cells(hpa: Obj, now: datetime) -> Cells:
    spec, status = section(hpa, "spec"), section(hpa, "status")
    ref = section(spec, "scaleTargetRef")
    minimum = spec.get("minReplicas")
    return [name(hpa), f"{ref.get('kind', '')}/{ref.get('name', '')}",
            format_hpa_metrics(*hpa_metrics(hpa)),
            messages.TABLE_UNSET if minimum is None else str(count(minimum)),
            count(spec.get("maxReplicas")), count(status.get("currentReplicas")),
            created(hpa, now)]


HORIZONTAL_POD_AUTOSCALERS = Printer((
    NAME,
    Column("Reference", "The scaled object, as Kind/name."),
    Column("Targets", "Each metric's current value against its target."),
    Column("MinPods", "The fewest replicas the autoscaler keeps."),
    Column("MaxPods", "The most replicas the autoscaler may set."),
    Column("Replicas", "The replicas the autoscaler last saw."),
    AGE,
), _hpa_cells)


# --- policy ---------------------------------------------------------------------------------------


def _pdb_cells(budget: Obj, now: datetime) -> Cells:
    spec = section(budget, "spec")
    least, most = spec.get("minAvailable"), spec.get("maxUnavailable")
    return [name(budget),
            messages.TABLE_NOT_APPLICABLE if least is None else int_or_string(least),
            messages.TABLE_NOT_APPLICABLE if most is None else int_or_string(most),
            count(section(budget, "status").get("disruptionsAllowed")), created(budget, now)]


POD_DISRUPTION_BUDGETS = Printer((
    NAME,
    Column("Min Available", "Pods that must stay available (a number or a percentage)."),
    Column("Max Unavailable", "Pods that may be unavailable (a number or a percentage)."),
    Column("Allowed Disruptions", "Pods that may be disrupted right now.", type="integer"),
    AGE,
), _pdb_cells)
