"""Tables for arrays of objects and ``per_table_row``: pick the table whose header best matches
the item's properties, join its continuations across page breaks, map columns to properties.

Parsers keep one ``Table`` per page; a statement whose transactions run over 30 pages is 30
tables with the same header (or, when a continuation page repeats no header, the same number
of columns). The best-matching table is joined with every such continuation that follows
it, in page order, so ``per_table_row`` returns every row however long the table is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from lib.engine.documents.model import Cell, Table
from lib.engine.locate import PageIndex, Phrase, field_phrases, fold_label, label_quality, phrase_regex, split_name
from lib.engine.schema import Field

MIN_TABLE_SCORE = 0.25
COLUMN_WEIGHT = 0.75
# Headers that mean a property only inside a table: a line's "Total" is its amount.
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "amount": ("total", "line total", "total price", "net", "price", "sum"),
    "unit price": ("price", "rate", "each"),
    "balance": ("running balance", "saldo"),
    "date": ("booking date", "value date", "posted", "transaction date"),
}
SUMMARY_ROW = re.compile(r"^(sub ?total|total|totals|grand total|tax|vat|sales tax|service charge|tip|rounding|balance|opening|closing|brought forward|"
                         r"carried forward|amount due|balance due)\b")


@dataclass
class Row:
    page: int
    cells: list[Cell]


@dataclass
class Column:
    index: int
    quality: float
    header: str


@dataclass
class TableMatch:
    tables: list[Table]
    rows: list[Row]
    columns: dict[str, Column]  # property name -> column
    score: float


def header_texts(table: Table) -> list[str]:
    return [fold_label(c.text) for c in table.header]


def match_columns(item: Field, headers: list[str], hints: dict[str, tuple[str, ...]]) -> tuple[dict[str, Column], float]:
    """Assign each scalar property of ``item`` to at most one header, best matches first.

    Returns the assignment and the table score: the mean match quality over the properties
    (unmatched ones count 0), so a table that answers more of the item scores higher."""
    scalars = [c for c in item.children if c.is_scalar]
    if not scalars or not headers:
        return {}, 0.0
    options: list[tuple[float, str, int]] = []
    for prop in scalars:
        phrases = field_phrases(prop, None, hints.get(prop.name, ()))
        known = {p.text for p in phrases}
        phrases += tuple(Phrase(fold_label(t), COLUMN_WEIGHT, tuple(fold_label(t).split()))
                         for t in COLUMN_SYNONYMS.get(split_name(prop.name), ()) if fold_label(t) not in known)
        for index, header in enumerate(headers):
            quality = _header_quality(header, phrases)
            if quality > 0:
                options.append((quality, prop.name, index))
    options.sort(key=lambda o: (-o[0], o[2]))
    used_props: set[str] = set()
    used_cols: set[int] = set()
    columns: dict[str, Column] = {}
    for quality, name, index in options:
        if name in used_props or index in used_cols:
            continue
        used_props.add(name)
        used_cols.add(index)
        columns[name] = Column(index, quality, headers[index])
    score = sum(c.quality for c in columns.values()) / len(scalars)
    return columns, score


def _header_quality(header: str, phrases: tuple[Phrase, ...]) -> float:
    if not header:
        return 0.0
    best = 0.0
    for match in phrase_regex(phrases).finditer(header):
        phrase = next(p for p in phrases if p.text == match.group(0))
        best = max(best, label_quality(header, phrase))
    return best


def best_table(item: Field, tables: list[Table], hints: dict[str, tuple[str, ...]],
               array_phrases: tuple[Phrase, ...] = ()) -> Optional[TableMatch]:
    """The best-matching table for ``item`` joined with its continuations, or None."""
    tables = [_promote_header(t) for t in tables]
    best: Optional[tuple[float, int, dict[str, Column]]] = None
    for position, table in enumerate(tables):
        columns, score = match_columns(item, header_texts(table), hints)
        if table.title and array_phrases and phrase_regex(array_phrases).search(fold_label(table.title)):
            score *= 1.1
        if columns and score >= MIN_TABLE_SCORE and (best is None or score > best[0] + 1e-9):
            best = (score, position, columns)
    if best is None:
        return None
    score, position, columns = best
    joined = _continuations(tables, position)
    rows = [Row(t.page_number, row) for t in joined for row in t.rows]
    headers = {tuple(header_texts(t)) for t in joined}
    rows = [r for r in rows if tuple(fold_label(c.text) for c in r.cells) not in headers and not _is_summary(r, columns)]
    return TableMatch(joined, rows, columns, min(1.0, score))


def _promote_header(table: Table) -> Table:
    """A table found without a header whose first row reads like one (short, digit-free
    cells, as OCR'd tables often come) gets that row as its header."""
    if any(c.text.strip() for c in table.header) or len(table.rows) < 2:
        return table
    first = [c for c in table.rows[0] if c.text.strip()]
    if len(first) < 2 or not all(_header_like(c.text) for c in first):
        return table
    return Table(table.page_number, table.rows[0], table.rows[1:], table.box, table.title)


def layout_tables(page: PageIndex) -> list[Table]:
    """Tables read from column alignment when the parser found none there: a row of two or more
    short, digit-free lines (the header) and the rows below it whose lines fall under those
    headers, up to a totals line, a gap or a row that no longer fits."""
    out: list[Table] = []
    r = 0
    while r < len(page.rows):
        row = page.rows[r]
        if len(row) >= 2 and all(_header_like(i.line.text) for i in row):
            table, used = _read_columns(page, r)
            if table is not None:
                out.append(table)
                r += used
                continue
        r += 1
    return out


def _header_like(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 4 and not any(c.isdigit() for c in text) and not text.rstrip().endswith(":") \
        and sum(c.isalpha() for c in text) >= 2 and "@" not in text


def _read_columns(page: PageIndex, start: int) -> tuple[Optional[Table], int]:
    header = sorted(page.rows[start], key=lambda i: i.line.box.x)
    centres = [i.line.box.x + i.line.box.w / 2 for i in header]
    bounds = [(a + b) / 2 for a, b in zip(centres, centres[1:])]
    rows: list[list[Cell]] = []
    last_y = header[0].line.box.y1
    height = max(i.line.box.h for i in header)
    for row in page.rows[start + 1 :]:
        top = min(i.line.box.y for i in row)
        if top - last_y > 2.5 * height or SUMMARY_ROW.match(row[0].folded) or len(row) < 2:
            break
        if rows and all(_header_like(i.line.text) for i in row) and len(row) >= 2:
            break  # another header: the next table starts here
        cells = [Cell("") for _ in header]
        for item in row:
            centre = item.line.box.x + item.line.box.w / 2
            column = sum(1 for b in bounds if centre > b)
            cell = cells[column]
            text = f"{cell.text} {item.line.text}".strip()
            box = item.line.box if cell.box is None else cell.box.union(item.line.box)
            cells[column] = Cell(text, box, min(cell.confidence, item.line.confidence))
        if sum(1 for c in cells if c.text) < 2:
            break
        rows.append(cells)
        last_y = max(i.line.box.y1 for i in row)
    if not rows:
        return None, 1
    head = [Cell(i.line.text, i.line.box, i.line.confidence) for i in header]
    box = head[0].box
    for cell in head[1:] + [c for r in rows for c in r if c.box is not None]:
        box = box.union(cell.box)  # type: ignore[union-attr]
    return Table(page.page.number, head, rows, box), len(rows) + 1


def _continuations(tables: list[Table], start: int) -> list[Table]:
    """The table at ``start`` and the tables after it that continue it: same header, or no
    header and the same number of columns, each on the same or a later page."""
    first = tables[start]
    header = header_texts(first)
    width = max([len(first.header)] + [len(r) for r in first.rows[:3]] or [0])
    out = [first]
    last_page = first.page_number
    for table in tables[start + 1 :]:
        if table.page_number > last_page + 1:
            break
        same_header = header_texts(table) == header
        headless = not any(c.text.strip() for c in table.header) and table.rows and len(table.rows[0]) == width
        if same_header or headless:
            out.append(table)
            last_page = table.page_number
        elif table.page_number > first.page_number:
            break
    return out


def _is_summary(row: Row, columns: dict[str, Column]) -> bool:
    """A totals line printed inside the table ("Subtotal", "Balance carried forward") is not an
    item: its first text cell names a total and fewer than half the mapped columns are filled."""
    texts = [fold_label(c.text) for c in row.cells]
    first = next((t for t in texts if t), "")
    filled = sum(1 for col in columns.values() if col.index < len(texts) and texts[col.index])
    if not any(texts):
        return True
    return bool(SUMMARY_ROW.match(first)) and filled <= max(1, len(columns) // 2 + 1)


def cell_at(row: Row, column: Column) -> Optional[Cell]:
    if column.index < len(row.cells):
        cell = row.cells[column.index]
        return cell if cell.text.strip() else None
    return None
