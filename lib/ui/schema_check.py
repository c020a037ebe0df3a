"""The three checks of the working schema, in order: JSON syntax, JSON Schema, then the backend's rules.

The backend's check (``/schema/validation``) is one HTTP call; it runs only once the text passes the local
checks and only when the schema changed, and its answer is kept per backend and schema.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

import streamlit as st

from lib import schemas
from lib.client import ApiError, BadRequestError, ConnectionFailedError, ValidationError
from lib.schemas import Checked, Problem
from lib.ui.connection import backend_answers, current_backend, current_client

_CACHE = "_schema_server_check"
_POINTER = re.compile(r"\(at (/[^)]*)\)")


@dataclass(frozen=True)
class Verdict:
    """What the checks say: the usable schema (None if any check failed), the schema as far as the local
    checks go (what the builder edits, even when the backend objects), the problems, and a note when the
    backend could not be asked."""

    schema: Optional[dict[str, Any]]
    local: Optional[dict[str, Any]]
    problems: list[Problem]
    unchecked: Optional[str] = None


def server_check(schema: dict[str, Any]) -> tuple[Optional[Problem], Optional[str]]:
    """(the backend's objection, or None; a note when the backend could not be reached)."""
    backend = current_backend()
    if not backend_answers():
        return None, f"{backend.label} at {backend.base_url} does not answer, so only the local checks ran."
    canonical = json.dumps(schema, sort_keys=True)
    cached = st.session_state.get(_CACHE)
    if cached and cached[0] == (backend.id, canonical):
        return cached[1]
    try:
        current_client().validate_schema(schema)
        answer: tuple[Optional[Problem], Optional[str]] = (None, None)
    except (BadRequestError, ValidationError) as exc:
        answer = (Problem("server", f"The backend rejects this schema: {exc}", path=_pointer_in(str(exc))), None)
    except (ConnectionFailedError, ApiError) as exc:
        return None, f"The backend could not check the schema ({exc}); the local checks passed."
    st.session_state[_CACHE] = ((backend.id, canonical), answer)
    return answer


def _pointer_in(message: str) -> str:
    """The JSON pointer a backend's message names, as our local server writes it ("... (at /a/b)"), so
    the editor can mark the line; "" when the message names none (the hosted service words it its own way)."""
    match = _POINTER.search(message)
    return match.group(1).strip("/") if match else ""


def check(text: str) -> Verdict:
    """Every check of ``text``, stopping at the first stage that fails."""
    checked: Checked = schemas.check_text(text)
    if checked.schema is None:
        return Verdict(None, None, checked.problems)
    problem, note = server_check(checked.schema)
    if problem is not None:
        return Verdict(None, checked.schema, [problem.placed(text)])
    return Verdict(checked.schema, checked.schema, [], note)
