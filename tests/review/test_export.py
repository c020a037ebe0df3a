"""Exports read back with the libraries an analyst would use: every format holds the corrected values,
lists stay lists, the JSON has the schema's nesting, the workbook has its sheets."""

from __future__ import annotations

import io
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from lib.review.export import to_csv, to_json, to_parquet, to_xlsx
from lib.review.flatten import flatten_job
from tests.review.test_flatten import RESULT, _job


@pytest.fixture()
def corrected():
    """The hand-made per_doc job, with one top-level value and one line item corrected."""
    flat = flatten_job(_job())
    values = flat.values.copy()
    values.loc[0, "total"] = 13.0
    items = flat.children["line_items"].values.copy()
    items.loc[1, "amount"] = 3.0
    return flat, values, {"line_items": items, "line_items[].taxes": flat.children["line_items[].taxes"].values}


def test_csv_holds_the_corrected_values_and_lists_as_json(corrected) -> None:
    flat, values, _ = corrected
    data = to_csv(values)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == list(values.columns)
    assert back.loc[0, "total"] == 13.0 and back.loc[0, "vendor.name"] == "Acme"
    assert json.loads(back.loc[0, "tags"]) == ["red", "blue"]
    assert json.loads(back.loc[0, "line_items"])[1]["amount"] == 2.5


def test_json_restores_the_nesting_with_every_correction(corrected) -> None:
    flat, values, children = corrected
    restored = json.loads(to_json(flat, values, children))
    expected = json.loads(json.dumps(RESULT))
    expected["total"] = 13.0
    expected["line_items"][1]["amount"] = 3.0
    assert restored == expected
    assert json.loads(to_json(flat)) == RESULT


def test_per_page_json_is_the_list_the_api_returns_without_the_page_column() -> None:
    rows = [{"n": 1}, {"n": 2}]
    flat = flatten_job(_job(rows, [], "per_page", {"type": "object", "properties": {"n": {"type": "integer"}}}))
    assert json.loads(to_json(flat)) == rows


def test_xlsx_has_values_confidence_child_and_audit_sheets(corrected) -> None:
    flat, values, children = corrected
    audit = pd.DataFrame({"path": ["total"], "action": ["correct"], "old": [12.5], "new": [13.0], "reviewer": ["ana"]})
    sheets = pd.read_excel(io.BytesIO(to_xlsx(values, flat.confidence, audit, children)), sheet_name=None)
    assert list(sheets) == ["values", "confidence", "line_items", "line_items.taxes", "audit"]
    assert sheets["values"].loc[0, "total"] == 13.0 and json.loads(sheets["values"].loc[0, "tags"]) == ["red", "blue"]
    assert sheets["confidence"].loc[0, "total"] == 0.6 and pd.isna(sheets["confidence"].loc[0, "line_items"])
    assert sheets["line_items"]["amount"].tolist() == [10.0, 3.0]
    assert sheets["audit"].to_dict("records") == audit.to_dict("records")
    assert list(pd.read_excel(io.BytesIO(to_xlsx(values)), sheet_name=None)) == ["values"]


def test_parquet_keeps_types_and_lists(corrected) -> None:
    _, values, _ = corrected
    table = pq.read_table(io.BytesIO(to_parquet(values)))
    back = table.to_pylist()[0]
    assert back["total"] == 13.0 and back["tags"] == ["red", "blue"]
    assert back["line_items"][0]["taxes"] == [{"rate": 0.2}, {"rate": 0.05}]
    assert str(table.schema.field("total").type) == "double"


def test_parquet_stores_a_column_arrow_cannot_type_as_json_text() -> None:
    values = pd.DataFrame({"mixed": pd.Series([[1, "a"], {"k": 1}], dtype=object), "n": [1, 2]})
    back = pq.read_table(io.BytesIO(to_parquet(values))).to_pylist()
    assert [json.loads(row["mixed"]) for row in back] == [[1, "a"], {"k": 1}] and back[1]["n"] == 2
