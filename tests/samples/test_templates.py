"""The gallery's templates are valid JSON Schema, shaped the way the engine and editor expect."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from lib.samples import TEMPLATES

REQUIRED_KEYS = {"invoice", "receipt", "bank_statement_rows", "bank_statement", "purchase_order", "resume",
                 "contract_terms", "id_card", "form"}


def test_gallery_has_every_promised_template():
    assert REQUIRED_KEYS <= set(TEMPLATES)
    assert all(key == t.key for key, t in TEMPLATES.items())


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_template_is_valid_json_schema_with_object_root(key):
    template = TEMPLATES[key]
    Draft202012Validator.check_schema(template.schema)
    assert template.schema["type"] == "object"
    assert template.schema["properties"]
    assert template.extraction_target in ("per_doc", "per_page", "per_table_row")
    assert template.title and template.description
    json.dumps(template.schema)


def test_invoice_template_has_the_analyst_features():
    schema = TEMPLATES["invoice"].schema
    props = schema["properties"]
    assert props["invoice_date"]["format"] == "date"
    assert {"type": "null"} in props["due_date"]["anyOf"]
    assert props["vendor"]["type"] == "object" and "address" in props["vendor"]["properties"]
    assert "USD" in props["currency"]["anyOf"][0]["enum"]
    items = props["line_items"]
    assert items["type"] == "array" and set(items["items"]["properties"]) == {
        "description", "quantity", "unit_price", "amount"}
    assert "total" in schema["required"]


def test_bank_statement_rows_is_meant_for_rows():
    template = TEMPLATES["bank_statement_rows"]
    assert template.extraction_target == "per_table_row"
    assert set(template.schema["properties"]) == {"date", "description", "amount", "balance"}


def test_a_pydantic_template_uses_defs_and_refs():
    schema = TEMPLATES["report"].schema
    assert "$defs" in schema and "ReportSection" in schema["$defs"]
    assert schema["properties"]["sections"]["items"] == {"$ref": "#/$defs/ReportSection"}
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"title": "T", "company": "C", "report_date": "2024-01-01", "grand_total": 1.0,
                               "sections": [{"title": "S", "section_date": "2024-01-01", "subtotal": 1.0}]})
    assert not validator.is_valid({"title": "T", "company": "C", "report_date": "2024-01-01", "grand_total": 1.0,
                                   "sections": [{"title": "S"}]})
