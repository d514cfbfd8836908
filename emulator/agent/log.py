"""The Connect Agent's log: what ``kubectl logs -n gke-connect -l app=gke-connect-agent`` shows.

Lines are kept for the control API and, when the agent runs in a mock cluster, written to the
agent pod's container log as well, which is where the product page tells users to look.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from emulator.clock import rfc3339

LINES_KEPT = 5_000


class AgentLog:
    def __init__(self, now: Callable[[], datetime],
                 sink: Callable[[str], None] | None = None) -> None:
        self._now = now
        self._sink = sink
        self._lock = threading.Lock()
        self._lines: list[str] = []

    def write(self, level: str, message: str) -> None:
        line = f"{rfc3339(self._now())}\t{level}\t{message}"
        with self._lock:
            self._lines.append(line)
            del self._lines[:-LINES_KEPT]
        if self._sink is not None:
            self._sink(line)

    def info(self, message: str) -> None:
        self.write("INFO", message)

    def error(self, message: str) -> None:
        self.write("ERROR", message)

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)
