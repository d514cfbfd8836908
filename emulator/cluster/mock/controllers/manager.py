"""The cluster's controller manager: a work queue fed by the store's changes, drained at once.

kube's controllers watch the apiserver and reconcile in their own processes, so what they do
happens after the write that caused it. Here every change the store makes enqueues the keys the
controllers care about, and the queue is drained (``settle``) right after the request that
caused it, before its answer goes, and after a seed. A client that writes and then reads sees
what the controllers made of it; a watcher sees each step as its own event, in kube's order.

What takes time (a stage a scenario slows down, a back-off, a container's process, a CronJob's
schedule) is a timer on the emulator's clock, kept by one runtime thread per cluster that starts
on first need and sleeps until the next timer: nothing polls. One re-entrant lock keeps that
thread and the request path from writing at the same time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from emulator.cluster.mock.registry.store import ObjectStore, ResourceKey, WatchEvent
from emulator.cluster.mock.wire.status import KubeError

log = logging.getLogger(__name__)

# How many keys one drain syncs before it hands the rest to the runtime thread: a controller
# that keeps re-enqueueing itself then costs a slow cluster, never a request that never ends.
SETTLE_BUDGET = 20_000
# How long a key waits before a retry after a conflict or a refused write, as client-go's
# rate-limited queue starts (5 ms, doubling) before it caps.
RETRY_SECONDS = 0.005
RETRY_CAP_SECONDS = 5.0
# After this many failures in a row a key is dropped (and logged): the next change to what the
# controller watches enqueues it again. Without a limit a key that can never succeed would
# wake the cluster every few seconds forever.
RETRY_LIMIT = 12


class Controller(Protocol):
    """One of kube's control loops. ``keys`` maps a store change to the keys to sync (its own
    objects, or their owners); ``sync`` makes the world match one key's desired state."""

    name: str
    watches: tuple[ResourceKey, ...]

    def keys(self, event: WatchEvent) -> Iterable[Hashable]: ...

    def sync(self, key: Hashable) -> None: ...


WorkItem = tuple[str, Hashable]  # (controller name, key)


