"""One context manager that pauses Python's cyclic garbage collector around an allocation burst.

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
