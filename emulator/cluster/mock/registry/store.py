"""The mock apiserver's object store: objects by resource, a resourceVersion counter, watch events.

Objects are plain JSON dicts, stored and returned as deep copies so callers can never alias stored
state. One lock guards everything because the control API and tests touch the store from other
threads than the server's event loop; watchers are woken on their own loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.cluster.mock.registry.jsoncopy import clone, weigh

# How many past events a watch may resume from, and how much of their objects' JSON the history
# may hold; a watch from an older resourceVersion gets 410 Expired and lists again, as from a
# compacted etcd. The byte budget is what lets the memory of deleted large objects go: without
# it, 2,000 events of 1 MiB ConfigMaps would stay in memory until 2,000 later writes.
HISTORY_LIMIT = 2000
HISTORY_BYTES = 8 * 1024 * 1024

# (group, plural): storage is version-independent, as in etcd.
ResourceKey = tuple[str, str]
ObjectKey = tuple[str, str]  # (namespace or "", name)


@dataclass(frozen=True)
class WatchEvent:
    type: str  # ADDED | MODIFIED | DELETED
    resource: ResourceKey
    object: dict[str, Any]
    resource_version: int
    # The object before this change (MODIFIED only). A selector watch needs it: an object that
    # stops matching is a DELETED for that watch, one that starts matching an ADDED, as in kube.
    previous: dict[str, Any] | None = None


class TooOldResourceVersion(Exception):
    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"{requested} < {oldest}")
        self.requested = requested
        self.oldest = oldest


class Watcher:
    """One open watch: a queue fed from whatever thread changes the store."""

    def __init__(self, resource: ResourceKey, namespace: str | None,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.resource = resource
        self.namespace = namespace
        self.loop = loop
        self.queue: asyncio.Queue[WatchEvent] = asyncio.Queue()

    def wants(self, event: WatchEvent) -> bool:
        if event.resource != self.resource:
            return False
        if self.namespace is None:
            return True
        return event.object.get("metadata", {}).get("namespace") == self.namespace

    def offer(self, event: WatchEvent) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, event)


class ObjectStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._objects: dict[ResourceKey, dict[ObjectKey, dict[str, Any]]] = {}
        self._rv = 0
        self._history: deque[tuple[WatchEvent, int]] = deque()  # each with its weight
        self._history_bytes = 0
        self._history_limits = (HISTORY_LIMIT, HISTORY_BYTES)
        self._watchers: list[Watcher] = []
        self._listeners: list[Callable[[WatchEvent], None]] = []

    # -- reads ---------------------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        with self._lock:
            return self._rv

    def get(self, resource: ResourceKey, namespace: str, name: str) -> dict[str, Any] | None:
        with self._lock:
            obj = self._objects.get(resource, {}).get((namespace, name))
            return clone(obj) if obj is not None else None

    def list(self, resource: ResourceKey, namespace: str | None) -> tuple[list[dict[str, Any]], int]:
        """Objects sorted by (namespace, name), as etcd's key order gives, and the list's RV."""
        with self._lock:
            items = [clone(o) for (ns, _), o in self._objects.get(resource, {}).items()
                     if namespace is None or ns == namespace]
            items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
            return items, self._rv

    def select(self, resource: ResourceKey,
               wanted: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """Copies of only the objects ``wanted`` accepts (it sees the stored ones: read only)."""
        with self._lock:
            return [clone(o) for o in self._objects.get(resource, {}).values() if wanted(o)]

    def namespaces_in_use(self, namespace: str) -> list[tuple[ResourceKey, str]]:
        with self._lock:
            return [(res, name) for res, objs in self._objects.items()
                    for (ns, name) in objs if ns == namespace]

    # -- writes --------------------------------------------------------------------------------

    def put(self, resource: ResourceKey, obj: dict[str, Any], *, event: str) -> dict[str, Any]:
        """Store ``obj`` (already validated) under a new resourceVersion and emit ``event``."""
        with self._lock:
            self._rv += 1
            stored = clone(obj)
            stored["metadata"]["resourceVersion"] = str(self._rv)
            meta = stored["metadata"]
            objects = self._objects.setdefault(resource, {})
            object_key = (meta.get("namespace", ""), meta["name"])
            previous = objects.get(object_key)
            objects[object_key] = stored
            self._emit(WatchEvent(event, resource, clone(stored), self._rv,
                                  clone(previous) if previous is not None else None))
            return clone(stored)

    def remove(self, resource: ResourceKey, namespace: str, name: str) -> dict[str, Any] | None:
        with self._lock:
            obj = self._objects.get(resource, {}).pop((namespace, name), None)
            if obj is None:
                return None
            # A delete is itself a change: the DELETED event carries a new resourceVersion.
            self._rv += 1
            obj["metadata"]["resourceVersion"] = str(self._rv)
            self._emit(WatchEvent("DELETED", resource, clone(obj), self._rv))
            return clone(obj)

    def _emit(self, event: WatchEvent) -> None:
        self._remember(event)
        for watcher in list(self._watchers):
            if watcher.wants(event):
                try:
                    watcher.offer(event)
                except RuntimeError:
                    # Its event loop is closed: a watch whose stream was never read (so its
                    # generator never ran the ``finally`` that unregisters it). Offering to it
                    # used to raise out of every later write as a 500.
                    self._watchers.remove(watcher)
        for listener in self._listeners:
            listener(event)

    def _remember(self, event: WatchEvent) -> None:
        """Keep ``event`` for watches that resume, within both limits (the newest event stays
        whatever it weighs, so a resume from the current resourceVersion always works)."""
        weight = weigh(event.object) + (weigh(event.previous) if event.previous else 0)
        self._history.append((event, weight))
        self._history_bytes += weight
        count, budget = self._history_limits
        while len(self._history) > 1 and (len(self._history) > count
                                          or self._history_bytes > budget):
            _, dropped = self._history.popleft()
            self._history_bytes -= dropped

    # -- watch ---------------------------------------------------------------------------------

    def open_watch(self, resource: ResourceKey, namespace: str | None, since: int | None,
                   loop: asyncio.AbstractEventLoop) -> Watcher:
        """Register a watcher; with ``since``, replay the history after that resourceVersion.

        ``since=None`` means "from now" (the caller sends the current state itself).
        """
        with self._lock:
            watcher = Watcher(resource, namespace, loop)
            if since is not None and since < self._rv:
                oldest = self._history[0][0].resource_version if self._history else self._rv + 1
                if since + 1 < oldest:
                    raise TooOldResourceVersion(since, oldest)
                for event, _ in self._history:
                    if event.resource_version > since and watcher.wants(event):
                        watcher.queue.put_nowait(event)
            self._watchers.append(watcher)
            return watcher

    def close_watch(self, watcher: Watcher) -> None:
        with self._lock:
            if watcher in self._watchers:
                self._watchers.remove(watcher)

    def add_listener(self, listener: Callable[[WatchEvent], None]) -> None:
        """Synchronous observers (the fake kubelet, log bookkeeping), called under the lock."""
        with self._lock:
            self._listeners.append(listener)