class ControllerManager:
    def __init__(self, store: ObjectStore, now: Callable[[], datetime]) -> None:
        self.lock = threading.RLock()
        self.enabled = True
        self._now = now
        self._controllers: dict[str, Controller] = {}
        self._by_resource: dict[ResourceKey, list[Controller]] = {}
        self._queue: OrderedDict[WorkItem, None] = OrderedDict()
        self._queue_lock = threading.Lock()
        self._timers: list[tuple[datetime, int, WorkItem]] = []
        self._due: dict[WorkItem, datetime] = {}  # the pending timer of each item that has one
        self._order = itertools.count()
        self._failures: dict[WorkItem, int] = {}
        self._runtime: _Runtime | None = None
        # A timer was added or cancelled since the runtime thread last looked at the heap.
        self._timers_changed = False
        store.add_listener(self._observe)

    def register(self, controller: Controller) -> None:
        self._controllers[controller.name] = controller
        for resource in controller.watches:
            self._by_resource.setdefault(resource, []).append(controller)

    # -- feeding the queue ----------------------------------------------------------------------

    def _observe(self, event: WatchEvent) -> None:
        """The store's listener (called under the store's lock, from any thread)."""
        if not self.enabled:
            return
        for controller in self._by_resource.get(event.resource, ()):
            for key in controller.keys(event):
                self.enqueue(controller.name, key)

    def enqueue(self, controller: str, key: Hashable) -> None:
        with self._queue_lock:
            self._queue[(controller, key)] = None

    def after(self, seconds: float, controller: str, key: Hashable) -> None:
        """Sync ``key`` again once ``seconds`` have passed on the emulator's clock."""
        if seconds <= 0:
            self.enqueue(controller, key)
            return
        self.at(controller, key, self._now() + timedelta(seconds=seconds))

    def at(self, controller: str, key: Hashable, due: datetime) -> None:
        """Sync ``key`` at ``due`` on the emulator's clock (absolute: a sync that computed it
        from the ``now`` it read is not pushed back by a clock moved meanwhile). An item has one
        timer at most: one already pending for sooner stands, a later one is replaced."""
        item = (controller, key)
        with self._queue_lock:
            pending = self._due.get(item)
            if pending is not None and self._now() < pending <= due:
                return
            if pending is not None:
                self._drop(item)
            self._due[item] = due
            heapq.heappush(self._timers, (due, next(self._order), item))
            self._timers_changed = True
        # The runtime thread learns of it when the drain that set it ends (``settle``): a
        # timer set and cancelled within one drain (a rollout's deadline, when the rollout
        # completes at once) never starts the thread.

    def cancel(self, controller: str, key: Hashable) -> None:
        """Drop ``key``'s pending timers (what it waited for happened, or cannot any more)."""
        with self._queue_lock:
            if self._due.pop((controller, key), None) is not None:
                self._drop((controller, key))

    def _drop(self, item: WorkItem) -> None:
        """Remove ``item``'s timer from the heap (the caller holds the queue lock)."""
        self._timers = [timer for timer in self._timers if timer[2] != item]
        heapq.heapify(self._timers)
        self._timers_changed = True

    @property
    def pending(self) -> bool:
        return bool(self._queue)

    @property
    def idle(self) -> bool:
        """Nothing queued, nothing timed and no runtime thread: all there is lies in the store."""
        with self._queue_lock:
            return not self._queue and not self._timers and self._runtime is None

    # -- draining -------------------------------------------------------------------------------

    def settle(self) -> None:
        """Sync every queued key (and what those syncs enqueue) until the queue is empty."""
        if not self.enabled:
            return
        with self.lock:
            for _ in range(SETTLE_BUDGET):
                with self._queue_lock:
                    if not self._queue:
                        break
                    item, _ = self._queue.popitem(last=False)
                self._sync(item)
            else:
                self.runtime().soon(self.settle)  # over budget: the rest on the runtime thread
        with self._queue_lock:
            changed, self._timers_changed = self._timers_changed, False
            wanted = changed and (bool(self._timers) or self._runtime is not None)
        if wanted:
            self.runtime().rearm()

    def _sync(self, item: WorkItem) -> None:
        name, key = item
        try:
            self._controllers[name].sync(key)
        except KubeError as err:
            # A conflict (someone wrote first) or a refused write: retry later, backing off,
            # as a controller's rate-limited queue does.
            failures = self._failures.get(item, 0) + 1
            self._failures[item] = failures
            if failures > RETRY_LIMIT:
                log.warning("%s: gave up on %s: %s", name, key, err.message)
                self._failures.pop(item, None)
                return
            log.debug("%s: %s: %s (retry %d)", name, key, err.message, failures)
            self.after(min(RETRY_SECONDS * 2 ** failures, RETRY_CAP_SECONDS), name, key)
            return
        except Exception:  # a bug in a controller: logged, and the cluster goes on serving
            log.exception("controller %s failed on %s", name, key)
            return
        self._failures.pop(item, None)

    def clock_moved(self) -> None:
        """The emulator's clock jumped (the control API advanced it): what is now due happens
        before this returns, in the caller's thread; the runtime thread waits for what is left."""
        if not self.enabled or not (self._runtime is not None or self._timers):
            return
        self._fire_due()
        self.runtime().rearm()

    def _fire_due(self) -> float | None:
        """Enqueue the timers that are due and settle; the seconds until the next one."""
        now = self._now()
        with self._queue_lock:
            while self._timers and self._timers[0][0] <= now:
                _, _, item = heapq.heappop(self._timers)
                self._due.pop(item, None)
                self._queue[item] = None
            wait = ((self._timers[0][0] - now).total_seconds() if self._timers else None)
        self.settle()
        return wait

    # -- the runtime thread ---------------------------------------------------------------------

    def runtime(self) -> _Runtime:
        with self._queue_lock:
            if self._runtime is None:
                self._runtime = _Runtime(self._fire_due)
            return self._runtime

    def run(self, work: Callable[[], Awaitable[object]],
            done: Callable[[object | BaseException], None]) -> None:
        """Run ``work`` (a container's process) on the runtime thread; ``done`` gets its result
        (or the exception it raised) under the cluster's lock, and the queue is settled after."""
        def finished(result: object | BaseException) -> None:
            with self.lock:
                done(result)
            self.settle()
        self.runtime().spawn(work, finished)

    def close(self) -> None:
        """Stop the runtime thread and everything it runs (the world was reset or stopped)."""
        self.enabled = False
        with self._queue_lock:
            runtime, self._runtime = self._runtime, None
            self._timers.clear()
            self._due.clear()
            self._queue.clear()
        if runtime is not None:
            runtime.stop()


class _Runtime:
    """A daemon thread with its own event loop: timers and container processes."""

    def __init__(self, fire_due: Callable[[], float | None]) -> None:
        self._fire_due = fire_due
        self._loop = asyncio.new_event_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="cluster-controllers")
        self._thread.start()

    def rearm(self) -> None:
        self._call(self._tick)

    def soon(self, action: Callable[[], None]) -> None:
        self._call(action)

    def _call(self, action: Callable[[], None]) -> None:
        try:
            self._loop.call_soon_threadsafe(action)
        except RuntimeError:  # stopped: the cluster is gone
            pass

    def _tick(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        wait = self._fire_due()
        if wait is not None:
            # At least 1 ms, so that a clock that does not move (a test's FakeClock) waits
            # for the next advance instead of spinning.
            self._timer = self._loop.call_later(max(wait, 0.001), self._tick)

    def spawn(self, work: Callable[[], Awaitable[object]],
              done: Callable[[object | BaseException], None]) -> None:
        async def running() -> object:
            try:
                result: object | BaseException = await work()
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001 - handed to ``done``, which decides
                result = err
            done(result)
            return result

        def start() -> None:
            task = self._loop.create_task(running())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._call(start)

    def stop(self) -> None:
        def halt() -> None:
            for task in list(self._tasks):
                task.cancel()
            self._loop.call_soon(self._loop.stop)
        self._call(halt)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)
