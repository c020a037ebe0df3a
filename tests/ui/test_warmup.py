"""The background warm-up: every module it names exists (a rename would otherwise only print a
traceback from a daemon thread), and it starts once per process however often the shell calls it."""

from __future__ import annotations

import sys
import threading

from lib.ui import warmup


def test_the_warm_up_imports_every_module_it_names() -> None:
    warmup._warm_up()
    assert all(name in sys.modules for name in warmup.MODULES)


def test_the_warm_up_thread_starts_once(monkeypatch) -> None:
    monkeypatch.setattr(warmup, "_started", threading.Event())
    started: list[str] = []
    monkeypatch.setattr(warmup, "_warm_up", lambda: started.append(threading.current_thread().name))
    for _ in range(3):
        warmup.warm_up_in_background()
    for thread in threading.enumerate():
        if thread.name == "studio-warm-up":
            thread.join(timeout=30)
    assert started == ["studio-warm-up"]
