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

    async def chunks() -> AsyncIterator[bytes]:
        first = True
        deadline = loop.time() + timeout_seconds if timeout_seconds else None
        try:
            for obj in initial:
                if matches(obj):
                    yield _line("ADDED", render(obj, first))
                    first = False
            while True:
                remaining = None if deadline is None else deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    return
                try:
                    event: WatchEvent = await asyncio.wait_for(watcher.queue.get(), remaining)
                except TimeoutError:
                    return
                converted = convert(event)
                if converted is None:
                    continue
                kind, obj = converted
                head = _HEADS.get(kind)
                stored = (event.object_json() if head is not None and obj is event.object
                          and obj.get("apiVersion") == api_version
                          and conversion.changes_only_version(obj.get("kind", "")) else None)
                # The stored JSON is the bytes the object encodes to (records.py), shared by
                # every watch: encoding the same object again for each of a hundred watchers was
                # a seventh of the server's work.
                yield (_line(kind, render(obj, first)) if head is None or stored is None
                       else b"".join((head, stored, b"}\n")))
                first = False
        finally:
            store.close_watch(watcher)

    return chunks()


def _line(event_type: str, obj: dict[str, Any]) -> bytes:
    return gojson.encode({"type": event_type, "object": obj})


# What ``_line`` writes before the object, for each event type.
_HEADS = {kind: gojson.encode({"type": kind, "object": {}})[:-4]
          for kind in ("ADDED", "MODIFIED", "DELETED", "BOOKMARK")}
