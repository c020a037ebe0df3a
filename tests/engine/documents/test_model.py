"""The Document's JSON form and its Markdown view."""

import json

from lib.engine.documents import load_document, page_markdown
from lib.engine.documents.model import Box, Cell, Document, Line, Page, Table, Word


def test_round_trip_through_json_is_lossless(invoice_pdf):
    doc = load_document(invoice_pdf, "invoice.pdf")
    stored = json.dumps(doc.to_dict())
    again = Document.from_dict(json.loads(stored))
    assert again.to_dict() == doc.to_dict()
    assert again.text == doc.text and again.total_pages == doc.total_pages
    table = again.pages[0].tables[0]
    assert [c.text for c in table.header] == ["Description", "Qty", "Unit price", "Amount"]
    assert isinstance(again.pages[0].lines[0].words[0].box, Box)


def test_round_trip_keeps_ocr_confidence_and_missing_boxes():
    word = Word("Total", Box(1, 2, 3, 4), 0.87)
    page = Page(number=3, width=100, height=50, ocr=True,
                lines=[Line("Total", Box(1, 2, 3, 4), [word], 0.87)],
                tables=[Table(3, [Cell("A"), Cell("B")], [[Cell("1", None, 0.5), Cell("2", Box(0, 0, 1, 1))]], None, "T")])
    doc = Document(filename="x.png", kind="image", pages=[page], total_pages=4)
    again = Document.from_dict(json.loads(json.dumps(doc.to_dict())))
    assert again == doc


def test_markdown_view_places_tables_and_joins_rows(invoice_pdf):
    md = page_markdown(load_document(invoice_pdf, "invoice.pdf").pages[0])
    assert md.split("\n\n") == [
        "INVOICE",
        "Invoice Number: INV-0001 Date: 2024-03-15",
        "| Description | Qty | Unit price | Amount |\n|---|---|---|---|\n| Widget | 2 | 10.00 | 20.00 |\n"
        "| Gadget large | 1 | 5.50 | 5.50 |\n| Cable | 3 | 1.25 | 3.75 |",
        "Total 29.25",
    ]


def test_markdown_escapes_pipes_and_fills_a_missing_header():
    table = Table(1, [], [[Cell("a|b"), Cell("c")]], Box(0, 0, 10, 10))
    assert page_markdown(Page(1, 10, 10, tables=[table])) == "|  |  |\n|---|---|\n| a\\|b | c |"
