"""Two context managers for allocation bursts: one pauses Python's cyclic garbage collector around
the burst, the other also freezes what the burst built when it is kept for good.

Parsing a document (a Word and a Box per word) and flattening a large job (hundreds of thousands of
tuples) allocate many small objects that form no cycles, so reference counting frees them. Each burst
still sets off full collections that walk the whole growing heap and find nothing: measured at 2-3x
the parse itself and seconds for a 100,000-row flatten. Imports nothing of ours, so the engine, the
review code and the benchmarks can all share it.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; the previous state is restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def kept_for_the_process() -> Iterator[None]:
    """For data built once and then kept as long as the process runs (a finished job in the app's
    cache): the collector is paused while it is built, then everything alive is moved to the permanent
    generation (``gc.freeze``), so that later collections never walk it again.

    Why: every full collection walks every tracked object. With a 10,000-row job alive, 300,000 small
    allocations took 0.4-1.1 s; with the job frozen, 0.12 s (``bench/results_page.py`` prints both). Freezing
    leaks nothing the job holds when the cache drops it: reference counting frees it, and a job, its
    flattening and its review values form no reference cycles (``tests/review/test_load.py`` checks).
    The young generations are collected first, so fresh cyclic garbage of other threads is not frozen.
    """
    with gc_paused():
        yield
    gc.collect(1)
    gc.freeze()
