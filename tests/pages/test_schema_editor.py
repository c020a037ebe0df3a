"""The Schema page under AppTest, against the real local server: the three stages of checking, the
builder kept in sync with the JSON, start points, and saved configurations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lib.client import ExtractClient, NotFoundError
from lib.samples.templates import TEMPLATES
from lib.ui import state
from tests.ui.support import app_test, point_app_at, texts

PAGE = "pages/schema_editor.py"


@pytest.fixture
def at(monkeypatch, tmp_path: Path, local_server):
    point_app_at(monkeypatch, tmp_path / "studio", local_server.url)
    app = app_test(PAGE).run()
    assert not app.exception
    return app


@pytest.fixture
def client(local_server):
    with ExtractClient(local_server.url, "") as api:
        yield api


def editor(at):
    return at.text_area(key=f"schema_json_{at.session_state[state.EDITOR_VERSION]}")


def type_schema(at, text: str):
    editor(at).set_value(text)
    return at.run()


def errors(at) -> list[str]:
    return [str(e.value) for e in at.error]


def working(at) -> dict:
    return json.loads(at.session_state[state.SCHEMA_TEXT])


def test_broken_json_is_reported_at_its_line_and_column(at) -> None:
    type_schema(at, '{\n  "type": "object",\n  "properties": {"a": {"type": "string"}},,\n}')
    assert any(e.startswith("Line 3, column 43:") for e in errors(at)), errors(at)
    assert at.session_state[state.SCHEMA] is None
    assert any("once the JSON parses" in t for t in texts(at)), "the builder waits for valid JSON"
    type_schema(at, '{"type": "object", "properties": {"a": {"type": "string"}}}')
    assert errors(at) == [] and at.session_state[state.SCHEMA]["properties"] == {"a": {"type": "string"}}


def test_a_schema_the_meta_schema_refuses_names_the_path(at) -> None:
    type_schema(at, json.dumps({"type": "object", "properties": {"total": {"type": "money"}}}, indent=2))
    assert any(e.startswith("Line 5, at properties/total/type:") for e in errors(at)), errors(at)
    assert at.session_state[state.SCHEMA] is None


def test_the_servers_objection_is_shown(at) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]}
    type_schema(at, json.dumps(schema))
    [message] = errors(at)
    assert "The backend rejects this schema:" in message and "'b'" in message
    assert at.session_state[state.SCHEMA] is None
    assert len(at.data_editor) == 1, "the builder still edits a schema the backend objects to"


def test_builder_and_json_stay_in_sync(at) -> None:
    type_schema(at, json.dumps({
        "type": "object",
        "properties": {"total": {"type": "number", "minimum": 0}, "items": {"type": "array", "items": {
            "type": "object", "properties": {"sku": {"type": "string"}}}}},
    }))
    root = at.data_editor[0]
    assert list(root.value["name"]) == ["total", "items"] and list(root.value["kept"]) == ["minimum", ""]
    at.session_state[root.key] = {
        "edited_rows": {0: {"description": "Amount due", "required": True}},
        "added_rows": [{"name": "issued", "type": "string", "format": "date"}],
        "deleted_rows": [],
    }
    at.run()
    schema = working(at)
    assert schema["properties"]["total"] == {"type": "number", "minimum": 0, "description": "Amount due"}
    assert schema["properties"]["issued"] == {"type": "string", "format": "date"}
    assert schema["required"] == ["total"]
    assert editor(at).value == at.session_state[state.SCHEMA_TEXT], "the JSON editor shows the builder's edit"

    child = at.data_editor[1]
    assert list(child.value["name"]) == ["sku"]
    at.session_state[child.key] = {"edited_rows": {0: {"name": "code", "enum": "A, B"}}, "added_rows": [],
                                   "deleted_rows": []}
    at.run()
    assert working(at)["properties"]["items"]["items"]["properties"] == {"code": {"type": "string", "enum": ["A", "B"]}}

    type_schema(at, json.dumps({"type": "object", "properties": {"name": {"type": "string"}}}))
    assert list(at.data_editor[0].value["name"]) == ["name"], "a JSON edit shows in the builder"


def test_loading_a_template_sets_schema_and_target(at) -> None:
    template = TEMPLATES["bank_statement_rows"]
    at.button(key=f"_template_{template.key}").click().run()
    assert working(at) == template.schema and at.session_state[state.SCHEMA] == template.schema
    assert at.session_state[state.CONFIGURATION]["extraction_target"] == template.extraction_target
    assert at.selectbox(key="_opt_extraction_target").value == template.extraction_target
    assert any(template.title in t for t in texts(at))


def test_infer_from_an_example(at) -> None:
    at.text_area(key="_infer_example").set_value('{"vendor": "Acme", "issued": "2024-03-01", "total": 12.5}')
    at.button(key="_infer_button").click().run()
    assert working(at)["properties"] == {
        "vendor": {"type": "string"}, "issued": {"type": "string", "format": "date"}, "total": {"type": "number"}
    }
    at.text_area(key="_infer_example").set_value('{"vendor": ')
    at.button(key="_infer_button").click().run()
    assert any("not valid JSON: line 1" in e for e in errors(at))


def test_import_keeps_the_text_and_export_offers_it(at) -> None:
    text = '{"type": "object", "properties": {"po": {"type": "string"}}}'
    at.file_uploader(key="_schema_import").set_value(("po.json", text.encode(), "application/json"))
    at.run()
    assert at.session_state[state.SCHEMA_TEXT] == text and at.session_state[state.SCHEMA]["properties"] == {
        "po": {"type": "string"}}
    assert at.download_button(key="_schema_export") is not None


def test_save_load_update_and_delete_a_configuration(at, client) -> None:
    template = TEMPLATES["invoice"]
    at.button(key=f"_template_{template.key}").click().run()
    at.text_input(key="_config_name_input").set_value("Invoices (test)")
    at.toggle(key="_opt_cite_sources").set_value(False)
    at.text_input(key="_opt_target_pages").set_value("1-2")
    at.button(key="_config_save").click().run()
    config_id = at.session_state[state.CONFIGURATION_ID]
    assert config_id and config_id.startswith("cfg-") and any(config_id in t for t in texts(at))
    saved = client.get_configuration(config_id)
    assert saved.name == "Invoices (test)" and saved.parameters.data_schema == template.schema
    assert saved.parameters.cite_sources is False and saved.parameters.target_pages == "1-2"

    type_schema(at, json.dumps({"type": "object", "properties": {"other": {"type": "string"}}}))
    at.selectbox(key="_config_picker").set_value(config_id)
    at.button(key="_config_load").click().run()
    assert working(at) == template.schema
    assert at.toggle(key="_opt_cite_sources").value is False and at.text_input(key="_opt_target_pages").value == "1-2"

    at.selectbox(key="_opt_tier").set_value("agentic")
    at.button(key="_config_update").click().run()
    assert client.get_configuration(config_id).parameters.tier == "agentic"

    at.selectbox(key="_config_picker").set_value(config_id)
    at.button(key="_config_delete").click().run()
    client.get_configuration(config_id)  # the first click only asks for confirmation
    at.button(key="_config_delete").click().run()
    with pytest.raises(NotFoundError):
        client.get_configuration(config_id)
    assert at.session_state[state.CONFIGURATION_ID] is None


def test_bad_target_pages_block_saving(at) -> None:
    at.text_input(key="_opt_target_pages").set_value("3-1").run()
    assert any("Target pages:" in e for e in errors(at))
    assert at.button(key="_config_save").disabled


def test_a_pydantic_schema_with_defs_is_accepted_and_editable(at) -> None:
    from pydantic import BaseModel

    class LineItem(BaseModel):
        description: str
        amount: float

    class Invoice(BaseModel):
        vendor: str
        items: list[LineItem]

    type_schema(at, json.dumps(Invoice.model_json_schema()))
    assert errors(at) == [] and at.session_state[state.SCHEMA]["$defs"]
    assert [list(editor.value["name"]) for editor in at.data_editor] == [["vendor", "items"], ["description", "amount"]]


def test_column_preview_per_target(at) -> None:
    at.button(key=f"_template_{TEMPLATES['invoice'].key}").click().run()
    tables = [list(frame.value.columns) for frame in at.dataframe if frame.editing_mode == "read_only"]
    per_doc, line_items_doc, per_page = tables[0], tables[1], tables[2]
    assert per_doc[0] == "invoice_number" and "vendor.name" in per_doc and "line_items" in per_doc
    assert line_items_doc[:3] == ["row", "parent", "index"] and "amount" in line_items_doc
    assert per_page[0] == "page" and per_page[1:] == per_doc


def test_propose_a_schema_from_a_document(at) -> None:
    from lib.samples.generate import make_sample

    sample = make_sample("invoice", fmt="pdf")
    at.file_uploader(key="_propose_file").set_value((sample.filename, sample.data, "application/pdf"))
    at.run()
    at.button(key="_propose_button").click().run()
    assert errors(at) == [], errors(at)
    proposal = at.session_state["_schema_proposal"]["schema"]
    assert proposal["type"] == "object" and proposal["properties"], "the backend proposed fields"
    assert at.json, "the proposal is shown for review before it is used"
    at.button(key="_proposal_use").click().run()
    assert working(at) == proposal and at.session_state[state.SCHEMA] == proposal
