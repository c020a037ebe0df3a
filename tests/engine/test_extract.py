"""End-to-end extraction on generated documents with known truth: exact values, citations on
the right page, confidence present and meaningful, results that validate, every target."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest

from lib.engine import extract_document, extract_file
from lib.engine.documents import load_document
from lib.engine.errors import PageSelectionError
from lib.engine.schema import validate_schema
from lib.samples import TEMPLATES, make_sample
from lib.samples.kinds.base import leaf_paths

FULL = {"cite_sources": True, "confidence_scores": True}


def entry_at(meta: Any, path: str) -> dict:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        meta = meta[int(part[1:-1])] if part.startswith("[") else meta[part]
    return meta


def squash(text: str) -> str:
    return " ".join(text.split())


def check_output(sample, out, document) -> None:
    """Values exact, result valid, every leaf cited on its page with text that is on that page."""
    assert out.extract_result == sample.expected
    jsonschema.validate(out.extract_result, sample.schema)
    jsonschema.validate(out.extract_result, validate_schema(sample.schema))
    meta = out.extract_metadata["field_metadata"]["document_metadata"]
    pages = {p.number: p for p in document.pages}
    for path, value in leaf_paths(out.extract_result).items():
        entry = entry_at(meta, path)
        assert set(entry) == {"citation", "confidence", "extraction_confidence", "parsing_confidence"}
        if value is None:
            assert entry["confidence"] == 0 and entry["citation"] == []
            continue
        assert 0 < entry["confidence"] <= 1
        assert sample.field_pages[path] in [c["page"] for c in entry["citation"]], path
        for cite in entry["citation"]:
            page = pages[cite["page"]]
            assert squash(cite["matching_text"]) in squash(page.text), (path, cite["matching_text"])
            assert cite["page_dimensions"] == {"width": round(page.width, 2), "height": round(page.height, 2)}
            box = cite["bounding_boxes"][0]
            assert 0 <= box["x"] <= page.width and 0 <= box["y"] <= page.height


def test_invoices_in_every_layout_and_format(invoice_samples):
    for sample in invoice_samples:
        document = load_document(sample.data, sample.filename)
        check_output(sample, extract_document(document, {"data_schema": sample.schema, **FULL}), document)


@pytest.mark.parametrize("kind, layouts", [("receipt", range(4)), ("bank_statement", range(3)), ("form", range(2)),
                                           ("report", range(2)), ("purchase_order", range(2))])
def test_other_kinds_exact(kind, layouts):
    for layout in layouts:
        sample = make_sample(kind, fmt="pdf", layout=layout, seed=4)
        document = load_document(sample.data, sample.filename)
        check_output(sample, extract_document(document, {"data_schema": sample.schema, **FULL}), document)


def test_absent_fields_are_null_with_zero_confidence():
    sample = make_sample("invoice", fmt="pdf", layout=0, seed=5, due_date=False, tax=False)
    out = extract_file(sample.data, sample.filename, {"data_schema": sample.schema, **FULL})
    meta = out.extract_metadata["field_metadata"]["document_metadata"]
    for field in ("due_date", "tax", "subtotal"):
        assert out.extract_result[field] is None
        assert meta[field] == {"citation": [], "confidence": 0.0, "extraction_confidence": 0.0,
                               "parsing_confidence": 0.0}
    assert out.extract_result == sample.expected


def test_flags_off_leave_their_parts_out(invoice_samples):
    sample = invoice_samples[0]
    bare = extract_file(sample.data, sample.filename, {"data_schema": sample.schema})
    assert bare.extract_metadata["field_metadata"]["document_metadata"]["total"] == {}
    cited = extract_file(sample.data, sample.filename, {"data_schema": sample.schema, "cite_sources": True})
    assert set(cited.extract_metadata["field_metadata"]["document_metadata"]["total"]) == {"citation"}
    scored = extract_file(sample.data, sample.filename, {"data_schema": sample.schema, "confidence_scores": True})
    entry = scored.extract_metadata["field_metadata"]["document_metadata"]["line_items"][0]["amount"]
    assert set(entry) == {"confidence", "extraction_confidence", "parsing_confidence"}
    assert bare.usage["num_pages_extracted"] == 1 and bare.usage["num_document_tokens"] > 20
    assert bare.usage["num_output_tokens"] > 0


def test_per_table_row_returns_every_row_of_a_long_statement(long_statement):
    sample = long_statement
    config = {"data_schema": sample.row_schema, "extraction_target": "per_table_row", **FULL}
    out = extract_file(sample.data, sample.filename, config)
    assert sample.pages >= 3
    assert len(out.extract_result) == len(sample.expected_rows) == 120
    assert out.extract_result == sample.expected_rows
    rows_meta = out.extract_metadata["field_metadata"]["row_metadata"]
    assert len(rows_meta) == 120
    assert {m["amount"]["citation"][0]["page"] for m in rows_meta} == set(range(1, sample.pages + 1))
    for row in out.extract_result:
        jsonschema.validate(row, sample.row_schema)


@pytest.mark.parametrize("target", ["per_doc", "per_page", "per_table_row"])
def test_extract_file_reads_tables_when_needed_and_gets_the_eager_answer(target):
    """``extract_file`` leaves a PDF page's tables undetected until the extraction reads them;
    each target's whole output (values, confidence, citations) is what a fully parsed document
    gives."""
    sample = make_sample("bank_statement", fmt="pdf", layout=1, seed=3, rows=50)
    schema = {"per_doc": sample.schema, "per_page": sample.page_schema, "per_table_row": sample.row_schema}[target]
    config = {"data_schema": schema, "extraction_target": target, **FULL}
    eager = extract_document(load_document(sample.data, sample.filename), config)
    assert extract_file(sample.data, sample.filename, config) == eager
    if target == "per_table_row":
        assert eager.extract_result == sample.expected_rows


def test_per_table_row_with_one_row_gives_one_row():
    sample = make_sample("invoice", fmt="pdf", layout=0, seed=6, items=1)
    out = extract_file(sample.data, sample.filename,
                       {"data_schema": sample.row_schema, "extraction_target": "per_table_row"})
    assert out.extract_result == sample.expected_rows and len(out.extract_result) == 1


def test_per_page_gives_one_object_per_selected_page():
    sample = make_sample("bank_statement", fmt="pdf", layout=0, seed=7, rows=60)
    assert sample.page_schema and sample.expected_pages
    config = {"data_schema": sample.page_schema, "extraction_target": "per_page", **FULL}
    out = extract_file(sample.data, sample.filename, config)
    assert out.extract_result == sample.expected_pages
    page_meta = out.extract_metadata["field_metadata"]["page_metadata"]
    for number, meta in enumerate(page_meta, start=1):
        for entry in meta.values():
            if entry["citation"]:
                assert entry["citation"][0]["page"] == number
    selected = extract_file(sample.data, sample.filename, {**config, "target_pages": "2-3"})
    assert selected.extract_result == sample.expected_pages[1:3]
    assert selected.usage["num_pages_extracted"] == 2


def test_bad_page_selection_is_an_engine_error(invoice_samples):
    sample = invoice_samples[0]
    with pytest.raises(PageSelectionError, match="page 9"):
        extract_file(sample.data, sample.filename, {"data_schema": sample.schema, "target_pages": "9"})


def test_pydantic_report_template_with_refs():
    sample = make_sample("report", fmt="pdf", layout=0, seed=8)
    assert "$defs" in TEMPLATES["report"].schema
    out = extract_file(sample.data, sample.filename, {"data_schema": TEMPLATES["report"].schema})
    assert out.extract_result == sample.expected
    jsonschema.validate(out.extract_result, TEMPLATES["report"].schema)


def test_extract_file_accepts_a_pre_parsed_document(invoice_samples):
    sample = invoice_samples[1]
    document = load_document(sample.data, sample.filename)
    out = extract_file(b"", sample.filename, {"data_schema": sample.schema}, document=document)
    assert out.extract_result == sample.expected
