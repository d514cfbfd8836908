"""The mock apiserver's object store: objects by resource in etcd's key order, a resourceVersion
counter, watch events.

Objects are kept as records (``records.py``): their JSON, written once per change, never changed
after. Every read decodes a fresh copy, so callers can never alias stored state, and the watch
history, snapshots and list pages share the records themselves. Each resource keeps its keys
sorted as etcd orders them, (namespace, name): a namespace's objects are one run of that order,
and a page starts right after the key its ``continue`` token names, so a page costs what it holds
(``scan``). One lock guards everything because the control API and tests touch the store from
other threads than the server's event loop; watchers are woken on their own loop.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from emulator.cluster.mock.registry.records import Record, body, freeze, holds, size, thaw

# How many past events a watch may resume from, and how much of their objects' JSON the history
# may hold; a watch from an older resourceVersion gets 410 Expired and lists again, as from a
# compacted etcd. The byte budget is what lets the memory of deleted large objects go: without
# it, 2,000 events of 1 MiB ConfigMaps would stay in memory until 2,000 later writes.
HISTORY_LIMIT = 2000
HISTORY_BYTES = 8 * 1024 * 1024

# (group, plural): storage is version-independent, as in etcd.
ResourceKey = tuple[str, str]
ObjectKey = tuple[str, str]  # (namespace or "", name)

# Kept packed (records.py): Events, which the cluster's components write for every step of every
# pod and clients read little (kube gives them an etcd of their own and an hour's life). They
# were most of what a cluster of many pods held. (events.k8s.io's are these: SHARED_STORAGE.)
PACKED = frozenset({("", "events")})
# The spec fields of a kind that no Table row reads, which its rows decode without
# (records.freeze): a pod's volumes and tolerations, which admission gives every pod.
UNPRINTED: dict[ResourceKey, tuple[str, ...]] = {("", "pods"): ("volumes", "tolerations")}


class WatchEvent:
    """One change. ``object`` (and ``previous``) are decoded when first read, once, and then
    shared by every watch and listener that sees the event: theirs to read, never to change."""

    __slots__ = ("type", "resource", "resource_version", "namespace", "_record", "_object",
                 "_previous_record", "_previous")

    def __init__(self, type: str, resource: ResourceKey,  # noqa: A002 - the event's own word
                 object: dict[str, Any] | None, resource_version: int,  # noqa: A002
                 previous: dict[str, Any] | None = None) -> None:
        self.type = type  # ADDED | MODIFIED | DELETED
        self.resource = resource
        self.resource_version = resource_version
        self._object = object
        # The object before this change (MODIFIED only). A selector watch needs it: an object
        # that stops matching is a DELETED for that watch, one that starts matching an ADDED.
        self._previous = previous
        self._record: Record | None = None
        self._previous_record: Record | None = None
        meta = (object or {}).get("metadata") or {}
        self.namespace = meta.get("namespace", "")

    @classmethod
    def of(cls, change: _Change) -> WatchEvent:
        event_type, resource, record, version, previous, namespace, _ = change
        event = cls.__new__(cls)
        event.type, event.resource, event.resource_version = event_type, resource, version
        event.namespace = namespace
        event._record, event._previous_record = record, previous
        event._object = event._previous = None
        return event

    @property
    def object(self) -> dict[str, Any]:
        if self._object is None and self._record is not None:
            self._object = thaw(self._record)
        assert self._object is not None
        return self._object

    def object_json(self) -> bytes | memoryview | None:
        """``object``'s Go JSON as the store holds it (``records.body``), for a watch that shows
        it as it is; None for an event made from a decoded object."""
        return None if self._record is None else body(self._record)

    @property
    def previous(self) -> dict[str, Any] | None:
        if self._previous is None and self._previous_record is not None:
            self._previous = thaw(self._previous_record)
        return self._previous

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WatchEvent):
            return NotImplemented
        return ((self.type, self.resource, self.resource_version, self.object, self.previous)
                == (other.type, other.resource, other.resource_version, other.object,
                    other.previous))

    __hash__ = None  # type: ignore[assignment] - equal events need not be one object

    def __repr__(self) -> str:
        return (f"WatchEvent({self.type!r}, {self.resource!r}, resource_version="
                f"{self.resource_version})")


# What the history keeps of an event: the records it shares with the store, not decoded copies
# (type, resource, record, resourceVersion, previous record, namespace, weight).
_Change = tuple[str, ResourceKey, Record, int, Record | None, str, int]


def _shared(namespace: Any) -> Any:
    """One copy of each namespace's name for all the keys in it (a decoded object brings its
    own)."""
    return sys.intern(namespace) if type(namespace) is str else namespace


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
        return self.namespace is None or event.namespace == self.namespace


def _deliver(loop: asyncio.AbstractEventLoop, event: WatchEvent, watchers: list[Watcher]) -> None:
    """Queue ``event`` for ``watchers``, which all wait on ``loop``: one callback for them all.
    A change made on the loop's own thread (a request) needs no wake-up through the loop's
    self-pipe, which was a system call per event and watcher. The callbacks of both kinds run in
    the order they were queued, which is the order of the changes (``_emit`` holds the lock)."""
    def put() -> None:
        for watcher in watchers:
            watcher.queue.put_nowait(event)

    if asyncio._get_running_loop() is loop:  # (asyncio's own export: None off any loop)
        loop.call_soon(put)
    else:
        loop.call_soon_threadsafe(put)


class _Bucket:
    """One resource's records by key, and the keys in etcd's order."""

    __slots__ = ("records", "keys")

    def __init__(self, records: dict[ObjectKey, Record] | None = None,
                 keys: list[ObjectKey] | None = None) -> None:
        self.records = records if records is not None else {}
        self.keys = keys if keys is not None else []

    def copy(self) -> _Bucket:
        return _Bucket(dict(self.records), list(self.keys))

    def span(self, namespace: str | None) -> tuple[int, int]:
        """Where ``namespace``'s keys lie in the order (all of them for None)."""
        if namespace is None:
            return 0, len(self.keys)
        # (ns,) sorts before every (ns, name), and (ns + "\0",) after them and before any other
        # namespace that sorts after ns.
        return (bisect_left(self.keys, (namespace,)),
                bisect_left(self.keys, (namespace + "\0",)))


