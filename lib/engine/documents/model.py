"""One document model for every input kind.

Every parser (PDF text layer, OCR, DOCX, spreadsheets, HTML, plain text) produces a
``Document``: pages of lines with boxes and a recognition confidence, plus tables with
header rows and cell boxes. The extractor works only on this model, so it never needs to
know where a document came from.

Coordinates: origin top-left, ``x`` to the right and ``y`` down, in the page's own units
(PDF points for PDFs, as the page is displayed; pixels for images). Flowing formats (DOCX,
HTML, TXT, Markdown, CSV) get a synthetic layout in points, one line per paragraph or table
cell on a 14 pt grid, on a single page that grows as tall as its content (a spreadsheet gets
one such page per sheet), so citations still have a box and every value of such a file is on
page 1.

``Document.to_dict`` / ``from_dict`` give a JSON-safe form for storing a parse;
``page_markdown`` renders a page for the parse API's markdown view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional


@dataclass(slots=True, unsafe_hash=True)
class Box:
    """A rectangle; treat it as immutable (it is hashable). Not ``frozen`` because a parse
    creates one per word and frozen dataclasses are three times slower to build."""

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

    def as_list(self) -> list[float]:
        """Compact ``[x, y, w, h]`` form used by ``Document.to_dict`` (a parse stores thousands)."""
        return [round(self.x, 2), round(self.y, 2), round(self.w, 2), round(self.h, 2)]

    @classmethod
    def from_list(cls, values: list[float]) -> "Box":
        x, y, w, h = values
        return cls(float(x), float(y), float(w), float(h))


@dataclass(slots=True)
class Word:
    text: str
    box: Box
    confidence: float = 1.0


@dataclass(slots=True)
class Line:
    """A run of words on one baseline, in reading order.

    Words on the same row separated by a wide gap (a column gap, a right-aligned value) are
    separate lines, so two columns of a layout never merge into one text; find a line's row
    neighbours by the vertical overlap of their boxes.

    ``confidence`` is the parsing confidence: 1.0 for a born-digital text layer, the OCR
    recognition score for recognised text."""

    text: str
    box: Box
    words: list[Word] = field(default_factory=list)
    confidence: float = 1.0


@dataclass(slots=True)
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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form, so the server can store a parse and reuse it for a later extract job.

        Words are stored as compact ``[text, x, y, w, h, confidence]`` lists because a parse of a
        long document holds tens of thousands of them."""
        return {
            "filename": self.filename,
            "kind": self.kind,
            "total_pages": self.total_pages,
            "pages": [_page_to_dict(page) for page in self.pages],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        """The inverse of ``to_dict``."""
        return cls(
            filename=data["filename"],
            kind=data["kind"],
            total_pages=int(data["total_pages"]),
            pages=[_page_from_dict(page) for page in data["pages"]],
        )


def _opt_box(box: Optional[Box]) -> Optional[list[float]]:
    return box.as_list() if box is not None else None


def _opt_box_from(values: Optional[list[float]]) -> Optional[Box]:
    return Box.from_list(values) if values is not None else None


def _cell_to_dict(cell: Cell) -> dict[str, Any]:
    return {"text": cell.text, "box": _opt_box(cell.box), "confidence": cell.confidence}


def _cell_from_dict(data: dict[str, Any]) -> Cell:
    return Cell(text=data["text"], box=_opt_box_from(data.get("box")), confidence=float(data.get("confidence", 1.0)))


def _line_to_dict(line: Line) -> dict[str, Any]:
    return {
        "text": line.text,
        "box": line.box.as_list(),
        "confidence": line.confidence,
        "words": [[w.text, *w.box.as_list(), w.confidence] for w in line.words],
    }


def _line_from_dict(data: dict[str, Any]) -> Line:
    words = [Word(text, Box(float(x), float(y), float(w), float(h)), float(conf)) for text, x, y, w, h, conf in data["words"]]
    return Line(text=data["text"], box=Box.from_list(data["box"]), words=words, confidence=float(data["confidence"]))


def _table_to_dict(table: Table) -> dict[str, Any]:
    return {
        "page_number": table.page_number,
        "header": [_cell_to_dict(c) for c in table.header],
        "rows": [[_cell_to_dict(c) for c in row] for row in table.rows],
        "box": _opt_box(table.box),
        "title": table.title,
    }


def _table_from_dict(data: dict[str, Any]) -> Table:
    return Table(
        page_number=int(data["page_number"]),
        header=[_cell_from_dict(c) for c in data["header"]],
        rows=[[_cell_from_dict(c) for c in row] for row in data["rows"]],
        box=_opt_box_from(data.get("box")),
        title=data.get("title"),
    )


def _page_to_dict(page: Page) -> dict[str, Any]:
    return {
        "number": page.number,
        "width": page.width,
        "height": page.height,
        "ocr": page.ocr,
        "lines": [_line_to_dict(line) for line in page.lines],
        "tables": [_table_to_dict(table) for table in page.tables],
    }


def _page_from_dict(data: dict[str, Any]) -> Page:
    return Page(
        number=int(data["number"]),
        width=float(data["width"]),
        height=float(data["height"]),
        ocr=bool(data.get("ocr", False)),
        lines=[_line_from_dict(line) for line in data["lines"]],
        tables=[_table_from_dict(table) for table in data["tables"]],
    )


def _md_cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def table_markdown(table: Table) -> str:
    """A table as a GitHub pipe table; a table without a header row gets empty header cells
    because pipe tables cannot exist without one."""
    width = max([len(table.header)] + [len(row) for row in table.rows] + [1])
    header = [_md_cell(c.text) for c in table.header] + [""] * (width - len(table.header))
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
    for row in table.rows:
        cells = [_md_cell(c.text) for c in row] + [""] * (width - len(row))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def _inside(box: Box, outer: Box) -> bool:
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    return outer.x <= cx <= outer.x1 and outer.y <= cy <= outer.y1


def page_markdown(page: Page) -> str:
    """The page as Markdown for the parse API's markdown view: each visual row of lines as a
    paragraph and each table as a pipe table at its place on the page (lines inside a
    table's box are not repeated)."""
    placed = [t for t in page.tables if t.box is not None]
    blocks: list[tuple[float, str]] = [(t.box.y, table_markdown(t)) for t in placed]  # type: ignore[union-attr]
    blocks += [(float("inf"), table_markdown(t)) for t in page.tables if t.box is None]
    row: list[Line] = []
    for line in page.lines:
        if any(_inside(line.box, t.box) for t in placed):  # type: ignore[arg-type]
            continue
        if row and not (row[0].box.y <= line.box.y + line.box.h / 2 <= row[0].box.y1):
            blocks.append((row[0].box.y, " ".join(ln.text for ln in row)))
            row = []
        row.append(line)
    if row:
        blocks.append((row[0].box.y, " ".join(ln.text for ln in row)))
    blocks.sort(key=lambda block: block[0])
    return "\n\n".join(text for _, text in blocks)
