"""A scanned (rasterised) receipt end to end: OCR text, OCR confidences as parsing confidence,
citations into the recognised text. One document only: OCR costs seconds per page."""

from __future__ import annotations

import pytest

from lib.engine import extract_file
from lib.engine.documents import load_document
from lib.samples import make_sample


@pytest.mark.slow
def test_scanned_receipt():
    sample = make_sample("receipt", fmt="png", layout=0, seed=1)
    config = {"data_schema": sample.schema, "cite_sources": True, "confidence_scores": True}
    document = load_document(sample.data, sample.filename)
    assert all(page.ocr for page in document.pages)
    out = extract_file(sample.data, sample.filename, config, document=document)
    result, meta = out.extract_result, out.extract_metadata["field_metadata"]["document_metadata"]
    for field in ("merchant_name", "receipt_number", "date", "total", "subtotal", "payment_method"):
        assert result[field] == sample.expected[field], field
        entry = meta[field]
        assert 0.5 < entry["parsing_confidence"] < 1.0  # the OCR line score, not the born-digital 1.0
        assert entry["confidence"] <= entry["extraction_confidence"]
        text = " ".join(document.pages[0].text.split())
        assert " ".join(entry["citation"][0]["matching_text"].split()) in text
    assert [i["amount"] for i in result["items"]] == [i["amount"] for i in sample.expected["items"]]
