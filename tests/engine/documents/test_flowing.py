"""Formats without real pages (DOCX, spreadsheets, CSV, HTML, text, Markdown): their text and
tables, on a synthetic layout whose boxes stay inside their pages."""

import datetime as dt
import io

import docx
import openpyxl
import pytest
import xlwt

from lib.engine.documents import count_pages, load_document
from lib.engine.documents.model import Document
from lib.engine.errors import PageSelectionError


def _docx(build) -> bytes:
    document = docx.Document()
    build(document)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def _assert_layout(doc: Document) -> None:
    """Every box lies on its page, and lines go down the page."""
    for page in doc.pages:
        ys = [line.box.y for line in page.lines]
        assert ys == sorted(ys)
        for line in page.lines:
            box = line.box
            assert 0 <= box.x and box.x1 <= page.width and 0 <= box.y and box.y1 <= page.height, (line, page.width)
            assert line.confidence == 1.0
        for table in page.tables:
            assert table.page_number == page.number
            for cell in table.header + [c for row in table.rows for c in row]:
                assert cell.box is not None and cell.box.x1 <= page.width and cell.box.y1 <= page.height


def _table(doc: Document, index: int = 0, page: int = 0) -> tuple[list[str], list[list[str]]]:
    table = doc.pages[page].tables[index]
    return [c.text for c in table.header], [[c.text for c in row] for row in table.rows]


def test_docx_paragraphs_and_tables_in_body_order():
    def build(d):
        d.add_heading("Invoice INV-7", level=1)
        d.add_paragraph("Bill to: Acme Corp")
        table = d.add_table(rows=3, cols=3)
        for r, row in enumerate([["Item", "Qty", "Price"], ["Widget", "2", "10.00"], ["Cable", "3", "1.25"]]):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        d.add_paragraph("Total: 23.75")

    doc = load_document(_docx(build), "invoice.docx")
    assert doc.kind == "docx" and doc.total_pages == 1
    texts = [line.text for line in doc.pages[0].lines]
    assert texts == ["Invoice INV-7", "Bill to: Acme Corp", "Item", "Qty", "Price", "Widget", "2", "10.00",
                     "Cable", "3", "1.25", "Total: 23.75"]
    assert _table(doc) == (["Item", "Qty", "Price"], [["Widget", "2", "10.00"], ["Cable", "3", "1.25"]])
    _assert_layout(doc)


def test_docx_merged_cells_count_once():
    def build(d):
        table = d.add_table(rows=2, cols=3)
        table.cell(0, 0).merge(table.cell(0, 1)).text = "Period"
        table.cell(0, 2).text = "Amount"
        for c, text in enumerate(["Jan", "Feb", "7.00"]):
            table.cell(1, c).text = text

    header, rows = _table(load_document(_docx(build), "merged.docx"))
    assert header == ["Period", "Amount", ""] and rows == [["Jan", "Feb", "7.00"]]


