"""The Schema page: write the JSON Schema of what to extract, with a field builder, start points, the
column layout each target produces, and saved configurations."""

from __future__ import annotations

import streamlit as st

from lib import schemas
from lib.ui import state
from lib.ui.navigation import require_shell
from lib.ui.column_preview import render_column_preview
from lib.ui.configurations import render_options, render_saved_configurations
from lib.ui.field_builder import render_builder
from lib.ui.schema_check import Verdict, check
from lib.ui.schema_sources import render_gallery, render_import_export, render_infer, render_propose, show_note
from lib.ui.schema_widget import editor_text, json_editor


def editor_key() -> str:
    """The JSON editor's key; it changes whenever the text is replaced from outside the editor."""
    return f"schema_json_{st.session_state[state.EDITOR_VERSION]}"


def render_start_points() -> None:
    with st.expander("Start from a template, an example, a document or a file"):
        templates, example, document, files = st.tabs(
            ["Templates", "Infer from example JSON", "Propose from a document", "Import / export"]
        )
        with templates:
            render_gallery()
        with example:
            render_infer()
        with document:
            render_propose()
        with files:
            render_import_export(st.session_state[state.SCHEMA_TEXT])
    show_note()


def render_verdict(verdict: Verdict) -> None:
    """The checks' outcome above the editor: every problem with its place, or that the schema is usable."""
    for problem in verdict.problems:
        st.error(problem.describe(), icon=":material/error:")
    if verdict.schema is not None:
        count = len(schemas.table_rows(verdict.schema))
        st.success(f"Valid schema with {count} top-level field(s).", icon=":material/check_circle:")
    if verdict.unchecked:
        st.warning(verdict.unchecked)


def main() -> None:
    require_shell()
    state.init_session()
    st.title("Schema")
    st.caption("Say what to extract: one JSON Schema, edited as text or as a table of fields.")
    render_start_points()

    key = editor_key()
    text = editor_text(key, st.session_state[state.SCHEMA_TEXT])
    verdict = check(text)
    st.session_state[state.SCHEMA_TEXT] = text
    st.session_state[state.SCHEMA] = verdict.schema

    render_verdict(verdict)
    json_tab, fields_tab, columns_tab = st.tabs(["JSON", "Fields", "Columns per target"])
    with json_tab:
        json_editor(key, text, schemas.annotations(verdict.problems))
    if verdict.local is None:
        fields_tab.info("The field table shows the schema once the JSON parses and is a valid JSON Schema.")
        columns_tab.info("The column preview needs a valid schema.")
    else:
        with fields_tab:
            render_builder(verdict.local)
        with columns_tab:
            render_column_preview(verdict.local)

    st.divider()
    st.subheader("Extraction options and saved configurations")
    options_column, saved_column = st.columns([3, 2], gap="large")
    with options_column:
        render_options()
    with saved_column:
        render_saved_configurations(verdict.schema)


main()
