"""A standalone apiserver that keeps chosen requests in flight, and the sockets connected to it:
what the abandoned-request test (tests/contract/test_remote_robustness.py) and the benchmark
(benchmarks/abandon.py) both need to see whether the gateway leaves connections behind."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from emulator.cluster.backend import ClusterRequest, ClusterResponse
from emulator.standalone.server import StandaloneApiserver

# /proc/net/tcp's states for a socket still open: connected, or closed by the peer only.
OPEN_STATES = {"01": "ESTABLISHED", "08": "CLOSE_WAIT"}


class HeldUpstream:
    """The standalone's cluster with every request recorded, and those whose path ``hold``
    picks kept waiting (in flight, no answer headers yet) until ``release``."""

    def __init__(self, standalone: StandaloneApiserver, hold: Callable[[str], bool]) -> None:
        self.requests: list[ClusterRequest] = []
        self._held: list[str] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        cluster = standalone.cluster
        answer = cluster.handle

        async def recorded(request: ClusterRequest) -> ClusterResponse:
            with self._lock:
                self.requests.append(request)
            if hold(request.path):
                if self._release is None:
                    self._loop, self._release = asyncio.get_running_loop(), asyncio.Event()
                with self._lock:
                    self._held.append(request.path)
                await self._release.wait()
            return await answer(request)

        cluster.handle = recorded  # type: ignore[method-assign]

    @property
    def held(self) -> int:
        with self._lock:
            return len(self._held)

    def holds(self, path: str) -> bool:
        with self._lock:
            return path in self._held

    def release(self) -> None:
        if self._loop is not None and self._release is not None:
            self._loop.call_soon_threadsafe(self._release.set)


def open_sockets(port: int) -> Counter[str]:
    """Sockets connected to ``port`` that are still open, by TCP state (Linux's /proc/net)."""
    found: Counter[str] = Counter()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for row in table.read_text().splitlines()[1:]:
            fields = row.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[3] in OPEN_STATES:
                found[OPEN_STATES[fields[3]]] += 1
    return found