def test_long_docx_is_one_tall_page_and_its_table_stays_whole():
    def build(d):
        for i in range(1, 81):
            d.add_paragraph(f"Paragraph number {i}")
        table = d.add_table(rows=101, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Date", "Amount"
        for r in range(1, 101):
            table.cell(r, 0).text, table.cell(r, 1).text = f"2024-02-{r % 28 + 1:02d}", f"{r}.00"

    data = _docx(build)
    doc = load_document(data, "long.docx")
    assert doc.total_pages == len(doc.pages) == 1 and count_pages(data, "long.docx") == 1
    page = doc.pages[0]
    assert page.lines[79].text == "Paragraph number 80" and page.height > 792
    header, rows = _table(doc)
    assert header == ["Date", "Amount"] and len(rows) == 100 and rows[-1] == ["2024-02-17", "100.00"]
    _assert_layout(doc)
    with pytest.raises(PageSelectionError, match="page 2 requested but the document has 1 page"):
        load_document(data, "long.docx", target_pages="2")


def test_xlsx_each_sheet_is_a_page_with_a_table():
    data = _xlsx({
        "Invoice": [["Invoice number", "INV-9"], [], ["Item", "Qty", "Price", "Shipped"],
                    ["Widget", 2, 10.5, dt.datetime(2024, 3, 1)], ["Cable", 3, 1.0, dt.datetime(2024, 3, 2, 9, 30)]],
        "Notes": [["Paid by transfer"]],
    })
    doc = load_document(data, "book.xlsx")
    assert doc.kind == "xlsx" and doc.total_pages == 2
    assert _table(doc) == (["Item", "Qty", "Price", "Shipped"],
                           [["Widget", "2", "10.5", "2024-03-01"], ["Cable", "3", "1", "2024-03-02 09:30:00"]])
    assert doc.pages[0].tables[0].title == "Invoice"
    first_row = [line.text for line in doc.pages[0].lines[:2]]
    assert first_row == ["Invoice number", "INV-9"]
    assert doc.pages[1].text == "Paid by transfer"
    _assert_layout(doc)
    assert [p.number for p in load_document(data, "book.xlsx", target_pages="2").pages] == [2]


def _xls(sheets: dict[str, list[list[object]]]) -> bytes:
    """An Excel 97-2003 workbook (BIFF8, written by xlwt): dates as date cells, booleans as booleans."""
    book = xlwt.Workbook()
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    sheet.write(r, c, value, dates)
                else:
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xls_each_sheet_is_a_page_with_a_table():
    data = _xls({
        "Invoice": [["Invoice number", "INV-9"], [], ["Item", "Qty", "Price", "Shipped", "Paid"],
                    ["Widget", 2, 10.5, dt.datetime(2024, 3, 1), True],
                    ["Cable", 3, 1.0, dt.datetime(2024, 3, 2, 9, 30), False]],
        "Notes": [["Paid by transfer"]],
    })
    doc = load_document(data, "book.xls")
    assert doc.kind == "xls" and doc.total_pages == 2
    assert _table(doc) == (["Item", "Qty", "Price", "Shipped", "Paid"],
                           [["Widget", "2", "10.5", "2024-03-01", "TRUE"],
                            ["Cable", "3", "1", "2024-03-02 09:30:00", "FALSE"]])
    assert doc.pages[0].tables[0].title == "Invoice"
    assert [line.text for line in doc.pages[0].lines[:2]] == ["Invoice number", "INV-9"]
    assert doc.pages[1].text == "Paid by transfer"
    _assert_layout(doc)
    assert [p.number for p in load_document(data, "book.xls", target_pages="2").pages] == [2]


def test_long_sheet_stays_one_page_with_every_row():
    rows = [["Date", "Description", "Amount"]] + [[f"2024-01-{i % 28 + 1:02d}", f"Payment {i}", i * 1.5] for i in range(300)]
    doc = load_document(_xlsx({"Statement": rows}), "statement.xlsx")
    assert doc.total_pages == 1
    header, body = _table(doc)
    assert header == ["Date", "Description", "Amount"] and len(body) == 300 and body[-1][1] == "Payment 299"
    _assert_layout(doc)


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        (b"Name,Amount\nAlice,1.50\nBob,2\n", [["Alice", "1.50"], ["Bob", "2"]]),
        (b"Name;Amount\nAlice;1,50\nBob;2\n", [["Alice", "1,50"], ["Bob", "2"]]),
        (b"Name\tAmount\nAlice\t1.50\nBob\t2\n", [["Alice", "1.50"], ["Bob", "2"]]),
        ("Name,Amount\nZoë,1.50\nBob,2\n".encode("cp1252"), [["Zoë", "1.50"], ["Bob", "2"]]),
        ("\ufeffName,Amount\n\"Smith, J\",1.50\nBob,2\n".encode("utf-8"), [["Smith, J", "1.50"], ["Bob", "2"]]),
        ("Name,Amount\nAlice,1.50\nBob,2\n".encode("utf-16"), [["Alice", "1.50"], ["Bob", "2"]]),
    ],
)
def test_csv_dialects_and_encodings(data, rows):
    doc = load_document(data, "data.csv")
    assert doc.kind == "csv" and _table(doc) == (["Name", "Amount"], rows)
    _assert_layout(doc)


