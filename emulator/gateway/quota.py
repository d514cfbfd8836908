"""Stage 5: the gateway's quotas, counted per fleet host project: requests per minute (2,400 by
default, the quotas page) and the ``connectgateway.googleapis.com/active_streams`` slots. A stream
slot is taken when a stream is accepted and given back on every way out."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

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


class RequestRate:
    """A sliding one-minute window of request times per project, on the injectable clock."""

    WINDOW = timedelta(minutes=1)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[datetime]] = {}

    def admit(self, project: str, now: datetime, limit: int) -> bool:
        with self._lock:
            window = self._seen.setdefault(project, deque())
            while window and now - window[0] >= self.WINDOW:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(now)
            return True
