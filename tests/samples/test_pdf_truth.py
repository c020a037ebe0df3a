"""Born-digital PDFs: the ground truth is printed where the sample says, and means what it says."""

from __future__ import annotations

import pymupdf
from jsonschema import Draft202012Validator

from lib.samples import TEMPLATES, make_sample

from .truth_check import reads_as


def _validator(schema):
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _page_texts(sample):
    with pymupdf.open(stream=sample.data, filetype="pdf") as doc:
        assert doc.page_count == sample.pages
        return [page.get_text() for page in doc]


def test_expected_values_validate_against_their_schemas(pdf_samples):
    for sample in pdf_samples:
        errors = [e.message for e in _validator(sample.schema).iter_errors(sample.expected)]
        assert not errors, (sample.filename, errors[:3])
        assert sample.schema == TEMPLATES[sample.template].schema
        for row in sample.expected_rows or []:
            assert _validator(sample.row_schema).is_valid(row), (sample.filename, row)
        for page in sample.expected_pages or []:
            assert _validator(sample.page_schema).is_valid(page), (sample.filename, page)


def test_every_value_is_in_the_text_layer_of_its_page(pdf_samples):
    for sample in pdf_samples:
        texts = _page_texts(sample)
        assert sample.field_pages and set(sample.field_pages) == set(sample.printed)
        for path, page in sample.field_pages.items():
            assert sample.printed[path] in texts[page - 1], (sample.filename, path, page, sample.printed[path])


def test_printed_text_reads_back_as_the_expected_value(pdf_samples):
    from lib.samples.kinds.base import leaf_paths

    for sample in pdf_samples:
        truth = leaf_paths(sample.expected)
        for path, printed in sample.printed.items():
            assert reads_as(printed, truth[path]), (sample.filename, path, printed, truth[path])


def test_missing_fields_are_null_and_not_printed():
    sample = make_sample("invoice", seed=2, due_date=False, tax=False)
    assert sample.expected["due_date"] is None and sample.expected["tax"] is None
    assert "due_date" not in sample.field_pages and "tax" not in sample.printed
    text = _page_texts(sample)[0]
    assert "Due" not in text.replace("Amount Due", "").replace("Balance Due", "").replace("Total Due", "")


def test_long_statement_spans_pages_with_the_header_repeated(long_statement):
    sample = long_statement
    texts = _page_texts(sample)
    assert len(sample.expected_rows) == 150 == len(sample.expected["transactions"])
    assert sample.pages >= 5 and len(sample.expected_pages) == sample.pages
    header = texts[0].split("Balance brought forward")[0]
    first_column = "Booking date" if "Booking date" in header else "Date"
    for text in texts:
        assert first_column in text and "Page" in text
    assert sample.row_pages == sorted(sample.row_pages) and sample.row_pages[-1] == sample.pages
    for row, page, printed in zip(sample.expected_rows, sample.row_pages, sample.row_printed):
        assert printed["description"] in texts[page - 1]
        assert reads_as(printed["amount"], row["amount"]) and reads_as(printed["date"], row["date"])


def test_per_page_truth_is_on_its_own_page(long_statement):
    texts = _page_texts(long_statement)
    for i, (truth, printed) in enumerate(zip(long_statement.expected_pages, long_statement.page_printed)):
        assert set(printed) == set(truth)
        for name, text in printed.items():
            assert text in texts[i] and reads_as(text, truth[name]), (i, name)
    balances = long_statement.expected_pages
    assert all(a["page_closing_balance"] == b["page_opening_balance"] for a, b in zip(balances, balances[1:]))
    assert balances[0]["page_opening_balance"] == long_statement.expected["opening_balance"]
    assert balances[-1]["page_closing_balance"] == long_statement.expected["closing_balance"]


def test_report_pages_each_show_their_section():
    sample = make_sample("report", pages=4, seed=3)
    texts = _page_texts(sample)
    assert sample.pages == 4 == len(sample.expected["sections"])
    for i, section in enumerate(sample.expected["sections"]):
        assert sample.field_pages[f"sections[{i}].title"] == i + 1
        assert section["title"] in texts[i]
    assert sample.expected_pages[2]["section_title"] == sample.expected["sections"][2]["title"]


def test_invoice_row_counts_follow_the_option():
    for n in (1, 40):
        sample = make_sample("invoice", items=n, layout=3)
        assert len(sample.expected["line_items"]) == n == len(sample.expected_rows)
        assert sample.field_pages[f"line_items[{n - 1}].amount"] == sample.pages
    assert make_sample("invoice", items=40).pages >= 2