def test_html_text_blocks_and_tables():
    html = b"""<!DOCTYPE html><html><head><title>x</title><style>p{}</style><script>var a=1;</script></head>
    <body><h1>Receipt R-77</h1><p>Store: <b>Corner Shop</b><br>Date: 2024-05-01</p>
    <table><thead><tr><th>Item</th><th>Price</th></tr></thead>
    <tbody><tr><td>Tea</td><td>3.10</td></tr><tr><td>Cake</td><td>4.00</td></tr></tbody></table>
    <table><tr><td><table><tr><td>Subtotal</td><td>7.10</td></tr><tr><td>Tip</td><td>1.00</td></tr></table></td></tr></table>
    <p>Thank you</p></body></html>"""
    doc = load_document(html, "receipt.html")
    texts = [line.text for line in doc.pages[0].lines]
    assert texts[:3] == ["Receipt R-77", "Store: Corner Shop", "Date: 2024-05-01"]
    assert texts[-1] == "Thank you" and "var a=1;" not in doc.text
    assert _table(doc, 0) == (["Item", "Price"], [["Tea", "3.10"], ["Cake", "4.00"]])
    # a layout table holding a data table: the inner table is found, headerless
    assert _table(doc, 1) == ([], [["Subtotal", "7.10"], ["Tip", "1.00"]])
    _assert_layout(doc)


def test_text_keeps_columns_and_finds_aligned_tables():
    text = b"RECEIPT R-1\nItem        Qty   Price\nCoffee      2     3.00\nBagel       1     2.50\n\nTotal:  8.50\n"
    doc = load_document(text, "receipt.txt")
    assert doc.kind == "txt"
    assert [line.text for line in doc.pages[0].lines][:4] == ["RECEIPT R-1", "Item", "Qty", "Price"]
    assert _table(doc) == (["Item", "Qty", "Price"], [["Coffee", "2", "3.00"], ["Bagel", "1", "2.50"]])
    _assert_layout(doc)


def test_long_text_wraps_inside_the_page():
    doc = load_document(("word " * 400).encode(), "notes.txt")
    _assert_layout(doc)
    assert len(doc.pages[0].lines) > 10 and doc.text.split() == ["word"] * 400


def test_markdown_pipe_tables_and_plain_text():
    md = b"# Statement\n\nAccount: **12-345**\n\n| Date | Amount |\n|:---|---:|\n| 2024-01-02 | 5.00 |\n| 2024-01-09 | 7.25 |\n\n- paid in full\n"
    doc = load_document(md, "statement.md")
    assert doc.kind == "md"
    assert [line.text for line in doc.pages[0].lines][:2] == ["Statement", "Account: 12-345"]
    assert _table(doc) == (["Date", "Amount"], [["2024-01-02", "5.00"], ["2024-01-09", "7.25"]])
    assert doc.pages[0].lines[-1].text == "paid in full"
    _assert_layout(doc)


def test_text_grid_tables_beside_other_text():
    text = (
        "INVOICE\n\n"
        "+-------------+---------------+    Lumen Industries AG\n"
        "| Invoice No. | INV-2024-7729 |    26 Market Street\n"
        "| Issue Date  | 18.02.2024    |\n"
        "+-------------+---------------+\n\n"
        "Description            Qty  Amount\n"
        "---------------------  ---  ------\n"
        "Shipping and handling    6  262,44\n"
        "Pens                    12   14,00\n"
    ).encode()
    doc = load_document(text, "invoice.txt")
    texts = [line.text for line in doc.pages[0].lines]
    assert texts[:5] == ["INVOICE", "Lumen Industries AG", "Invoice No.", "INV-2024-7729", "26 Market Street"]
    assert not any("+--" in t or "|" in t or "---" in t for t in texts)
    assert _table(doc) == (["Description", "Qty", "Amount"], [["Shipping and handling", "6", "262,44"], ["Pens", "12", "14,00"]])
    _assert_layout(doc)


def test_text_that_starts_like_a_magic_number_is_still_text():
    assert load_document(b"BMW service invoice\nTotal: 80.00\n", "bmw.txt").pages[0].lines[0].text == "BMW service invoice"
