"""Between the flattened job and the review store: which values can be reviewed, where each was cited,
and the frames with the reviewers' corrections applied.

A review item is ``(row, path)``: the result row (0 for per_doc) and the leaf path of the flattening's
long ``fields`` table (``total``, ``line_items[2].amount``). A leaf inside an array of objects lives in a
child table of the flattening; :func:`locate` finds the child, its row and its column, so a correction
lands in the same cell the page showed and the export rebuilds the nesting from corrected frames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import numpy as np
import pandas as pd

from lib.review import export
from lib.review.flatten import INDEX, PARENT, ROW, FlatJob
from lib.review.store import Item, ReviewEvent

_LAST_ELEMENT = re.compile(r"^(?P<parent>.*)\[(?P<index>\d+)\]\.(?P<leaf>[^\[\]]+)$")
_INDICES = re.compile(r"\[\d+\]")
CHANGING_ACTIONS = frozenset({"correct", "clear"})


@dataclass(frozen=True)
class Cell:
    """Where one item lives: in ``flat.values`` (``child`` None) or in child table ``child``, at frame
    row ``position`` and column ``column``."""

    child: Optional[str]
    position: int
    column: str


def review_values(flat: FlatJob) -> pd.DataFrame:
    """The long table of every reviewable value: ``row``, ``path``, ``field`` (the path without array
    indices, for per-field charts), ``value`` and ``confidence``, in table order (row, then the schema's
    column order, array elements in index order under their column), on a 0..n-1 index.

    Built by reshaping the flattening's aligned frames column by column (no per-cell Python), so a
    10,000-row result gives its 40,000 values in milliseconds; citations are looked up per shown value
    with :func:`citations_at`."""
    order = {column.name: position for position, column in enumerate(flat.columns)}
    n = len(flat.values)
    parts = [
        _leaves(flat.values, flat.confidence, [c.name for c in flat.columns if c.kind != "table"],
                rows=np.arange(n), prefix=None, top=np.array([order[c.name] for c in flat.columns if c.kind != "table"]))
    ]
    for path, child in flat.children.items():
        names = [c.name for c in child.columns if c.kind != "table"]
        frame = child.values
        if not len(frame) or not names:
            continue
        head = path.split("[", 1)[0]
        prefix = frame[PARENT].astype(str) + "[" + frame[INDEX].astype(str) + "]."
        parts.append(_leaves(frame, child.confidence, names, rows=frame[ROW].to_numpy(), prefix=prefix,
                             top=np.full(len(names), order.get(head, len(order)))))
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_LONG)
    long = long.sort_values(["row", "_top", "_element", "_depth", "_order"], kind="stable", ignore_index=True)
    return long[_LONG]


_LONG = ["row", "path", "field", "value", "confidence"]
_FIRST_INDEX = re.compile(r"^[^\[]*\[(\d+)\]")


def _leaves(
    values: pd.DataFrame,
    confidence: pd.DataFrame,
    names: list[str],
    *,
    rows: np.ndarray,
    prefix: Optional[pd.Series],
    top: np.ndarray,
) -> pd.DataFrame:
    """One long block per column, stacked: row-major order is restored by the caller's sort."""
    count = len(values)
    blocks = []
    for position, name in enumerate(names):
        paths = pd.Series(name, index=range(count)) if prefix is None else (prefix + name).reset_index(drop=True)
        blocks.append(pd.DataFrame({
            "row": rows,
            "path": paths.to_numpy(),
            "field": name if prefix is None else paths.str.replace(_INDICES, "[]", regex=True).to_numpy(),
            "value": values[name].to_numpy(dtype=object),
            "confidence": confidence[name].to_numpy(dtype=float) if name in confidence else np.full(count, np.nan),
            "_top": top[position],
            "_element": -1 if prefix is None else paths.str.extract(_FIRST_INDEX, expand=False).astype(int).to_numpy(),
            "_depth": 0 if prefix is None else paths.str.count(r"\[").to_numpy(),
            "_order": position,
        }))
    return pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=_LONG)


def group_path(path: str) -> str:
    """``line_items[2].amount`` -> ``line_items[].amount``: the field a value belongs to, for charts."""
    return _INDICES.sub("[]", path)


def locate(flat: FlatJob, item: Item) -> Optional[Cell]:
    """The frame cell of an item, or None when the flattening has no such value."""
    row = 0 if item.row is None else item.row
    match = _LAST_ELEMENT.match(item.path)
    if match is None:
        if item.path in flat.values.columns and 0 <= row < len(flat.values):
            return Cell(None, row, item.path)
        return None
    parent, index, leaf = match.group("parent"), int(match.group("index")), match.group("leaf")
    child = flat.children.get(group_path(parent))
    if child is None or leaf not in child.values.columns:
        return None
    frame = child.values
    hits = frame.index[(frame[ROW] == row) & (frame[PARENT] == parent) & (frame[INDEX] == index)]
    return Cell(group_path(parent), int(hits[0]), leaf) if len(hits) else None


