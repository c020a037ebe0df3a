"""Plain text and Markdown on a synthetic layout.

Plain text keeps its character columns: pieces separated by two or more spaces (or a tab)
become separate lines at their column, so a receipt's aligned columns form a table just as
on a PDF page. Markdown pipe tables become ``Table``s; the rest loses its markup characters.
"""

from __future__ import annotations

import re

from lib.engine.documents.layout import FlowLayout, WRAP_CHARS
from lib.engine.documents.model import Page
from lib.engine.documents.sheets import decode_text
from lib.engine.documents.tables import aligned_tables

_PIECES = re.compile(r"\S+(?: \S+)*")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_RULE_RUN = re.compile(r"\+[-=:+]*[-=][-=:+]*\+|(?<![^\s|+])[-=_]{3,}(?![^\s|+])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"(\*\*|__|`|~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _lines(data: bytes) -> list[str]:
    return decode_text(data).expandtabs(8).splitlines()


def _pipe_cells(line: str) -> list[str]:
    body = line.strip().removeprefix("|").removesuffix("|")
    return [_plain(c.replace("\\|", "|")).strip() for c in re.split(r"(?<!\\)\|", body)]


def _drawing_removed(line: str) -> str:
    """The line with table drawing replaced by spaces, columns kept: ``+---+`` and ``-----``
    rules vanish and ``|`` becomes a gap, so a grid table's cells are pieces at their
    columns like any other aligned text."""
    line = _RULE_RUN.sub(lambda m: " " * len(m.group()), line)
    return line.replace("|", " ")


def _add_text_line(layout: FlowLayout, line: str) -> None:
    if len(line) > WRAP_CHARS and "  " not in line.strip():
        layout.paragraph(line)
    else:
        layout.text_row([(m.start(), m.group()) for m in _PIECES.finditer(line)])


def parse_text(data: bytes, filename: str) -> list[Page]:
    """Text lines at their character columns; tables are found by column alignment, whether
    drawn with ``|`` and ``+--+`` or only aligned with spaces."""
    layout = FlowLayout()
    for raw in _lines(data):
        line = _drawing_removed(raw)
        if line.strip():
            _add_text_line(layout, line)
        elif not raw.strip():
            layout.gap()
    page = layout.page()
    page.tables.extend(aligned_tables(page.lines, page.number))
    return [page]


def _plain(line: str) -> str:
    line = _LINK.sub(r"\1", line)
    line = _HEADING.sub("", line)
    line = _BULLET.sub(r"\1", line)
    return _EMPHASIS.sub("", line)


def parse_markdown(data: bytes, filename: str) -> list[Page]:
    """Pipe tables (a header row over a ``|---|`` rule) become tables; other lines lose
    their markup characters."""
    layout = FlowLayout()
    lines = _lines(data)
    i = 0
    while i < len(lines):
        line = lines[i]
        if _PIPE_ROW.match(line) and i + 1 < len(lines) and _PIPE_RULE.match(lines[i + 1]):
            rows = [_pipe_cells(line)]
            i += 2
            while i < len(lines) and _PIPE_ROW.match(lines[i]):
                rows.append(_pipe_cells(lines[i]))
                i += 1
            layout.table(rows, has_header=True)
            layout.gap()
            continue
        if line.strip() and not re.fullmatch(r"\s*([-*_]\s*){3,}", line):
            layout.paragraph(_plain(line))
        elif not line.strip():
            layout.gap()
        i += 1
    return [layout.page()]
