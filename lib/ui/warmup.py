"""Warm the app process once, in the background, right after it serves its first page.

The pages import pandas, pyarrow and the review code, and pandas' Styler compiles its HTML templates
on first use: about 0.6-0.7 s here (``python -X importtime``, after the shell's own imports) that the first page of a large job would otherwise wait for after each
start of the app. A daemon thread does it while the person reads the Home page; a page that needs a module
sooner just waits for the import lock, so nothing is loaded twice.
"""

from __future__ import annotations

import importlib
import threading

MODULES = (
    "pandas",
    "lib.review.load",
    "lib.review.cells",
    "lib.review.compare",
    "lib.review.progress",
    "lib.review.submissions",
    "lib.ui.confidence",
    "lib.ui.page_image",
    "lib.ui.review",
    "lib.ui.job_table",
)

_started = threading.Event()
_lock = threading.Lock()


def warm_up_in_background() -> None:
    """Start the warm-up thread, once per process (later calls return at once)."""
    with _lock:
        if _started.is_set():
            return
        _started.set()
    threading.Thread(target=_warm_up, name="studio-warm-up", daemon=True).start()


def _warm_up() -> None:
    for name in MODULES:
        importlib.import_module(name)
    import pandas as pd

    pd.DataFrame({"value": [1.0]}).style.map(lambda _: "").to_html()
