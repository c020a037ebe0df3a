"""Born-digital PDF rendering with reportlab, with our own small page layout.

The layout runs in two passes: the first places every block on pages (splitting tables
across pages with the header row repeated) and records the page of every ground-truth span;
the second draws, so the footer can say "Page i of N". reportlab's ``invariant`` mode makes
the bytes depend only on the content.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ..content import (
    FONTS, Columns, Doc, Heading, KeyValues, Lines, PageBreak, Paragraph, Rule, Spacer, Span, Table,
    TextLine, line_text, wrap_tokens,
)



@lru_cache(maxsize=65536)
def stringWidth(text: str, font: str, size: float) -> float:
    """reportlab's width, cached: long tables measure the same dates and amounts many times."""
    return pdfmetrics.stringWidth(text, font, size)


Op = Callable[[Canvas, float], None]
HEADER_SPACE = 26.0
FOOTER_SPACE = 24.0


class LayoutError(ValueError):
    """A builder asked for something that cannot be printed whole (a value wider than its cell)."""


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    span_pages: dict[str, int] = field(default_factory=dict)


class _Layout:
    def __init__(self, doc: Doc, height: float) -> None:
        self.doc = doc
        self.fam = FONTS[doc.font]
        self.page_width, self.page_height = doc.page_size[0], height
        self.left = doc.margin
        self.inner = self.page_width - 2 * doc.margin
        self.top = doc.margin + (HEADER_SPACE if doc.running_header else 0)
        self.bottom = height - doc.margin - (FOOTER_SPACE if doc.page_footer else 0)
        self.pages: list[list[Op]] = [[]]
        self.y = self.top
        self.span_pages: dict[str, int] = {}

    # --- primitives -----------------------------------------------------------------------

    def font(self, bold: bool) -> str:
        return self.fam.bold if bold else self.fam.regular

    def line_width(self, line: TextLine, size: float) -> float:
        return sum(stringWidth(s.text, self.font(s.bold), size) for s in line)

    def record(self, spans: TextLine) -> None:
        page = len(self.pages)
        for s in spans:
            for path in s.paths:
                self.span_pages.setdefault(path, page)

    def text(self, line: TextLine, x: float, baseline: float, size: float, right: bool = False) -> None:
        """Queue a line of spans at a top-down baseline; ``right`` aligns its end to ``x``."""
        self.record(line)
        if right:
            x -= self.line_width(line, size)
        for s in line:
            font, text, x0 = self.font(s.bold), s.text, x
            self.pages[-1].append(lambda c, h, t=text, f=font, x0=x0: _draw_text(c, h, t, f, size, x0, baseline))
            x += stringWidth(text, font, size)

    def hline(self, x0: float, x1: float, y: float, width: float = 0.6) -> None:
        self.pages[-1].append(lambda c, h: _draw_line(c, h, x0, y, x1, y, width))

    def vline(self, x: float, y0: float, y1: float) -> None:
        self.pages[-1].append(lambda c, h: _draw_line(c, h, x, y0, x, y1, 0.6))

    def shade(self, x: float, y: float, w: float, hgt: float) -> None:
        self.pages[-1].append(lambda c, h: _draw_rect(c, h, x, y, w, hgt))

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def ensure(self, needed: float) -> None:
        if self.y + needed > self.bottom and self.y > self.top:
            self.new_page()

    # --- blocks ---------------------------------------------------------------------------

    def height(self, block, w: float) -> float:
        if isinstance(block, Heading):
            return block.size * 1.35
        if isinstance(block, Lines):
            return len(block.lines) * block.size * 1.4
        if isinstance(block, Paragraph):
            return len(self.wrap(block.text, block.size, w)) * block.size * 1.4 + 4
        if isinstance(block, KeyValues):
            return self.kv_height(block, w)
        if isinstance(block, Table):
            return (len(block.rows) + 1) * block.size * 1.9 + 6
        if isinstance(block, Columns):
            cw = self.column_width(block, w)
            return max(self.height(b, cw) for b in block.blocks)
        if isinstance(block, Spacer):
            return block.height
        if isinstance(block, Rule):
            return 10
        return 0

    def place(self, block, x: float, w: float) -> None:
        """Place a block at the cursor; only tables split across pages."""
        if isinstance(block, PageBreak):
            self.new_page()
            return
        if isinstance(block, Table):
            self.place_table(block, x, w)
            return
        hgt = self.height(block, w)
        self.ensure(hgt)
        y0 = self.y
        if isinstance(block, Heading):
            base = y0 + block.size
            if block.align == "right":
                self.text(block.text, x + w, base, block.size, right=True)
            elif block.align == "center":
                self.text(block.text, x + (w - self.line_width(block.text, block.size)) / 2, base, block.size)
            else:
                self.text(block.text, x, base, block.size)
        elif isinstance(block, Lines):
            for i, line in enumerate(block.lines):
                base = y0 + block.size * (1.4 * i + 1)
                self.text(line, x + w if block.align == "right" else x, base, block.size, block.align == "right")
        elif isinstance(block, Paragraph):
            for i, line in enumerate(self.wrap(block.text, block.size, w)):
                self.text(line, x, y0 + block.size * (1.4 * i + 1), block.size)
        elif isinstance(block, KeyValues):
            self.place_kv(block, x, w)
        elif isinstance(block, Columns):
            cw = self.column_width(block, w)
            for i, sub in enumerate(block.blocks):
                self.y = y0
                self.place(sub, x + i * (cw + 18), cw)
        elif isinstance(block, Rule):
            self.hline(x, x + w, y0 + 5, 0.8)
        self.y = y0 + hgt

    def column_width(self, block: Columns, w: float) -> float:
        n = len(block.blocks)
        return (w - 18 * (n - 1)) / n

    def wrap(self, text: TextLine, size: float, w: float) -> list[TextLine]:
        lines: list[TextLine] = [[]]
        space = stringWidth(" ", self.fam.regular, size)
        used = 0.0
        for tok, spaced in wrap_tokens(text):
            tw = stringWidth(tok.text, self.font(tok.bold), size)
            if tw > w:
                raise LayoutError(f"value {tok.text!r} is wider than its {w:.0f} pt line")
            gap = space if spaced and lines[-1] else 0.0
            if lines[-1] and spaced and used + gap + tw > w:
                lines.append([])
                used, gap = 0.0, 0.0
            if gap:
                lines[-1].append(Span(" "))
            lines[-1].append(tok)
            used += gap + tw
        return lines

    # key/value blocks

    def kv_height(self, block: KeyValues, w: float) -> float:
        n = len(block.items)
        if block.style == "inline":
            return n * block.size * 1.5
        if block.style == "below":
            cols = self.below_columns(block, w)
            return -(-n // cols) * (block.size * 3.0 + 4)
        return n * block.size * 1.9 + 4

    def place_kv(self, block: KeyValues, x: float, w: float) -> None:
        size, y0 = block.size, self.y
        if block.style == "inline":
            label_w = max(stringWidth(i.label, self.fam.bold, size) for i in block.items) + 10
            for k, item in enumerate(block.items):
                base = y0 + size * (1.5 * k + 1)
                self.text([Span(item.label, bold=True)], x, base, size)
                if block.align == "right":
                    self.text(item.value, x + w, base, size, right=True)
                else:
                    self.fit(item.value, size, w - label_w)
                    self.text(item.value, x + label_w, base, size)
        elif block.style == "below":
            cols = self.below_columns(block, w)
            cw = w / cols
            for k, item in enumerate(block.items):
                cx = x + (k % cols) * cw
                top = y0 + (k // cols) * (size * 3.0 + 4)
                self.fit(item.value, size, cw - 6)
                self.text([Span(item.label, bold=True)], cx, top + size * 0.9, size - 1.5)
                self.text(item.value, cx, top + size * 2.3, size)
        else:
            row_h = size * 1.9
            label_w = min(w * 0.42, max(stringWidth(i.label, self.fam.bold, size) for i in block.items) + 14)
            for k, item in enumerate(block.items):
                top = y0 + k * row_h
                self.shade(x, top, label_w, row_h)
                self.hline(x, x + w, top)
                self.text([Span(item.label, bold=True)], x + 5, top + row_h * 0.68, size)
                self.fit(item.value, size, w - label_w - 10)
                self.text(item.value, x + label_w + 5, top + row_h * 0.68, size)
            bottom = y0 + len(block.items) * row_h
            self.hline(x, x + w, bottom)
            for vx in (x, x + label_w, x + w):
                self.vline(vx, y0, bottom)

    def below_columns(self, block: KeyValues, w: float) -> int:
        """As many fields side by side (up to 4) as fit without clipping a value."""
        widest = max(max(self.line_width(i.value, block.size), stringWidth(i.label, self.fam.bold, block.size))
                     for i in block.items)
        for cols in range(min(len(block.items), 4), 1, -1):
            if widest <= w / cols - 8:
                return cols
        return 1

    def fit(self, line: TextLine, size: float, room: float) -> None:
        if self.line_width(line, size) > room:
            raise LayoutError(f"value {line_text(line)!r} does not fit in {room:.0f} pt")

    # tables

    def place_table(self, table: Table, x: float, w: float) -> None:
        row_h = table.size * 1.9
        edges = [x]
        for width in self.column_widths(table, w):
            edges.append(edges[-1] + width)
        self.ensure(row_h * 3)
        start = self.y
        self.table_row([Span(h, bold=True) for h in table.header], table, edges, row_h, header=True)
        for row in table.rows:
            if self.y + row_h > self.bottom:
                self.close_table(table, edges, start)
                self.new_page()
                start = self.y
                self.table_row([Span(h, bold=True) for h in table.header], table, edges, row_h, header=True)
            self.table_row(row, table, edges, row_h)
        self.close_table(table, edges, start)
        self.y += 6

    def column_widths(self, table: Table, w: float) -> list[float]:
        """Each column as wide as its widest cell, the leftover shared by ``table.widths``."""
        need = [stringWidth(h, self.fam.bold, table.size) + 10 for h in table.header]
        for row in table.rows:
            for i, cell in enumerate(row):
                need[i] = max(need[i], stringWidth(cell.text, self.font(cell.bold), table.size) + 10)
        spare = w - sum(need)
        if spare < 0:
            raise LayoutError(f"table columns need {sum(need):.0f} pt but the page has {w:.0f} pt")
        return [n + spare * frac for n, frac in zip(need, table.widths)]

    def table_row(self, cells: list[Span], table: Table, edges: list[float], row_h: float, header: bool = False) -> None:
        top = self.y
        if header and table.ruled:
            self.shade(edges[0], top, edges[-1] - edges[0], row_h)
        if table.ruled or header:
            self.hline(edges[0], edges[-1], top)
        for i, cell in enumerate(cells):
            x0, x1 = edges[i], edges[i + 1]
            self.fit([cell], table.size, x1 - x0 - 8)
            base = top + row_h * 0.66
            if table.numeric[i]:
                self.text([cell], x1 - 4, base, table.size, right=True)
            else:
                self.text([cell], x0 + 4, base, table.size)
        self.y = top + row_h
        if header:
            self.hline(edges[0], edges[-1], self.y, 0.9)

    def close_table(self, table: Table, edges: list[float], start: float) -> None:
        if table.ruled:
            self.hline(edges[0], edges[-1], self.y)
            for vx in edges:
                self.vline(vx, start, self.y)


def _draw_text(c: Canvas, h: float, text: str, font: str, size: float, x: float, baseline: float) -> None:
    c.setFont(font, size)
    c.drawString(x, h - baseline, text)


def _draw_line(c: Canvas, h: float, x0: float, y0: float, x1: float, y1: float, width: float) -> None:
    c.setLineWidth(width)
    c.line(x0, h - y0, x1, h - y1)


def _draw_rect(c: Canvas, h: float, x: float, y: float, w: float, hgt: float) -> None:
    c.setFillGray(0.9)
    c.rect(x, h - y - hgt, w, hgt, stroke=0, fill=1)
    c.setFillGray(0)


def _content_height(doc: Doc) -> float:
    """Height of a roll (receipt) page: everything on one page."""
    probe = _Layout(doc, 10_000_000.0)
    return sum(probe.height(b, probe.inner) for b in doc.blocks) + 2 * doc.margin + (
        FOOTER_SPACE if doc.page_footer else 0) + (HEADER_SPACE if doc.running_header else 0)


def render_pdf(doc: Doc) -> RenderedPdf:
    height = doc.page_size[1] or _content_height(doc)
    layout = _Layout(doc, height)
    for block in doc.blocks:
        layout.place(block, layout.left, layout.inner)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(layout.page_width, height), invariant=1)
    canvas.setTitle(doc.title)
    canvas.setAuthor("lib.samples")
    total = len(layout.pages)
    for number, ops in enumerate(layout.pages, start=1):
        if doc.running_header:
            _draw_text(canvas, height, doc.running_header, layout.fam.regular, 8, layout.left, doc.margin)
            _draw_line(canvas, height, layout.left, doc.margin + 6, layout.left + layout.inner, doc.margin + 6, 0.5)
        for op in ops:
            op(canvas, height)
        if doc.page_footer:
            footer = f"Page {number} of {total}"
            fw = stringWidth(footer, layout.fam.regular, 8)
            _draw_text(canvas, height, footer, layout.fam.regular, 8, (layout.page_width - fw) / 2, height - doc.margin / 2)
        canvas.showPage()
    canvas.save()
    return RenderedPdf(buf.getvalue(), total, layout.span_pages)
