"""What the benchmark scripts share: the median of repeated measurements."""

from __future__ import annotations

import statistics
from collections.abc import Callable


def median(runs: int, measure: Callable[[], float], warm_up: int = 0) -> float:
    """The median of ``runs`` calls of ``measure``, after ``warm_up`` calls that do not count
    (first connections, caches, a token fetched once)."""
    for _ in range(warm_up):
        measure()
    return statistics.median(measure() for _ in range(runs))
