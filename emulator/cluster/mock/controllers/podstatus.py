"""A pod's status as the kubelet reports it, built from what its fake runtime knows.

Pure functions and plain data: the kubelet controller (kubelet.py) keeps one ``ContainerRun`` per
container and asks this module for the API view, as kube's kubelet turns its runtime's state into
``v1.PodStatus`` (pkg/kubelet/kubelet_pods.go ``generateAPIPodStatus`` and ``getPhase``,
pkg/kubelet/status/generate.go for the conditions). Also here: image names as containerd reports
them, fake container and image ids, and Go's ``time.Duration`` text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator import messages
from emulator.clock import rfc3339

# Condition types (core/v1) and the reasons kube's status generator gives them.
POD_SCHEDULED, READY, CONTAINERS_READY = "PodScheduled", "Ready", "ContainersReady"
INITIALIZED, READY_TO_START = "Initialized", "PodReadyToStartContainers"
# What the kubelet owns in a pod's conditions (kubetypes.PodConditionsByKubelet): it rewrites
# these and keeps every other condition (DisruptionTarget, readiness gates') where it was.
KUBELET_CONDITIONS = (POD_SCHEDULED, READY, CONTAINERS_READY, INITIALIZED, READY_TO_START)
# PodReadyToStartContainersCondition is beta and on by default from 1.29; so are hostIPs.
READY_TO_START_MINOR = 29
HOST_IPS_MINOR = 29

# Container state reasons (kubelet, kuberuntime and images packages).
CONTAINER_CREATING, POD_INITIALIZING = "ContainerCreating", "PodInitializing"
ERR_IMAGE_PULL, IMAGE_PULL_BACKOFF = "ErrImagePull", "ImagePullBackOff"
CRASH_LOOP_BACKOFF = "CrashLoopBackOff"
COMPLETED, ERROR = "Completed", "Error"

# The status fields the kubelet writes; any other (qosClass, ephemeralContainerStatuses,
# nominatedNodeName, resize) is kept as it is.
KUBELET_FIELDS = ("phase", "conditions", "hostIP", "hostIPs", "podIP", "podIPs", "startTime",
                  "initContainerStatuses", "containerStatuses", "message", "reason")

_DEFAULT_REGISTRY = "docker.io"
_OFFICIAL_PREFIX = "library/"


# -- images -----------------------------------------------------------------------------------------

def image_reference(image: str) -> str:
    """The image as containerd names it in a container's status (docker's normalized form):
    ``nginx`` -> ``docker.io/library/nginx:latest``, ``me/app:1`` -> ``docker.io/me/app:1``."""
    name, at, digest = image.partition("@")
    first, slash, _ = name.partition("/")
    if not slash or ("." not in first and ":" not in first and first != "localhost"):
        name = f"{_DEFAULT_REGISTRY}/{'' if slash else _OFFICIAL_PREFIX}{name}"
    if at:
        return f"{name}@{digest}"
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"


def image_repository(image: str) -> str:
    """The normalized image without its tag or digest."""
    name = image_reference(image).partition("@")[0]
    head, _, last = name.rpartition("/")
    return f"{head}/{last.partition(':')[0]}"


def image_id(image: str) -> str:
    """``repo@sha256:...`` as the runtime reports the image a container runs: the digest the
    image names, else a stable fake one derived from its name (so a tag always has one id)."""
    _, at, digest = image.partition("@")
    if at:
        return f"{image_repository(image)}@{digest}"
    return f"{image_repository(image)}@sha256:{_sha256(image_reference(image))}"


def image_size(image: str) -> int:
    """A plausible compressed size for the image, stable per name (2 MB to 150 MB)."""
    return 2_000_000 + int(_sha256("size:" + image_reference(image))[:8], 16) % 148_000_000


def pull_seconds(image: str) -> float:
    """How long a first pull of the image takes: its size at about 40 MB/s, plus the registry's
    round trips."""
    return 0.3 + image_size(image) / 40_000_000


def container_id(pod_uid: str, container: str, attempt: int) -> str:
    return "containerd://" + _sha256(f"{pod_uid}/{container}/{attempt}")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String`` of a duration truncated to the millisecond, as the kubelet
    prints pull times and back-offs: ``512ms``, ``1.95s``, ``10s``, ``1m20s``, ``5m0s``."""
    millis = max(int(round(seconds * 1000)), 0)
    if millis == 0:
        return "0s"
    if millis < 1000:
        return f"{millis}ms"
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, frac = divmod(rest, 1000)
    text = f"{whole}.{frac:03d}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    if minutes:
        return f"{minutes}m{text}"
    return text


