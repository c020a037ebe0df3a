"""The names under which the pages share state in ``st.session_state``.

Every page reads and writes the session through these constants, so that moving between pages keeps the
working schema, the chosen configuration and this session's jobs. Only what a person is doing right now
lives here; what must survive a reload (saved configurations, jobs, reviews) lives in the backend or the
app's own store.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import streamlit as st

SCHEMA_TEXT = "schema_text"
"""str: the working JSON Schema as the editor holds it (may be invalid while someone types)."""

SCHEMA = "schema"
"""dict | None: the last parse of ``schema_text`` that is a valid JSON Schema (None while it is not)."""

CONFIGURATION = "configuration"
"""dict: the extraction options that go with the working schema, the seed's configuration fields except
``data_schema`` (extraction_target, tier, cite_sources, confidence_scores, target_pages, max_pages,
system_prompt, ...), None or absent for "backend default". The Schema and Submit pages both edit it."""

CONFIGURATION_ID = "configuration_id"
"""str | None: the saved configuration (``cfg-...``) the editor last loaded or saved, if any."""

CONFIGURATION_NAME = "configuration_name"
"""str | None: that saved configuration's name."""

BACKEND = "backend"
"""lib.ui.connection.Backend: the backend this session talks to (kind, base URL, key held in memory)."""

JOBS = "jobs"
"""list[str]: IDs of the jobs submitted from this session (the Submit page appends to it)."""

REVIEWER = "reviewer"
"""str: the reviewer's name, asked once per session by the review pages."""

SELECTED_JOB_ID = "selected_job_id"
"""str | None: the job the Results page shows; set it before ``st.switch_page`` to open a job there."""

EDITOR_VERSION = "schema_editor_version"
"""int: bumped whenever the schema text is replaced from outside the editor, so the editor re-mounts."""

DEFAULT_OPTIONS: dict[str, Any] = {
    "extraction_target": "per_doc",
    "tier": "cost_effective",
    "cite_sources": True,
    "confidence_scores": True,
    "target_pages": None,
    "max_pages": None,
    "system_prompt": None,
}

STARTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "vendor": {"type": "string", "description": "Name of the company that issued the document"},
        "total": {"type": "number", "description": "Total amount due"},
    },
    "required": ["vendor", "total"],
}


def init_session() -> None:
    """Give every shared key its starting value once per session, so pages can read them without checks."""
    if SCHEMA_TEXT not in st.session_state:
        set_schema(STARTER_SCHEMA)
    st.session_state.setdefault(CONFIGURATION, dict(DEFAULT_OPTIONS))
    st.session_state.setdefault(CONFIGURATION_ID, None)
    st.session_state.setdefault(CONFIGURATION_NAME, None)
    st.session_state.setdefault(REVIEWER, None)
    st.session_state.setdefault(SELECTED_JOB_ID, None)
    st.session_state.setdefault(EDITOR_VERSION, 0)


def set_schema(schema: dict[str, Any]) -> None:
    """Replace the working schema from outside the editor (template, builder, import, saved configuration)."""
    set_schema_text(json.dumps(schema, indent=2, ensure_ascii=False))
    st.session_state[SCHEMA] = schema


def set_schema_text(text: str) -> None:
    """Replace the working schema text and make the editor show it (its next render re-mounts)."""
    st.session_state[SCHEMA_TEXT] = text
    st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, 0) + 1


def working_schema() -> Optional[dict[str, Any]]:
    """The working schema if it is currently valid, else None."""
    return st.session_state.get(SCHEMA)
