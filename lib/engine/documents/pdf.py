"""PDF: the text layer through pymupdf, OCR for pages that have none.

Speed matters here (a benchmark holds extraction to a small multiple of pymupdf's raw text
extraction), so each page costs one ``get_text("words")`` call plus a grouping pass over
MuPDF's own lines. A line keeps MuPDF's word tuples until its words are read
(``TextLayerLine``), and under ``opened_document`` (what an extraction uses) a page's tables
are detected only when they are read (``DeferredTablesPage``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import pymupdf

from lib.engine.documents.layout import Segment, _run_box, build_lines
from lib.engine.documents.model import Box, Document, Line, Page, Table, Word
from lib.engine.documents.selection import page_selection
from lib.engine.errors import CorruptDocument, EmptyDocument, EncryptedDocument, EngineError

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
    text = "".join([w[4] for w in words])
    if not text:
        return False
    if text.isprintable() and "\ufffd" not in text:
        return True
    good = sum(1 for ch in text if ch.isprintable() and ch != "\ufffd")
    return good / len(text) >= _MIN_GOOD_RATIO


_WORDS = Line.__dict__["words"]  # the slot that holds a Line's words


class TextLayerLine(Line):
    """A text-layer line that keeps MuPDF's word tuples and makes its ``Word`` objects (text and
    box) the first time ``words`` is read: extraction reads the words of the few lines it
    cites, and a long document has tens of thousands of words. The words read are exactly
    those an eager parse builds."""

    __slots__ = ("_raw",)

    def __init__(self, text: str, box: Box, raw: list[tuple]) -> None:
        # the fields set directly: one is made per line of every page
        self.text = text
        self.box = box
        _WORDS.__set__(self, None)
        self.confidence = 1.0  # a born-digital text layer is read exactly
        self._raw = raw

    @property  # type: ignore[override]
    def words(self) -> list[Word]:
        words = _WORDS.__get__(self, Line)
        if words is None:
            words = [Word(text, Box(x0, y0, x1 - x0, y1 - y0)) for x0, y0, x1, y1, text, *_ in self._raw]
            _WORDS.__set__(self, words)
        return words

    @words.setter
    def words(self, value: list[Word]) -> None:
        _WORDS.__set__(self, value)


@dataclass(slots=True)
class _TextLayerSegment(Segment):
    """A MuPDF line: its ``words`` are MuPDF's word tuples until a ``TextLayerLine`` reads them."""

    def last_text(self) -> str:
        return self.words[-1][4]  # type: ignore[index]

    def line(self) -> Line:
        raw = self.words
        text = raw[0][4] if len(raw) == 1 else " ".join([w[4] for w in raw])  # type: ignore[index]
        return TextLayerLine(text, Box(self.x0, self.y0, self.x1 - self.x0, self.y1 - self.y0), raw)

    def joined(self, run: list[Segment]) -> Line:
        raw = [w for s in run for w in s.words]
        return TextLayerLine(" ".join([w[4] for w in raw]), _run_box(run), raw)  # type: ignore[index]


def text_lines(words: list[tuple]) -> list[Line]:
    """Lines from ``get_text("words", sort=False)`` tuples ``(x0, y0, x1, y1, text, block, line, n)``:
    MuPDF's own lines become segments, which ``build_lines`` joins into rows. This loop runs
    once per word of every page, so it is kept to plain arithmetic."""
    segments: list[Segment] = []
    current: list[tuple] = []
    block_no = line_no = -1
    sx0 = sy0 = sx1 = sy1 = 0.0
    for word in words:
        x0, y0, x1, y1, _, block, line, _ = word
        if line != line_no or block != block_no:
            if current:
                segments.append(_TextLayerSegment(sx0, sy0, sx1, sy1, current))  # type: ignore[arg-type]
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
        current.append(word)
    if current:
        segments.append(_TextLayerSegment(sx0, sy0, sx1, sy1, current))  # type: ignore[arg-type]
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


class DeferredTablesPage(Page):
    """A text-layer page whose tables are detected the first time ``tables`` is read.

    Extraction reads a page's tables only when the schema has a table to fill or a label sits
    on top of a column; detecting them (the page's drawings, ruling grids, column alignment)
    costs more than reading its words, so a ``per_page`` job over a long statement must not
    pay it for every page. Reading ``tables`` gives exactly what the eager parse gives; it
    needs the PDF still open (``lib.engine.documents.opened_document`` keeps it open)."""

    def __init__(self, number: int, width: float, height: float, lines: list[Line],
                 detect: Callable[[Page], list[Table]]) -> None:
        super().__init__(number=number, width=width, height=height, lines=lines)
        self._detect: Optional[Callable[[Page], list[Table]]] = detect

    @property  # type: ignore[override]
    def tables(self) -> list[Table]:
        if self._detect is not None:
            detect, self._detect = self._detect, None
            try:
                self._tables = detect(self)
            except EngineError:
                raise
            except Exception as exc:  # MuPDF failing on a damaged drawing
                raise CorruptDocument(f"the tables of page {self.number} of the PDF cannot be read ({_plain(exc)})") from exc
        return self._tables

    @tables.setter
    def tables(self, value: list[Table]) -> None:
        self._tables = value
        self._detect = None


def _table_detector(page: pymupdf.Page, rotated: bool) -> Callable[[Page], list[Table]]:
    """How to find a page's tables: rulings are in the unrotated space, so a rotated page's
    tables come from alignment alone (which works on the page as shown)."""
    from lib.engine.documents import tables

    if rotated:
        return lambda parsed: tables.aligned_tables(parsed.lines, parsed.number)
    return lambda parsed: tables.pdf_tables(page, parsed.number, parsed.lines)


def parse_page(page: pymupdf.Page, number: int, defer_tables: bool = False) -> Page:
    """One PDF page: the text layer when it is usable, otherwise OCR of the rendered page.
    With ``defer_tables`` a text-layer page finds its tables when they are first read (the
    caller keeps the PDF open meanwhile)."""
    rect = page.rect
    words = page.get_text("words", sort=False)
    if _usable(words):
        rotated = bool(page.rotation)
        if rotated:
            words = _displayed(words, page.rotation_matrix)
        detect = _table_detector(page, rotated)
        if defer_tables:
            return DeferredTablesPage(number, rect.width, rect.height, text_lines(words), detect)
        result = Page(number=number, width=rect.width, height=rect.height, lines=text_lines(words))
        result.tables = detect(result)
        return result
    if _page_has_graphics(page):
        from lib.engine.documents import ocr

        return ocr.ocr_pdf_page(page, number)
    return Page(number=number, width=rect.width, height=rect.height)


def parse_pdf(data: bytes, filename: str, target_pages: str | None, max_pages: int | None,
              opened: Optional[list[pymupdf.Document]] = None) -> Document:
    """Only the selected pages are parsed; ``total_pages`` keeps the source's count.

    Given an ``opened`` list, the PDF is left open and appended to it, and each text-layer
    page detects its tables when first read; the caller closes the PDF when it is done."""
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
            pages.append(parse_page(page, number, defer_tables=True) if opened is not None else parse_page(page, number))
        document = Document(filename=filename, kind="pdf", pages=pages, total_pages=total)
    except BaseException:
        doc.close()
        raise
    if opened is None:
        doc.close()
    else:
        opened.append(doc)
    return document
