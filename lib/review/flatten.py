"""One job -> aligned tables: the values, their confidence and their citations, cell for cell.

Every page shows an extraction through :func:`flatten_job`, so a value, its colour and its cited page
always come from the same cell. The three frames (``values``, ``confidence``, ``citations``) have the
same index and columns; arrays of objects also get their own child tables (with the same three
frames), and ``fields`` is the long view: one row per leaf path (``line_items[2].amount``).

Columns follow the job's ``data_schema`` (so an empty field still has a column, in schema order),
then any key the result holds that the schema does not name. Metadata is read defensively: a
missing ``cite_sources`` / ``confidence_scores``, or a hosted value of another shape (the seed's
``"citation": "bar"``), gives an empty citation list and NaN confidence, never an exception.

Speed: a 100,000-row per_table_row job must flatten within 2x of ``pandas.json_normalize`` of its
bare result (``bench/flatten_speed.py``), so the columns are pulled out with C-level passes over the
rows, the metadata a cache-sized chunk of rows at a time, and turned into DataFrames once; there is
no per-cell DataFrame operation anywhere.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from lib.api.models import ExtractV2Job
from lib.gcpause import gc_paused

PAGE = "page"
ROW = "row"
PARENT = "parent"
INDEX = "index"

_NUMBER_TYPES = (int, float)
_TARGETS = ("per_doc", "per_page", "per_table_row")
_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}


# --- columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a record table.

    ``kind`` is ``scalar`` (one value), ``list`` (an array of scalars: one cell holding the list) or
    ``table`` (an array of objects: the cell holds the raw list, and a child table holds its rows).
    ``schema`` is the field's JSON Schema (empty when inferred), so a page can check a correction.
    """

    name: str
    path: tuple[str, ...]
    type: str
    kind: str = "scalar"
    schema: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    children: tuple["Column", ...] = ()


def _resolve(node: Any, root: Mapping[str, Any]) -> dict[str, Any]:
    """A schema node with local ``$ref`` followed and ``anyOf``/``oneOf`` nullability unwrapped."""
    seen = 0
    while isinstance(node, dict) and seen < 16:
        seen += 1
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = root
            for part in ref[2:].split("/"):
                target = target.get(part) if isinstance(target, dict) else None
            node = {**(target or {}), **{k: v for k, v in node.items() if k != "$ref"}}
            continue
        options = node.get("anyOf") or node.get("oneOf")
        if isinstance(options, list) and "type" not in node and "properties" not in node:
            real = [option for option in options if isinstance(option, dict) and option.get("type") != "null"]
            if len(real) == 1:
                node = {**real[0], **{k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}}
                continue
        return node
    return node if isinstance(node, dict) else {}


def _schema_type(node: Mapping[str, Any]) -> Optional[str]:
    kind = node.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if kinds else None
    if kind is None and isinstance(node.get("properties"), dict):
        return "object"
    return kind if isinstance(kind, str) else None


def schema_columns(node: Any, root: Optional[Mapping[str, Any]] = None, prefix: tuple[str, ...] = ()) -> list[Column]:
    """The columns an object schema produces: nested objects become dotted columns, arrays of
    objects become ``table`` columns with their own child columns."""
    root = root if root is not None else (node if isinstance(node, dict) else {})
    node = _resolve(node, root)
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return []
    columns: list[Column] = []
    for key, child in properties.items():
        child = _resolve(child, root)
        path = prefix + (str(key),)
        kind = _schema_type(child)
        if kind == "object" and isinstance(child.get("properties"), dict):
            columns.extend(schema_columns(child, root, path))
        elif kind == "array":
            items = _resolve(child.get("items"), root)
            if _schema_type(items) == "object":
                columns.append(Column(".".join(path), path, "array", "table", child, tuple(schema_columns(items, root))))
            else:
                columns.append(Column(".".join(path), path, "array", "list", child))
        else:
            columns.append(Column(".".join(path), path, kind or "string", "scalar", child))
    return columns


