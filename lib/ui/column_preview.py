"""The column layout each extraction target produces for the working schema, shown with placeholder
values and flattened by the same ``flatten_job`` the Results page uses, so the preview cannot drift from
what the analyst will see."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib.review.flatten import flatten_job
from lib.schemas import sample_job
from lib.submission import EXTRACTION_TARGETS

TARGET_NOTES = {
    "per_doc": "One row per document.",
    "per_page": "One row per page, with the page number first.",
    "per_table_row": "One row per table row found in the document.",
}


def render_column_preview(schema: dict[str, Any]) -> None:
    """One tab per target: the main table's columns, then a table per array of objects."""
    for tab, target in zip(st.tabs(list(EXTRACTION_TARGETS)), EXTRACTION_TARGETS):
        with tab:
            flat = flatten_job(sample_job(schema, target))
            st.caption(f"{TARGET_NOTES[target]} Columns: {', '.join(map(str, flat.wide.columns)) or 'none'}.")
            st.dataframe(flat.wide, hide_index=True, width="stretch")
            for path, child in flat.children.items():
                st.caption(f"`{path}`: one row per element; columns {', '.join(map(str, child.values.columns))}.")
                st.dataframe(child.values, hide_index=True, width="stretch")
