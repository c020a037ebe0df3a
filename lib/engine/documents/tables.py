"""Tables on positioned pages (PDF text layers and OCR'd pages).

Two detectors, both working on the words the page already has, so cell text is exactly the
page's text and cell boxes are in the page's units:

* ruled tables: a grid of horizontal and vertical ruling lines taken from the page's
  vector drawings; words are placed into the grid's cells.
* aligned tables: runs of rows whose text splits into the same columns (no rulings needed;
  this is what finds tables on scanned pages, whose rulings are only pixels).

pymupdf's ``find_tables`` does the first job too, but costs ~0.4 s per page (hundreds of
times the text extraction), which a 200-page statement cannot afford; and its cell text
garbles decimals on some generators. The drawings come from ``get_cdrawings``, which costs
about as much as extracting the words.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import pymupdf

from lib.engine.documents.model import Box, Cell, Line, Table, Word

_TOL = 2.0  # points: ruling lines this close count as touching / as the same line
_DATA = re.compile(r"\d")
_LABEL = re.compile(r"^[^\d:]{2,40}:\s*\S")


def _is_header_text(text: str) -> bool:
    """A header cell names a column: letters, no figures (dates and amounts are data)."""
    letters = sum(ch.isalpha() for ch in text)
    digits = len(_DATA.findall(text))
    return letters >= 1 and digits <= letters // 4


def looks_like_header(texts: list[str]) -> bool:
    """Whether a first row names columns: two or more filled cells, all of them words."""
    filled = [t for t in texts if t.strip()]
    return len(filled) >= 2 and all(_is_header_text(t) for t in filled)


def _header_split(rows: list[list[Cell]]) -> tuple[list[Cell], list[list[Cell]]]:
    """The first row is the header when it reads like column names and at least one body
    row follows."""
    if len(rows) >= 2 and looks_like_header([c.text for c in rows[0]]):
        return rows[0], rows[1:]
    return [], rows


# ---------------------------------------------------------------- ruled tables


@dataclass
class _Grid:
    hs: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vs: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)


def _rulings(drawings: list[dict]) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal and vertical ruling segments from lines and rectangles (a box or a cell
    background contributes its four edges)."""
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    for drawing in drawings:
        for item in drawing.get("items", ()):
            kind = item[0]
            if kind == "l":
                (x0, y0), (x1, y1) = item[1], item[2]
                if abs(y0 - y1) <= _TOL and abs(x1 - x0) > _TOL:
                    hs.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
                elif abs(x0 - x1) <= _TOL and abs(y1 - y0) > _TOL:
                    vs.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))
            elif kind == "re":
                x0, y0, x1, y1 = pymupdf.Rect(item[1])
                if y1 - y0 <= _TOL * 1.5:
                    hs.append(((y0 + y1) / 2, x0, x1))
                elif x1 - x0 <= _TOL * 1.5:
                    vs.append(((x0 + x1) / 2, y0, y1))
                else:
                    hs += [(y0, x0, x1), (y1, x0, x1)]
                    vs += [(x0, y0, y1), (x1, y0, y1)]
    return hs, vs