def infer_columns(records: Sequence[Any], prefix: tuple[str, ...] = (), known: Sequence[Column] = ()) -> list[Column]:
    """Columns read off the data itself, for keys the schema (``known``) does not describe.

    A key the schema already types is not scanned (that is most of the cost on a big job); a key it
    declares as an object is only searched for undeclared sub-keys."""
    declared = {column.path[len(prefix)] for column in known if len(column.path) == len(prefix) + 1}
    objects = {column.path[len(prefix)] for column in known if len(column.path) > len(prefix) + 1}
    dicts = [record for record in records if type(record) is dict]
    unknown = set().union(*dicts) - declared
    if not unknown:
        return []
    keys: dict[str, None] = {}
    if unknown - objects:
        for record in dicts:
            keys.update(dict.fromkeys(record))
    columns: list[Column] = []
    for key in keys or sorted(unknown):
        if key not in unknown:
            continue
        path = prefix + (key,)
        present = [v for v in _get_all(list(records), key) if v is not None]
        if key in objects:
            nested = [column for column in known if column.path[: len(path)] == path]
            columns.extend(infer_columns([v for v in present if type(v) is dict], path, nested))
        elif present and all(type(v) is dict for v in present):
            columns.extend(infer_columns(present, path))
        elif present and all(type(v) is list for v in present):
            elements = [e for v in present for e in v]
            if elements and all(type(e) is dict for e in elements):
                columns.append(Column(".".join(path), path, "array", "table", {}, tuple(infer_columns(elements))))
            else:
                columns.append(Column(".".join(path), path, "array", "list"))
        else:
            columns.append(Column(".".join(path), path, _JSON_TYPES.get(type(present[0]), "string") if present else "null"))
    return columns


# --- reading cells ---------------------------------------------------------------------------------


def _get_all(items: list[Any], key: str) -> list[Any]:
    """``item.get(key)`` for every item, None for items that are not dicts. The fast path maps the
    C-level ``dict.get`` over the list; only a list holding a non-dict takes the checked path."""
    try:
        return list(map(dict.get, items, repeat(key)))
    except TypeError:
        return [item.get(key) if isinstance(item, dict) else None for item in items]


def _pluck(records: list[Any], path: tuple[str, ...]) -> list[Any]:
    """The value at ``path`` of every record (None where absent), one pass per level."""
    values = records
    for key in path:
        values = _get_all(values, key)
    return values


def _confidences(entries: list[Any], key: str = "confidence") -> np.ndarray:
    """A float per entry: the number the metadata gives, NaN for anything else (absent, "bar")."""
    return _confidence_array(_get_all(entries, key))


def _citation_list(value: Any) -> list[dict[str, Any]]:
    """Citation dicts from whatever the metadata holds: a list, one dict, or an odd scalar."""
    if type(value) is list:
        return [c for c in value if type(c) is dict]
    if type(value) is dict:
        return [value]
    return []


def _citations(entries: list[Any]) -> list[list[dict[str, Any]]]:
    return _citation_column(_get_all(entries, "citation"))


def _list_entry(entry: Any) -> Any:
    """The metadata of an array of scalars as one entry: the entry itself, or per-element entries
    folded (the least confidence, every citation), so the cell is as sure as its least sure item."""
    if type(entry) is not list:
        return entry
    elements = [e for e in entry if type(e) is dict]
    if not elements:
        return None
    folded: dict[str, Any] = {"citation": [c for e in elements for c in _citation_list(e.get("citation"))]}
    for key in ("confidence", "extraction_confidence", "parsing_confidence"):
        numbers = [e.get(key) for e in elements if type(e.get(key)) in _NUMBER_TYPES]
        if numbers:
            folded[key] = min(numbers)
    return folded


# --- tables ----------------------------------------------------------------------------------------


