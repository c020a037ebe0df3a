"""Turning positioned text into lines, and giving flowing formats a layout.

Two jobs live here because every parser needs one of them:

* ``build_lines`` groups positioned text segments (MuPDF lines, OCR detections) into the
  model's ``Line``s: one visual row, left to right, split where a wide gap separates columns.
* ``FlowLayout`` places the paragraphs and tables of a flowing format (DOCX, HTML, CSV, ...)
  on synthetic pages in points, so citations into those formats still carry a box.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from lib.engine.documents.model import Box, Cell, Line, Page, Table, Word

# A gap wider than this fraction of the text height separates two lines on one row. Word
# spaces are ~0.3 em and text boxes ~1.2-1.4 em tall, so 0.8 keeps "Invoice Number: INV-1"
# together while a column gap or a right-aligned amount starts a new line.
GAP_FACTOR = 0.8
# After a label ending in ":" the value often sits at a tab stop; it still belongs to the label.
LABEL_GAP_FACTOR = 4.0


@dataclass(slots=True)
class Segment:
    """Words that the source already knows belong together (a MuPDF line, an OCR detection)."""

    x0: float
    y0: float
    x1: float
    y1: float
    words: list[Word]
    confidence: float = 1.0


def _line_from(segments: list[Segment]) -> Line:
    words = [w for s in segments for w in s.words]
    x0 = min(s.x0 for s in segments)
    y0 = min(s.y0 for s in segments)
    x1 = max(s.x1 for s in segments)
    y1 = max(s.y1 for s in segments)
    confidence = min(s.confidence for s in segments)
    text = " ".join(w.text for w in words)
    return Line(text=text, box=Box(x0, y0, x1 - x0, y1 - y0), words=words, confidence=confidence)


def _split_row(row: list[Segment]) -> list[Line]:
    row.sort(key=lambda s: s.x0)
    lines: list[Line] = []
    run = [row[0]]
    for seg in row[1:]:
        prev = run[-1]
        height = min(prev.y1 - prev.y0, seg.y1 - seg.y0)
        factor = LABEL_GAP_FACTOR if prev.words[-1].text.endswith(":") else GAP_FACTOR
        if seg.x0 - prev.x1 > factor * height:
            lines.append(_line_from(run))
            run = [seg]
        else:
            run.append(seg)
    lines.append(_line_from(run))
    return lines


def build_lines(segments: list[Segment]) -> list[Line]:
    """Lines in reading order: rows top to bottom, each row left to right.

    A segment joins the current row when its vertical centre lies inside the row's first
    segment band; this keeps a bold label and its value (different fonts, slightly different
    boxes) on one row."""
    if not segments:
        return []
    segments = sorted(segments, key=lambda s: (s.y0 + s.y1) / 2)
    lines: list[Line] = []
    row = [segments[0]]
    top, bottom = segments[0].y0, segments[0].y1
    for seg in segments[1:]:
        centre = (seg.y0 + seg.y1) / 2
        if top <= centre <= bottom:
            row.append(seg)
        else:
            lines.extend(_split_row(row))
            row = [seg]
            top, bottom = seg.y0, seg.y1
    lines.extend(_split_row(row))
    return lines


def words_in_box(text: str, box: Box, confidence: float = 1.0) -> list[Word]:
    """Split a line's text into words with boxes proportional to their character offsets
    (for OCR detections and synthetic layouts, where only the line's box is known)."""
    length = max(len(text), 1)
    per_char = box.w / length
    words: list[Word] = []
    start = 0
    for token in text.split():
        start = text.index(token, start)
        words.append(Word(token, Box(box.x + start * per_char, box.y, len(token) * per_char, box.h), confidence))
        start += len(token)
    return words


# Synthetic layout: a US-letter page, 1-inch margins, 10 pt text on a 14 pt grid.
PAGE_WIDTH = 612.0
PAGE_HEIGHT = 792.0
MARGIN = 72.0
LINE_STEP = 14.0
TEXT_HEIGHT = 12.0
CHAR_WIDTH = 5.5
LINES_PER_PAGE = int((PAGE_HEIGHT - 2 * MARGIN) // LINE_STEP)  # 46
WRAP_CHARS = int((PAGE_WIDTH - 2 * MARGIN) // CHAR_WIDTH)  # 85
CELL_PAD = 11.0


def _text_line(text: str, x: float, y: float, width: float | None = None) -> Line:
    box = Box(x, y, width if width is not None else max(len(text), 1) * CHAR_WIDTH, TEXT_HEIGHT)
    return Line(text=text, box=box, words=words_in_box(text, box))


def column_widths(rows: list[list[str]]) -> list[float]:
    """Column widths in points from the longest text in each column (capped at 60 chars)."""
    ncols = max(len(r) for r in rows)
    widths = [0.0] * ncols
    for row in rows:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], min(len(text), 60) * CHAR_WIDTH)
    return [max(w, 2 * CHAR_WIDTH) + CELL_PAD for w in widths]


@dataclass
class _PageBuilder:
    number: int
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    width: float = PAGE_WIDTH
    rows_used: int = 0


class FlowLayout:
    """Places paragraphs and tables on pages, one text line per grid row.

    ``paginate=False`` keeps everything on one page that grows as tall as it needs (a
    spreadsheet sheet is one page, however many rows it has)."""

    def __init__(self, paginate: bool = True) -> None:
        self._paginate = paginate
        self._pages: list[_PageBuilder] = [_PageBuilder(1)]

    @property
    def _page(self) -> _PageBuilder:
        return self._pages[-1]

    def _full(self) -> bool:
        return self._paginate and self._page.rows_used >= LINES_PER_PAGE

    def _next_y(self) -> float:
        """The y of the next grid row, starting a new page when this one is full."""
        if self._full():
            self._pages.append(_PageBuilder(len(self._pages) + 1))
        y = MARGIN + self._page.rows_used * LINE_STEP
        self._page.rows_used += 1
        return y

    def paragraph(self, text: str) -> None:
        """A paragraph, wrapped to the page width; its own line breaks are kept and blank
        text is skipped."""
        for part in text.splitlines():
            for chunk in textwrap.wrap(" ".join(part.split()), WRAP_CHARS, break_long_words=True):
                y = self._next_y()  # first: it may start a new page
                self._page.lines.append(_text_line(chunk, MARGIN, y))

    def gap(self) -> None:
        """An empty grid row between blocks, as a printed document would have."""
        if not self._full() and self._page.rows_used:
            self._page.rows_used += 1

    def text_row(self, items: list[tuple[int, str]]) -> None:
        """One row of text pieces at character columns (plain text laid out with spaces):
        each piece becomes its own line at ``column * CHAR_WIDTH``, so aligned columns in a
        text file line up as they do on screen."""
        items = [(col, " ".join(text.split())) for col, text in items if text.strip()]
        if not items:
            return
        y = self._next_y()
        for col, text in items:
            x = MARGIN + col * CHAR_WIDTH
            self._page.lines.append(_text_line(text, x, y))
            self._page.width = max(self._page.width, x + len(text) * CHAR_WIDTH + MARGIN)

    def cells_row(self, texts: list[str], widths: list[float]) -> None:
        """A row of cells in fixed columns that is not part of a table (a label and its value
        in a spreadsheet): lines only."""
        xs = [MARGIN + sum(widths[:i]) for i in range(len(widths))]
        y = self._next_y()
        self._page.width = max(self._page.width, xs[-1] + widths[-1] + MARGIN)
        self._place_row(texts + [""] * (len(widths) - len(texts)), xs, widths, y)

    def table(
        self, rows: list[list[str]], has_header: bool, title: str | None = None, widths: list[float] | None = None
    ) -> None:
        """A table: each cell is its own line (cells are separated by column gaps, as on a
        PDF page) and a cell of the ``Table``. A table that runs past the end of a page
        continues on the next one as a new ``Table`` that repeats the header row.
        ``widths`` fixes the column widths (a spreadsheet's columns line up across blocks)."""
        rows = [[" ".join(c.split()) for c in r] for r in rows if any(c.strip() for c in r)]
        if not rows:
            return
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        widths = widths[:ncols] if widths and len(widths) >= ncols else column_widths(rows)
        xs = [MARGIN + sum(widths[:i]) for i in range(ncols)]
        header_texts = rows[0] if has_header else []
        body = rows[1:] if has_header else rows
        table = self._start_table(header_texts, xs, widths, title)
        for texts in body:
            if self._full():
                table = self._start_table(header_texts, xs, widths, title)
            table.rows.append(self._place_row(texts, xs, widths, self._next_y()))
            self._grow(table)

    def _start_table(self, header: list[str], xs: list[float], widths: list[float], title: str | None) -> Table:
        """A new ``Table`` on the current page, or on a fresh page when fewer than two rows
        are left (a header alone at the foot of a page helps nobody)."""
        if self._paginate and self._page.rows_used + (2 if header else 1) > LINES_PER_PAGE:
            self._pages.append(_PageBuilder(len(self._pages) + 1))
        page = self._page
        page.width = max(page.width, xs[-1] + widths[-1] + MARGIN)
        y = MARGIN + page.rows_used * LINE_STEP
        cells = self._place_row(header, xs, widths, self._next_y()) if header else []
        table = Table(page_number=page.number, header=cells, rows=[], title=title)
        table.box = Box(xs[0], y, xs[-1] + widths[-1] - CELL_PAD - xs[0], TEXT_HEIGHT)
        page.tables.append(table)
        return table

    def _place_row(self, texts: list[str], xs: list[float], widths: list[float], y: float) -> list[Cell]:
        cells: list[Cell] = []
        for text, x, width in zip(texts, xs, widths):
            box = Box(x, y, width - CELL_PAD, TEXT_HEIGHT)
            cells.append(Cell(text=text, box=box))
            if text:
                self._page.lines.append(_text_line(text, x, y, min(len(text) * CHAR_WIDTH, width - CELL_PAD)))
        return cells

    def _grow(self, table: Table) -> None:
        last = table.rows[-1][0].box
        assert table.box is not None and last is not None
        table.box = Box(table.box.x, table.box.y, table.box.w, last.y1 - table.box.y)

    def pages(self) -> list[Page]:
        """The finished pages; an unpaginated layout's page is as tall as its content."""
        out: list[Page] = []
        for b in self._pages:
            height = PAGE_HEIGHT if self._paginate else max(PAGE_HEIGHT, 2 * MARGIN + b.rows_used * LINE_STEP)
            out.append(Page(number=b.number, width=b.width, height=height, lines=b.lines, tables=b.tables))
        return out
