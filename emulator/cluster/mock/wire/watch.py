"""``?watch=true``: newline-delimited watch events in a chunked body, as kube-apiserver streams them.

Without a resourceVersion (or with "0") the watch starts with an ADDED event per existing object;
with one, it replays what changed after it, or fails with 410 Expired when that is too old.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from emulator import messages
from emulator.cluster.mock.registry import conversion, selectors
from emulator.cluster.mock.wire import gojson
from emulator.cluster.mock.registry.jsoncopy import clone
from emulator.cluster.mock.wire.status import KubeError
from emulator.cluster.mock.registry.store import ObjectStore, TooOldResourceVersion, WatchEvent

# A chunk of queued events is cut once it holds this much (a watch that starts with a list of
# 10,000 pods is written in pieces, not as one 18 MB chunk).
WRITE_BYTES = 64 * 1024
# Renders one object for the wire (as itself, or as a one-row Table); the flag says whether this
# is the first event, which alone carries a Table's column definitions.
Render = Callable[[dict[str, Any], bool], dict[str, Any]]


def open_stream(store: ObjectStore, resource_key: tuple[str, str], namespace: str | None, *,
                resource_version: str | None, timeout_seconds: int | None,
                label: selectors.LabelSelector, field: selectors.FieldSelector,
                render: Render, api_version: str | None = None) -> AsyncIterator[bytes]:
    """Register the watch now (so no change is missed) and return the body's chunks.
    ``api_version``: the objects are shown as themselves in that version (``render`` then only
    converts them to it), so an object already stored in it is written as its stored JSON."""
    loop = asyncio.get_running_loop()
    since: int | None = None
    initial: list[dict[str, Any]] = []
    if resource_version in (None, "", "0"):
        initial, since = store.list(resource_key, namespace)
    else:
        try:
            since = int(resource_version)
        except ValueError:
            raise KubeError(400, messages.K8S_INVALID_INTEGER.format(
                name="resourceVersion", value=resource_version)) from None
    try:
        watcher = store.open_watch(resource_key, namespace, since, loop)
    except TooOldResourceVersion as exc:
        raise KubeError(410, messages.K8S_TOO_OLD_RESOURCE_VERSION.format(
            requested=exc.requested, oldest=exc.oldest), reason="Expired") from None

    def matches(obj: dict[str, Any]) -> bool:
        return label.matches(obj["metadata"].get("labels") or {}) and field.matches(obj)

    def convert(event: WatchEvent) -> tuple[str, dict[str, Any]] | None:
        """The event as this watch's filter sees it (kube's cacheWatcher.convertToWatchEvent).

        Filtering only the new object used to drop the change that moves an object out of a
        selector, so ``kubectl get -l app=x -w`` never saw it leave.
        """
        if event.type != "MODIFIED" or event.previous is None:
            return (event.type, event.object) if matches(event.object) else None
        now, before = matches(event.object), matches(event.previous)
        if now:
            return ("MODIFIED" if before else "ADDED", event.object)
        if before:  # the last state that matched, at the change's resourceVersion
            gone = clone(event.previous)
            gone["metadata"]["resourceVersion"] = str(event.resource_version)
            return ("DELETED", gone)
        return None

    def line(event: WatchEvent, first: bool) -> bytes | None:
        converted = convert(event)
        if converted is None:
            return None
        kind, obj = converted
        head = _HEADS.get(kind)
        stored = (event.object_json() if head is not None and obj is event.object
                  and obj.get("apiVersion") == api_version
                  and conversion.changes_only_version(obj.get("kind", "")) else None)
        # The stored JSON is the bytes the object encodes to (records.py), shared by every
        # watch: encoding the same object again for each of a hundred watchers was a seventh of
        # the server's work.
        return (_line(kind, render(obj, first)) if head is None or stored is None
                else b"".join((head, stored, b"}\n")))

    async def chunks() -> AsyncIterator[bytes]:
        first = True
        deadline = loop.time() + timeout_seconds if timeout_seconds else None
        batch = _Batch()
        try:
            for obj in initial:
                if matches(obj):
                    batch.add(_line("ADDED", render(obj, first)))
                    first = False
                    if batch.full():
                        yield batch.take()
            if batch:
                yield batch.take()
            while True:
                remaining = None if deadline is None else deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    return
                try:
                    event: WatchEvent = await asyncio.wait_for(watcher.queue.get(), remaining)
                except TimeoutError:
                    return
                # What is already queued goes out with it, as kube flushes a watch only once
                # its channel is empty: one write for the pod and the three updates the
                # controllers made of it, not four (and four wake-ups of the response).
                while True:
                    written = line(event, first)
                    if written is not None:
                        batch.add(written)
                        first = False
                    if batch.full() or watcher.queue.empty():
                        break
                    event = watcher.queue.get_nowait()
                if batch:
                    yield batch.take()
        finally:
            store.close_watch(watcher)

    return chunks()


class _Batch:
    """Event lines written as one chunk, up to ``WRITE_BYTES``."""

    def __init__(self) -> None:
        self._lines: list[bytes] = []
        self._size = 0

    def __bool__(self) -> bool:
        return bool(self._lines)

    def add(self, line: bytes) -> None:
        self._lines.append(line)
        self._size += len(line)

    def full(self) -> bool:
        return self._size >= WRITE_BYTES

    def take(self) -> bytes:
        chunk = b"".join(self._lines)
        self._lines, self._size = [], 0
        return chunk


def _line(event_type: str, obj: dict[str, Any]) -> bytes:
    return gojson.encode({"type": event_type, "object": obj})


# What ``_line`` writes before the object, for each event type.
_HEADS = {kind: gojson.encode({"type": kind, "object": {}})[:-4]
          for kind in ("ADDED", "MODIFIED", "DELETED", "BOOKMARK")}
