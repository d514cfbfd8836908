"""Stage 5: the ``connectgateway.googleapis.com/active_streams`` quota, counted per fleet host
project. A slot is taken when a stream is accepted and given back on every way out."""

from __future__ import annotations

import threading

DEFAULT_ACTIVE_STREAMS = 10  # the product page: 10 per fleet host project


class StreamQuota:
    def __init__(self, limit: int = DEFAULT_ACTIVE_STREAMS) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._active: dict[str, int] = {}

    def acquire(self, project: str) -> int | None:
        """Take a slot: the count including this stream, or None when the quota is exhausted."""
        with self._lock:
            count = self._active.get(project, 0)
            if count >= self.limit:
                return None
            self._active[project] = count + 1
            return count + 1

    def release(self, project: str) -> None:
        with self._lock:
            count = self._active.get(project, 0)
            if count <= 1:
                self._active.pop(project, None)
            else:
                self._active[project] = count - 1

    def active(self, project: str) -> int:
        with self._lock:
            return self._active.get(project, 0)