# -- one container's state --------------------------------------------------------------------------

@dataclass(slots=True)
class Instance:
    """One container the runtime created (one container ID): a start and perhaps an exit."""

    container_id: str
    started_at: datetime
    finished_at: datetime | None = None
    exit_code: int | None = None

    def terminated(self) -> dict[str, Any]:
        assert self.finished_at is not None and self.exit_code is not None
        return {"containerID": self.container_id, "exitCode": self.exit_code,
                "finishedAt": rfc3339(self.finished_at),
                "reason": COMPLETED if self.exit_code == 0 else ERROR,
                "startedAt": rfc3339(self.started_at)}


@dataclass(slots=True)
class ContainerView:
    """What the status needs of one container: its spec's name and image, whether it is an init
    container (and a sidecar), its current and previous instance, the waiting reason shown while
    it is not running, and its readiness."""

    name: str
    image: str
    init: bool = False
    sidecar: bool = False
    current: Instance | None = None
    previous: Instance | None = None
    restarts: int = 0
    waiting: tuple[str, str] | None = None  # (reason, message)
    ready: bool = False

    @property
    def running(self) -> bool:
        return self.current is not None and self.current.finished_at is None

    @property
    def exited(self) -> bool:
        return self.current is not None and self.current.finished_at is not None


def container_status(view: ContainerView, default_waiting: str) -> dict[str, Any]:
    """The v1.ContainerStatus of one container (kubelet_pods.go convertToAPIContainerStatuses)."""
    created = view.current is not None
    status: dict[str, Any] = {"name": view.name}
    if created:
        assert view.current is not None
        status["containerID"] = view.current.container_id
        status["image"] = image_reference(view.image)
        status["imageID"] = image_id(view.image)
    else:
        status["image"] = view.image
        status["imageID"] = ""
    last: dict[str, Any] = {}
    if view.waiting is not None or not created:
        reason, message = view.waiting or (default_waiting, "")
        waiting: dict[str, Any] = {"reason": reason}
        if message:
            waiting["message"] = message
        state: dict[str, Any] = {"waiting": waiting}
        source = view.current if view.exited else view.previous
        if source is not None and source.finished_at is not None:
            last = {"terminated": source.terminated()}
    elif view.running:
        assert view.current is not None
        state = {"running": {"startedAt": rfc3339(view.current.started_at)}}
        if view.previous is not None:
            last = {"terminated": view.previous.terminated()}
    else:
        assert view.current is not None
        state = {"terminated": view.current.terminated()}
        if view.previous is not None:
            last = {"terminated": view.previous.terminated()}
    status["lastState"] = last
    status["ready"] = _reported_ready(view)
    status["restartCount"] = view.restarts
    status["started"] = view.running
    status["state"] = state
    return status


def _reported_ready(view: ContainerView) -> bool:
    if view.init and not view.sidecar:
        # A regular init container is ready once it has completed (kubelet: exit code 0).
        return view.exited and view.current is not None and view.current.exit_code == 0
    return view.running and view.ready


# -- the pod ----------------------------------------------------------------------------------------

@dataclass(slots=True)
class PodView:
    """What the status is made of: where the pod runs and since when, its restart policy, its
    containers' views, whether it is being deleted and which readiness gates are not met."""

    host_ip: str
    pod_ip: str
    start_time: datetime
    restart_policy: str
    init: list[ContainerView] = field(default_factory=list)
    containers: list[ContainerView] = field(default_factory=list)
    terminating: bool = False  # deleted (with finalizers left): its containers were stopped
    # Each readiness gate that is not True yet, with its condition's status (None: absent).
    readiness_gates: tuple[tuple[str, str | None], ...] = ()