def _grids(hs: list[tuple[float, float, float]], vs: list[tuple[float, float, float]]) -> list[_Grid]:
    """Connected groups of crossing rulings (union-find over horizontal/vertical pairs that
    touch within ``_TOL``; the pair test is inlined, it runs for every pair on every page)."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    offset = len(hs)
    for i, (hy, hx0, hx1) in enumerate(hs):
        left, right, low, high = hx0 - _TOL, hx1 + _TOL, hy + _TOL, hy - _TOL
        for j, (vx, vy0, vy1) in enumerate(vs):
            if left <= vx <= right and vy0 <= low and high <= vy1:
                a, b = find(i), find(offset + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, _Grid] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), _Grid()).hs.append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(offset + j), _Grid()).vs.append(v)
    return [g for g in groups.values() if g.hs and g.vs]


def _distinct(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > _TOL * 1.5:
            out.append(value)
    return out


def _place(lines: list[Line], xs: list[float], ys: list[float]) -> dict[tuple[int, int], list[Line | Word]]:
    """The text pieces of each grid cell. A line that lies within one column goes in whole (the
    common case, one lookup per line, and its words need not be read: a text-layer line's text
    is its words joined, read exactly); a line that straddles a ruling is placed word by word."""
    cells: dict[tuple[int, int], list[Line | Word]] = {}
    top, bottom, left, right = ys[0], ys[-1], xs[0], xs[-1]
    last_col = len(xs) - 2
    bisect_left = bisect.bisect_left
    for line in lines:
        box = line.box
        cy = box.y + box.h / 2
        if not top <= cy <= bottom:
            continue
        row = max(bisect_left(ys, cy) - 1, 0)
        x0, x1 = box.x, box.x + box.w
        if x0 >= left - _TOL and x1 <= right + _TOL:
            first = min(max(bisect_left(xs, x0 + _TOL) - 1, 0), last_col)
            if x1 - _TOL <= xs[first + 1]:
                cells.setdefault((row, first), []).append(line)
                continue
        for word in line.words:
            cx = word.box.x + word.box.w / 2
            if left <= cx <= right:
                cells.setdefault((row, min(max(bisect_left(xs, cx) - 1, 0), last_col)), []).append(word)
    return cells


def _grid_table(grid: _Grid, lines: list[Line], page_number: int) -> tuple[Table | None, Box]:
    xs = _distinct([v[0] for v in grid.vs])
    ys = _distinct([h[0] for h in grid.hs])
    region = Box(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0])
    if len(xs) < 3 or len(ys) < 3:  # a single box or a one-column frame: not a grid
        return None, region
    texts = _place(lines, xs, ys)
    filled = {r for r, _ in texts}
    spans = [(x, right - x) for x, right in zip(xs, xs[1:])]
    rows: list[list[Cell]] = []
    for r in range(len(ys) - 1):
        if r not in filled:
            continue
        top, height = ys[r], ys[r + 1] - ys[r]
        row = []
        for c, (x, width) in enumerate(spans):
            pieces = texts.get((r, c))
            box = Box(x, top, width, height)
            if not pieces:
                row.append(Cell("", box, 1.0))
            elif len(pieces) == 1:
                row.append(Cell(pieces[0].text, box, pieces[0].confidence))
            else:
                row.append(Cell(" ".join([p.text for p in pieces]), box, min([p.confidence for p in pieces])))
        rows.append(row)
    if len(rows) < 2:
        return None, region
    header, body = _header_split(rows)
    return Table(page_number=page_number, header=header, rows=body, box=region), region


def ruled_tables(drawings: list[dict], lines: list[Line], page_number: int) -> tuple[list[Table], list[Box]]:
    """Tables from ruling grids, and the regions they cover (the aligned detector skips those)."""
    hs, vs = _rulings(drawings)
    if len(hs) < 2 or len(vs) < 2:
        return [], []
    tables: list[Table] = []
    regions: list[Box] = []
    for grid in _grids(hs, vs):
        table, region = _grid_table(grid, lines, page_number)
        if table is not None:
            tables.append(table)
            regions.append(region)
    tables.sort(key=lambda t: (t.box.y, t.box.x) if t.box else (0, 0))
    return tables, regions


# ---------------------------------------------------------------- aligned tables


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into visual rows (``build_lines`` output is already sorted by row)."""
    rows: list[list[Line]] = []
    top = bottom = 0.0
    for line in lines:
        centre = line.box.y + line.box.h / 2
        if rows and top <= centre <= bottom:
            rows[-1].append(line)
        else:
            rows.append([line])
            top, bottom = line.box.y, line.box.y1
    for row in rows:
        row.sort(key=lambda ln: ln.box.x)
    return rows


def _spans(rows: list[list[Line]]) -> list[tuple[float, float]]:
    """Column spans: the union of overlapping cell extents over all rows."""
    intervals = sorted((ln.box.x, ln.box.x1) for row in rows for ln in row)
    spans: list[list[float]] = []
    for x0, x1 in intervals:
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    return [(a, b) for a, b in spans]


def _overlaps(line: Line, span: tuple[float, float]) -> bool:
    return line.box.x < span[1] and line.box.x1 > span[0]


def _is_form_row(row: list[Line]) -> bool:
    """"Invoice No: 123   Date: 1 May" is a row of label/value pairs, not table cells."""
    return sum(bool(_LABEL.match(ln.text)) for ln in row) * 2 >= len(row)


