"""PDF: the text layer through pymupdf, OCR for pages that have none.

Speed matters here (a benchmark holds extraction to a small multiple of pymupdf's raw text
extraction), so each page costs one ``get_text("words")`` call plus a grouping pass over
MuPDF's own lines; tables are looked for only where the page gives a reason to.
"""

from __future__ import annotations

import pymupdf

from lib.engine.documents.layout import Segment, build_lines
from lib.engine.documents.model import Box, Document, Line, Page, Word
from lib.engine.documents.selection import page_selection
from lib.engine.errors import CorruptDocument, EmptyDocument, EncryptedDocument

# A text layer whose characters are mostly U+FFFD or control codes (fonts without a Unicode
# map) is no better than none: such pages are OCR'd.
_MIN_GOOD_RATIO = 0.7

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


def open_pdf(data: bytes) -> pymupdf.Document:
    """Open and check a PDF; every way it can be unusable becomes one of our errors."""
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # MuPDF raises its own FileDataError / RuntimeError variants
        raise CorruptDocument("the PDF is damaged or truncated and cannot be opened; export or save it again") from exc
    if doc.is_repaired and b"%%EOF" not in data[-4096:]:
        doc.close()  # MuPDF rebuilt a cut-off file: pages past the cut would be silently lost
        raise CorruptDocument("the PDF is truncated (its end is missing); upload the complete file")
    if doc.needs_pass:
        doc.close()
        raise EncryptedDocument("the PDF is password-protected; remove the password and upload it again")
    if doc.page_count == 0:
        doc.close()
        if b"%%EOF" not in data[-4096:]:
            raise CorruptDocument("the PDF is truncated or damaged and has no readable pages; upload the complete file")
        raise EmptyDocument("the PDF has no pages")
    return doc


def _plain(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def count_pdf_pages(data: bytes) -> int:
    doc = open_pdf(data)
    try:
        return doc.page_count
    finally:
        doc.close()


def _usable(words: list[tuple]) -> bool:
    """Whether the text layer holds real text (one pass in C for the common, clean case)."""
    text = "".join(w[4] for w in words)
    if not text:
        return False
    if text.isprintable() and "\ufffd" not in text:
        return True
    good = sum(1 for ch in text if ch.isprintable() and ch != "\ufffd")
    return good / len(text) >= _MIN_GOOD_RATIO


def text_lines(words: list[tuple]) -> list[Line]:
    """Lines from ``get_text("words", sort=False)`` tuples ``(x0, y0, x1, y1, text, block, line, n)``:
    MuPDF's own lines become segments, which ``build_lines`` joins into rows. This loop runs
    once per word of every page, so it is kept to plain arithmetic."""
    segments: list[Segment] = []
    current: list[Word] = []
    block_no = line_no = -1
    sx0 = sy0 = sx1 = sy1 = 0.0
    for x0, y0, x1, y1, text, block, line, _ in words:
        if line != line_no or block != block_no:
            if current:
                segments.append(Segment(sx0, sy0, sx1, sy1, current))
            current = []
            block_no, line_no = block, line
            sx0, sy0, sx1, sy1 = x0, y0, x1, y1
        else:
            if x0 < sx0:  # words run right to left only on a rotated page, but then they do
                sx0 = x0
            if x1 > sx1:
                sx1 = x1
            if y0 < sy0:
                sy0 = y0
            if y1 > sy1:
                sy1 = y1
        current.append(Word(text, Box(x0, y0, x1 - x0, y1 - y0)))
    if current:
        segments.append(Segment(sx0, sy0, sx1, sy1, current))
    return build_lines(segments)


def _page_has_graphics(page: pymupdf.Page) -> bool:
    return bool(page.get_images(full=False)) or bool(page.get_cdrawings())


def _displayed(words: list[tuple], matrix: pymupdf.Matrix) -> list[tuple]:
    """Word boxes of a page with a /Rotate turned into the page as displayed (and rendered),
    where a scanner's rotated page reads upright."""
    out = []
    for x0, y0, x1, y1, *rest in words:
        r = pymupdf.Rect(x0, y0, x1, y1) * matrix
        out.append((r.x0, r.y0, r.x1, r.y1, *rest))
    return out


def parse_page(page: pymupdf.Page, number: int) -> Page:
    """One PDF page: the text layer when it is usable, otherwise OCR of the rendered page."""
    from lib.engine.documents import ocr, tables

    rect = page.rect
    words = page.get_text("words", sort=False)
    if _usable(words):
        if page.rotation:
            words = _displayed(words, page.rotation_matrix)
        result = Page(number=number, width=rect.width, height=rect.height, lines=text_lines(words))
        if page.rotation:  # rulings are in the unrotated space; alignment works on what is shown
            result.tables = tables.aligned_tables(result.lines, number)
        else:
            result.tables = tables.pdf_tables(page, number, result.lines)
        return result
    if _page_has_graphics(page):
        return ocr.ocr_pdf_page(page, number)
    return Page(number=number, width=rect.width, height=rect.height)


def parse_pdf(data: bytes, filename: str, target_pages: str | None, max_pages: int | None) -> Document:
    """Only the selected pages are parsed; ``total_pages`` keeps the source's count."""
    doc = open_pdf(data)
    try:
        total = doc.page_count
        numbers = page_selection(target_pages, max_pages, total)
        pages = []
        for number in numbers:
            try:
                page = doc.load_page(number - 1)
            except Exception as exc:
                raise CorruptDocument(f"page {number} of the PDF is damaged and cannot be read ({_plain(exc)})") from exc
            pages.append(parse_page(page, number))
        return Document(filename=filename, kind="pdf", pages=pages, total_pages=total)
    finally:
        doc.close()
