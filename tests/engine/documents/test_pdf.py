"""The PDF text layer: exact words, boxes in points (top-left origin), reading order, tables,
and page selection that parses only the pages asked for."""

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, letter
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from lib.engine.documents import count_pages, load_document, opened_document, pdf, tables
from lib.samples import long_pdf
from tests.engine.documents.conftest import make_pdf


def test_words_lines_and_boxes(invoice_pdf):
    doc = load_document(invoice_pdf, "invoice.pdf")
    assert (doc.kind, doc.total_pages, len(doc.pages)) == ("pdf", 1, 1)
    page = doc.pages[0]
    assert (page.number, page.width, page.height, page.ocr) == (1, 612, 792, False)
    texts = [line.text for line in page.lines]
    assert texts[:3] == ["INVOICE", "Invoice Number: INV-0001", "Date: 2024-03-15"]
    assert "Total" in texts and "29.25" in texts
    assert all(line.confidence == 1.0 for line in page.lines)
    title = page.lines[0]
    # 16 pt text on the baseline y=720 from the bottom: its box's top lies about one font
    # size above the baseline, measured from the top
    assert title.box.x == pytest.approx(72, abs=0.5)
    assert 792 - 720 - 16 * 1.2 < title.box.y < 792 - 720 - 16 * 0.6
    assert title.box.y1 > 792 - 720
    for line in page.lines:
        assert 0 <= line.box.x and line.box.x1 <= page.width and 0 <= line.box.y and line.box.y1 <= page.height
        assert line.text == " ".join(w.text for w in line.words)
        for word in line.words:
            assert line.box.x - 0.01 <= word.box.x and word.box.x1 <= line.box.x1 + 0.01


def test_a_lines_words_are_mupdfs_words_made_when_first_read(invoice_pdf):
    """Lines keep MuPDF's word tuples and build ``Word`` objects on first read: the same text
    and boxes, the same list on every read, and a stored parse round-trips."""
    import pymupdf

    raw = pymupdf.open(stream=invoice_pdf, filetype="pdf")[0].get_text("words", sort=False)
    boxes = {(w[4], round(w[0], 3), round(w[1], 3), round(w[2] - w[0], 3), round(w[3] - w[1], 3)) for w in raw}
    doc = load_document(invoice_pdf, "invoice.pdf")
    words = [w for line in doc.pages[0].lines for w in line.words]
    assert len(words) == len(raw)
    assert {(w.text, round(w.box.x, 3), round(w.box.y, 3), round(w.box.w, 3), round(w.box.h, 3)) for w in words} == boxes
    line = doc.pages[0].lines[0]
    assert line.words is line.words
    assert type(doc).from_dict(doc.to_dict()).to_dict() == doc.to_dict()


def test_reading_order_is_top_to_bottom_then_left_to_right(invoice_pdf):
    lines = load_document(invoice_pdf, "invoice.pdf").pages[0].lines
    keys = [(round(line.box.y), line.box.x) for line in lines]
    assert keys == sorted(keys)


def test_wide_gap_splits_a_row_into_lines(invoice_pdf):
    page = load_document(invoice_pdf, "invoice.pdf").pages[0]
    row = [line.text for line in page.lines if abs(line.box.y - page.lines[4].box.y) < 1]
    assert row == ["Description", "Qty", "Unit price", "Amount"]


def test_unruled_table_from_column_alignment(invoice_pdf):
    page = load_document(invoice_pdf, "invoice.pdf").pages[0]
    assert len(page.tables) == 1
    table = page.tables[0]
    assert [c.text for c in table.header] == ["Description", "Qty", "Unit price", "Amount"]
    assert [[c.text for c in row] for row in table.rows] == [
        ["Widget", "2", "10.00", "20.00"], ["Gadget large", "1", "5.50", "5.50"], ["Cable", "3", "1.25", "3.75"]
    ]
    # the total below the table starts right of the first column, so it is not a row
    assert table.page_number == 1
    amount = table.rows[1][3]
    assert amount.box is not None and amount.box.x == pytest.approx(420, abs=0.5)
    for row in [table.header] + table.rows:  # cells of one row share its band; columns line up
        assert len({round(c.box.y) for c in row}) == 1
    assert len({round(row[0].box.x) for row in table.rows}) == 1


def test_empty_cells_of_an_aligned_table_have_boxes():
    def draw(c, n):
        for i, row in enumerate([["Date", "Memo", "Amount"], ["2024-01-02", "", "5.00"], ["2024-01-03", "Rent", "900.00"]]):
            for x, text in zip((72, 200, 400), row):
                if text:
                    c.drawString(x, 700 - 16 * i, text)

    table = load_document(make_pdf(1, draw), "gaps.pdf").pages[0].tables[0]
    empty = table.rows[0][1]
    assert empty.text == "" and empty.box is not None
    assert empty.box.x == pytest.approx(table.rows[1][1].box.x, abs=0.5)
    assert empty.box.y == pytest.approx(table.rows[0][0].box.y, abs=0.5)


def _ruled_pdf(rows, pagesize=letter):
    import io

    buf = io.BytesIO()
    table = Table(rows)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    SimpleDocTemplate(buf, pagesize=pagesize).build([table])
    return buf.getvalue()


