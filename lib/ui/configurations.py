"""Extraction options and saved configurations (schema + options under a name), through the API.

The options are those of the seed's configuration. Their widgets write ``state.CONFIGURATION``; loading a
saved configuration writes the widgets' keys from a button callback, before the widgets render, which is
the one moment Streamlit lets code set a widget's value.
"""

from __future__ import annotations

from typing import Any, Optional

import streamlit as st

from lib.api.models import ConfigurationResponse
from lib.client import ApiError
from lib.submission import EXTRACTION_TARGETS, PARSE_TIERS, TIERS, PageSpecError, parse_target_pages
from lib.ui import state
from lib.ui.connection import backend_answers, current_client

OPTION_KEYS = ("extraction_target", "tier", "parse_tier", "cite_sources", "confidence_scores",
               "target_pages", "max_pages", "system_prompt")
_WIDGET = "_opt_"
NAME_INPUT = "_config_name_input"
PICKER = "_config_picker"
FLASH = "_config_flash"
_CONFIRM_DELETE = "_config_confirm_delete"


def options_from_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """The option values of a saved configuration's parameters (defaults for what it leaves out)."""
    options = dict(state.DEFAULT_OPTIONS)
    options.update({key: parameters.get(key) for key in OPTION_KEYS if parameters.get(key) is not None})
    return options


def option_problems(options: dict[str, Any]) -> list[str]:
    """What is wrong with the options, in words (the target pages use the Submit page's own parser)."""
    problems = []
    pages = (options.get("target_pages") or "").strip()
    if pages:
        try:
            parse_target_pages(pages)
        except PageSpecError as exc:
            problems.append(f"Target pages: {exc} Use the form 1,3,5-7.")
    return problems


