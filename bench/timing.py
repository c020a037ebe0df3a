"""How the benchmarks time a run: each is repeated, and the fastest (the least disturbed by other work
on the machine) or the median is reported."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def run_times(repeat: int, run: Callable[[], object]) -> list[float]:
    """Wall-clock seconds of each of ``repeat`` calls of ``run``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs."""
    return min(run_times(repeat, run))


def median_of(repeat: int, run: Callable[[], object]) -> float:
    """The median of ``repeat`` runs."""
    return statistics.median(run_times(repeat, run))
