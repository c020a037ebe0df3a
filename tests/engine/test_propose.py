"""Schema proposal: from a generated document's labels and tables, and from plain words."""

from __future__ import annotations

import pytest

from lib.engine import extract_document
from lib.engine.documents import load_document
from lib.engine.errors import EngineError
from lib.engine.propose import propose_schema, schema_from_prompt
from lib.engine.schema import validate_schema
from lib.samples import make_sample


def test_schema_from_prompt_builds_arrays_of_objects_and_types():
    schema = schema_from_prompt("invoice number, date, total, line items with description, quantity and price")
    validate_schema(schema)
    props = schema["properties"]
    assert list(props) == ["invoice_number", "date", "total", "line_items"]
    assert props["invoice_number"]["type"] == "string"
    assert props["date"] == {"type": "string", "format": "date", "description": "date"}
    assert props["total"]["type"] == "number"
    items = props["line_items"]["items"]["properties"]
    assert {k: v["type"] for k, v in items.items()} == {"description": "string", "quantity": "integer",
                                                        "price": "number"}


def test_schema_from_prompt_other_phrasings():
    schema = schema_from_prompt("From receipts: the merchant, items (name, price), list of tags. "
                                "Also the customer email and is it paid?")
    props = schema["properties"]
    assert list(props) == ["merchant", "items", "tags", "customer_email", "is_it_paid"]
    assert props["tags"] == {"type": "array", "description": "list of tags", "items": {"type": "string"}}
    assert props["customer_email"]["format"] == "email" and props["is_it_paid"]["type"] == "boolean"
    with pytest.raises(EngineError, match="empty"):
        schema_from_prompt("   ")


def test_propose_from_an_invoice_gives_labels_and_a_line_item_table():
    sample = make_sample("invoice", fmt="pdf", layout=0, seed=11)
    document = load_document(sample.data, sample.filename)
    schema = propose_schema(document)
    validate_schema(schema)
    props = schema["properties"]
    items = props["line_items"]["items"]["properties"]
    assert len(items) == 4 and [p["type"] for p in items.values()][1:] in (["integer", "number", "number"],)
    assert any(p.get("format") == "date" for p in props.values())
    out = extract_document(document, {"data_schema": schema})
    assert len(out.extract_result["line_items"]) == len(sample.expected["line_items"])
    labelled = [k for k, p in props.items() if p.get("type") == "number"]
    assert sample.expected["total"] in [out.extract_result[k] for k in labelled]


def test_propose_from_a_statement_names_the_transactions():
    sample = make_sample("bank_statement", fmt="csv", layout=0, seed=12)
    schema = propose_schema(load_document(sample.data, sample.filename))
    transactions = schema["properties"]["transactions"]["items"]["properties"]
    assert any(p.get("format") == "date" for p in transactions.values())
