"""One document model for every input kind.

Every parser (PDF text layer, OCR, DOCX, spreadsheets, HTML, plain text) produces a
``Document``: pages of lines with boxes and a recognition confidence, plus tables with
header rows and cell boxes. The extractor works only on this model, so it never needs to
know where a document came from.

Coordinates: origin top-left, ``x`` to the right and ``y`` down, in the page's own units
(PDF points for PDFs, pixels for images; flowing formats such as DOCX, HTML, CSV get a
synthetic layout in points, one line per paragraph or row, so citations still have a box).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def x1(self) -> float:
        return self.x + self.w

    @property
    def y1(self) -> float:
        return self.y + self.h

    def union(self, other: "Box") -> "Box":
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        return Box(x0, y0, max(self.x1, other.x1) - x0, max(self.y1, other.y1) - y0)

    def as_dict(self) -> dict[str, float]:
        return {"x": round(self.x, 2), "y": round(self.y, 2), "w": round(self.w, 2), "h": round(self.h, 2)}


@dataclass
class Word:
    text: str
    box: Box
    confidence: float = 1.0


@dataclass
class Line:
    """A run of words on one baseline, in reading order.

    ``confidence`` is the parsing confidence: 1.0 for a born-digital text layer, the OCR
    recognition score for recognised text."""

    text: str
    box: Box
    words: list[Word] = field(default_factory=list)
    confidence: float = 1.0


@dataclass
class Cell:
    text: str
    box: Optional[Box] = None
    confidence: float = 1.0


@dataclass
class Table:
    """A table on one page. ``header`` is the header row (may be empty when none was found);
    ``rows`` holds the body rows only. Tables that continue across a page break stay separate
    here, one per page; the extractor joins them when their headers match."""

    page_number: int
    header: list[Cell]
    rows: list[list[Cell]]
    box: Optional[Box] = None
    title: Optional[str] = None


@dataclass
class Page:
    number: int  # 1-based, as in the original document
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    ocr: bool = False  # True when the text came from OCR rather than a text layer

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Document:
    filename: str
    kind: str  # pdf, image, docx, xlsx, xls, csv, html, txt, md
    pages: list[Page]
    total_pages: int  # pages in the source, before target_pages / max_pages were applied

    def iter_lines(self) -> Iterator[tuple[Page, Line]]:
        for page in self.pages:
            for line in page.lines:
                yield page, line

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)