@dataclass(frozen=True)
class Page:
    """Objects of one resource in key order, as ``ObjectStore.scan`` found them."""

    records: list[Record]
    objects: list[dict[str, Any]]  # decoded copies, when the scan decoded (else empty)
    resource_version: int  # the store's, when the page was read
    last: ObjectKey | None  # the key of the last record, when more objects follow it


@dataclass(frozen=True)
class StoreSnapshot:
    """A store's contents at one moment, for a copy that starts from them (a world built once and
    restored for every test). Records are never changed, only replaced, and a store copies a
    resource's index before its first write after a snapshot or a restore, so the snapshot and
    every store restored from it share them."""

    objects: dict[ResourceKey, _Bucket]
    resource_version: int
    history: tuple[_Change, ...]
    history_bytes: int

    @property
    def count(self) -> int:
        """How many objects it holds."""
        return sum(len(bucket.records) for bucket in self.objects.values())


class ObjectStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._buckets: dict[ResourceKey, _Bucket] = {}
        # The buckets this store may change in place; the others are shared with a snapshot.
        self._owned: set[ResourceKey] = set()
        self._rv = 0
        self._history: deque[_Change] = deque()
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
        record = self.record(resource, namespace, name)
        return thaw(record) if record is not None else None

    def record(self, resource: ResourceKey, namespace: str, name: str) -> Record | None:
        """The stored record itself (read only), for callers that answer with its JSON."""
        with self._lock:
            bucket = self._buckets.get(resource)
            return bucket.records.get((namespace, name)) if bucket is not None else None

    def list(self, resource: ResourceKey, namespace: str | None) -> tuple[list[dict[str, Any]], int]:
        """Objects sorted by (namespace, name), as etcd's key order gives, and the list's RV."""
        page = self.scan(resource, namespace, decode=True)
        return page.objects, page.resource_version

    def scan(self, resource: ResourceKey, namespace: str | None, *,
             after: ObjectKey | None = None, limit: int | None = None,
             wanted: Callable[[dict[str, Any]], bool] | None = None,
             decode: bool = False) -> Page:
        """A page of objects in key order: those after the key ``after`` (a continue token's),
        in ``namespace`` (all for None), that ``wanted`` accepts (it sees a decoded copy), at
        most ``limit`` of them. Only the keys from ``after`` to the end of the page are visited,
        and an object is decoded only for ``wanted`` to see, or with ``decode``, which keeps the
        decoded copies in the page."""
        records: list[Record] = []
        objects: list[dict[str, Any]] = []
        with self._lock:
            bucket = self._buckets.get(resource)
            if bucket is None:
                return Page(records, objects, self._rv, None)
            keys, stored = bucket.keys, bucket.records
            start, end = bucket.span(namespace)
            if after is not None:
                start = max(start, bisect_right(keys, after))
            if not decode and wanted is None:  # the usual list: the page is a run of keys
                stop = min(end, start + limit) if limit and limit > 0 else end
                records = [stored[key] for key in keys[start:stop]]
                # A full page names its last key only when more follow it.
                return Page(records, objects, self._rv, keys[stop - 1] if stop < end else None)
            last: ObjectKey | None = None
            for index in range(start, end):
                key = keys[index]
                record = stored[key]
                if decode or wanted is not None:
                    obj = thaw(record)
                    if wanted is not None and not wanted(obj):
                        continue
                if limit and len(records) == limit:  # one more follows the full page
                    return Page(records, objects, self._rv, last)
                records.append(record)
                if decode:
                    objects.append(obj)
                last = key
            return Page(records, objects, self._rv, None)

    def select(self, resource: ResourceKey, wanted: Callable[[dict[str, Any]], bool], *,
               namespace: str | None = None,
               containing: Iterable[bytes] = ()) -> list[dict[str, Any]]:
        """Copies of only the objects ``wanted`` accepts (it sees copies too): all of them in the
        order they were first stored, or those of ``namespace`` in key order. ``containing``:
        bytes the JSON of every object ``wanted`` accepts holds (``records.member``), so that
        the others are passed over without being decoded."""
        needles = tuple(containing)
        with self._lock:
            bucket = self._buckets.get(resource)
            if bucket is None:
                return []
            if namespace is None:
                candidates: Iterable[Record] = bucket.records.values()
            else:
                start, end = bucket.span(namespace)
                candidates = [bucket.records[key] for key in bucket.keys[start:end]]
            found = []
            for record in candidates:
                if needles and not holds(record, needles):
                    continue
                obj = thaw(record)
                if wanted(obj):
                    found.append(obj)
            return found

    def namespaces_in_use(self, namespace: str) -> list[tuple[ResourceKey, str]]:
        with self._lock:
            return [(res, name) for res, bucket in self._buckets.items()
                    for (ns, name) in bucket.records if ns == namespace]

    @property
    def count(self) -> int:
        """How many objects it holds."""
        with self._lock:
            return sum(len(bucket.records) for bucket in self._buckets.values())

    def snapshot(self) -> StoreSnapshot:
        """The objects, resourceVersion and watch history, without watchers or listeners."""
        with self._lock:
            self._owned.clear()  # shared from now on: copied before this store's next write
            return StoreSnapshot(dict(self._buckets), self._rv, tuple(self._history),
                                 self._history_bytes)

    def restore(self, snapshot: StoreSnapshot) -> None:
        """Start from ``snapshot`` (a store no one has written to yet)."""
        with self._lock:
            self._buckets = dict(snapshot.objects)
            self._owned = set()
            self._rv = snapshot.resource_version
            self._history = deque(snapshot.history)
            self._history_bytes = snapshot.history_bytes

    def replay(self) -> None:
        """Offer every stored object to the listeners as ADDED, in key order. Nothing changes:
        no new resourceVersion, no history, no watcher sees it. It is how the controllers of a
        cluster restored from a snapshot learn what it holds, as a restarted controller manager
        relearns etcd from its informers' first list."""
        with self._lock:
            for resource, bucket in list(self._buckets.items()):
                for object_key in bucket.keys:
                    record = bucket.records[object_key]
                    event = WatchEvent.of(("ADDED", resource, record, self._rv, None,
                                           object_key[0], 0))
                    for listener in self._listeners:
                        listener(event)

    # -- writes --------------------------------------------------------------------------------

    def put(self, resource: ResourceKey, obj: dict[str, Any], *, event: str) -> dict[str, Any]:
        """Store ``obj`` (already validated) under a new resourceVersion and emit ``event``."""
        with self._lock:
            self._rv += 1
            meta = obj["metadata"]
            record = freeze({**obj, "metadata": {**meta, "resourceVersion": str(self._rv)}},
                            packed=resource in PACKED, unprinted=UNPRINTED.get(resource, ()))
            bucket = self._writable(resource)
            namespace = _shared(meta.get("namespace", ""))
            object_key = (namespace, meta["name"])
            previous = bucket.records.get(object_key)
            if previous is None:
                insort(bucket.keys, object_key)
            bucket.records[object_key] = record
            self._emit((event, resource, record, self._rv, previous, namespace,
                        size(record) + (size(previous) if previous is not None else 0)))
            return thaw(record)

    def remove(self, resource: ResourceKey, namespace: str, name: str) -> dict[str, Any] | None:
        with self._lock:
            bucket = self._buckets.get(resource)
            object_key = (namespace, name)
            if bucket is None or object_key not in bucket.records:
                return None
            bucket = self._writable(resource)
            stored = bucket.records.pop(object_key)
            del bucket.keys[bisect_left(bucket.keys, object_key)]
            # A delete is itself a change: the DELETED event carries a new resourceVersion.
            self._rv += 1
            obj = thaw(stored)
            obj["metadata"]["resourceVersion"] = str(self._rv)
            record = freeze(obj, packed=resource in PACKED)
            self._emit(("DELETED", resource, record, self._rv, None,
                        obj["metadata"].get("namespace", ""), size(record)))
            return obj

    def _writable(self, resource: ResourceKey) -> _Bucket:
        """``resource``'s bucket, this store's own to change (copied if a snapshot shares it)."""
        bucket = self._buckets.get(resource)
        if bucket is None:
            bucket = self._buckets[resource] = _Bucket()
        elif resource not in self._owned:
            bucket = self._buckets[resource] = bucket.copy()
        self._owned.add(resource)
        return bucket

    def _emit(self, change: _Change) -> None:
        self._remember(change)
        event = WatchEvent.of(change)
        by_loop: dict[asyncio.AbstractEventLoop, list[Watcher]] = {}
        for watcher in self._watchers:
            if watcher.wants(event):
                by_loop.setdefault(watcher.loop, []).append(watcher)
        for loop, watchers in by_loop.items():
            try:
                _deliver(loop, event, watchers)
            except RuntimeError:
                # Its event loop is closed: watches whose stream was never read (so their
                # generators never ran the ``finally`` that unregisters them). Offering to them
                # used to raise out of every later write as a 500.
                for watcher in watchers:
                    self._watchers.remove(watcher)
        for listener in self._listeners:
            listener(event)

    def _remember(self, change: _Change) -> None:
        """Keep ``change`` for watches that resume, within both limits (the newest event stays
        whatever it weighs, so a resume from the current resourceVersion always works)."""
        self._history.append(change)
        self._history_bytes += change[-1]
        count, budget = self._history_limits
        while len(self._history) > 1 and (len(self._history) > count
                                          or self._history_bytes > budget):
            self._history_bytes -= self._history.popleft()[-1]

    # -- watch ---------------------------------------------------------------------------------

    def open_watch(self, resource: ResourceKey, namespace: str | None, since: int | None,
                   loop: asyncio.AbstractEventLoop) -> Watcher:
        """Register a watcher; with ``since``, replay the history after that resourceVersion.

        ``since=None`` means "from now" (the caller sends the current state itself).
        """
        with self._lock:
            watcher = Watcher(resource, namespace, loop)
            if since is not None and since < self._rv:
                oldest = self._history[0][3] if self._history else self._rv + 1
                if since + 1 < oldest:
                    raise TooOldResourceVersion(since, oldest)
                for change in self._history:
                    if change[3] > since:
                        event = WatchEvent.of(change)
                        if watcher.wants(event):
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
