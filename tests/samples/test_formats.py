"""Every format opens with its own library and carries the same truth as the born-digital PDF."""

from __future__ import annotations

import csv
import io

import docx
import openpyxl
import pymupdf
import pytest
from bs4 import BeautifulSoup

from lib.samples import FORMATS, KINDS, make_sample
from lib.samples.kinds.base import leaf_paths

TEXT_FORMATS = ("csv", "html", "txt", "md")
IMAGE_FORMATS = ("scanned_pdf", "png", "jpeg", "tiff")


@pytest.fixture(scope="module")
def invoices():
    return {fmt: make_sample("invoice", fmt=fmt, layout=1, seed=5, items=6) for fmt in FORMATS}


def test_all_formats_share_one_truth(invoices):
    pdf = invoices["pdf"]
    for fmt, sample in invoices.items():
        assert sample.fmt == fmt and sample.expected == pdf.expected and sample.expected_rows == pdf.expected_rows
        assert sample.filename.endswith({"jpeg": ".jpg", "scanned_pdf": ".pdf"}.get(fmt, "." + fmt))


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_scanned_variants_are_images_without_text(invoices, fmt):
    sample = invoices[fmt]
    with pymupdf.open(stream=sample.data, filetype="pdf" if fmt == "scanned_pdf" else fmt) as doc:
        assert doc.page_count == sample.pages == 1
        assert doc[0].get_text().strip() == ""
        width = doc[0].get_pixmap(dpi=72).width if fmt == "scanned_pdf" else doc[0].rect.width
        assert width > 500
    assert sample.field_pages == invoices["pdf"].field_pages


def test_multi_page_scans_keep_their_pages():
    sample = make_sample("bank_statement", fmt="tiff", rows=40)
    with pymupdf.open(stream=sample.data, filetype="tiff") as doc:
        assert doc.page_count == sample.pages == 2


def test_single_image_formats_fit_one_page_or_refuse():
    assert make_sample("report", fmt="jpeg", seed=3).pages == 1
    with pytest.raises(ValueError, match="tiff or scanned_pdf"):
        make_sample("bank_statement", fmt="png", rows=100)


def test_docx_has_paragraphs_and_tables_with_the_values(invoices):
    document = docx.Document(io.BytesIO(invoices["docx"].data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    text = "\n".join(p.text for p in document.paragraphs) + "\n" + "\n".join(cells)
    for path, printed in invoices["docx"].printed.items():
        assert printed in text, path
    items = [t for t in document.tables if len(t.columns) == 4]
    assert len(items) == 1 and len(items[0].rows) == 1 + 6


def test_xlsx_holds_numbers_as_numbers(invoices):
    sample = invoices["xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(sample.data)).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    for item in sample.expected["line_items"]:
        assert item["amount"] in values and item["description"] in values
    assert sample.expected["total"] in values
    assert sample.printed["invoice_number"] in values


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_text_formats_contain_every_printed_value(invoices, fmt):
    sample = invoices[fmt]
    raw = sample.data.decode("utf-8")
    text = BeautifulSoup(raw, "lxml").get_text(" ") if fmt == "html" else raw
    for path, printed in sample.printed.items():
        assert printed in text, (fmt, path, printed)
    assert set(sample.field_pages.values()) == {1}


def test_csv_rows_parse_and_the_table_is_one_table_again():
    sample = make_sample("bank_statement", fmt="csv", rows=75, layout=0)
    rows = list(csv.reader(io.StringIO(sample.data.decode())))
    headers = [i for i, r in enumerate(rows) if len(r) == 4 and r[-1].endswith("alance")]
    assert len(headers) == 1 and "Balance carried forward" not in sample.data.decode()
    header_at = headers[0]
    body = [r for r in rows[header_at + 1:] if len(r) == 4]
    assert [r[1] for r in body] == [t["description"] for t in sample.expected_rows]


def test_html_tables_have_header_rows():
    sample = make_sample("bank_statement", fmt="html", rows=12)
    soup = BeautifulSoup(sample.data, "lxml")
    table = soup.find("table", class_=["ruled", "plain"])
    assert table.thead is not None and len(table.tbody.find_all("tr")) == 12


def test_flowing_formats_drop_per_page_truth_for_multi_page_content():
    long_doc = make_sample("bank_statement", fmt="docx", rows=80)
    short_doc = make_sample("bank_statement", fmt="docx", rows=5)
    assert long_doc.expected_pages is None and long_doc.page_schema is None
    assert short_doc.expected_pages is not None and len(short_doc.expected_pages) == 1
    assert all(v == 1 for v in leaf_pages(long_doc))


def leaf_pages(sample):
    return [sample.field_pages[p] for p, v in leaf_paths(sample.expected).items() if v is not None]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_prints_its_truth_in_every_flowing_format(kind):
    for fmt in ("docx", *TEXT_FORMATS):
        sample = make_sample(kind, fmt=fmt, seed=2)
        if fmt == "docx":
            document = docx.Document(io.BytesIO(sample.data))
            text = "\n".join([p.text for p in document.paragraphs]
                             + [c.text for t in document.tables for row in t.rows for c in row.cells])
        else:
            text = sample.data.decode("utf-8")
            if fmt == "html":
                text = BeautifulSoup(text, "lxml").get_text(" ")
        missing = [path for path, printed in sample.printed.items() if printed not in text]
        assert not missing, (kind, fmt, missing[:3])
