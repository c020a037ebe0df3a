"""What the review pages share: the app's review store, the reviewer's name and typed editor columns.

The store is one object per database file for the whole app process (it opens a short connection per
call, so sessions in their own threads can share it). The reviewer's name is asked once per session and
then shown, so every audit entry says who made it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

import streamlit as st

from lib.review.flatten import Column
from lib.review.store import ReviewStore
from lib.review.validation import describe_type
from lib.settings import load_settings
from lib.ui import state

_NAME_INPUT = "_reviewer_name_input"


@st.cache_resource(show_spinner=False)
def _store_at(path: str) -> ReviewStore:
    return ReviewStore(path)


def review_store() -> ReviewStore:
    """The review store at the configured ``STUDIO_DB`` (read at each call, so tests can point it)."""
    return _store_at(str(load_settings().db_path))


def reviewer() -> Optional[str]:
    """The reviewer of this session, or None until they said who they are."""
    return st.session_state.get(state.REVIEWER)


def reviewer_box() -> Optional[str]:
    """Ask for the reviewer's name once per session; afterwards show it with a way to change it."""
    name = reviewer()
    if name:
        st.caption(f"Reviewing as **{name}**")
        st.button("Change reviewer", key="_reviewer_change", on_click=_forget_reviewer, type="tertiary")
        return name
    with st.form("reviewer_form", border=True):
        st.text_input("Your name, for the audit trail", key=_NAME_INPUT, placeholder="e.g. Ana Silva")
        submitted = st.form_submit_button("Start reviewing", type="primary")
    if submitted:
        typed = (st.session_state.get(_NAME_INPUT) or "").strip()
        if typed:
            st.session_state[state.REVIEWER] = typed
            st.rerun()
        st.error("Enter a name: every review is recorded with who made it.")
    return None


def _forget_reviewer() -> None:
    st.session_state[state.REVIEWER] = None


def column_config_for(column: Column, *, label: Optional[str] = None) -> Any:
    """A typed ``st.data_editor`` column for one schema field, so the grid itself only lets a reviewer
    type what the field takes (the store checks again on save)."""
    schema = dict(column.schema or {})
    help_text = f"{schema.get('description', '')} Takes {describe_type(schema) if schema else 'any value'}.".strip()
    label = label or column.name
    enum = [option for option in schema.get("enum") or [] if option is not None]
    if enum:
        return st.column_config.SelectboxColumn(label, options=enum, help=help_text)
    if column.type == "number":
        return st.column_config.NumberColumn(label, help=help_text, format="%.4g")
    if column.type == "integer":
        return st.column_config.NumberColumn(label, help=help_text, step=1, format="%d")
    if column.type == "boolean":
        return st.column_config.CheckboxColumn(label, help=help_text)
    if schema.get("format") == "date":
        return st.column_config.DateColumn(label, help=help_text, format="YYYY-MM-DD")
    return st.column_config.TextColumn(label, help=help_text)


def editor_cell(value: Any, column: Column) -> Any:
    """A value as the typed editor column holds it (a date column needs ``date`` objects)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if (column.schema or {}).get("format") == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value
