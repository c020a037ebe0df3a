"""Locating values on hand-built documents: label forms, synonyms, sibling claims, ambiguity,
tiers and system-prompt hints. No parser involved, so each rule is tested on its own."""

from __future__ import annotations

import jsonschema

from lib.engine import extract_document
from lib.engine.documents.model import Box, Cell, Table
from lib.engine.schema import validate_schema

from .conftest import make_document, make_page

FULL = {"cite_sources": True, "confidence_scores": True}
INVOICE = {"type": "object", "properties": {
    "invoice_number": {"type": "string"},
    "invoice_date": {"type": "string", "format": "date"},
    "due_date": {"type": "string", "format": "date"},
    "subtotal": {"type": "number"},
    "tax": {"type": "number"},
    "total": {"type": "number", "description": "Total amount due (Total, Amount Due, Balance Due)"},
    "payment_method": {"type": "string", "enum": ["credit_card", "cash", "bank_transfer"]},
}}


def run(document, schema=INVOICE, **config):
    out = extract_document(document, {"data_schema": schema, **FULL, **config})
    jsonschema.validate(out.extract_result, validate_schema(schema))
    return out.extract_result, out.extract_metadata["field_metadata"]["document_metadata"]


def test_label_forms_synonyms_and_claims():
    doc = make_document(make_page([
        [(40, "Invoice No. INV-77")],
        [(40, "Date of Issue: 03/04/2024"), (300, "Payment Due:"), (400, "31/05/2024")],
        [(40, "Sub-total"), (300, "1.000,00 €")],
        [(40, "Total Tax: 190,00 €")],
        [(40, "Balance Due"), (300, "1.190,00 €")],
        [(40, "Paid by: Bank Transfer")],
    ]))
    result, meta = run(doc)
    assert result == {"invoice_number": "INV-77", "invoice_date": "2024-04-03", "due_date": "2024-05-31",
                      "subtotal": 1000.0, "tax": 190.0, "total": 1190.0, "payment_method": "bank_transfer"}
    cite = meta["total"]["citation"][0]
    assert cite["matching_text"] == "1.190,00 €" and cite["page"] == 1
    assert cite["bounding_boxes"] == [{"x": 300.0, "y": 120.0, "w": 50.0, "h": 12.0}]
    assert all(meta[k]["parsing_confidence"] == 1.0 for k in result)


def test_competing_values_lower_the_confidence():
    clear = make_document(make_page([[(40, "Total: 120.00")]]))
    contested = make_document(make_page([[(40, "Total: 120.00")], [(40, "Total: 150.00")]]))
    (clear_result, clear_meta), (contested_result, contested_meta) = run(clear), run(contested)
    assert clear_result["total"] == 120.0 and contested_result["total"] == 120.0
    assert contested_meta["total"]["extraction_confidence"] < clear_meta["total"]["extraction_confidence"] - 0.2
    weak = make_document(make_page([[(40, "Amount"), (300, "120.00")]]))
    _, weak_meta = run(weak, {"type": "object", "properties": {"grand_total": {"type": "number"}}})
    assert weak_meta["grand_total"]["confidence"] == 0.0  # "Amount" is not a label of grand_total


def test_ocr_confidence_flows_into_parsing_confidence():
    doc = make_document(make_page([[(40, "Total: 120.00")]], confidence=0.8))
    _, meta = run(doc)
    assert meta["total"]["parsing_confidence"] == 0.8
    assert meta["total"]["confidence"] == round(meta["total"]["extraction_confidence"] * 0.8, 4)


def test_unanswered_fields_are_null_not_guessed():
    doc = make_document(make_page([[(40, "Thank you for shopping with us on 03/04/2024")], [(40, "120.00")]]))
    result, meta = run(doc)
    assert result == {k: None for k in INVOICE["properties"]}
    assert all(entry == {"citation": [], "confidence": 0.0, "extraction_confidence": 0.0, "parsing_confidence": 0.0}
               for entry in meta.values())


def test_agentic_tier_accepts_a_sole_unlabelled_value():
    doc = make_document(make_page([[(40, "ACME LTD")], [(40, "Reference XK-99")], [(40, "USD 412.50")]]))
    schema = {"type": "object", "properties": {"grand_total": {"type": "number"}}}
    assert run(doc, schema)[0] == {"grand_total": None}
    result, meta = run(doc, schema, tier="agentic")
    assert result == {"grand_total": 412.5}
    assert 0 < meta["grand_total"]["confidence"] < 0.5


def test_system_prompt_adds_labels_and_conventions():
    doc = make_document(make_page([[(40, "Ref.: 2024-XY-1")], [(40, "Booked 04/03/2024")]]))
    schema = {"type": "object", "properties": {"invoice_number": {"type": "string"},
                                               "booking_date": {"type": "string", "format": "date"}}}
    # without hints: no label names the invoice number; the only date is read month-first
    assert run(doc, schema)[0] == {"invoice_number": None, "booking_date": "2024-04-03"}
    prompt = "The invoice number is labelled 'Ref.'. The booking date is shown after 'Booked'. Dates are day-first."
    assert run(doc, schema, system_prompt=prompt)[0] == {"invoice_number": "2024-XY-1", "booking_date": "2024-03-04"}


def test_line_items_join_across_pages_and_skip_totals():
    def table(page, rows, header=True):
        cells = [Cell(t, Box(40 + 150 * i, 100, 100, 12)) for i, t in enumerate(["Description", "Qty", "Amount"])]
        body = [[Cell(t, Box(40 + 150 * i, 120 + 20 * r, 100, 12)) for i, t in enumerate(row)] for r, row in enumerate(rows)]
        return Table(page, cells if header else [], body, Box(40, 100, 450, 200))
    first = make_page([[(40, "Description"), (190, "Qty"), (340, "Amount")], [(40, "Widget"), (190, "2"), (340, "20.00")]],
                      number=1, tables=[table(1, [["Widget", "2", "20.00"], ["Gadget", "1", "5.50"]])])
    second = make_page([[(40, "Bolt"), (190, "10"), (340, "1.00")]], number=2,
                       tables=[table(2, [["Bolt", "10", "1.00"], ["Subtotal", "", "26.50"]], header=False)])
    schema = {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
        "description": {"type": "string"}, "quantity": {"type": "integer"}, "amount": {"type": "number"}}}}}}
    result, meta = run(make_document(first, second), schema)
    assert result["items"] == [{"description": "Widget", "quantity": 2, "amount": 20.0},
                               {"description": "Gadget", "quantity": 1, "amount": 5.5},
                               {"description": "Bolt", "quantity": 10, "amount": 1.0}]
    assert [m["amount"]["citation"][0]["page"] for m in meta["items"]] == [1, 1, 2]
    rows = extract_document(make_document(first, second), {"data_schema": schema["properties"]["items"]["items"],
                                                            "extraction_target": "per_table_row"})
    assert rows.extract_result == result["items"]
