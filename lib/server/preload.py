"""Imported once by the workers' forkserver, so every worker starts with the engine and its heavy
libraries (pymupdf, numpy, the document parsers) already loaded: a replacement worker after a
cancel or a kill then runs its first job without seconds of imports.

Any import failure is swallowed here (the forkserver would die otherwise); the job that needs
the module then fails with the import's message instead.
"""

from __future__ import annotations

import importlib

MODULES = (
    "lib.server.tasks",
    "lib.engine",
    "lib.engine.documents",
    "lib.engine.documents.pdf",
    "lib.engine.documents.text",
    "lib.engine.documents.tables",
    "lib.engine.documents.sheets",
    "lib.engine.documents.office",
    "lib.engine.documents.html",
    "lib.engine.documents.images",
    "lib.engine.propose",
)

for _name in MODULES:
    try:
        importlib.import_module(_name)
    except Exception:  # noqa: BLE001 - see the module docstring
        pass
