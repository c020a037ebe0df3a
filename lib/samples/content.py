"""The content model: what a document says, independent of the format it is rendered to.

A kind builder (invoice, statement, ...) produces a ``Doc`` of blocks; one renderer per format
turns it into bytes. Every printed value that is ground truth is a ``Span`` carrying the
path(s) it answers, so the renderers can record the page it lands on and the generator can
record the exact printed text: the truth is read off the content, never retyped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Literal, Optional, Union


@dataclass(frozen=True)
class Span:
    """A run of printed text; ``paths`` are the ground-truth leaves it is the value of.

    ``value`` is the typed value (a float for money), used by spreadsheet renderers to write
    native numeric cells; paths starting with ``@p<N>.`` are per-page truth of page N+1."""

    text: str
    paths: tuple[str, ...] = ()
    value: Any = None
    bold: bool = False


def sp(text: str, *paths: str, value: Any = None, bold: bool = False) -> Span:
    return Span(text, tuple(paths), value, bold)


TextLine = list[Span]


@dataclass
class Heading:
    text: TextLine
    size: float = 18
    align: Literal["left", "right", "center"] = "left"


@dataclass
class Lines:
    """An address block or any short lines; no wrapping (values are never split)."""

    lines: list[TextLine]
    size: float = 10
    align: Literal["left", "right"] = "left"
    furniture: bool = False  # only there because of a page break (balance carried forward)


@dataclass
class KV:
    label: str
    value: TextLine


@dataclass
class KeyValues:
    """Label/value pairs: ``inline`` (label then value on one line), ``below`` (value under
    its label, pairs side by side), ``grid`` (a ruled two-column key/value table)."""

    items: list[KV]
    style: Literal["inline", "below", "grid"] = "inline"
    align: Literal["left", "right"] = "left"
    size: float = 10


@dataclass
class Table:
    header: list[str]
    rows: list[list[Span]]
    numeric: list[bool]
    widths: list[float]
    ruled: bool = True
    size: float = 9
    continues: bool = False  # the same table as the previous one, after a page break


@dataclass
class Paragraph:
    """Wrapped prose; spans are never broken across lines, so values stay whole."""

    text: TextLine
    size: float = 10


@dataclass
class Columns:
    blocks: list["Block"]


@dataclass
class Spacer:
    height: float = 12


@dataclass
class Rule:
    pass


@dataclass
class PageBreak:
    pass


Block = Union[Heading, Lines, KeyValues, Table, Paragraph, Columns, Spacer, Rule, PageBreak]


@dataclass
class Doc:
    """A whole document. ``page_size`` is ``(width, height)`` in points, height ``None`` for a
    receipt roll that is as long as its content. ``running_header`` is printed at the top of
    every page; ``page_footer`` adds "Page i of N"."""

    title: str
    blocks: list[Block]
    font: str = "Helvetica"
    page_size: tuple[float, Optional[float]] = (612.0, 792.0)
    margin: float = 48.0
    running_header: Optional[str] = None
    page_footer: bool = True


def unpaginate(blocks: list[Block]) -> list[Block]:
    """The content without its page furniture, continued tables joined: what a flowing format shows."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, PageBreak) or (isinstance(block, Lines) and block.furniture):
            continue
        previous = out[-1] if out else None
        if isinstance(block, Table) and block.continues and isinstance(previous, Table):
            out[-1] = Table(previous.header, previous.rows + block.rows, previous.numeric, previous.widths,
                            previous.ruled, previous.size)
        else:
            out.append(block)
    return out


def wrap_tokens(line: TextLine) -> list[tuple[Span, bool]]:
    """Units a wrapper may break between, each with whether a space precedes it.

    Value spans stay whole; other spans break at their spaces. Spacing is the original one,
    so "Date" followed by ")" stays "Date)"."""
    out: list[tuple[Span, bool]] = []
    pending = False
    for s in line:
        if s.paths:
            out.append((s, pending))
            pending = False
            continue
        words = s.text.split(" ")
        for i, word in enumerate(words):
            if word:
                out.append((Span(word, (), None, s.bold), pending or i > 0 and bool(out)))
                pending = False
        if s.text.endswith(" "):
            pending = True
    return out


def line_text(line: TextLine) -> str:
    return "".join(s.text for s in line)


def iter_spans(blocks: list[Block]) -> Iterator[Span]:
    """Every span of the content, in reading order."""
    for block in blocks:
        if isinstance(block, Heading):
            yield from block.text
        elif isinstance(block, Paragraph):
            yield from block.text
        elif isinstance(block, Lines):
            for line in block.lines:
                yield from line
        elif isinstance(block, KeyValues):
            for item in block.items:
                yield from item.value
        elif isinstance(block, Table):
            for row in block.rows:
                yield from row
        elif isinstance(block, Columns):
            yield from iter_spans(block.blocks)


def printed_values(doc: Doc) -> dict[str, str]:
    """Path -> the exact text printed for it (first occurrence)."""
    out: dict[str, str] = {}
    for span in iter_spans(doc.blocks):
        for path in span.paths:
            out.setdefault(path, span.text)
    return out


@dataclass
class FontFamily:
    regular: str
    bold: str


FONTS: dict[str, FontFamily] = {
    "Helvetica": FontFamily("Helvetica", "Helvetica-Bold"),
    "Times-Roman": FontFamily("Times-Roman", "Times-Bold"),
    "Courier": FontFamily("Courier", "Courier-Bold"),
}

LETTER = (612.0, 792.0)
A4 = (595.28, 841.89)
