"""The kubelet of the cluster's one fake node: it runs the pods bound to the node.

For each pod the kubelet keeps what a container runtime would know (``PodRun``: the sandbox's IP,
and per container its stage, instances, back-offs and process) and reports it as kube's kubelet
does (podstatus.py), through ``pods/status`` as the field manager "kubelet", only when it changes.
A container goes through kube's steps, each with its Event: the image (``Pulling``/``Pulled``, or
"already present on machine"; a scenario's failing image gives ``ErrImagePull`` then
``ImagePullBackOff``, retried with back-off), ``Created`` and ``Started``, readiness, and, when
its process ends, ``terminated`` and the restart policy (``CrashLoopBackOff`` with kube's
back-off: 10 s doubling to 5 min). Init containers run one after the other, to completion, first.

A container whose command the fake shell knows runs it in the pod's sandboxed container, on the
controllers' runtime thread; its output is the container's log. Without a command, or with one
the fake does not know (an image's own program), the container stays running, as a server's
entrypoint does. A scenario's image rule can make it exit instead (``exit_code``/``runs_for``).
Every stage a scenario slows down (``delays``) is a timer; nothing polls.

Deleting a pod stops its processes; the ``Killing`` Events are written as the deletion is seen
(the store's change listener), so they come before the pod is gone, as the kubelet's do. A pod a
client declares Succeeded or Failed stays so: its containers are stopped. Images with the pull
policy Never are taken as present (the mock has no image store). Left out: probes (readiness is a
delay), volumes, resource limits (no OOMKilled), a container's previous log (logs accumulate).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from emulator import messages
from emulator.cluster.mock.controllers import podstatus
from emulator.cluster.mock.controllers.context import KUBELET, Context
from emulator.cluster.mock.controllers.events import NORMAL, WARNING, Source
from emulator.cluster.mock.controllers.manager import Controller
from emulator.cluster.mock.controllers.podstatus import (
    CRASH_LOOP_BACKOFF,
    ERR_IMAGE_PULL,
    IMAGE_PULL_BACKOFF,
    ContainerView,
    Instance,
    PodView,
)
from emulator.cluster.mock.node import container as fake
from emulator.cluster.mock.node.kubelet import (NODE_IP, command_line, runnable,
                                                 start_ephemeral_containers)
from emulator.cluster.mock.node.podlogs import PodLogs
from emulator.cluster.mock.registry.store import WatchEvent

log = logging.getLogger(__name__)

NAME = "kubelet"
# kubelet's image and container back-offs (flowcontrol.NewBackOff(10s, MaxContainerBackOff)).
INITIAL_BACKOFF = 10.0
MAX_BACKOFF = 300.0
# Event texts by minor: the container name moved in 1.32 and left in 1.35.
CREATED_NAMED_MINOR, NAMELESS_MINOR = 32, 35
PULLED_SIZE_MINOR = 30  # "Image size: N bytes." (kubernetes#121719)
FINISHED = ("Succeeded", "Failed")
_NOT_FOUND = re.compile(re.escape(messages.SH_NOT_FOUND).replace(r"\{name\}", ".*"))

PodKey = tuple[str, str]


class Stage(Enum):
    IMAGE = "image"  # make sure the image is there (or wait out the pull back-off)
    PULLING = "pulling"
    CREATING = "creating"  # pulled: create and start after the start delay
    RUNNING = "running"
    EXITED = "exited"  # ended: restart (perhaps after a back-off) or stay done
    DONE = "done"


@dataclass(frozen=True)
class Backoff:
    """One key of kube's flowcontrol.Backoff."""

    seconds: float
    updated: datetime

    def expired(self, at: datetime) -> bool:
        return (at - self.updated).total_seconds() > 2 * MAX_BACKOFF

    def active_since(self, since: datetime, now: datetime) -> bool:
        return not self.expired(since) and (now - since).total_seconds() < self.seconds


def next_backoff(entry: Backoff | None, at: datetime, now: datetime) -> Backoff:
    if entry is None or entry.expired(at):
        return Backoff(INITIAL_BACKOFF, now)
    return Backoff(min(entry.seconds * 2, MAX_BACKOFF), now)


