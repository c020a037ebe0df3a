"""What a worker process does with one task: call the engine, and return plain picklable data.

Runs only inside worker processes (see ``workers.py``), never in the API process, so a document
that hangs the parser or exhausts memory costs one killed worker, not the server. Every outcome
is ``("ok", value)`` or ``("error", message)``; an engine error's message is the job's
``error_message`` as the engine wrote it, anything else is reported as an internal error with
its type, so a FAILED job always says something.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any

Outcome = tuple[str, Any]


def run_task(task: dict[str, Any]) -> Outcome:
    """Dispatch one task by its ``kind``; never raises."""
    from lib.engine.errors import EngineError

    handlers = {"extract": _extract, "parse": _parse, "propose": _propose}
    try:
        return "ok", handlers[task["kind"]](task)
    except EngineError as error:
        return "error", str(error)
    except MemoryError:
        return "error", "The document needed more memory than this worker may use; try fewer pages (max_pages)."
    except RecursionError:
        return "error", "The document is nested too deeply to read."
    except Exception as error:  # the job fails with a message; the worker lives on
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return "error", f"Internal error in the local engine ({detail}). The document may be unusual; please report it."


def _read(task: dict[str, Any]) -> bytes:
    return Path(task["file_path"]).read_bytes()


def _extract(task: dict[str, Any]) -> dict[str, Any]:
    from lib.engine import extract_file
    from lib.engine.documents.model import Document

    document = None
    if task.get("parse_path"):
        stored = json.loads(Path(task["parse_path"]).read_text(encoding="utf-8"))
        document = Document.from_dict(stored["document"])
    output = extract_file(_read(task), task["filename"], task["configuration"], document=document)
    return {
        "extract_result": output.extract_result,
        "extract_metadata": output.extract_metadata,
        "usage": output.usage,
    }


def _parse(task: dict[str, Any]) -> dict[str, Any]:
    from lib.engine.documents import load_document, page_markdown

    options = task.get("options") or {}
    document = load_document(
        _read(task), task["filename"], target_pages=options.get("target_pages"), max_pages=options.get("max_pages")
    )
    pages = [{"page_number": page.number, "text": page.text, "markdown": page_markdown(page)} for page in document.pages]
    return {"document": document.to_dict(), "pages": pages}


def _propose(task: dict[str, Any]) -> dict[str, Any]:
    from lib.engine.documents import load_document
    from lib.engine.propose import propose_schema

    document = load_document(_read(task), task["filename"], max_pages=task.get("max_pages"))
    return propose_schema(document)