def phase(pod: PodView, init_statuses: list[dict[str, Any]],
          statuses: list[dict[str, Any]]) -> str:
    """kube's getPhase (kubelet_pods.go) over the API statuses."""
    by_name = {s["name"]: s for s in [*init_statuses, *statuses]}
    pending_init = failed_init = 0
    unknown = running = waiting = stopped = succeeded = 0
    for view in pod.init:
        status = by_name.get(view.name)
        state = (status or {}).get("state") or {}
        last = ((status or {}).get("lastState") or {}).get("terminated")
        if view.sidecar:
            if status is None:
                unknown += 1
            elif "running" in state:
                running += 1
                pending_init += 0 if status.get("started") else 1
            elif "waiting" in state and last is None:
                pending_init += 1
                waiting += 1
            continue
        if status is None or "running" in state:
            pending_init += 1
        elif "terminated" in state:
            failed_init += state["terminated"]["exitCode"] != 0
        elif "waiting" in state:
            if last is None:
                pending_init += 1
            else:
                failed_init += last["exitCode"] != 0
    for view in pod.containers:
        status = by_name.get(view.name)
        if status is None:
            unknown += 1
            continue
        state, last = status["state"], (status.get("lastState") or {}).get("terminated")
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            succeeded += state["terminated"]["exitCode"] == 0
        elif last is not None:
            stopped += 1
        else:
            waiting += 1
    if failed_init and pod.restart_policy == "Never":
        return "Failed"
    any_started = any(v.current is not None for v in pod.containers)
    if (pending_init and not any_started) or waiting:
        return "Pending"
    if running and not unknown:
        return "Running"
    if not running and stopped and not unknown:
        if pod.terminating:
            return "Succeeded" if stopped == succeeded else "Failed"
        if pod.restart_policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        return "Failed" if pod.restart_policy == "Never" else "Running"
    return "Pending"


def conditions(pod: PodView, pod_phase: str, init_statuses: list[dict[str, Any]],
               statuses: list[dict[str, Any]], minor: int) -> list[dict[str, Any]]:
    """The kubelet's conditions, in the order it writes them (generateAPIPodStatus), without
    their times (``with_transition_times`` adds those)."""
    found: list[dict[str, Any]] = []
    if minor >= READY_TO_START_MINOR:
        # The sandbox exists from the first sync until the pod is terminal.
        sandbox = pod_phase not in ("Succeeded", "Failed")
        found.append(_condition(READY_TO_START, sandbox))
    found.append(_initialized(pod, pod_phase, init_statuses))
    containers_ready = _containers_ready(pod, pod_phase, init_statuses, statuses)
    found.append(_ready(pod, containers_ready))
    found.append(containers_ready)
    found.append(_condition(POD_SCHEDULED, True))
    return found


def _condition(type_: str, true: bool, reason: str = "", message: str = "") -> dict[str, Any]:
    condition: dict[str, Any] = {"type": type_, "status": "True" if true else "False"}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


def _names(names: list[str]) -> str:
    return " ".join(names)  # Go's %s of a []string, inside the message's brackets


def _initialized(pod: PodView, pod_phase: str,
                 init_statuses: list[dict[str, Any]]) -> dict[str, Any]:
    by_name = {s["name"]: s for s in init_statuses}
    if pod_phase == "Succeeded" and all(v.name in by_name for v in pod.init):
        return _condition(INITIALIZED, True, "PodCompleted")
    if any(v.current is not None for v in pod.containers):
        return _condition(INITIALIZED, True)
    unknown = [v.name for v in pod.init if v.name not in by_name]
    incomplete = [v.name for v in pod.init if v.name in by_name and not (
        by_name[v.name]["started"] if v.sidecar else by_name[v.name]["ready"])]
    parts = []
    if unknown:
        parts.append(messages.KUBELET_CONTAINERS_UNKNOWN.format(names=_names(unknown)))
    if incomplete:
        parts.append(messages.KUBELET_CONTAINERS_INCOMPLETE.format(names=_names(incomplete)))
    if parts:
        return _condition(INITIALIZED, False, "ContainersNotInitialized", ", ".join(parts))
    return _condition(INITIALIZED, True)