class Process:
    """A container's command on the runtime thread, cancellable from any thread."""

    def __init__(self, uid: str, container: str, attempt: int, lock: threading.Lock) -> None:
        self.uid, self.container, self.attempt = uid, container, attempt
        self.cancelled = False
        self._lock = lock
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def begin(self) -> bool:
        """Called first on the runtime thread: False when cancelled before it began."""
        with self._lock:
            if self.cancelled:
                return False
            self._task, self._loop = asyncio.current_task(), asyncio.get_running_loop()
            return True

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            task, loop = self._task, self._loop
        if task is not None and loop is not None:
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # the runtime stopped: nothing runs any more
                pass


class ProcessLog:
    """The IO of a container's process: no stdin, every output line into the container's log.
    ``sh: NAME: not found`` lines are held back: a process that ends with 127 on one is taken
    for an image's program the fake does not have, and keeps the container running."""

    def __init__(self, logs: PodLogs, key: tuple[str, str, str], process: Process,
                 lock: threading.Lock) -> None:
        self._logs, self._key, self._process, self._lock = logs, key, process, lock
        self._partial = {False: b"", True: b""}
        self.not_found: list[str] = []

    async def read_stdin(self) -> bytes:
        return b""

    async def write_stdout(self, data: bytes) -> None:
        self._take(data, stderr=False)

    async def write_stderr(self, data: bytes) -> None:
        self._take(data, stderr=True)

    def _take(self, data: bytes, *, stderr: bool) -> None:
        *lines, self._partial[stderr] = (self._partial[stderr] + data).split(b"\n")
        for line in lines:
            text = line.decode(errors="replace")
            if stderr and _NOT_FOUND.fullmatch(text):
                self.not_found.append(text)
            else:
                self.write(text)

    def flush(self) -> None:
        for stderr in (False, True):
            rest, self._partial[stderr] = self._partial[stderr], b""
            if rest:
                self.write(rest.decode(errors="replace"))

    def write(self, text: str) -> None:
        with self._lock:  # a stopped container writes nothing more (its pod may be gone)
            if not self._process.cancelled:
                self._logs.append(*self._key, text)


# The kubelet keeps one PodRun for every pod it runs: slots, and only what it reads of a
# container's spec (not the spec itself), keep that small in a cluster of many pods.
@dataclass(slots=True)
class ContainerRun:
    view: ContainerView
    pull_policy: str
    # Command and args (``command_line``); None: the image's own entrypoint, or a container
    # that reads its stdin.
    argv: tuple[str, ...] | None
    field_path: str
    stage: Stage = Stage.IMAGE
    due: datetime | None = None  # when this container next needs the kubelet
    attempts: int = 0
    ready_at: datetime | None = None
    exit_at: datetime | None = None  # when the running instance ends, with which code
    exit_code: int = 0
    crash_backoff: Backoff | None = None
    process: Process | None = None


@dataclass(slots=True)
class PodRun:
    uid: str
    view: PodView
    init: list[ContainerRun]
    containers: list[ContainerRun]
    pull_backoff: dict[str, Backoff] = field(default_factory=dict)  # by image
    terminal: bool = False

    @property
    def every(self) -> list[ContainerRun]:
        return [*self.init, *self.containers]