@dataclass
class _Table:
    """Columns built from records: the lists behind the frames, kept for the long view.

    Confidence and citations live in one block each, a row per column and a cell per record: the
    layout pandas keeps a frame's block in, so the frames are made on them without a copy (a copy of
    the citation block alone is 1.2 million scattered increments for a 100,000 x 12 job).
    ``positions`` gives each column's row in both blocks. ``exact`` says every record, at every
    nesting level read, was a dict of exactly the columns' keys."""

    size: int
    metas: list[Any]
    keys: dict[str, list[Any]]
    columns: list[Column]
    values: dict[str, list[Any]]
    entries: dict[str, list[Any]]
    positions: dict[str, int] = field(init=False)
    confidence_block: np.ndarray = field(init=False)
    citation_block: np.ndarray = field(init=False)
    exact: bool = field(init=False, default=True)

    def __post_init__(self) -> None:
        self.positions = {name: position for position, name in enumerate(dict.fromkeys(c.name for c in self.columns))}
        self.confidence_block = np.full((len(self.positions), self.size), math.nan)
        self.citation_block = np.empty((len(self.positions), self.size), dtype=object)

    def entries_of(self, column: Column) -> list[Any]:
        """The metadata entry of every cell of a column (read again for scalars, which the fast
        path does not keep: only the long view needs them)."""
        if column.name not in self.entries:
            self.entries[column.name] = _pluck(self.metas, column.path) if self.size else []
        return self.entries[column.name]

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The three aligned frames in column order: the values in one DataFrame call (pandas keeps
        list cells whole and infers each column's dtype), confidence and citations on their blocks."""
        index = pd.RangeIndex(self.size)
        names = list(self.positions)
        values = pd.DataFrame({**self.keys, **{name: self.values[name] for name in names}}, index=index)
        columns = names or None  # no columns: a RangeIndex, as for an empty dict
        confidence = pd.DataFrame(self.confidence_block.T, index=index, columns=columns, copy=False)
        citations = pd.DataFrame(self.citation_block.T, index=index, columns=columns, dtype=object, copy=False)
        for position, (name, keys) in enumerate(self.keys.items()):
            confidence.insert(position, name, keys)
            citations.insert(position, name, keys)
        return values, confidence, citations


def _build(records: list[Any], metas: list[Any], columns: list[Column], keys: dict[str, list[Any]]) -> _Table:
    """Pull every column out of the records and their metadata (see ``_Level``)."""
    table = _Table(len(records), metas, keys, columns, {}, {})
    with gc_paused():
        _Level(columns, 0).read(records, metas, table)
    return table


def _table_of(records: list[Any], metas: list[Any], declared: list[Column], keys: dict[str, list[Any]]) -> _Table:
    """The table of the ``declared`` columns and of any key the records hold beyond them.

    Looking for such keys (``infer_columns``) reads every key of every record: about 0.2 s of a
    100,000-row flatten that takes 1.3 s. So the declared columns are built first, and when the build proves there
    is nothing more (``_Table.exact``, the usual case: the service answers in the schema's shape)
    the search is skipped. Otherwise the records are searched, and built again only if they do hold
    more keys."""
    table = _build(records, metas, declared, keys)
    if table.exact:
        return table
    extra = infer_columns(records, (), declared)
    return _build(records, metas, declared + extra, keys) if extra else table


class _Level:
    """The columns below one nesting level (``vendor.*`` inside ``vendor``), read in bulk.

    Every step is a C-level pass over the rows in order (``map`` with an ``itemgetter``, ``chain``,
    list slicing), with no Python loop per row or per cell: parsed JSON lies in memory in document
    order, so these passes read memory almost sequentially. The rows' values are fetched as one
    tuple per row and cut back into columns by slicing the chained tuples; the scalar leaves'
    metadata entries likewise, then their confidences and citations in one pass over the entries,
    chunk by chunk (``_read_scalar_metadata``). A row or entry of an unexpected shape (a missing
    key, a non-dict) sends only that pass (or chunk) down the checked per-row path.
    """

    def __init__(self, columns: Sequence[Column], depth: int) -> None:
        self.leaves: dict[str, Column] = {}
        self.nested: dict[str, list[Column]] = {}
        order: list[str] = []
        for column in columns:
            key = column.path[depth]
            if key not in self.leaves and key not in self.nested:
                order.append(key)
            if len(column.path) == depth + 1:
                self.leaves[key] = column
            else:
                self.nested.setdefault(key, []).append(column)
        self.depth = depth
        self.scalars = [key for key in order if key in self.leaves and self.leaves[key].kind == "scalar"]
        self.others = [key for key in order if key not in self.scalars]

    def read(self, records: list[Any], metas: list[Any], table: _Table) -> None:
        values, exact = _columns_of(records, self.scalars + self.others)
        table.exact = table.exact and exact
        rows = [table.positions[self.leaves[key].name] for key in self.scalars]
        _read_scalar_metadata(metas, self.scalars, rows, table)
        for index, key in enumerate(self.scalars):
            table.values[self.leaves[key].name] = values[index]
        other_entries, _ = _columns_of(metas, self.others)
        for index, key in enumerate(self.others):
            cells, found = values[len(self.scalars) + index], other_entries[index]
            if key in self.leaves:
                _read_array(self.leaves[key], cells, found, table)
            else:
                _Level(self.nested[key], self.depth + 1).read(cells, found, table)


_CHUNK = 1024


def _read_scalar_metadata(metas: list[Any], keys: list[str], rows: list[int], table: _Table) -> None:
    """The confidence and citation of every scalar leaf ``keys`` of every record, written into the
    table's blocks at ``rows``. ``_CHUNK`` records at a time: a chunk's entries stay in the CPU cache
    from the first pass over them (fetching them from the records) to the last (storing their
    citations), where whole-column passes would fetch every entry from memory once per pass."""
    if not keys:
        return
    width = len(keys)
    for start in range(0, len(metas), _CHUNK):
        stop = min(start + _CHUNK, len(metas))
        entries = list(chain.from_iterable(_rows_of(metas[start:stop], keys)[0]))
        scores, cites = _scores_and_citations(entries)
        table.confidence_block[rows, start:stop] = _confidence_array(scores).reshape(-1, width).T
        table.citation_block[rows, start:stop] = _object_block(_citation_column(cites)).reshape(-1, width).T


def _rows_of(items: list[Any], keys: list[str]) -> tuple[list[tuple], bool]:
    """``(item[k] for k in keys)`` as one tuple per item, None where a key or the dict is missing,
    and whether every item had every key. The fast path maps one ``itemgetter`` over the items;
    any miss takes the checked path."""
    if not keys:
        return [()] * len(items), True
    getter = itemgetter(*keys)
    try:
        return (list(map(getter, items)) if len(keys) > 1 else list(zip(map(getter, items)))), True
    except (KeyError, TypeError):
        blank = (None,) * len(keys)
        return [tuple(map(item.get, keys)) if isinstance(item, dict) else blank for item in items], False


def _object_block(cells: list[Any]) -> np.ndarray:
    """A 1-D object array holding each cell (a list) as one element, filled in one assignment
    (numpy keeps each list whole when assigning into an object array of that length)."""
    block = np.empty(len(cells), dtype=object)
    block[:] = cells
    return block


def _scores_and_citations(entries: list[Any]) -> tuple[list[Any], list[Any]]:
    """The confidence and the citation of every entry, read in one pass over the entries when
    each has both keys (the usual shape), else one checked pass per key."""
    try:
        pairs = list(chain.from_iterable(map(_SCORE_AND_CITATION, entries)))
    except (KeyError, TypeError):
        return _get_all(entries, "confidence"), _get_all(entries, "citation")
    return pairs[0::2], pairs[1::2]


_SCORE_AND_CITATION = itemgetter("confidence", "citation")


def _columns_of(items: list[Any], keys: list[str]) -> tuple[list[list[Any]], bool]:
    """One list per key, and whether every item is a dict of exactly ``keys`` (every key found, and
    as many keys as that: so the items hold no key the columns lack). ``_CHUNK`` items at a time,
    their tuples chained end to end, cut by slicing with a stride and appended to the columns, so
    the values are still in the CPU cache from the first pass to the last."""
    width = len(keys)
    columns: list[list[Any]] = [[] for _ in keys]
    exact = True
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        rows, found = _rows_of(chunk, keys)
        exact = exact and found and _all_of_size(chunk, width)
        flat = list(chain.from_iterable(rows))
        for index, column in enumerate(columns):
            column.extend(flat[index::width])
    return columns, exact


def _all_of_size(items: list[Any], size: int) -> bool:
    """Whether every item has ``size`` keys (one C-level pass over the items' headers)."""
    try:
        return set(map(len, items)) <= {size}
    except TypeError:
        return False


_LIST = {list}


def _citation_column(raw: Sequence[Any]) -> list[Any]:
    """A citation list per cell. A column that already holds only lists (the API's shape) is
    taken as it is after one C-level type pass; any other value ("bar", a lone dict, None) is
    turned into a list by ``_citation_list``. Items inside a list are not inspected here: every
    reader of citations skips items that are not dicts."""
    if set(map(type, raw)) <= _LIST:
        return raw if isinstance(raw, list) else list(raw)
    return [_citation_list(c) for c in raw]


def _confidence_array(raw: Sequence[Any]) -> np.ndarray:
    """Floats from metadata confidences: numpy converts a clean column at once (None -> NaN);
    one holding anything else ("bar") is checked cell by cell."""
    try:
        return np.array(raw, dtype=float)
    except (TypeError, ValueError):
        return np.array([c if type(c) in _NUMBER_TYPES else math.nan for c in raw], dtype=float)


def _read_array(column: Column, cells: list[Any], found: list[Any], table: _Table) -> None:
    """An array column: a list of scalars folds its per-element metadata into one entry; an array
    of objects keeps its per-element metadata for the child table and has no confidence itself."""
    table.values[column.name] = cells
    row = table.positions[column.name]
    if column.kind == "list":
        found = [_list_entry(e) for e in found]
        table.entries[column.name] = found
        table.confidence_block[row] = _confidences(found)
        table.citation_block[row] = _object_block(_citations(found))
    else:
        table.entries[column.name] = [e if type(e) is list else None for e in found]
        table.confidence_block[row] = math.nan
        table.citation_block[row] = _object_block([[] for _ in cells])


@dataclass
class ChildTable:
    """The elements of one array of objects, across every record: ``row`` is the record (row of the
    parent frame), ``parent`` the concrete array path inside it (``line_items``,
    ``line_items[0].taxes``) and ``index`` the element's position, so ``f"{parent}[{index}]"`` is the
    element's path."""

    path: str
    columns: list[Column]
    values: pd.DataFrame
    confidence: pd.DataFrame
    citations: pd.DataFrame
    key_columns: tuple[str, ...] = (ROW, PARENT, INDEX)
    _table: Optional[_Table] = field(default=None, repr=False)

    @cached_property
    def wide(self) -> pd.DataFrame:
        return display_frame(self.values, self.columns)


def _children(table: _Table, path_prefix: str, parent_rows: Optional[list[int]], parent_paths: Optional[list[str]]) -> dict[str, ChildTable]:
    """Child tables of every ``table`` column of ``table`` (and theirs, recursively)."""
    found: dict[str, ChildTable] = {}
    rows = parent_rows if parent_rows is not None else list(range(table.size))
    for column in table.columns:
        if column.kind != "table":
            continue
        records, metas, row_of, parent_of, index_of = [], [], [], [], []
        for position, (cell, entry) in enumerate(zip(table.values[column.name], table.entries[column.name])):
            if type(cell) is not list:
                continue
            base = f"{parent_paths[position]}[{table.keys[INDEX][position]}]." if parent_paths is not None else ""
            entry = entry if type(entry) is list else []
            for index, element in enumerate(cell):
                records.append(element)
                metas.append(entry[index] if index < len(entry) else None)
                row_of.append(rows[position])
                parent_of.append(base + column.name)
                index_of.append(index)
        name = f"{path_prefix}{column.name}"
        child = _table_of(records, metas, list(column.children), {ROW: row_of, PARENT: parent_of, INDEX: index_of})
        columns = child.columns
        values, confidence, citations = child.frames()
        found[name] = ChildTable(name, columns, values, confidence, citations, _table=child)
        found.update(_children(child, f"{name}[].", row_of, parent_of))
    return found


# --- the flattened job -----------------------------------------------------------------------------


@dataclass
class FlatJob:
    """A job as tables. ``values``, ``confidence`` and ``citations`` share index and columns: the
    key columns first (``page`` for per_page), then one column per field. ``children`` holds the
    arrays of objects; ``fields`` is one row per leaf path; ``wide`` is ``values`` for display."""

    target: str
    job_id: Optional[str]
    columns: list[Column]
    key_columns: tuple[str, ...]
    values: pd.DataFrame
    confidence: pd.DataFrame
    citations: pd.DataFrame
    children: dict[str, ChildTable]
    data_schema: dict[str, Any] = field(default_factory=dict, repr=False)
    _table: Optional[_Table] = field(default=None, repr=False)

    @cached_property
    def wide(self) -> pd.DataFrame:
        """``values`` with lists joined and arrays of objects counted, for showing (not exporting)."""
        return display_frame(self.values, self.columns)

    @cached_property
    def fields(self) -> pd.DataFrame:
        """One row per leaf path: path, value, type, the three confidences, pages, matching text
        and boxes (for row targets, the ``row`` and ``page`` it belongs to come first)."""
        return _long_table(self)

    def column(self, name: str) -> Optional[Column]:
        """The column (with its schema) of a values column or a child's leaf name."""
        for column in self.columns:
            if column.name == name:
                return column
        return None

    def restore(
        self, values: Optional[pd.DataFrame] = None, children: Optional[Mapping[str, pd.DataFrame]] = None
    ) -> Union[dict[str, Any], list[dict[str, Any]]]:
        """The result in its original nesting, from (possibly corrected) frames."""
        return unflatten(
            self.values if values is None else values,
            target=self.target,
            key_columns=self.key_columns,
            columns=self.columns,
            children={path: child.values for path, child in self.children.items()} if children is None else children,
        )


def _job_dict(job: Union[ExtractV2Job, Mapping[str, Any]]) -> dict[str, Any]:
    """The job as plain data. The result and the field metadata are already plain containers inside
    the model and are taken as they are: dumping them again (megabytes for a 10,000-row job) costs
    seconds and changes nothing."""
    if not isinstance(job, ExtractV2Job):
        return dict(job)
    raw = job.model_dump(mode="json", exclude={"extract_result", "extract_metadata"})
    raw["extract_result"] = job.extract_result
    meta = job.extract_metadata
    fields = meta.field_metadata if meta is not None else None
    raw["extract_metadata"] = None if meta is None else {
        "field_metadata": None if fields is None else {
            key: getattr(fields, key) for key in ("document_metadata", "page_metadata", "row_metadata")
        }
    }
    return raw


def _target(job: dict[str, Any], result: Any, field_metadata: dict[str, Any]) -> str:
    """The extraction target: the configuration's, else guessed from the result's shape."""
    configured = (job.get("configuration") or {}).get("extraction_target")
    if configured in _TARGETS:
        return configured
    if isinstance(result, list):
        return "per_page" if field_metadata.get("page_metadata") and not field_metadata.get("row_metadata") else "per_table_row"
    return "per_doc"


def _field_metadata(job: dict[str, Any]) -> dict[str, Any]:
    meta = job.get("extract_metadata")
    meta = meta.get("field_metadata") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def flatten_job(job: Union[ExtractV2Job, Mapping[str, Any]]) -> FlatJob:
    """The job's result as aligned value / confidence / citation frames, child tables and the long
    ``fields`` table. A job without a result (still running, failed) gives empty frames."""
    raw = _job_dict(job)
    field_metadata = _field_metadata(raw)
    result = raw.get("extract_result")
    target = _target(raw, result, field_metadata)
    data_schema = (raw.get("configuration") or {}).get("data_schema") or {}
    if target == "per_doc":
        records = [result] if isinstance(result, dict) else []
        metas = [field_metadata.get("document_metadata")]
    else:
        records = list(result) if isinstance(result, list) else []
        metas = field_metadata.get("page_metadata" if target == "per_page" else "row_metadata")
        metas = metas if isinstance(metas, list) else []
    metas = (list(metas) + [None] * len(records))[: len(records)]
    table = _table_of(records, metas, schema_columns(data_schema) if isinstance(data_schema, dict) else [], {})
    columns = table.columns
    keys = table.keys = _key_columns(target, records, metas, raw, columns)
    values, confidence, citations = table.frames()
    children = _children(table, "", None, None)
    return FlatJob(
        target=target,
        job_id=raw.get("id"),
        columns=columns,
        key_columns=tuple(keys),
        values=values,
        confidence=confidence,
        citations=citations,
        children=children,
        data_schema=data_schema if isinstance(data_schema, dict) else {},
        _table=table,
    )


def _key_columns(target: str, records: list[Any], metas: list[Any], job: dict[str, Any], columns: list[Column]) -> dict[str, list[Any]]:
    """The columns that say where a record came from: the page number for per_page (named
    ``page #`` if the schema itself has a ``page`` field)."""
    if target != "per_page":
        return {}
    name = f"{PAGE} #" if any(column.name == PAGE for column in columns) else PAGE
    return {name: page_numbers(records, metas, job)}


def page_numbers(records: list[Any], metas: list[Any], job: Mapping[str, Any]) -> list[int]:
    """The page each per_page record came from. Evidence first: a page number in the page's
    metadata, else the page most of its citations point to; then the configured ``target_pages``;
    then the record's position."""
    targets = parse_pages((job.get("configuration") or {}).get("target_pages"))
    pages = []
    for position, meta in enumerate(metas):
        stated = next((meta.get(k) for k in ("page_number", "page") if type(meta) is dict and type(meta.get(k)) is int), None)
        cited = _cited_page(meta)
        if stated is not None:
            pages.append(stated)
        elif cited is not None:
            pages.append(cited)
        elif targets and len(targets) == len(records):
            pages.append(targets[position])
        else:
            pages.append(position + 1)
    return pages


def _cited_page(meta: Any) -> Optional[int]:
    """The most cited page anywhere in one record's metadata (None when nothing is cited)."""
    counts: Counter[int] = Counter()
    stack = [meta]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            for citation in _citation_list(node.get("citation")):
                if type(citation.get("page")) is int:
                    counts[citation["page"]] += 1
            stack.extend(v for k, v in node.items() if k != "citation")
        elif type(node) is list:
            stack.extend(node)
    return counts.most_common(1)[0][0] if counts else None


def parse_pages(spec: Any) -> list[int]:
    """``"1,3,5-7"`` -> ``[1, 3, 5, 6, 7]``; anything unreadable -> ``[]``."""
    if not isinstance(spec, str) or not spec.strip():
        return []
    pages: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d+)\s*(?:-\s*(\d+))?", part)
        if not match:
            return []
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        pages.extend(range(first, last + 1))
    return pages


