"""Where a schema can start from: a template, an example result, a document, or a .json file.

Each action replaces the working schema from a button callback (so the editor re-mounts on the new text)
and leaves a one-line note saying what happened.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from lib import schemas
from lib.client import ApiError
from lib.samples.templates import TEMPLATES
from lib.ui import state
from lib.ui.configurations import NAME_INPUT, set_options
from lib.ui.connection import current_client

NOTE = "_schema_source_note"
EXAMPLE_INPUT = "_infer_example"
PROPOSAL = "_schema_proposal"
_IMPORTED = "_schema_imported_file"
GALLERY_COLUMNS = 3


def _note(ok: bool, message: str) -> None:
    st.session_state[NOTE] = ("ok" if ok else "error", message)


def show_note() -> None:
    """The outcome of the last start-point action, once."""
    note = st.session_state.pop(NOTE, None)
    if note:
        (st.success if note[0] == "ok" else st.error)(note[1])


def start_fresh(schema: dict[str, Any]) -> None:
    """A new working schema that is not (yet) a saved configuration."""
    state.set_schema(schema)
    st.session_state[state.CONFIGURATION_ID] = None
    st.session_state[state.CONFIGURATION_NAME] = None


def load_template(key: str) -> None:
    """Button callback: the template's schema and extraction target become the working ones."""
    template = TEMPLATES[key]
    start_fresh(template.schema)
    options = {**(st.session_state.get(state.CONFIGURATION) or state.DEFAULT_OPTIONS)}
    options["extraction_target"] = template.extraction_target
    set_options(options)
    st.session_state[NAME_INPUT] = template.title
    _note(True, f"Loaded the {template.title} template ({template.extraction_target}).")


def render_gallery() -> None:
    """Every template as a card with its description, target and a Use button."""
    templates = list(TEMPLATES.values())
    for start in range(0, len(templates), GALLERY_COLUMNS):
        columns = st.columns(GALLERY_COLUMNS)
        for column, template in zip(columns, templates[start : start + GALLERY_COLUMNS]):
            with column.container(border=True):
                st.markdown(f"**{template.title}**")
                st.caption(f"{template.description} · `{template.extraction_target}`")
                st.button("Use", key=f"_template_{template.key}", on_click=load_template, args=(template.key,),
                          width="stretch")


def infer_from_example() -> None:
    """Button callback: a schema inferred from the pasted example result."""
    text = st.session_state.get(EXAMPLE_INPUT) or ""
    try:
        example = json.loads(text)
    except json.JSONDecodeError as exc:
        _note(False, f"The example is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}.")
        return
    try:
        start_fresh(schemas.infer_schema(example))
    except ValueError as exc:
        _note(False, str(exc))
        return
    _note(True, "Inferred a schema from the example. Add descriptions so the extractor knows what each field means.")


def render_infer() -> None:
    st.text_area("Example result (JSON)", key=EXAMPLE_INPUT, height=160,
                 placeholder='{"vendor": "Acme", "total": 12.5, "date": "2024-03-01"}')
    st.button("Infer schema", key="_infer_button", on_click=infer_from_example)


def render_propose() -> None:
    """Upload a document, let the backend propose a schema (``/schema/generate``), review it, then use it."""
    upload = st.file_uploader("Document", key="_propose_file",
                              type=["pdf", "png", "jpg", "jpeg", "tif", "tiff", "docx", "xlsx", "xls", "csv",
                                    "html", "htm", "txt", "md"])
    prompt = st.text_input("What to extract (optional)", key="_propose_prompt",
                           placeholder="e.g. the invoice header and every line item")
    if st.button("Propose a schema", key="_propose_button", disabled=upload is None):
        _propose(upload.name, upload.getvalue(), prompt.strip() or None)
    proposal = st.session_state.get(PROPOSAL)
    if proposal:
        st.caption(f"Proposal for {proposal['file']}: review it, then use it or discard it.")
        st.json(proposal["schema"], expanded=2)
        use, discard = st.columns(2)
        use.button("Use this schema", key="_proposal_use", on_click=_use_proposal, type="primary",
                   width="stretch")
        discard.button("Discard", key="_proposal_discard", on_click=st.session_state.pop, args=(PROPOSAL, None),
                       width="stretch")


def _propose(name: str, data: bytes, prompt: str | None) -> None:
    client = current_client()
    with st.spinner(f"Reading {name} and proposing a schema..."):
        try:
            uploaded = client.upload_file(data, name=name)
            response = client.generate_schema(file_id=uploaded.id, prompt=prompt)
        except ApiError as exc:
            st.error(f"No proposal: {exc}")
            return
    st.session_state[PROPOSAL] = {"file": name, "schema": response.parameters.data_schema, "name": response.name}


def _use_proposal() -> None:
    proposal = st.session_state.pop(PROPOSAL, None)
    if proposal:
        start_fresh(proposal["schema"])
        st.session_state[NAME_INPUT] = proposal.get("name") or ""
        _note(True, f"Using the schema proposed from {proposal['file']}.")


def render_import_export(schema_text: str) -> None:
    """Import a .json schema file (its text replaces the editor's, even if it needs fixing) and export
    the editor's text."""
    upload = st.file_uploader("Import a .json schema", type=["json"], key="_schema_import")
    if upload is not None and st.session_state.get(_IMPORTED) != upload.file_id:
        st.session_state[_IMPORTED] = upload.file_id
        _import(upload.name, upload.getvalue())
        st.rerun()
    name = (st.session_state.get(NAME_INPUT) or "schema").strip() or "schema"
    st.download_button("Export schema (.json)", data=schema_text.encode("utf-8"),
                       file_name=f"{_file_stem(name)}.json", mime="application/json", key="_schema_export")


def _import(name: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _note(False, f"{name} is not UTF-8 text; save it as UTF-8 JSON and import it again.")
        return
    start_fresh_text(text)
    _note(True, f"Imported {name}.")


def start_fresh_text(text: str) -> None:
    state.set_schema_text(text)
    st.session_state[state.CONFIGURATION_ID] = None
    st.session_state[state.CONFIGURATION_NAME] = None


def _file_stem(name: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name).strip("_")
    return stem or "schema"