def parameters_for(schema: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The ``parameters`` of a saved configuration: product type, schema, and the options that are set."""
    values = {key: value for key, value in options.items() if key in OPTION_KEYS and value not in (None, "")}
    return {"product_type": "extract_v2", "data_schema": schema, **values}


def set_options(options: dict[str, Any]) -> None:
    """Make ``options`` the working options and what the widgets show (call from a callback)."""
    st.session_state[state.CONFIGURATION] = dict(options)
    for key in OPTION_KEYS:
        st.session_state[_WIDGET + key] = _widget_value(key, options.get(key))


def _widget_value(key: str, value: Any) -> Any:
    if key in ("target_pages", "system_prompt"):
        return value or ""
    if key == "max_pages":
        return int(value) if value else 0
    if key == "parse_tier":
        return value or "(same as tier)"
    return value


def options_from_widgets() -> dict[str, Any]:
    """The options as the widgets hold them now. Button callbacks read this rather than
    ``state.CONFIGURATION``: they run before the script, when that still holds the previous run's values."""
    value = {key: st.session_state.get(_WIDGET + key) for key in OPTION_KEYS}
    parse_tier = value["parse_tier"]
    return {
        "extraction_target": value["extraction_target"] or state.DEFAULT_OPTIONS["extraction_target"],
        "tier": value["tier"] or state.DEFAULT_OPTIONS["tier"],
        "parse_tier": None if parse_tier in (None, "(same as tier)") else parse_tier,
        "cite_sources": bool(value["cite_sources"]),
        "confidence_scores": bool(value["confidence_scores"]),
        "target_pages": (value["target_pages"] or "").strip() or None,
        "max_pages": int(value["max_pages"] or 0) or None,
        "system_prompt": (value["system_prompt"] or "").strip() or None,
    }


def render_options() -> dict[str, Any]:
    """The options form; returns the options and keeps ``state.CONFIGURATION`` up to date."""
    current = {**state.DEFAULT_OPTIONS, **(st.session_state.get(state.CONFIGURATION) or {})}
    for key in OPTION_KEYS:
        st.session_state.setdefault(_WIDGET + key, _widget_value(key, current.get(key)))
    left, right = st.columns(2)
    with left:
        st.selectbox("Extraction target", EXTRACTION_TARGETS, key=_WIDGET + "extraction_target",
                     help="per_doc: one object per document; per_page: one per page; "
                          "per_table_row: one per table row.")
        st.selectbox("Tier", TIERS, key=_WIDGET + "tier",
                     help="cost_effective (5 credits/page) or agentic (15 credits/page) on LlamaCloud.")
        st.selectbox("Parse tier", ("(same as tier)", *PARSE_TIERS), key=_WIDGET + "parse_tier",
                     help="How the document is parsed before extraction.")
        st.toggle("Cite sources", key=_WIDGET + "cite_sources",
                  help="Each value carries the page and text it was read from.")
        st.toggle("Confidence scores", key=_WIDGET + "confidence_scores",
                  help="Each value carries how sure the extractor is.")
    with right:
        st.text_input("Target pages", key=_WIDGET + "target_pages", placeholder="all pages, or 1,3,5-7")
        st.number_input("Max pages", min_value=0, step=1, key=_WIDGET + "max_pages", help="0 means no limit.")
        st.text_area("System prompt", key=_WIDGET + "system_prompt", height=110,
                     placeholder="e.g. Amounts are in EUR unless stated otherwise.")
    options = options_from_widgets()
    # Keep options this form does not show (the Submit page's extract_version, say).
    st.session_state[state.CONFIGURATION] = {**current, **options}
    for problem in option_problems(options):
        st.error(problem)
    return options


def render_saved_configurations(schema: Optional[dict[str, Any]]) -> None:
    """Save the working schema and options under a name; list, load, update and delete saved ones."""
    flash = st.session_state.pop(FLASH, None)
    if flash:
        (st.success if flash[0] == "ok" else st.error)(flash[1])
    loaded_id = st.session_state.get(state.CONFIGURATION_ID)
    loaded_name = st.session_state.get(state.CONFIGURATION_NAME)
    if loaded_id:
        st.caption(f"Editing saved configuration **{loaded_name}** · `{loaded_id}`")
    st.session_state.setdefault(NAME_INPUT, loaded_name or "")
    st.text_input("Configuration name", key=NAME_INPUT, placeholder="e.g. Invoices, EU suppliers")
    blocked = schema is None or bool(option_problems(options_from_widgets()))
    save_col, update_col = st.columns(2)
    save_col.button("Save as new", key="_config_save", on_click=_save_new, disabled=blocked,
                    type="primary", width="stretch")
    update_col.button("Update saved", key="_config_update", on_click=_update, disabled=blocked or not loaded_id,
                      width="stretch", help="Overwrite the loaded configuration with this schema and options.")
    if schema is None:
        st.caption("Fix the schema to save it.")
    _picker()


def _picker() -> None:
    if not backend_answers():
        st.caption("The backend does not answer, so its saved configurations cannot be listed (see the sidebar).")
        return
    try:
        saved = list(current_client().list_configurations())
    except ApiError as exc:
        st.error(f"Could not list saved configurations: {exc}")
        return
    if not saved:
        st.caption("No saved configurations on this backend yet.")
        return
    by_id = {config.id: config for config in saved}
    if st.session_state.get(PICKER) not in by_id:
        st.session_state[PICKER] = st.session_state.get(state.CONFIGURATION_ID) if st.session_state.get(
            state.CONFIGURATION_ID) in by_id else saved[0].id
    st.selectbox("Saved configurations", list(by_id), key=PICKER,
                 format_func=lambda cid: f"{by_id[cid].name} · {cid}")
    load_col, delete_col = st.columns(2)
    load_col.button("Load", key="_config_load", on_click=_load, width="stretch")
    confirm = st.session_state.get(_CONFIRM_DELETE) == st.session_state[PICKER]
    delete_col.button("Confirm delete" if confirm else "Delete", key="_config_delete", on_click=_delete,
                      type="primary" if confirm else "secondary", width="stretch")


def _flash(ok: bool, message: str) -> None:
    st.session_state[FLASH] = ("ok" if ok else "error", message)


def _name() -> Optional[str]:
    name = (st.session_state.get(NAME_INPUT) or "").strip()
    if not name:
        _flash(False, "Give the configuration a name first.")
    return name or None


def _remember(config: ConfigurationResponse) -> None:
    st.session_state[state.CONFIGURATION_ID] = config.id
    st.session_state[state.CONFIGURATION_NAME] = config.name
    st.session_state[PICKER] = config.id


def _save_new() -> None:
    name, schema = _name(), state.working_schema()
    if name is None or schema is None:
        return
    try:
        config = current_client().create_configuration(name, parameters_for(schema, options_from_widgets()))
    except ApiError as exc:
        _flash(False, f"Not saved: {exc}")
        return
    _remember(config)
    _flash(True, f"Saved '{config.name}' as {config.id}.")


def _update() -> None:
    name, schema = _name(), state.working_schema()
    config_id = st.session_state.get(state.CONFIGURATION_ID)
    if name is None or schema is None or not config_id:
        return
    try:
        config = current_client().update_configuration(
            config_id, name=name, parameters=parameters_for(schema, options_from_widgets())
        )
    except ApiError as exc:
        _flash(False, f"Not updated: {exc}")
        return
    _remember(config)
    _flash(True, f"Updated '{config.name}' ({config.id}, version {config.version}).")


def _load() -> None:
    config_id = st.session_state.get(PICKER)
    try:
        config = current_client().get_configuration(config_id)
    except ApiError as exc:
        _flash(False, f"Could not load {config_id}: {exc}")
        return
    parameters = config.parameters.model_dump(exclude_none=True)
    state.set_schema(parameters["data_schema"])
    set_options(options_from_parameters(parameters))
    _remember(config)
    st.session_state[NAME_INPUT] = config.name
    _flash(True, f"Loaded '{config.name}' ({config.id}).")


def _delete() -> None:
    config_id = st.session_state.get(PICKER)
    if st.session_state.get(_CONFIRM_DELETE) != config_id:
        st.session_state[_CONFIRM_DELETE] = config_id
        _flash(False, f"Click 'Confirm delete' to delete {config_id} from the backend.")
        return
    st.session_state.pop(_CONFIRM_DELETE, None)
    try:
        current_client().delete_configuration(config_id)
    except ApiError as exc:
        _flash(False, f"Could not delete {config_id}: {exc}")
        return
    if st.session_state.get(state.CONFIGURATION_ID) == config_id:
        st.session_state[state.CONFIGURATION_ID] = None
        st.session_state[state.CONFIGURATION_NAME] = None
    st.session_state.pop(PICKER, None)
    _flash(True, f"Deleted {config_id}.")
