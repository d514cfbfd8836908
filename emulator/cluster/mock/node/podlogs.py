"""Container logs of the mock's pods: lines a scenario seeds or the emulator writes (the Connect
Agent's log lives here too), served like the kubelet serves them, including ``follow``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from emulator import messages
from emulator.cluster.mock.node import streams
from emulator.cluster.mock.query import Query
from emulator.cluster.mock.wire.status import KubeError

LogKey = tuple[str, str, str]  # namespace, pod, container
DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


@dataclass(frozen=True)
class LogLine:
    time: datetime
    text: str


@dataclass(frozen=True)
class LogOptions:
    container: str
    follow: bool
    tail: int | None
    timestamps: bool
    since: datetime | None
    limit_bytes: int | None


class PodLogs:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._lines: dict[LogKey, list[LogLine]] = {}
        self._closed: set[LogKey] = set()
        self._followers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def append(self, namespace: str, pod: str, container: str, text: str) -> None:
        with self._lock:
            for line in text.splitlines() or [""]:
                self._lines.setdefault((namespace, pod, container), []).append(
                    LogLine(self._now(), line))
            self._wake()

    def copy_from(self, other: PodLogs) -> None:
        """Start with ``other``'s lines (a cluster restored from another's snapshot); lines are
        frozen, so only the lists are copied."""
        with other._lock:  # noqa: SLF001 - the same class
            lines = {log_key: list(kept) for log_key, kept in other._lines.items()}  # noqa: SLF001
            closed = set(other._closed)  # noqa: SLF001
        with self._lock:
            self._lines, self._closed = lines, closed

    def forget_pod(self, namespace: str, pod: str) -> None:
        """The pod is gone: drop its logs and end every follow on it."""
        with self._lock:
            for log_key in [k for k in self._lines if k[:2] == (namespace, pod)]:
                del self._lines[log_key]
            self._closed.add((namespace, pod, ""))
            self._wake()

    def reopen_pod(self, namespace: str, pod: str) -> None:
        with self._lock:
            self._closed.discard((namespace, pod, ""))

    def _wake(self) -> None:
        for entry in list(self._followers):
            loop, event = entry
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # its loop is closed: a follow whose stream was never read
                self._followers.remove(entry)

    def _snapshot(self, log_key: LogKey) -> tuple[list[LogLine], bool]:
        with self._lock:
            return list(self._lines.get(log_key, [])), (log_key[0], log_key[1], "") in self._closed

    def options(self, pod: dict[str, Any], query: Query) -> LogOptions:
        # Any container of the pod has a log, an ephemeral (kubectl debug) one too; without a
        # name, only a pod of one regular container has a default.
        containers = [c.get("name", "") for c in pod.get("spec", {}).get("containers", [])]
        every = [c.get("name", "") for c in streams.container_specs(pod)]
        name = pod["metadata"]["name"]
        container = query.get("container") or pod["metadata"].get("annotations", {}).get(
            DEFAULT_CONTAINER_ANNOTATION)
        if not container:
            if len(containers) != 1:
                raise KubeError(400, messages.K8S_CONTAINER_REQUIRED.format(
                    pod=name, choices=" ".join(containers)))
            container = containers[0]
        if container not in every:
            raise KubeError(400, messages.K8S_CONTAINER_NOT_FOUND.format(container=container, pod=name))
        if query.flag("previous"):
            raise KubeError(400, messages.K8S_PREVIOUS_TERMINATED.format(container=container, pod=name))
        since: datetime | None = None
        since_seconds = query.int("sinceSeconds")
        limit_bytes = query.int("limitBytes")
        if since_seconds is not None and query.get("sinceTime"):
            raise KubeError(400, messages.K8S_LOG_SINCE_EXCLUSIVE)
        for option, value in (("sinceSeconds", since_seconds), ("limitBytes", limit_bytes)):
            if value == 0:
                raise KubeError(400, messages.K8S_INVALID_LOG_OPTION.format(
                    name=option, value=value, detail=messages.K8S_MUST_BE_POSITIVE))
        if since_seconds is not None:
            since = _seconds_before(self._now(), since_seconds)
        if query.get("sinceTime"):
            try:
                since = datetime.fromisoformat(query.get("sinceTime", "").replace("Z", "+00:00"))
                if since.tzinfo is None:
                    # RFC 3339 requires an offset; a naive time used to reach the comparison
                    # with the lines' aware times and fail there as a 500.
                    raise ValueError("no time zone offset")
            except ValueError:
                raise KubeError(400, messages.K8S_INVALID_LOG_OPTION.format(
                    name="sinceTime", value=query.get("sinceTime"), detail="not RFC 3339")) from None
        return LogOptions(container, query.flag("follow"), query.int("tailLines"),
                          query.flag("timestamps"), since, limit_bytes)

    def read(self, namespace: str, pod: str, opts: LogOptions) -> bytes:
        lines, _ = self._snapshot((namespace, pod, opts.container))
        return _render(_select(lines, opts), opts)[: opts.limit_bytes]

    def follow(self, namespace: str, pod: str, opts: LogOptions) -> AsyncIterator[bytes]:
        """Take the snapshot and register for new lines now, at request time.

        Both used to happen at the stream's first read, so a line written in between counted as
        history (``--tail=0`` or ``--since`` dropped it) instead of as a new line.
        """
        log_key = (namespace, pod, opts.container)
        event = asyncio.Event()
        entry = (asyncio.get_running_loop(), event)
        with self._lock:
            self._followers.append(entry)
        lines, closed = self._snapshot(log_key)
        return self._follow(log_key, opts, entry, lines, closed)

    async def _follow(self, log_key: LogKey, opts: LogOptions,
                      entry: tuple[asyncio.AbstractEventLoop, asyncio.Event],
                      lines: list[LogLine], closed: bool) -> AsyncIterator[bytes]:
        event = entry[1]
        sent_bytes = 0
        try:
            selected = _select(lines, opts)
            seen = len(lines)
            while True:
                chunk = _render(selected, opts)
                if opts.limit_bytes is not None:
                    chunk = chunk[: max(0, opts.limit_bytes - sent_bytes)]
                if chunk:
                    sent_bytes += len(chunk)
                    yield chunk
                if closed or (opts.limit_bytes is not None and sent_bytes >= opts.limit_bytes):
                    return
                await event.wait()
                event.clear()
                lines, closed = self._snapshot(log_key)
                selected, seen = lines[seen:], len(lines)
        finally:
            with self._lock:
                if entry in self._followers:  # _wake may have dropped it
                    self._followers.remove(entry)


def _seconds_before(now: datetime, seconds: int) -> datetime | None:
    """``sinceSeconds`` as a time; None (every line) when it reaches back past the year 1.
    kube checks only that it is at least 1, and the kubelet's arithmetic wraps around for such
    values; every line is the useful reading of "since longer ago than anything"."""
    try:
        return now - timedelta(seconds=seconds)
    except OverflowError:
        return None


def _select(lines: list[LogLine], opts: LogOptions) -> list[LogLine]:
    if opts.since is not None:
        lines = [line for line in lines if line.time >= opts.since]
    if opts.tail is not None:
        lines = lines[-opts.tail:] if opts.tail else []
    return lines


def _render(lines: list[LogLine], opts: LogOptions) -> bytes:
    if opts.timestamps:
        return "".join(
            f"{line.time.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}000Z {line.text}\n"
            for line in lines).encode()
    return "".join(f"{line.text}\n" for line in lines).encode()