def test_ruled_table_with_multiline_cells():
    rows = [["Date", "Description", "Amount"], ["2024-01-02", "Coffee\nbeans", "12.50"], ["2024-01-03", "Rent", "900.00"]]
    page = load_document(_ruled_pdf(rows), "ruled.pdf").pages[0]
    assert len(page.tables) == 1
    table = page.tables[0]
    assert [c.text for c in table.header] == ["Date", "Description", "Amount"]
    assert [[c.text for c in row] for row in table.rows] == [
        ["2024-01-02", "Coffee beans", "12.50"], ["2024-01-03", "Rent", "900.00"]
    ]
    for row in table.rows:
        for cell in row:
            assert cell.box is not None and table.box is not None
            assert table.box.x - 0.01 <= cell.box.x and cell.box.x1 <= table.box.x1 + 0.01


def test_headerless_ruled_table_keeps_every_row():
    rows = [["2024-01-02", "Coffee", "12.50"], ["2024-01-03", "Rent", "900.00"], ["2024-01-04", "Tea", "3.10"]]
    table = load_document(_ruled_pdf(rows), "ruled.pdf").pages[0].tables[0]
    assert table.header == []
    assert [row[1].text for row in table.rows] == ["Coffee", "Rent", "Tea"]


def test_deferred_tables_are_the_tables_of_the_eager_parse(invoice_pdf):
    """An extraction's parse finds a page's tables when they are first read: the same tables,
    ruled or aligned, that ``load_document`` finds up front."""
    rows = [["Date", "Description", "Amount"], ["2024-01-02", "Coffee\nbeans", "12.50"], ["2024-01-03", "Rent", "900.00"]]
    for data in (_ruled_pdf(rows), invoice_pdf, long_pdf(3).data):
        eager = load_document(data, "doc.pdf")
        with opened_document(data, "doc.pdf") as deferred:
            assert deferred.to_dict() == eager.to_dict()
            assert any(page.tables for page in deferred.pages)


def test_tables_are_detected_only_when_read(monkeypatch):
    detected = []
    real = tables.pdf_tables
    monkeypatch.setattr(tables, "pdf_tables", lambda page, number, lines: detected.append(number) or real(page, number, lines))
    data = long_pdf(4).data
    with opened_document(data, "long.pdf", target_pages="2-4") as document:
        assert detected == [] and [len(p.lines) > 10 for p in document.pages] == [True] * 3
        first = document.pages[1].tables
        assert detected == [3] and first and document.pages[1].tables is first  # found once
    load_document(data, "long.pdf", target_pages="2-4")
    assert detected == [3, 2, 3, 4]


def test_page_sizes_per_page():
    def draw(c, n):
        c.setPageSize(A4 if n == 2 else letter)
        c.drawString(72, 500, f"page {n}")

    doc = load_document(make_pdf(2, draw), "mixed.pdf")
    assert [(round(p.width), round(p.height)) for p in doc.pages] == [(612, 792), (595, 842)]
    assert [p.text for p in doc.pages] == ["page 1", "page 2"]


def test_only_selected_pages_are_parsed(monkeypatch):
    data = make_pdf(200, lambda c, n: c.drawString(72, 700, f"This is page {n}"))
    parsed = []
    real = pdf.parse_page
    monkeypatch.setattr(pdf, "parse_page", lambda page, number: parsed.append(number) or real(page, number))
    doc = load_document(data, "long.pdf", target_pages="2")
    assert parsed == [2]
    assert doc.total_pages == 200 and [p.number for p in doc.pages] == [2]
    assert doc.pages[0].text == "This is page 2"
    parsed.clear()
    doc = load_document(data, "long.pdf", target_pages="10-200", max_pages=3)
    assert parsed == [10, 11, 12] and [p.number for p in doc.pages] == [10, 11, 12]
    assert count_pages(data, "long.pdf") == 200


def test_blank_page_is_an_empty_page_not_an_error():
    doc = load_document(make_pdf(2, lambda c, n: c.drawString(72, 700, "text") if n == 1 else None), "b.pdf")
    assert doc.pages[1].lines == [] and doc.pages[1].ocr is False


def test_mislabelled_pdf_is_parsed_as_pdf(invoice_pdf):
    doc = load_document(invoice_pdf, "invoice.docx")
    assert doc.kind == "pdf" and doc.pages[0].lines[0].text == "INVOICE"


def test_rotated_page_gives_boxes_as_displayed():
    """A landscape-stored scan page with /Rotate 90: text reads upright on screen, and boxes
    are in the displayed (rendered) page's space."""
    import io

    import pymupdf
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(792, 612))
    c.translate(792, 0)
    c.rotate(90)  # draw an upright 612 x 792 page turned a quarter anticlockwise
    c.drawString(72, 700, "Upright Title")
    c.drawString(72, 680, "Total: 12.00")
    c.showPage()
    c.save()
    doc = pymupdf.open(stream=buf.getvalue(), filetype="pdf")
    doc[0].set_rotation(90)
    page = load_document(doc.tobytes(), "rotated.pdf").pages[0]
    assert (page.width, page.height) == (612, 792)
    assert [line.text for line in page.lines] == ["Upright Title", "Total: 12.00"]
    title = page.lines[0].box
    assert title.x == pytest.approx(72, abs=1) and 792 - 700 - 14 < title.y < 792 - 700 and title.w > 50
