"""Downloads of a flattened (and possibly corrected) job: CSV, JSON, XLSX and Parquet, as bytes.

Every export starts from the frames of :func:`lib.review.flatten.flatten_job` (or the review page's
corrected copy of them), so what is downloaded is what the page showed. Arrays of scalars stay lists:
JSON and Parquet keep them as arrays, CSV and XLSX cells hold them as JSON text (``["a", "b"]``), which
any reader can parse back, rather than a display string that cannot be split reliably.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any, Mapping, Optional

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lib.review.flatten import FlatJob

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_TYPES = {"csv": "text/csv", "json": "application/json", "xlsx": XLSX_MIME, "parquet": "application/vnd.apache.parquet"}
_SHEET_NAME_LIMIT = 31


def _cell_text(value: Any) -> Any:
    """A cell a text format can hold: lists and objects as JSON, everything else unchanged."""
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(_plain(value), ensure_ascii=False)
    if isinstance(value, np.ndarray):
        return json.dumps(_plain(value.tolist()), ensure_ascii=False)
    return value


def _plain(value: Any) -> Any:
    """JSON-ready Python values (numpy scalars unwrapped, NaN as null)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _textual(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every list / dict cell written as JSON text (object columns only)."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object:
            out[name] = [_cell_text(v) for v in out[name].tolist()]
    return out


def to_csv(values: pd.DataFrame) -> bytes:
    """The values frame as UTF-8 CSV (with a BOM so spreadsheet programs read accents right)."""
    return _textual(values).to_csv(index=False).encode("utf-8-sig")


def to_json(
    flat: FlatJob, values: Optional[pd.DataFrame] = None, children: Optional[Mapping[str, pd.DataFrame]] = None
) -> bytes:
    """The result in the schema's nesting (one object for per_doc, a list otherwise), from the
    (corrected) frames; per_page records carry no page key, exactly as the API returns them."""
    restored = flat.restore(values, children)
    return json.dumps(_plain(restored), ensure_ascii=False, indent=2).encode("utf-8")


def to_xlsx(
    values: pd.DataFrame,
    confidence: Optional[pd.DataFrame] = None,
    audit: Optional[pd.DataFrame] = None,
    children: Optional[Mapping[str, pd.DataFrame]] = None,
) -> bytes:
    """A workbook with sheets ``values``, ``confidence`` (when given), one sheet per child table and
    ``audit`` (the review trail the page passes in, when given)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _textual(values).to_excel(writer, sheet_name="values", index=False)
        if confidence is not None:
            confidence.to_excel(writer, sheet_name="confidence", index=False)
        used = {"values", "confidence", "audit"}
        for path, frame in (children or {}).items():
            name = _sheet_name(path, used)
            _textual(frame).to_excel(writer, sheet_name=name, index=False)
        if audit is not None:
            _textual(audit).to_excel(writer, sheet_name="audit", index=False)
    return buffer.getvalue()


def _sheet_name(path: str, used: set[str]) -> str:
    """A legal, unique sheet name for a child table (Excel allows 31 characters, no ``[]:*?/\\``)."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in path.replace("[]", "")).strip("_.")[:_SHEET_NAME_LIMIT] or "table"
    name, number = base, 2
    while name in used:
        suffix = f" {number}"
        name, number = base[: _SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    used.add(name)
    return name


def to_parquet(values: pd.DataFrame) -> bytes:
    """The values frame as Parquet. Lists of scalars stay list columns; a column Arrow cannot type
    (mixed kinds of values, arrays of objects of varying shape) is stored as JSON text instead of
    failing the whole download."""
    columns = {}
    for name in values.columns:
        series = values[name]
        try:
            columns[str(name)] = pa.array(_plain_column(series), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            columns[str(name)] = pa.array([None if v is None else _cell_text(v) for v in _plain_column(series)], type=pa.string())
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def _plain_column(series: pd.Series) -> Any:
    if series.dtype == object:
        return [_plain(v) for v in series.tolist()]
    return series


__all__ = ["MIME_TYPES", "XLSX_MIME", "to_csv", "to_json", "to_parquet", "to_xlsx"]
