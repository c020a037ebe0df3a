"""HTML through BeautifulSoup + lxml: text blocks and data tables in document order.

Tables that only lay out a page (one column, or holding other tables, as HTML e-mails and
invoices often do) are read as text so the data tables inside them are still found.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from lib.engine.documents.layout import FlowLayout
from lib.engine.documents.model import Page
from lib.engine.documents.sheets import decode_text
from lib.engine.documents.tables import looks_like_header

_SKIP = {"script", "style", "head", "noscript", "template", "svg", "iframe", "object"}
_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "h1", "h2", "h3", "h4", "h5",
    "h6", "li", "ul", "ol", "dl", "dt", "dd", "pre", "blockquote", "address", "form", "fieldset", "figure",
    "figcaption", "tr", "caption", "hr", "body", "center",
}


def _rows(table: Tag) -> tuple[list[list[str]], bool]:
    """Cell texts per row (a colspan adds empty cells) and whether the first row is marked
    as a header (in ``<thead>`` or made of ``<th>``)."""
    rows: list[list[str]] = []
    marked = False
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = tr.find_all(["td", "th"], recursive=False)
        texts: list[str] = []
        for cell in cells:
            texts.append(cell.get_text(" ", strip=True))
            span = cell.get("colspan")
            extra = int(span) - 1 if isinstance(span, str) and span.isdigit() else 0
            texts.extend([""] * min(extra, 50))
        if not rows:
            marked = tr.find_parent("thead") is not None or (bool(cells) and all(c.name == "th" for c in cells))
        rows.append(texts)
    return rows, marked


class _Walker:
    def __init__(self) -> None:
        self.layout = FlowLayout()
        self._buffer: list[str] = []

    def flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer = []
        if text:
            self.layout.paragraph(text)

    def table(self, table: Tag) -> None:
        rows, marked = _rows(table)
        if table.find("table") is not None or max((len(r) for r in rows), default=0) < 2:
            self.walk(table)  # a layout table
            return
        caption = table.find("caption")
        title = caption.get_text(" ", strip=True) if caption else None
        if title:
            self.layout.paragraph(title)
        self.layout.table(rows, has_header=marked or looks_like_header(rows[0]), title=title)
        self.layout.gap()

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self._buffer.append(str(child))
            elif isinstance(child, Tag):
                name = child.name.lower()
                if name in _SKIP:
                    continue
                if name == "table":
                    self.flush()
                    self.table(child)
                elif name == "br":
                    self.flush()
                elif name in _BLOCKS or name in ("td", "th"):
                    self.flush()
                    self.walk(child)
                    self.flush()
                else:
                    self.walk(child)


def parse_html(data: bytes, filename: str) -> list[Page]:
    soup = BeautifulSoup(decode_text(data), "lxml")
    walker = _Walker()
    walker.walk(soup.body or soup)
    walker.flush()
    return [walker.layout.page()]