@dataclass
class _Block:
    rows: list[list[Line]] = field(default_factory=list)
    extra: dict[int, list[Line]] = field(default_factory=dict)  # row index -> continuation lines

    @property
    def bottom(self) -> float:
        last = self.rows[-1] + self.extra.get(len(self.rows) - 1, [])
        return max(ln.box.y1 for ln in last)

    @property
    def height(self) -> float:
        heights = sorted(ln.box.h for row in self.rows for ln in row)
        return heights[len(heights) // 2]


def _fits(block: _Block, row: list[Line]) -> bool:
    """Whether a multi-cell row continues the block: close below it, starting in the first
    column (totals under a table start further right), one cell per column."""
    if row[0].box.y - block.bottom > 1.2 * block.height:
        return False
    spans = _spans(block.rows)
    if len(spans) < 2:
        return len(_spans(block.rows + [row])) >= 2
    if not _overlaps(row[0], spans[0]) and len(row) < len(spans) - 1:
        return False
    return all(sum(_overlaps(ln, s) for s in spans) <= 1 for ln in row)


def _continues(block: _Block, row: list[Line]) -> bool:
    """A single line just below a table row, inside one column, starting where that
    column's cell above starts and in the same size: a wrapped cell (a centred note or a
    smaller-print remark under a table is not)."""
    line = row[0]
    if len(row) != 1 or line.box.y - block.bottom > 0.6 * block.height:
        return False
    spans = _spans(block.rows)
    if sum(_overlaps(line, s) for s in spans) != 1:
        return False
    above = [ln for ln in block.rows[-1] + block.extra.get(len(block.rows) - 1, []) if _overlaps(ln, (line.box.x, line.box.x1))]
    if _LABEL.match(line.text):  # "Paid by: Card" under a totals table is a field of its own
        return False
    return any(
        abs(ln.box.x - line.box.x) <= max(_TOL, 0.5 * block.height) and abs(ln.box.h - line.box.h) <= 0.15 * ln.box.h
        for ln in above
    )


def _new_header(block: _Block, row: list[Line]) -> bool:
    """A row of column names under label/value rows ("Receipt No. 06-33051", then "Item
    Price") starts a new table; under a header of its own it is just a row of words."""
    return looks_like_header([ln.text for ln in row]) and not looks_like_header([ln.text for ln in block.rows[0]])


def _block_table(block: _Block, page_number: int) -> Table | None:
    spans = _spans(block.rows)
    if len(spans) < 2 or len(block.rows) < 2:
        return None
    rows: list[list[Cell]] = []
    for i, row in enumerate(block.rows):
        parts: list[list[Line]] = [[] for _ in spans]
        for line in row + block.extra.get(i, []):
            col = next(k for k, s in enumerate(spans) if _overlaps(line, s))
            parts[col].append(line)
        top = min(ln.box.y for ln in row)
        height = max(ln.box.y1 for ln in row + block.extra.get(i, [])) - top
        cells = []
        for span, col_lines in zip(spans, parts):
            if not col_lines:  # an empty cell still has its place: its column across its row
                cells.append(Cell("", Box(span[0], top, span[1] - span[0], height)))
                continue
            box = col_lines[0].box
            for ln in col_lines[1:]:
                box = box.union(ln.box)
            conf = min(ln.confidence for ln in col_lines)
            cells.append(Cell(" ".join(ln.text for ln in col_lines), box, conf))
        rows.append(cells)
    header, body = _header_split(rows)
    if not header and len(rows) < 3:
        return None
    box = None
    for row in rows:
        for cell in row:
            if cell.box is not None:
                box = cell.box if box is None else box.union(cell.box)
    return Table(page_number=page_number, header=header, rows=body, box=box)


def _inside_any(line: Line, regions: list[Box]) -> bool:
    cx, cy = line.box.x + line.box.w / 2, line.box.y + line.box.h / 2
    return any(r.x <= cx <= r.x1 and r.y <= cy <= r.y1 for r in regions)


def aligned_tables(lines: list[Line], page_number: int, skip: list[Box] | None = None) -> list[Table]:
    """Tables found from column alignment alone: runs of rows of two or more cells that keep
    to the same columns. Lines inside ``skip`` regions (ruled tables) are ignored."""
    skip = skip or []
    tables: list[Table] = []
    block = _Block()
    for row in _rows([ln for ln in lines if not _inside_any(ln, skip)]):
        if block.rows and _continues(block, row):
            block.extra.setdefault(len(block.rows) - 1, []).extend(row)
            continue
        multi = len(row) >= 2 and not _is_form_row(row)
        if multi and block.rows and _fits(block, row) and not _new_header(block, row):
            block.rows.append(row)
            continue
        table = _block_table(block, page_number)
        if table is not None:
            tables.append(table)
        block = _Block(rows=[row]) if multi else _Block()
    table = _block_table(block, page_number)
    if table is not None:
        tables.append(table)
    return tables


def pdf_tables(page: pymupdf.Page, page_number: int, lines: list[Line]) -> list[Table]:
    """Ruled tables first, then aligned tables in the rest of the page, top to bottom."""
    drawings = page.get_cdrawings()
    ruled: list[Table] = []
    regions: list[Box] = []
    if drawings:
        ruled, regions = ruled_tables(drawings, lines, page_number)
    tables = ruled + aligned_tables(lines, page_number, regions)
    tables.sort(key=lambda t: t.box.y if t.box else 0.0)
    return tables
