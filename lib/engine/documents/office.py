"""DOCX through python-docx: paragraphs and tables in body order, on a synthetic layout."""

from __future__ import annotations

import io

import docx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from lib.engine.documents.layout import FlowLayout
from lib.engine.documents.model import Page
from lib.engine.documents.tables import looks_like_header
from lib.engine.documents.zipguard import check_zip
from lib.engine.errors import CorruptDocument


def _rows(table: DocxTable) -> list[list[str]]:
    """Cell texts row by row; a merged cell (python-docx repeats it per grid column) counts once."""
    rows: list[list[str]] = []
    for row in table.rows:
        texts: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:
                continue
            previous = cell._tc
            texts.append(cell.text)
        rows.append(texts)
    return rows


def _has_header_mark(table: DocxTable) -> bool:
    """Word's "repeat as header row" flag on the first row."""
    if not table.rows:
        return False
    tr_pr = table.rows[0]._tr.trPr
    return tr_pr is not None and any(child.tag.endswith("}tblHeader") for child in tr_pr)


def _add_table(layout: FlowLayout, table: DocxTable) -> None:
    rows = _rows(table)
    if not rows:
        return
    if max(len(r) for r in rows) < 2:  # a one-column table is a frame around text
        for texts in rows:
            layout.paragraph(" ".join(texts))
        return
    layout.table(rows, has_header=_has_header_mark(table) or looks_like_header(rows[0]))
    layout.gap()


def parse_docx(data: bytes, filename: str) -> list[Page]:
    check_zip(data, filename)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError / ValueError / lxml errors on broken parts
        raise CorruptDocument(f"{filename} is a damaged Word document and cannot be opened; save it again") from exc
    layout = FlowLayout()
    section = document.sections[0] if document.sections else None
    if section is not None:
        for paragraph in section.header.paragraphs:
            layout.paragraph(paragraph.text)
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            layout.paragraph(block.text)
        else:
            _add_table(layout, block)
    if section is not None:
        for paragraph in section.footer.paragraphs:
            layout.paragraph(paragraph.text)
    return [layout.page()]
