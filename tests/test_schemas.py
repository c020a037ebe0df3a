"""The schema editor's logic without Streamlit: checks, builder tables, inference, samples."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from enum import Enum
from typing import Optional

import pytest
from pydantic import BaseModel

from lib import schemas
from lib.samples.templates import TEMPLATES
from lib.schemas import FieldRow


class Status(str, Enum):
    paid = "paid"
    open = "open"


class LineItem(BaseModel):
    description: str
    amount: float


class Invoice(BaseModel):
    vendor: str
    total: Optional[float] = None
    status: Status
    items: list[LineItem]


PYDANTIC_SCHEMA = Invoice.model_json_schema()


def by_name(rows: list[FieldRow]) -> dict[str, FieldRow]:
    return {row.name: row for row in rows}


# --- checks -----------------------------------------------------------------------------------


def test_syntax_error_has_its_line_and_column() -> None:
    text = '{\n  "type": "object",\n  "properties": {\n    "a": {"type": "string"},\n  }\n}'
    checked = schemas.check_text(text)
    assert checked.schema is None
    [problem] = checked.problems
    assert (problem.stage, problem.line, problem.column) == ("syntax", 5, 3)
    assert problem.describe().startswith("Line 5, column 3:")
    assert schemas.annotations(checked.problems) == [
        {"row": 4, "column": 2, "text": problem.message, "type": "error"}
    ]


def test_empty_text_and_non_object_are_reported() -> None:
    assert schemas.check_text("   ").problems[0].stage == "syntax"
    [problem] = schemas.check_text("[1, 2]").problems
    assert problem.stage == "schema" and "JSON object" in problem.message


def test_meta_schema_errors_name_the_offending_path_and_line() -> None:
    text = json.dumps({"type": "object", "properties": {"total": {"type": "numbr"}}}, indent=2)
    checked = schemas.check_text(text)
    assert checked.schema is None
    [problem] = checked.problems
    assert (problem.path, problem.line, problem.column) == ("properties/total/type", 5, 7)
    assert problem.describe().startswith("Line 5, at properties/total/type:")
    assert schemas.annotations(checked.problems)[0]["row"] == 4


def test_locate_finds_keys_and_array_elements() -> None:
    text = '{"a": [1, {"b/c": true}],\n "d": {"e": null}}'
    assert schemas.locate(text, ()) == (1, 1)
    assert schemas.locate(text, ("a", "1", "b/c")) == (1, 12)
    assert schemas.locate(text, ("d", "e")) == (2, 8)
    assert schemas.locate(text, ("a", "5")) is None
    assert schemas.locate("{broken", ("a",)) is None
    escaped = schemas.Problem("schema", "bad", path="a/1/b~1c").placed(text)
    assert (escaped.line, escaped.column) == (1, 12)


def test_dangling_ref_is_a_problem() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/Missing"}}}
    [problem] = schemas.check_text(json.dumps(schema)).problems
    assert problem.path == "properties/a/$ref" and "#/$defs/Missing" in problem.message


def test_valid_pydantic_schema_passes() -> None:
    checked = schemas.check_text(json.dumps(PYDANTIC_SCHEMA))
    assert checked.problems == [] and checked.schema == PYDANTIC_SCHEMA


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_passes_the_local_checks(key: str) -> None:
    assert schemas.check_text(json.dumps(TEMPLATES[key].schema)).problems == []


# --- builder tables -----------------------------------------------------------------------------


def test_pydantic_defs_nullable_and_enums_show_in_the_table() -> None:
    rows = by_name(schemas.table_rows(PYDANTIC_SCHEMA))
    assert rows["total"].type == "number" and "nullable" in rows["total"].kept and not rows["total"].required
    assert rows["status"].enum == "paid, open" and "$ref #/$defs/Status" in rows["status"].kept
    assert rows["items"].type == "array[object]" and rows["items"].required
    assert schemas.sub_tables(PYDANTIC_SCHEMA) == [("items",)]
    items = by_name(schemas.table_rows(PYDANTIC_SCHEMA, ("items",)))
    assert {name: row.type for name, row in items.items()} == {"description": "string", "amount": "number"}


def test_unchanged_table_round_trips_to_the_same_schema() -> None:
    for key, template in TEMPLATES.items():
        for path in [(), *schemas.sub_tables(template.schema)]:
            result = schemas.apply_rows(template.schema, path, schemas.table_rows(template.schema, path))
            assert result.errors == [] and result.schema == template.schema, (key, path)


def test_edits_change_only_what_was_edited() -> None:
    schema = {
        "type": "object",
        "properties": {
            "total": {"type": "number", "minimum": 0, "description": "Total"},
            "code": {"type": "string", "pattern": "^[A-Z]+$"},
        },
        "required": ["total"],
    }
    rows = schemas.table_rows(schema)
    assert by_name(rows)["total"].kept == "minimum" and by_name(rows)["code"].kept == "pattern"
    rows = [
        replace(rows[0], name="amount_due", description="Amount due"),
        replace(rows[1], required=True, enum="AB, CD"),
        FieldRow(name="issued", type="string", format="date"),
    ]
    result = schemas.apply_rows(schema, (), rows)
    assert result.errors == []
    assert result.schema["properties"] == {
        "amount_due": {"type": "number", "minimum": 0, "description": "Amount due"},
        "code": {"type": "string", "pattern": "^[A-Z]+$", "enum": ["AB", "CD"]},
        "issued": {"type": "string", "format": "date"},
    }
    assert result.schema["required"] == ["amount_due", "code"]
    assert schema["properties"]["total"]["description"] == "Total", "the input must not be modified"


def test_editing_a_ref_field_edits_its_definition() -> None:
    rows = schemas.table_rows(PYDANTIC_SCHEMA)
    rows = [replace(row, enum="paid, open, void") if row.name == "status" else row for row in rows]
    result = schemas.apply_rows(PYDANTIC_SCHEMA, (), rows)
    assert result.schema["$defs"]["Status"]["enum"] == ["paid", "open", "void"]
    assert result.schema["properties"]["status"] == {"$ref": "#/$defs/Status"}
    sub = schemas.table_rows(result.schema, ("items",))
    sub.append(FieldRow(name="quantity", type="integer", required=True))
    nested = schemas.apply_rows(result.schema, ("items",), sub).schema
    assert nested["$defs"]["LineItem"]["properties"]["quantity"] == {"type": "integer"}
    assert nested["$defs"]["LineItem"]["required"] == ["description", "amount", "quantity"]


def test_changing_a_type_rebuilds_only_type_keywords() -> None:
    schema = {"type": "object", "properties": {"tags": {"type": "string", "title": "Tags", "maxLength": 4}}}
    [row] = schemas.table_rows(schema)
    result = schemas.apply_rows(schema, (), [replace(row, type="array[object]")])
    assert result.schema["properties"]["tags"] == {
        "title": "Tags", "maxLength": 4, "type": "array", "items": {"type": "object", "properties": {}}
    }
    assert schemas.sub_tables(result.schema) == [("tags",)]


def test_bad_rows_are_refused_with_reasons() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    result = schemas.apply_rows(schema, (), [FieldRow("a", "string"), FieldRow("a", "number"), FieldRow("", "string")])
    assert result.schema is None
    assert any("Row 3 has no name" in e for e in result.errors) and any("repeated: a" in e for e in result.errors)


def test_unrepresentable_type_is_kept_and_said() -> None:
    union = {"anyOf": [{"type": "string"}, {"type": "number"}]}
    schema = {"type": "object", "properties": {"value": copy.deepcopy(union)}}
    [row] = schemas.table_rows(schema)
    assert row.type == "other" and "edit it in the JSON" in row.kept
    result = schemas.apply_rows(schema, (), [replace(row, description="Either")])
    assert result.schema["properties"]["value"] == {**union, "description": "Either"}


def test_rows_from_records_reads_data_editor_blanks() -> None:
    records = [{"name": " total ", "type": "number", "description": None, "required": float("nan"),
                "enum": None, "format": None, "kept": None, "key": None}]
    assert schemas.rows_from_records(records) == [FieldRow(name="total", type="number")]


# --- inference and samples ----------------------------------------------------------------------


def test_infer_schema_from_an_example_result() -> None:
    example = {"vendor": "Acme", "issued": "2024-03-01", "paid": False,
               "items": [{"amount": 1}, {"amount": 2.5, "note": "x"}]}
    schema = schemas.infer_schema(example)
    assert schema["properties"]["issued"] == {"type": "string", "format": "date"}
    assert schema["properties"]["paid"] == {"type": "boolean"}
    items = schema["properties"]["items"]["items"]
    assert items["properties"] == {"amount": {"type": "number"}, "note": {"type": "string"}}
    assert items["required"] == ["amount"]
    assert schemas.check_text(json.dumps(schema)).problems == []


def test_infer_from_a_list_of_rows_gives_the_row_schema() -> None:
    schema = schemas.infer_schema([{"date": "2024-01-01T10:00:00Z", "amount": 3}, {"date": "2024-01-02T11:00:00Z"}])
    assert schema["properties"]["date"]["format"] == "date-time" and schema["required"] == ["date"]
    with pytest.raises(ValueError):
        schemas.infer_schema(42)


def test_sample_value_follows_refs_and_enums() -> None:
    sample = schemas.sample_value(PYDANTIC_SCHEMA, PYDANTIC_SCHEMA)
    assert sample["status"] == "paid" and sample["total"] == 1.5
    assert sample["items"] == [{"description": "text", "amount": 1.5}] * 2