# --- display and the long view ----------------------------------------------------------------------


def display_text(value: Any) -> Any:
    """A cell as shown: lists of scalars joined, arrays of objects counted, objects as JSON."""
    if type(value) is list:
        if value and all(type(v) is dict for v in value):
            return f"{len(value)} item" + ("" if len(value) == 1 else "s")
        return ", ".join("" if v is None else str(v) for v in value)
    if type(value) is dict:
        return json.dumps(value, ensure_ascii=False)
    return value


def display_frame(values: pd.DataFrame, columns: Sequence[Column]) -> pd.DataFrame:
    """``values`` with every non-scalar column turned into display text."""
    shown = values.copy()
    for column in columns:
        if column.kind != "scalar" and column.name in shown:
            shown[column.name] = [display_text(v) for v in shown[column.name].tolist()]
    return shown


def _pages(citations: list[Any]) -> list[int]:
    return sorted({c["page"] for c in citations if type(c) is dict and type(c.get("page")) is int})


def _matching_text(citations: list[Any]) -> str:
    return " | ".join(str(c["matching_text"]) for c in citations if type(c) is dict and c.get("matching_text"))


def _boxes(citations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every cited box, with the page it is on (boxes of odd shapes are skipped)."""
    boxes = []
    for citation in citations:
        if type(citation) is not dict or type(citation.get("bounding_boxes")) is not list:
            continue
        for box in citation["bounding_boxes"]:
            if type(box) is dict and all(type(box.get(k)) in _NUMBER_TYPES for k in ("x", "y", "w", "h")):
                boxes.append({"page": citation.get("page"), **{k: box[k] for k in ("x", "y", "w", "h")}})
    return boxes


_LONG_COLUMNS = ["path", "value", "type", "confidence", "extraction_confidence", "parsing_confidence", "pages", "matching_text", "boxes"]


def _long_rows(table: _Table, row_ids: list[Any], prefixes: list[str], out: dict[int, list[tuple]]) -> None:
    """Append ``(record, order, fields...)`` rows for each leaf of ``table`` into ``out``."""
    for order, column in enumerate(table.columns):
        if column.kind == "table":
            continue
        found = table.entries_of(column)
        extraction = _confidences(found, "extraction_confidence")
        parsing = _confidences(found, "parsing_confidence")
        row = table.positions[column.name]
        confidence, citations = table.confidence_block[row], table.citation_block[row]
        for position, value in enumerate(table.values[column.name]):
            cites = citations[position]
            out.setdefault(row_ids[position], []).append(
                (
                    prefixes[position] + column.name,
                    value,
                    column.type,
                    confidence[position],
                    extraction[position],
                    parsing[position],
                    _pages(cites),
                    _matching_text(cites),
                    _boxes(cites),
                )
            )


def _long_table(flat: FlatJob) -> pd.DataFrame:
    table = flat._table
    key_names = list(flat.key_columns)
    if table is None or not table.values or not len(flat.values):
        return pd.DataFrame(columns=([ROW] if flat.target != "per_doc" else []) + key_names + _LONG_COLUMNS)
    n = len(flat.values)
    out: dict[int, list[tuple]] = {}
    _long_rows(table, list(range(n)), [""] * n, out)
    for child in flat.children.values():
        child_table = child._table
        if child_table is None:
            continue
        prefixes = [f"{p}[{i}]." for p, i in zip(child_table.keys[PARENT], child_table.keys[INDEX])]
        _long_rows(child_table, child_table.keys[ROW], prefixes, out)
    order = {column.name: position for position, column in enumerate(flat.columns)}
    records = []
    for row in range(n):
        leaves = out.get(row, [])
        leaves.sort(key=lambda leaf: _leaf_order(leaf[0], order))
        keys = tuple(table.keys[name][row] for name in key_names)
        prefix = ((row,) if flat.target != "per_doc" else ()) + keys
        records.extend(prefix + leaf for leaf in leaves)
    names = ([ROW] if flat.target != "per_doc" else []) + key_names + _LONG_COLUMNS
    return pd.DataFrame.from_records(records, columns=names)


def _leaf_order(path: str, order: Mapping[str, int]) -> tuple:
    """Leaves in column order, an array's elements in index order under their column (the sort is
    stable, so an element's fields keep the schema's order)."""
    head = path.split("[", 1)[0]
    return (order.get(head, len(order)), [int(index) for _, index in _PATH_TOKEN.findall(path) if index])


# --- back to nesting --------------------------------------------------------------------------------


def path_tokens(path: str) -> list[Union[str, int]]:
    """``line_items[2].amount`` -> ``["line_items", 2, "amount"]``."""
    return [name if name else int(index) for name, index in _PATH_TOKEN.findall(path)]


def _native(value: Any) -> Any:
    """A JSON-ready Python value from a frame cell (NaN -> None, numpy scalars -> Python)."""
    if isinstance(value, np.ndarray):
        return [_native(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _set(target: dict[str, Any], path: Sequence[Union[str, int]], value: Any) -> None:
    node: Any = target
    for position, token in enumerate(path[:-1]):
        nxt = path[position + 1]
        if isinstance(node, list):
            while len(node) <= int(token):
                node.append({})
            if not isinstance(node[token], (dict, list)):
                node[token] = [] if isinstance(nxt, int) else {}
            node = node[token]
        else:
            if not isinstance(node.get(token), (dict, list)):
                node[token] = [] if isinstance(nxt, int) else {}
            node = node[token]
    last = path[-1]
    if isinstance(node, list):
        while len(node) <= int(last):
            node.append(None)
    node[last] = value


def _records(values: pd.DataFrame, key_columns: Sequence[str], columns: Optional[Sequence[Column]]) -> list[dict[str, Any]]:
    paths = {column.name: column.path for column in columns or ()}
    fields = [name for name in values.columns if name not in key_columns]
    records = []
    for row in values[fields].to_dict("records") if fields else [{} for _ in range(len(values))]:
        record: dict[str, Any] = {}
        for name in fields:
            _set(record, paths.get(name) or tuple(str(name).split(".")), _native(row[name]))
        records.append(record)
    return records


def unflatten(
    values: pd.DataFrame,
    *,
    target: str = "per_doc",
    key_columns: Sequence[str] = (),
    columns: Optional[Sequence[Column]] = None,
    children: Optional[Mapping[str, pd.DataFrame]] = None,
) -> Union[dict[str, Any], list[dict[str, Any]]]:
    """The nested result from a (possibly corrected) values frame: dotted columns become nested
    objects, and each child frame (keyed by its path, with ``row`` / ``parent`` / ``index``
    columns) rebuilds its arrays, deepest last. per_doc gives one object, the others a list."""
    records = _records(values, key_columns, columns)
    for path in sorted(children or {}, key=lambda p: p.count("[]")):
        _apply_child(records, children[path], _child_columns(columns, path))
    if target == "per_doc":
        return records[0] if records else {}
    return records


def _child_columns(columns: Optional[Sequence[Column]], path: str) -> Optional[Sequence[Column]]:
    current = columns
    for part in path.split("[]."):
        match = next((c for c in current or () if c.name == part), None)
        if match is None:
            return None
        current = match.children
    return current


def _apply_child(records: list[dict[str, Any]], frame: pd.DataFrame, columns: Optional[Sequence[Column]]) -> None:
    """Replace the arrays a child frame describes with its (corrected) elements."""
    if frame is None or not len(frame):
        return
    elements = _records(frame, (ROW, PARENT, INDEX), columns)
    groups: dict[tuple[int, str], list[tuple[int, dict[str, Any]]]] = {}
    for (row, parent, index), element in zip(frame[[ROW, PARENT, INDEX]].itertuples(index=False, name=None), elements):
        groups.setdefault((int(row), str(parent)), []).append((int(index), element))
    for (row, parent), items in groups.items():
        if 0 <= row < len(records):
            _set(records[row], path_tokens(parent), [element for _, element in sorted(items, key=lambda item: item[0])])


__all__ = [
    "Column",
    "ChildTable",
    "FlatJob",
    "display_frame",
    "display_text",
    "flatten_job",
    "infer_columns",
    "page_numbers",
    "parse_pages",
    "path_tokens",
    "schema_columns",
    "unflatten",
]