def citations_at(flat: FlatJob, item: Item) -> list[dict[str, Any]]:
    """The raw citation dicts of one value (with ``page_dimensions`` and boxes as the API gave them)."""
    cell = locate(flat, item)
    if cell is None:
        return []
    frame = flat.citations if cell.child is None else flat.children[cell.child].citations
    value = frame[cell.column].iat[cell.position]
    return list(value) if isinstance(value, list) else []


def current_value(extracted: Any, event: Optional[ReviewEvent]) -> Any:
    """What a value is after review: the correction, nothing after a clear, else what was extracted."""
    if event is not None and event.action in CHANGING_ACTIONS:
        return event.reviewed
    return extracted


def corrected_frames(
    flat: FlatJob, reviews: Mapping[Item, ReviewEvent]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Copies of ``values`` and of every child's values with each correction and clear applied."""
    values = flat.values.copy()
    children = {path: child.values.copy() for path, child in flat.children.items()}
    touched_children = False
    for item, event in reviews.items():
        if not item.is_value or event.action not in CHANGING_ACTIONS:
            continue
        cell = locate(flat, item)
        if cell is None:
            continue
        frame = values if cell.child is None else children[cell.child]
        _put(frame, cell, event.reviewed)
        touched_children = touched_children or cell.child is not None
    if touched_children:
        _refresh_arrays(flat, values, children)
    return values, children


def _refresh_arrays(flat: FlatJob, values: pd.DataFrame, children: Mapping[str, pd.DataFrame]) -> None:
    """Write corrected child tables back into their parent cells (the raw arrays of objects), so a
    wide export shows the corrected elements too."""
    restored = flat.restore(values, children)
    records = [restored] if isinstance(restored, dict) else list(restored)
    for column in flat.columns:
        if column.kind != "table":
            continue
        cells = []
        for record in records:
            node: Any = record
            for key in column.path:
                node = node.get(key) if isinstance(node, dict) else None
            cells.append(node)
        values[column.name] = pd.Series(cells, index=values.index, dtype=object)


def reviewed_rows(flat: FlatJob, reviews: Mapping[Item, ReviewEvent]) -> list[int]:
    """Rows a reviewer signed off: approved, or with a review on at least one of its values, and not
    rejected. For per_doc, row 0 stands for the document."""
    decisions = {item.row: event.action for item, event in reviews.items() if not item.is_value}
    if flat.target == "per_doc":
        decisions.setdefault(0, decisions.get(None, ""))
    touched = {item.row for item in reviews if item.is_value}
    rows = []
    for row in range(len(flat.values)):
        decision = decisions.get(row, decisions.get(None, ""))
        if decision == "reject":
            continue
        if decision == "approve" or row in touched:
            rows.append(row)
    return rows


def _put(frame: pd.DataFrame, cell: Cell, value: Any) -> None:
    """Write one value into an object-typed column (a number column must be able to take None or a
    corrected string-typed value without pandas refusing it)."""
    if frame[cell.column].dtype != object:
        frame[cell.column] = frame[cell.column].astype(object)
    frame.iat[cell.position, frame.columns.get_loc(cell.column)] = value


def export_reviewed(
    flat: FlatJob,
    fmt: str,
    reviews: Mapping[Item, ReviewEvent],
    trail: list[ReviewEvent],
    rows: Optional[list[int]] = None,
) -> bytes:
    """One download of the job with the corrections applied, through :mod:`lib.review.export`: ``csv``,
    ``json`` (the schema's nesting), ``xlsx`` (values, confidence, one sheet per array of objects, and
    the audit trail) or ``parquet``. ``rows`` keeps only those rows (the "reviewed only" export)."""
    values, children = corrected_frames(flat, reviews)
    confidence = flat.confidence
    if rows is not None:
        keep = set(rows)
        values, confidence = values.loc[values.index.isin(keep)], confidence.loc[confidence.index.isin(keep)]
        children = {path: frame[frame[ROW].isin(keep)] for path, frame in children.items()}
    if fmt == "csv":
        return export.to_csv(values)
    if fmt == "json":
        return export.to_json(flat, *_renumbered(values, children))
    if fmt == "xlsx":
        audit = pd.DataFrame([event.as_record() for event in trail])
        return export.to_xlsx(values, confidence, audit, children)
    if fmt == "parquet":
        return export.to_parquet(values)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(export.MIME_TYPES)}")


def _renumbered(values: pd.DataFrame, children: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Kept rows numbered 0..k-1 again, children following, so the nesting is rebuilt row by row."""
    mapping = {old: new for new, old in enumerate(values.index)}
    renumbered = {path: frame.assign(**{ROW: frame[ROW].map(mapping)}) for path, frame in children.items()}
    return values.reset_index(drop=True), renumbered