class Kubelet:
    name = NAME
    watches = (("", "pods"),)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.source = Source(NAME, ctx.node)
        self._pods: dict[PodKey, PodRun] = {}
        self._images: set[str] = set()  # what the node has pulled (normalized references)
        self._armed: dict[PodKey, datetime] = {}
        self._lock = threading.Lock()  # process handles, shared with the runtime thread

    # -- what to sync -------------------------------------------------------------------------

    def keys(self, event: WatchEvent) -> Iterable[PodKey]:
        meta = event.object["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        if event.type == "DELETED":
            run = self._pods.get(key)
            if run is not None and run.uid == meta.get("uid"):
                self._stop_processes(run)
            return [key] if key in self._pods else ()
        if (event.object.get("spec") or {}).get("nodeName") != self.ctx.node:
            return ()
        before = (event.previous or {}).get("metadata") or {}
        if meta.get("deletionTimestamp") and not before.get("deletionTimestamp"):
            self._killing(key, event.object)
        return [key]

    def _killing(self, key: PodKey, pod: dict[str, Any]) -> None:
        """The pod is being deleted: stop its processes and record ``Killing`` for each running
        container now, while the pod still exists (the listener runs inside the write)."""
        run = self._pods.get(key)
        if run is None or run.uid != pod["metadata"].get("uid"):
            return
        self._stop_processes(run)
        namespace = self.ctx.store.get(("", "namespaces"), "", key[0]) or {}
        if (namespace.get("metadata") or {}).get("deletionTimestamp"):
            return  # its namespace is being emptied: an Event now would outlive it
        typed = {"apiVersion": "v1", "kind": "Pod", **pod}
        for c in run.every:
            if c.view.running:
                try:
                    self.ctx.event(typed, self.source, NORMAL, "Killing",
                                   messages.KUBELET_KILLING.format(container=c.view.name),
                                   c.field_path)
                except Exception:  # noqa: BLE001 - never fail the deletion that told us
                    log.exception("kubelet: Killing event for %s/%s", *key)

    # -- syncing one pod ------------------------------------------------------------------------

    def sync(self, key: PodKey) -> None:
        pod = self.ctx.get("", "pods", *key)
        run = self._pods.get(key)
        if run is not None and (pod is None or pod["metadata"].get("uid") != run.uid):
            self._forget(key, run)
            run = None
        if pod is None or (pod.get("spec") or {}).get("nodeName") != self.ctx.node:
            return
        deleting = bool(pod["metadata"].get("deletionTimestamp"))
        if run is None:
            if deleting or not _untouched(pod):
                return  # gone before it started, or a status a scenario wrote: not ours
            run = self._admit(pod)
            self._pods[key] = run
        now = self.ctx.now()
        again = False
        finished = (pod.get("status") or {}).get("phase") in FINISHED
        if deleting or (finished and not run.terminal):
            # Deleted but kept by finalizers, or a client wrote a terminal phase (kube's kubelet
            # never moves a phase back from terminal: it stops the pod's containers instead).
            self._stop_all(run, now)
        elif not run.terminal:
            run.view.readiness_gates = podstatus.readiness_gates(
                (pod.get("spec") or {}).get("readinessGates") or [],
                (pod.get("status") or {}).get("conditions") or [])
            again = self._advance(pod, run, now)
        self._write(pod, run, now)
        self._arm(key, run, now)
        if again:  # show this step before taking the next (ErrImagePull, an exit)
            self.ctx.enqueue(NAME, key)

    def _admit(self, pod: dict[str, Any]) -> PodRun:
        spec = pod.get("spec") or {}
        pod_ip = NODE_IP if spec.get("hostNetwork") else self.ctx.pod_ip()
        view = PodView(host_ip=NODE_IP, pod_ip=pod_ip, start_time=self.ctx.now(),
                       restart_policy=spec.get("restartPolicy") or "Always")
        init = [self._container(c, "initContainers", init=True)
                for c in spec.get("initContainers") or [] if isinstance(c, dict)]
        containers = [self._container(c, "containers")
                      for c in spec.get("containers") or [] if isinstance(c, dict)]
        view.init, view.containers = [c.view for c in init], [c.view for c in containers]
        return PodRun(pod["metadata"].get("uid", ""), view, init, containers)

    @staticmethod
    def _container(spec: dict[str, Any], section: str, *, init: bool = False) -> ContainerRun:
        # Names, images and policies recur across pods: one copy of each.
        name = sys.intern(str(spec.get("name", "")))
        view = ContainerView(name=name, image=sys.intern(str(spec.get("image", ""))), init=init,
                             sidecar=init and spec.get("restartPolicy") == "Always")
        argv = command_line(spec)
        # A container's command, args and pull policy never change (kube rejects the update).
        return ContainerRun(view, sys.intern(str(spec.get("imagePullPolicy") or "IfNotPresent")),
                            None if argv is None else tuple(argv), f"spec.{section}{{{name}}}")

    def _advance(self, pod: dict[str, Any], run: PodRun, now: datetime) -> bool:
        """Take every step that is due; True when a step wants to be seen before the next."""
        again = False
        for c in run.init:
            again |= self._step(pod, run, c, now)
            if c.view.sidecar and c.view.current is not None:
                continue  # a sidecar only has to have started
            if not (c.stage is Stage.DONE and c.view.current is not None
                    and c.view.current.exit_code == 0):
                return again  # the next init container waits for this one
        for c in run.containers:
            again |= self._step(pod, run, c, now)
        return again

    def _step(self, pod: dict[str, Any], run: PodRun, c: ContainerRun, now: datetime) -> bool:
        rule = self.ctx.settings.rule_for(c.view.image)
        delays = self.ctx.settings.delays
        while True:
            if c.stage is Stage.IMAGE:
                if not self._needs_pull(c):
                    self._event(pod, c, NORMAL, "Pulled", messages.KUBELET_IMAGE_PRESENT.format(
                        image=c.view.image))
                    c.stage, c.due = Stage.CREATING, now + timedelta(seconds=delays.start)
                    continue
                entry = run.pull_backoff.get(c.view.image)
                if entry is not None and entry.active_since(entry.updated, now):
                    self._pull_backoff(pod, c)
                    c.due = entry.updated + timedelta(seconds=entry.seconds)
                    return False
                self._event(pod, c, NORMAL, "Pulling", messages.KUBELET_PULLING.format(
                    image=c.view.image))
                c.stage, c.due = Stage.PULLING, now + timedelta(seconds=delays.pull)
                continue
            if c.stage in (Stage.PULLING, Stage.CREATING) and c.due is not None and now < c.due:
                return False
            if c.stage is Stage.PULLING:
                if rule is not None and rule.pull_fails:
                    self._pull_failed(pod, run, c, now)
                    return True
                self._pulled(pod, c)
                c.stage, c.due = Stage.CREATING, now + timedelta(seconds=delays.start)
                continue
            if c.stage is Stage.CREATING:
                self._create(pod, run, c, now)
                continue
            if c.stage is Stage.RUNNING:
                if c.exit_at is not None and now >= c.exit_at:
                    self._exited(c, c.exit_at, c.exit_code)
                    return True
                probed = not c.view.init or c.view.sidecar  # an init task is never "ready"
                if probed and not c.view.ready and c.ready_at is not None and now >= c.ready_at:
                    c.view.ready = True
                pending = [t for t in (c.exit_at, None if c.view.ready or not probed
                                       else c.ready_at) if t]
                c.due = min(pending) if pending else None
                return False
            if c.stage is Stage.EXITED:
                if not self._restarts(run, c):
                    c.stage, c.due = Stage.DONE, None
                    return False
                assert c.view.current is not None and c.view.current.finished_at is not None
                finished = c.view.current.finished_at
                if c.crash_backoff is not None and c.crash_backoff.active_since(finished, now):
                    self._crash_backoff(pod, c)
                    c.due = finished + timedelta(seconds=c.crash_backoff.seconds)
                    return False
                c.crash_backoff = next_backoff(c.crash_backoff, finished, now)
                c.stage = Stage.IMAGE
                continue
            c.due = None
            return False  # DONE

    # -- the image ------------------------------------------------------------------------------

    def _needs_pull(self, c: ContainerRun) -> bool:
        policy = c.pull_policy
        if policy == "Always":
            return True
        # Never: the mock has no image store to miss from; the image is taken as loaded.
        return policy != "Never" and podstatus.image_reference(c.view.image) not in self._images

    def _pulled(self, pod: dict[str, Any], c: ContainerRun) -> None:
        image = c.view.image
        reference = podstatus.image_reference(image)
        seconds = self.ctx.settings.delays.pull or (
            podstatus.pull_seconds(image) if reference not in self._images
            else 0.2 + podstatus.image_size(image) % 600 / 1000)  # a digest check only
        took = podstatus.go_duration(seconds)
        if self.ctx.registry.minor >= PULLED_SIZE_MINOR:
            text = messages.KUBELET_PULLED_SIZE.format(image=image, pull=took, total=took,
                                                       size=podstatus.image_size(image))
        else:
            text = messages.KUBELET_PULLED.format(image=image, pull=took, total=took)
        self._event(pod, c, NORMAL, "Pulled", text)
        self._images.add(reference)

    def _pull_failed(self, pod: dict[str, Any], run: PodRun, c: ContainerRun,
                     now: datetime) -> None:
        error = messages.KUBELET_IMAGE_NOT_FOUND.format(
            ref=podstatus.image_reference(c.view.image))
        self._event(pod, c, WARNING, "Failed", messages.KUBELET_PULL_FAILED.format(
            image=c.view.image, error=error))
        self._event(pod, c, WARNING, "Failed", messages.KUBELET_ERROR.format(
            reason=ERR_IMAGE_PULL))
        c.view.waiting, c.due = (ERR_IMAGE_PULL, error), None
        run.pull_backoff[c.view.image] = next_backoff(run.pull_backoff.get(c.view.image), now,
                                                      now)
        c.stage = Stage.IMAGE

    def _pull_backoff(self, pod: dict[str, Any], c: ContainerRun) -> None:
        if c.view.waiting is not None and c.view.waiting[0] == IMAGE_PULL_BACKOFF:
            return
        text = messages.KUBELET_PULL_BACKOFF.format(image=c.view.image)
        self._event(pod, c, NORMAL, "BackOff", text)
        self._event(pod, c, WARNING, "Failed", messages.KUBELET_ERROR.format(
            reason=IMAGE_PULL_BACKOFF))
        c.view.waiting = (IMAGE_PULL_BACKOFF, text)

    # -- the container ----------------------------------------------------------------------------

    def _create(self, pod: dict[str, Any], run: PodRun, c: ContainerRun, now: datetime) -> None:
        c.attempts += 1
        if c.view.current is not None:
            c.view.previous, c.view.restarts = c.view.current, c.view.restarts + 1
        c.view.current = Instance(podstatus.container_id(run.uid, c.view.name, c.attempts), now)
        c.view.waiting, c.view.ready = None, False
        minor, name = self.ctx.registry.minor, c.view.name
        if minor >= NAMELESS_MINOR:
            created, started = messages.KUBELET_CREATED_ONLY, messages.KUBELET_STARTED_ONLY
        else:
            template = (messages.KUBELET_CREATED_NAMED if minor >= CREATED_NAMED_MINOR
                        else messages.KUBELET_CREATED)
            created = template.format(container=name)
            started = messages.KUBELET_STARTED.format(container=name)
        self._event(pod, c, NORMAL, "Created", created)
        self._event(pod, c, NORMAL, "Started", started)
        c.stage = Stage.RUNNING
        c.ready_at = now + timedelta(seconds=self.ctx.settings.delays.ready)
        c.exit_at = None
        rule = self.ctx.settings.rule_for(c.view.image)
        if rule is not None and rule.exit_code is not None:
            c.exit_at, c.exit_code = now + timedelta(seconds=rule.runs_for), rule.exit_code
            return
        namespace, pod_name = pod["metadata"].get("namespace", ""), pod["metadata"]["name"]
        argv = None if c.argv is None else list(c.argv)
        if argv is not None:  # only then a sandbox: most containers never need one
            sandbox = self.ctx.sandbox(namespace, pod_name, name)
            if runnable(argv, sandbox):
                self._spawn((namespace, pod_name), run, c, argv, sandbox)
                return
        if c.view.init and not c.view.sidecar:
            # An init container's own program is a task: it runs to completion.
            c.exit_at, c.exit_code = now, 0

    def _spawn(self, key: PodKey, run: PodRun, c: ContainerRun, argv: list[str],
               sandbox: fake.Container) -> None:
        process = Process(run.uid, c.view.name, c.attempts, self._lock)
        output = ProcessLog(self.ctx.logs, (*key, c.view.name), process, self._lock)
        c.process = process

        async def work() -> int | None:
            if not process.begin():
                return None
            try:
                return await fake.execute(argv, sandbox, output)
            finally:
                output.flush()

        self.ctx.run(work, lambda result: self._finished(key, process, output, result))

    def _finished(self, key: PodKey, process: Process, output: ProcessLog,
                  result: object) -> None:
        """A process ended (on the runtime thread, under the cluster's lock)."""
        run = self._pods.get(key)
        c = next((c for c in run.every if c.view.name == process.container), None) if (
            run is not None and run.uid == process.uid) else None
        if c is None or c.process is not process or process.cancelled or result is None:
            return
        c.process = None
        if isinstance(result, BaseException):
            log.error("kubelet: %s/%s %s failed: %r", *key, process.container, result)
            code = 128
        else:
            code = int(result)  # type: ignore[call-overload]
        if code == 127 and output.not_found:
            return  # a program the fake shell lacks: the image's own runs on
        for line in output.not_found:
            output.write(line)
        c.exit_at, c.exit_code = self.ctx.now(), code
        self.ctx.enqueue(NAME, key)

    def _exited(self, c: ContainerRun, at: datetime, code: int) -> None:
        assert c.view.current is not None
        c.view.current.finished_at = max(at, c.view.current.started_at)
        c.view.current.exit_code = code
        c.view.ready, c.exit_at, c.stage, c.due = False, None, Stage.EXITED, None
        if c.process is not None:
            c.process.cancel()
            c.process = None

    def _restarts(self, run: PodRun, c: ContainerRun) -> bool:
        assert c.view.current is not None
        failed = c.view.current.exit_code != 0
        if c.view.sidecar:
            return True
        policy = run.view.restart_policy
        if c.view.init:
            return failed and policy != "Never"
        return policy == "Always" or (policy == "OnFailure" and failed)

    def _crash_backoff(self, pod: dict[str, Any], c: ContainerRun) -> None:
        if c.view.waiting is not None and c.view.waiting[0] == CRASH_LOOP_BACKOFF:
            return
        assert c.crash_backoff is not None
        meta = pod["metadata"]
        who = f"{meta['name']}_{meta.get('namespace', '')}({meta.get('uid', '')})"
        self._event(pod, c, WARNING, "BackOff", messages.KUBELET_BACKOFF_RESTART.format(
            container=c.view.name, pod=who))
        c.view.waiting = (CRASH_LOOP_BACKOFF, messages.KUBELET_CRASH_LOOP.format(
            delay=podstatus.go_duration(c.crash_backoff.seconds), container=c.view.name,
            pod=who))

    # -- stopping --------------------------------------------------------------------------------

    def _stop_processes(self, run: PodRun) -> None:
        for c in run.every:
            if c.process is not None:
                c.process.cancel()

    def _stop_all(self, run: PodRun, now: datetime) -> None:
        """A pod being deleted that finalizers keep, or one a client declared finished: its
        containers are stopped (they exit on SIGTERM) and the pod is terminal."""
        self._stop_processes(run)
        for c in run.every:
            if c.view.running:
                self._exited(c, now, 0)
            if c.stage is not Stage.DONE and c.view.current is not None:
                c.stage, c.view.waiting = Stage.DONE, None
            c.due = None
        run.view.terminating = True

    def _forget(self, key: PodKey, run: PodRun) -> None:
        self._stop_processes(run)
        self._pods.pop(key, None)
        self._armed.pop(key, None)

    # -- writing ------------------------------------------------------------------------------------

    def _write(self, pod: dict[str, Any], run: PodRun, now: datetime) -> None:
        old = pod.get("status") or {}
        status = podstatus.pod_status(run.view, old, now, self.ctx.registry.minor)
        # Ephemeral containers (kubectl debug) start once the pod runs, as the apiserver's
        # pods/ephemeralcontainers handler starts those added later.
        start_ephemeral_containers({**pod, "status": status}, now=now)
        if status["phase"] in FINISHED and not run.terminal:
            run.terminal = True
            self._stop_processes(run)  # a sidecar, say: nothing runs in a finished pod
            for c in run.every:
                c.due = None
        if status == old:
            return
        pod["status"] = status
        self.ctx.update("", "pods", pod, manager=KUBELET, subresource="status")

    def _arm(self, key: PodKey, run: PodRun, now: datetime) -> None:
        """One timer for the pod's next due step (none when nothing is pending)."""
        due = min((c.due for c in run.every if c.due is not None and c.due > now), default=None)
        if due is None:
            return
        armed = self._armed.get(key)
        if armed is None or armed <= now or due < armed:
            self._armed[key] = due
            self.ctx.later((due - now).total_seconds(), NAME, key)

    def _event(self, pod: dict[str, Any], c: ContainerRun, type_: str, reason: str,
               message: str) -> None:
        self.ctx.event(pod, self.source, type_, reason, message, c.field_path)


def _untouched(pod: dict[str, Any]) -> bool:
    """A pod as the apiserver stored it and no kubelet reported on yet: Pending with its QoS
    class (node/kubelet.py pending_pod), perhaps the scheduler's condition. A scenario that seeds
    a status of its own (even ``phase: Pending``) keeps it: the kubelet leaves that pod alone."""
    status = pod.get("status") or {}
    return (status.get("phase") == "Pending" and "qosClass" in status
            and set(status) <= {"phase", "qosClass", "conditions"}
            and all(isinstance(c, dict) and c.get("type") == podstatus.POD_SCHEDULED
                    for c in status.get("conditions") or []))


def controllers(ctx: Context) -> list[Controller]:
    return [Kubelet(ctx)]
