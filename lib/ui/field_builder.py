"""The visual field builder: one ``st.data_editor`` table per object of the working schema.

The JSON is the source of truth. Each run the tables are made from the current schema; an edit in a
table is written back into the JSON (``lib.schemas.apply_rows``, which keeps every keyword the table has
no column for) and the editor and tables re-mount on the new text. So either side can be edited and
neither loses what the other cannot show.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd
import streamlit as st

from lib import schemas
from lib.schemas import DATE_FORMATS, FIELD_TYPES, FieldRow, Path
from lib.ui import state

_MESSAGE = "_builder_message"


def table_key(path: Path) -> str:
    """The widget key of the table for ``path`` (tests drive the tables through it)."""
    version = st.session_state.get(state.EDITOR_VERSION, 0)
    return f"builder_{version}_{'.'.join(path) or 'root'}"


def _frame(rows: list[FieldRow]) -> pd.DataFrame:
    records = [asdict(row) for row in rows]
    return pd.DataFrame(records, columns=list(schemas.COLUMNS)).astype(
        {"name": "object", "type": "object", "description": "object", "required": "bool",
         "enum": "object", "format": "object", "kept": "object", "key": "object"}
    )


_COLUMN_CONFIG: dict[str, Any] = {
    "name": st.column_config.TextColumn("Field", required=True, width="medium"),
    "type": st.column_config.SelectboxColumn("Type", options=list(FIELD_TYPES), required=True, default="string"),
    "description": st.column_config.TextColumn("Description", width="large",
                                               help="What the field means: the extractor reads this."),
    "required": st.column_config.CheckboxColumn("Required", default=False),
    "enum": st.column_config.TextColumn("Allowed values", help="Comma-separated; empty allows any value."),
    "format": st.column_config.SelectboxColumn("Date format", options=list(DATE_FORMATS),
                                               help="date, date-time or time for string dates."),
    "kept": st.column_config.TextColumn("Also in the JSON", disabled=True,
                                        help="Keywords this table does not show; they are kept as they are."),
    "key": None,
}


def render_builder(schema: dict[str, Any]) -> None:
    """The root table and, in expanders, one sub-table per object or array of objects."""
    message = st.session_state.pop(_MESSAGE, None)
    if message:
        st.warning(message)
    _table(schema, ())
    for path in schemas.sub_tables(schema):
        label = " › ".join(path)
        with st.expander(f"{label} (fields of {path[-1]})", expanded=False):
            _table(schema, path)


def _table(schema: dict[str, Any], path: Path) -> None:
    rows = schemas.table_rows(schema, path)
    edited = st.data_editor(
        _frame(rows),
        key=table_key(path),
        column_config=_COLUMN_CONFIG,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
    )
    new_rows = schemas.rows_from_records(edited.to_dict("records"))
    if new_rows == rows:
        return
    result = schemas.apply_rows(schema, path, new_rows)
    if result.errors:
        st.warning(" ".join(result.errors))
        return
    state.set_schema(result.schema)
    st.rerun()