def _containers_ready(pod: PodView, pod_phase: str, init_statuses: list[dict[str, Any]],
                      statuses: list[dict[str, Any]]) -> dict[str, Any]:
    by_name = {s["name"]: s for s in [*init_statuses, *statuses]}
    considered = [v for v in pod.init if v.sidecar] + pod.containers
    unknown = [v.name for v in considered if v.name not in by_name]
    unready = [v.name for v in considered if v.name in by_name and not by_name[v.name]["ready"]]
    if pod_phase == "Succeeded" and not unknown:
        return _condition(CONTAINERS_READY, False, "PodCompleted")
    if pod_phase == "Failed":
        return _condition(CONTAINERS_READY, False, "PodFailed")
    parts = []
    if unknown:
        parts.append(messages.KUBELET_CONTAINERS_UNKNOWN.format(names=_names(unknown)))
    if unready:
        parts.append(messages.KUBELET_CONTAINERS_UNREADY.format(names=_names(unready)))
    if parts:
        return _condition(CONTAINERS_READY, False, "ContainersNotReady", ", ".join(parts))
    return _condition(CONTAINERS_READY, True)


def _ready(pod: PodView, containers_ready: dict[str, Any]) -> dict[str, Any]:
    if containers_ready["status"] != "True":
        return {**containers_ready, "type": READY}
    if pod.readiness_gates:
        return _condition(READY, False, "ReadinessGatesNotReady", ", ".join(
            messages.KUBELET_READINESS_GATE_MISSING.format(gate=gate) if status is None else
            messages.KUBELET_READINESS_GATE_NOT_TRUE.format(gate=gate, status=status)
            for gate, status in pod.readiness_gates))
    return _condition(READY, True)


def with_transition_times(new: list[dict[str, Any]], old: list[dict[str, Any]],
                          now: datetime) -> list[dict[str, Any]]:
    """Each condition with ``lastProbeTime: null`` and the time it last changed status: kept
    from the old condition of that type when the status is the same, else now."""
    before = {c.get("type"): c for c in old if isinstance(c, dict)}
    timed = []
    for condition in new:
        earlier = before.get(condition["type"])
        changed = earlier is None or earlier.get("status") != condition["status"]
        since = rfc3339(now) if changed else earlier.get("lastTransitionTime")  # type: ignore
        timed.append({"lastProbeTime": None, "lastTransitionTime": since, **condition})
    return timed


def readiness_gates(gates: list[Any], present: list[Any]) -> tuple[tuple[str, str | None], ...]:
    """The pod's readiness gates whose condition is not True, with that condition's status."""
    found = {c.get("type"): c.get("status") for c in present if isinstance(c, dict)}
    return tuple((str(g.get("conditionType")), found.get(g.get("conditionType")))
                 for g in gates if isinstance(g, dict)
                 and found.get(g.get("conditionType")) != "True")


def pod_status(pod: PodView, old: dict[str, Any], now: datetime, minor: int) -> dict[str, Any]:
    """The status the kubelet writes: ``old`` with the kubelet's fields replaced."""
    default = POD_INITIALIZING if pod.init else CONTAINER_CREATING
    init_statuses = [container_status(v, default) for v in pod.init]
    statuses = [container_status(v, default) for v in pod.containers]
    pod_phase = phase(pod, init_statuses, statuses)
    if old.get("phase") in ("Succeeded", "Failed"):
        pod_phase = old["phase"]  # a phase never moves back from terminal (generateAPIPodStatus)
    old_conditions = [c for c in old.get("conditions") or [] if isinstance(c, dict)]
    kept = [c for c in old_conditions if c.get("type") not in KUBELET_CONDITIONS]
    status = {k: v for k, v in old.items() if k not in KUBELET_FIELDS}
    status["phase"] = pod_phase
    status["conditions"] = kept + with_transition_times(
        conditions(pod, pod_phase, init_statuses, statuses, minor), old_conditions, now)
    status["hostIP"] = pod.host_ip
    if minor >= HOST_IPS_MINOR:
        status["hostIPs"] = [{"ip": pod.host_ip}]
    status["podIP"] = pod.pod_ip
    status["podIPs"] = [{"ip": pod.pod_ip}]
    status["startTime"] = rfc3339(pod.start_time)
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    status["containerStatuses"] = statuses
    return status
