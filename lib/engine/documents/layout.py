"""Turning positioned text into lines, and giving flowing formats a layout.

Two jobs live here because every parser needs one of them:

* ``build_lines`` groups positioned text segments (MuPDF lines, OCR detections) into the
  model's ``Line``s: one visual row, left to right, split where a wide gap separates columns.
* ``FlowLayout`` places the paragraphs and tables of a flowing format (DOCX, HTML, CSV, ...)
  on synthetic pages in points, so citations into those formats still carry a box.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from lib.engine.documents.model import Box, Cell, Line, Page, Table, Word

# A gap wider than this fraction of the text height separates two lines on one row. Word
# spaces are ~0.3 em and text boxes ~1.2-1.4 em tall, so 0.8 keeps "Invoice Number: INV-1"
# together while a column gap or a right-aligned amount starts a new line.
GAP_FACTOR = 0.8
# After a label ending in ":" the value often sits at a tab stop; it still belongs to the label.
LABEL_GAP_FACTOR = 4.0


@dataclass(slots=True)
class Segment:
    """Words that the source already knows belong together (a MuPDF line, an OCR detection).

    ``build_lines`` asks a segment for its last word's text and for the ``Line`` it (or a run
    of segments starting with it) becomes; a parser may subclass it to keep its words in
    another form until they are read."""

    x0: float
    y0: float
    x1: float
    y1: float
    words: list[Word]
    confidence: float = 1.0

    def last_text(self) -> str:
        return self.words[-1].text

    def line(self) -> Line:
        """The line of this segment alone: the common case, kept cheap (it runs once per line
        of every page)."""
        words = self.words
        text = words[0].text if len(words) == 1 else " ".join([w.text for w in words])
        return Line(text, Box(self.x0, self.y0, self.x1 - self.x0, self.y1 - self.y0), words, self.confidence)

    def joined(self, run: list["Segment"]) -> Line:
        """The line of a run of segments (this one first) that sit too close to split."""
        words = [w for s in run for w in s.words]
        text = " ".join([w.text for w in words])
        return Line(text=text, box=_run_box(run), words=words, confidence=min(s.confidence for s in run))


def _run_box(run: list[Segment]) -> Box:
    x0 = min(s.x0 for s in run)
    y0 = min(s.y0 for s in run)
    x1 = max(s.x1 for s in run)
    y1 = max(s.y1 for s in run)
    return Box(x0, y0, x1 - x0, y1 - y0)


def _left_edge(seg: Segment) -> float:
    return seg.x0


def _centre_key(seg: Segment) -> float:
    return seg.y0 + seg.y1  # twice the centre: the same order, one division fewer per segment


def _split_row(row: list[Segment], lines: list[Line]) -> None:
    """Append the lines of one row to ``lines``: its segments left to right, a new line
    wherever the gap to the previous segment is wider than ``GAP_FACTOR`` text heights."""
    row.sort(key=_left_edge)
    start = 0
    prev = row[0]
    for i in range(1, len(row)):
        seg = row[i]
        height = min(prev.y1 - prev.y0, seg.y1 - seg.y0)
        factor = LABEL_GAP_FACTOR if prev.last_text().endswith(":") else GAP_FACTOR
        if seg.x0 - prev.x1 > factor * height:
            lines.append(prev.line() if i - start == 1 else row[start].joined(row[start:i]))
            start = i
        prev = seg
    lines.append(prev.line() if len(row) - start == 1 else row[start].joined(row[start:]))


def build_lines(segments: list[Segment]) -> list[Line]:
    """Lines in reading order: rows top to bottom, each row left to right.

    A segment joins the current row when its vertical centre lies inside the row's first
    segment band; this keeps a bold label and its value (different fonts, slightly different
    boxes) on one row."""
    if not segments:
        return []
    segments = sorted(segments, key=_centre_key)
    lines: list[Line] = []
    first = segments[0]
    row = [first]
    top, bottom = first.y0, first.y1
    for seg in segments[1:]:
        centre = (seg.y0 + seg.y1) / 2
        if top <= centre <= bottom:
            row.append(seg)
            continue
        if len(row) == 1:
            lines.append(row[0].line())
        else:
            _split_row(row, lines)
        row = [seg]
        top, bottom = seg.y0, seg.y1
    if len(row) == 1:
        lines.append(row[0].line())
    else:
        _split_row(row, lines)
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


# Synthetic layout: a US-letter width, 1-inch margins, 10 pt text on a 14 pt grid.
PAGE_WIDTH = 612.0
PAGE_HEIGHT = 792.0
MARGIN = 72.0
LINE_STEP = 14.0
TEXT_HEIGHT = 12.0
CHAR_WIDTH = 5.5
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


class FlowLayout:
    """Places paragraphs and tables on one page, one text line per grid row.

    A flowing format has no fixed pages, so its content is one page that grows as tall as it
    needs (at least a letter page; wider when a table needs it): every value of a DOCX, HTML
    or text file is on page 1 and a long table stays one table, as ``lib.samples``' ground
    truth has it. A spreadsheet gets one such page per sheet."""

    def __init__(self, number: int = 1) -> None:
        self._number = number
        self._lines: list[Line] = []
        self._tables: list[Table] = []
        self._width = PAGE_WIDTH
        self._rows = 0

    def _next_y(self) -> float:
        y = MARGIN + self._rows * LINE_STEP
        self._rows += 1
        return y

    def _widen(self, right: float) -> None:
        self._width = max(self._width, right + MARGIN)

    def paragraph(self, text: str) -> None:
        """A paragraph, wrapped to the page width; its own line breaks are kept and blank
        text is skipped."""
        for part in text.splitlines():
            for chunk in textwrap.wrap(" ".join(part.split()), WRAP_CHARS, break_long_words=True):
                self._lines.append(_text_line(chunk, MARGIN, self._next_y()))

    def gap(self) -> None:
        """An empty grid row between blocks, as a printed document would have."""
        if self._rows:
            self._rows += 1

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
            self._lines.append(_text_line(text, x, y))
            self._widen(x + len(text) * CHAR_WIDTH)

    def cells_row(self, texts: list[str], widths: list[float]) -> None:
        """A row of cells in fixed columns that is not part of a table (a label and its value
        in a spreadsheet): lines only."""
        xs = [MARGIN + sum(widths[:i]) for i in range(len(widths))]
        self._widen(xs[-1] + widths[-1])
        self._place_row(texts + [""] * (len(widths) - len(texts)), xs, widths, self._next_y())

    def table(
        self, rows: list[list[str]], has_header: bool, title: str | None = None, widths: list[float] | None = None
    ) -> None:
        """A table: each cell is its own line (cells are separated by column gaps, as on a
        PDF page) and a cell of the ``Table``. ``widths`` fixes the column widths (a
        spreadsheet's columns line up across blocks)."""
        rows = [[" ".join(c.split()) for c in r] for r in rows if any(c.strip() for c in r)]
        if not rows:
            return
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        widths = widths[:ncols] if widths and len(widths) >= ncols else column_widths(rows)
        xs = [MARGIN + sum(widths[:i]) for i in range(ncols)]
        self._widen(xs[-1] + widths[-1])
        top = MARGIN + self._rows * LINE_STEP
        placed = [self._place_row(texts, xs, widths, self._next_y()) for texts in rows]
        header, body = (placed[0], placed[1:]) if has_header else ([], placed)
        box = Box(xs[0], top, xs[-1] + widths[-1] - CELL_PAD - xs[0], len(placed) * LINE_STEP - (LINE_STEP - TEXT_HEIGHT))
        self._tables.append(Table(page_number=self._number, header=header, rows=body, box=box, title=title))

    def _place_row(self, texts: list[str], xs: list[float], widths: list[float], y: float) -> list[Cell]:
        cells: list[Cell] = []
        for text, x, width in zip(texts, xs, widths):
            box = Box(x, y, width - CELL_PAD, TEXT_HEIGHT)
            cells.append(Cell(text=text, box=box))
            if text:
                self._lines.append(_text_line(text, x, y, min(len(text) * CHAR_WIDTH, width - CELL_PAD)))
        return cells

    def page(self) -> Page:
        """The finished page, as tall as its content."""
        height = max(PAGE_HEIGHT, 2 * MARGIN + self._rows * LINE_STEP)
        return Page(number=self._number, width=self._width, height=height, lines=self._lines, tables=self._tables)
