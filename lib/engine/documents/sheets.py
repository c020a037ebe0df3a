"""Spreadsheets (XLSX via openpyxl, XLS via xlrd) and CSV: each sheet is one page.

A sheet's rows are split into blocks at blank rows; a block of two or more rows and columns
is a ``Table`` (header row when the first row names columns), anything else is laid out as
cells on their row. Columns keep one width across the whole sheet so they line up.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterable

from lib.engine.documents.layout import FlowLayout, column_widths
from lib.engine.documents.model import Page
from lib.engine.documents.tables import looks_like_header
from lib.engine.documents.zipguard import check_zip
from lib.engine.errors import CorruptDocument, DocumentTooLarge, EncryptedDocument

MAX_ROWS = 100_000  # per sheet
MAX_COLUMNS = 200
_PASSWORD = "the workbook is password-protected; remove the password and upload it again"


def cell_text(value: object) -> str:
    """A cell value as the text a person sees: whole floats without ".0", dates in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _trimmed(rows: Iterable[Iterable[object]], filename: str, sheet: str) -> list[list[str]]:
    out: list[list[str]] = []
    for i, row in enumerate(rows):
        if i >= MAX_ROWS:
            raise DocumentTooLarge(
                f"sheet '{sheet}' of {filename} has more than {MAX_ROWS} rows; split it into smaller files"
            )
        texts = [cell_text(v) for v in list(row)[:MAX_COLUMNS]]
        while texts and not texts[-1]:
            texts.pop()
        out.append(texts)
    while out and not out[-1]:
        out.pop()
    return out


def _blocks(rows: list[list[str]]) -> list[list[list[str]]]:
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            blocks[-1].append(row)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def sheet_page(rows: list[list[str]], title: str) -> Page:
    """One sheet laid out as one page as tall as it needs."""
    layout = FlowLayout()
    if rows:
        ncols = max(len(r) for r in rows)
        widths = column_widths([r + [""] * (ncols - len(r)) for r in rows if r])
        for block in _blocks(rows):
            columns = max(len(r) for r in block)
            if len(block) >= 2 and columns >= 2:
                layout.table(block, has_header=looks_like_header(block[0]), title=title, widths=widths)
            else:
                for row in block:
                    layout.cells_row(row, widths[: len(row)])
            layout.gap()
    return layout.page()


def _numbered(pages: list[Page]) -> list[Page]:
    """Sheet pages numbered in workbook order."""
    for number, page in enumerate(pages, start=1):
        page.number = number
        for table in page.tables:
            table.page_number = number
    return pages


def parse_xlsx(data: bytes, filename: str) -> list[Page]:
    import openpyxl

    check_zip(data, filename)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError / InvalidFileException / lxml errors
        raise CorruptDocument(f"{filename} is a damaged Excel workbook and cannot be opened; save it again") from exc
    try:
        pages = [
            sheet_page(_trimmed(ws.iter_rows(values_only=True), filename, ws.title), ws.title)
            for ws in workbook.worksheets
        ]
    finally:
        workbook.close()
    return _numbered(pages)


def _xls_value(sheet, row: int, col: int, datemode: int) -> object:  # type: ignore[no-untyped-def]
    import xlrd

    cell = sheet.cell(row, col)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return "#ERROR"
    return cell.value


def parse_xls(data: bytes, filename: str) -> list[Page]:
    import xlrd

    if "EncryptedPackage".encode("utf-16-le") in data:  # an encrypted XLSX/DOCX in an OLE wrapper
        raise EncryptedDocument(f"{filename}: the document is password-protected; remove the password and upload it again")
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise EncryptedDocument(f"{filename}: {_PASSWORD}") from exc
        raise CorruptDocument(f"{filename} is not a readable Excel 97-2003 workbook ({exc}); save it as XLSX") from exc
    except Exception as exc:
        raise CorruptDocument(f"{filename} is a damaged Excel workbook and cannot be opened; save it again") from exc
    pages = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        cols = min(sheet.ncols, MAX_COLUMNS)
        rows = (
            [_xls_value(sheet, r, c, book.datemode) for c in range(cols)] for r in range(sheet.nrows)
        )
        pages.append(sheet_page(_trimmed(rows, filename, sheet.name), sheet.name))
    return _numbered(pages)


def decode_text(data: bytes) -> str:
    """Text in the encoding its BOM names, else UTF-8, else Windows-1252 (what spreadsheet
    programs write), else Latin-1 (which decodes anything)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise CorruptDocument(f"the file starts with a {encoding} marker but is not valid {encoding} text") from exc
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def parse_csv(data: bytes, filename: str) -> list[Page]:
    text = decode_text(data)
    dialect = _dialect(text[:20_000])
    try:
        rows = _trimmed(csv.reader(io.StringIO(text, newline=""), dialect), filename, "CSV")
    except csv.Error as exc:
        raise CorruptDocument(f"{filename} is not well-formed CSV ({exc})") from exc
    return _numbered([sheet_page(rows, filename)])
