"""Results: the extracted values of a finished job, coloured by confidence, with their cited pages, and the
review that confirms, corrects and signs them off.

The page reads the job through the client and the flattening (one set of value / confidence / citation
frames), and the review from the app's store. What a reviewer sees is a snapshot of the store taken when
the job was opened or last saved: each save carries the versions of that snapshot, so a value someone else
changed in the meantime is reported (with the newer value), never silently overwritten.

Large results stay usable: tables are shown a page at a time and only the visible page is styled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import pandas as pd
import streamlit as st

from lib.api.models import ExtractV2Job
from lib.client import ClientError, ExtractClient
from lib.review.cells import (
    CHANGING_ACTIONS,
    citations_at,
    corrected_frames,
    current_value,
    export_reviewed,
    reviewed_rows,
)
from lib.review.compare import DIFFERS, diff_values
from lib.review.export import MIME_TYPES
from lib.review.flatten import INDEX, PARENT, ROW, Column, FlatJob, display_frame, display_text
from lib.review.load import JOBS, LoadedJob, NotFinished
from lib.review.progress import batch_progress, flagged_mask, next_flagged, progress
from lib.review.store import DECISION_ACTIONS, Edit, Item, ReviewConflict, ReviewError, ReviewEvent, ReviewStore
from lib.review.submissions import SubmissionStore
from lib.review.validation import InvalidReviewValue, describe_type, field_schema_at
from lib.settings import load_settings
from lib.ui import state
from lib.ui.confidence import BANDS, band_counts, band_of, distribution_by_field, legend, style_rows, style_window
from lib.ui.connection import current_backend, current_client
from lib.ui.navigation import require_shell
from lib.ui.page_image import citations_of, show_citations
from lib.ui.review import column_config_for, editor_cell, review_store, reviewer, reviewer_box

ROWS_PER_PAGE = 50
VALUES_PER_PAGE = 100
CHILD_ROWS_SHOWN = 200
VIEWS = ("Values", "Edit table", "Compare", "Audit trail", "Export")
LAYOUTS = ("Rows", "Values")

_JOB = "_results_job"
_THRESHOLD = "_results_threshold"
_ONLY_LOW = "_results_only_low"
_LAYOUT = "_results_layout"
_PAGE = "_results_page"
_ROW = "_results_row"
_FIELD = "_results_field"
_VIEW = "_results_view"
_SNAPSHOT = "_results_snapshot"
_FLASH = "_results_flash"
_VISIBLE = "_results_visible"
_CORRECTION = "_results_correction"
_REASON = "_results_reason"
_COMPARE = "_results_compare"
_EDITOR_ROUND = "_results_editor_round"
_LINKED = "_results_linked_job"
_OPEN_ID = "_results_open_id"
_CHART_OPEN = "_results_chart_open"


@dataclass(frozen=True)
class Ctx:
    """Everything one run of the page works on: the backend, the job and its tables, and the review
    snapshot this session saves against."""

    backend_id: str
    client: ExtractClient
    job: ExtractV2Job
    flat: FlatJob
    values: pd.DataFrame
    reviews: dict[Item, ReviewEvent]
    threshold: float

    @property
    def job_id(self) -> str:
        return self.job.id

    def refresh(self) -> None:
        """Take a fresh snapshot of the store (after a save, a conflict, or on request)."""
        _reviews(review_store(), self.backend_id, self.job.id, refresh=True)


# --- loading --------------------------------------------------------------------------------------------


def _load(backend_id: str, job_id: str, client: ExtractClient) -> LoadedJob:
    """The finished job from the process's cache (loaded once; the job table may have loaded it ahead).
    A job that has not finished raises :class:`NotFinished` and is asked again next time."""
    with st.spinner("Loading the job…"):
        return JOBS.get((backend_id, job_id), client.get_job, job_id)


def _reviews(store: ReviewStore, backend_id: str, job_id: str, *, refresh: bool = False) -> dict[Item, ReviewEvent]:
    """The review state this session works from (see the module docstring)."""
    snapshots: dict[tuple[str, str], dict[Item, ReviewEvent]] = st.session_state.setdefault(_SNAPSHOT, {})
    key = (backend_id, job_id)
    if refresh or key not in snapshots:
        snapshots[key] = store.current(backend_id, job_id)
    return snapshots[key]


def _flash(level: str, message: str) -> None:
    st.session_state.setdefault(_FLASH, []).append((level, message))


def _show_flash() -> None:
    for level, message in st.session_state.pop(_FLASH, []):
        getattr(st, level)(message)


# --- choosing the job -----------------------------------------------------------------------------------


def _pick_job(backend_id: str) -> Optional[str]:
    """The job to show: the one in the link (``?job=ext-...``, kept in the URL so a reload or a shared
    link opens the same job), else the one another page selected; the picker offers the jobs sent from
    this app (its own record, so listing them costs no backend call) and any job by its ID. The Jobs page
    lists every job of the backend."""
    linked = st.query_params.get("job")
    if linked and st.session_state.get(_LINKED) != linked:
        st.session_state[_LINKED] = linked
        st.session_state[state.SELECTED_JOB_ID] = linked
    selected = st.session_state.get(state.SELECTED_JOB_ID)
    labels = {s.job_id: f"{s.file_name} · sent {s.submitted_at:%Y-%m-%d %H:%M}" for s in _sent(backend_id)}
    ids = list(labels)
    if selected and selected not in labels:
        ids.insert(0, selected)
    pick_col, id_col = st.columns([3, 1])
    id_col.text_input("Open a job by ID", key=_OPEN_ID, placeholder="ext-…", on_change=_open_by_id)
    if not ids:
        st.info("No job to show yet. Open one from the Jobs page, send a document on Submit, or paste a job ID.")
        return None
    if selected in ids and st.session_state.get(_JOB) != selected:
        st.session_state[_JOB] = selected
    elif st.session_state.get(_JOB) not in ids:
        st.session_state[_JOB] = ids[0]
    job_id = pick_col.selectbox(
        "Job", ids, format_func=lambda jid: f"{labels.get(jid, 'job')} · {jid}", key=_JOB, on_change=_job_changed
    )
    st.session_state[state.SELECTED_JOB_ID] = job_id
    st.session_state[_LINKED] = job_id
    st.query_params["job"] = job_id
    return job_id


def _sent(backend_id: str) -> list[Any]:
    return SubmissionStore.from_settings().list(backend_id, limit=100)


def _open_by_id() -> None:
    typed = (st.session_state.get(_OPEN_ID) or "").strip()
    if typed:
        st.session_state[state.SELECTED_JOB_ID] = typed
        st.session_state[_OPEN_ID] = ""
        _job_changed(keep_selected=True)


def _job_changed(keep_selected: bool = False) -> None:
    if not keep_selected:
        st.session_state[state.SELECTED_JOB_ID] = st.session_state[_JOB]
    for key in (_PAGE, _ROW, _FIELD, _COMPARE):
        st.session_state.pop(key, None)


# --- summary and progress -------------------------------------------------------------------------------


def _summary(ctx: Ctx) -> None:
    """What the job holds, and how many of its values fall in each band (one line of chips, so that the
    table starts high on the screen), then the per-field chart on request."""
    values = ctx.values
    empty = values["value"].isna() | values["value"].eq("")
    st.caption(f"{ctx.flat.target} · {len(ctx.flat.values):,} row(s) · {len(values):,} values · file {ctx.job.file_input}")
    legend(ctx.threshold, band_counts(values["confidence"], empty, ctx.threshold))
    if not len(values):
        return
    expander = st.expander(
        "Confidence by field: which fields the engine is unsure of", expanded=False, key=_CHART_OPEN, on_change="rerun"
    )
    if expander.open:  # drawn only when opened: a first paint of a large job does not wait for the chart
        chart = distribution_by_field(values["field"], values["confidence"], ctx.threshold)
        expander.bar_chart(
            chart,
            horizontal=True,
            color=[band.colour for band in BANDS],
            x_label="values",
            y_label="field",
            height=max(220, 26 * len(chart)),
        )


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, float) and pd.isna(value))


def _progress(ctx: Ctx) -> None:
    mine = progress(ctx.values, ctx.reviews, ctx.threshold)
    left, right = st.columns([4, 1])
    left.progress(
        mine.fraction, text=f"Reviewed {mine.reviewed:,} / {mine.total:,} values · {mine.flagged_left:,} flagged left"
    )
    right.button(
        "Next flagged value",
        key="_results_next",
        on_click=_go_next,
        args=(ctx,),
        disabled=mine.flagged_left == 0,
        type="primary",
    )


def _go_next(ctx: Ctx) -> None:
    item = next_flagged(ctx.values, ctx.reviews, ctx.threshold, after=_selected_item())
    if item is None:
        _flash("info", "No flagged value is left to review.")
        return
    _select(item, ctx)


def _select(item: Item, ctx: Ctx) -> None:
    """Show ``item``: pick it in the value panel and turn the table to the page that holds it (as the
    table is filtered now)."""
    st.session_state[_ROW] = int(item.row or 0)
    st.session_state[_FIELD] = item.path
    st.session_state[_VIEW] = VIEWS[0]
    only_low = bool(st.session_state.get(_ONLY_LOW))
    if ctx.flat.target != "per_doc" and st.session_state.get(_LAYOUT, LAYOUTS[0]) == LAYOUTS[0]:
        rows = _table_rows(ctx.flat, ctx.threshold, only_low)
        position, per_page = int(rows.get_indexer([int(item.row or 0)])[0]), ROWS_PER_PAGE
    else:
        values = ctx.values[flagged_mask(ctx.values, ctx.threshold)] if only_low else ctx.values
        hits = (values["row"].to_numpy() == (item.row or 0)) & (values["path"].to_numpy() == item.path)
        position, per_page = int(hits.argmax()) if hits.any() else 0, VALUES_PER_PAGE
    st.session_state[_PAGE] = max(position, 0) // per_page + 1


def _selected_item() -> Optional[Item]:
    if st.session_state.get(_FIELD) is None:
        return None
    return Item(int(st.session_state.get(_ROW, 0)), st.session_state[_FIELD])


# --- the values tables ----------------------------------------------------------------------------------


def _paged(total: int, per_page: int, where: Optional[Any] = None) -> tuple[int, int]:
    """The slice of rows on the current table page; a page selector appears (in ``where``, a container,
    or here) when there is more than one."""
    pages = max(1, -(-total // per_page))
    st.session_state[_PAGE] = min(max(int(st.session_state.get(_PAGE, 1)), 1), pages)
    if pages > 1:
        (where or st).number_input(f"Table page (of {pages}, {per_page} per page)", min_value=1, max_value=pages, step=1, key=_PAGE)
    page = int(st.session_state[_PAGE])
    return (page - 1) * per_page, min(page * per_page, total)


_DONE = {"confirm": "confirmed", "correct": "corrected", "clear": "cleared", "approve": "approved", "reject": "rejected"}


def _status_of(event: Optional[ReviewEvent]) -> str:
    return f"{_DONE[event.action]} by {event.reviewer}" if event else ""


def _long_view(ctx: Ctx, only_low: bool, pager: Optional[Any] = None) -> None:
    """One row per value: per_doc, or the "Values" layout of a row target."""
    values = ctx.values
    shown = values[flagged_mask(values, ctx.threshold)] if only_low else values
    start, stop = _paged(len(shown), VALUES_PER_PAGE, pager)
    window = shown.iloc[start:stop]
    items = [Item(int(r), str(p)) for r, p in zip(window["row"], window["path"])]
    events = [ctx.reviews.get(item) for item in items]
    citations = [citations_at(ctx.flat, item) for item in items]
    table = pd.DataFrame(
        {
            **({"row": window["row"].to_numpy()} if ctx.flat.target != "per_doc" else {}),
            "field": window["path"].to_numpy(),
            "value": [_cell_text(current_value(v, e)) for v, e in zip(window["value"].tolist(), events)],
            "confidence": window["confidence"].to_numpy(),
            "pages": [", ".join(map(str, sorted({c["page"] for c in cites if isinstance(c.get("page"), int)}))) for cites in citations],
            "matching text": [" | ".join(str(c.get("matching_text") or "") for c in cites) for cites in citations],
            "review": [_status_of(e) for e in events],
        }
    )
    st.session_state[_VISIBLE] = items
    st.dataframe(
        style_rows(table, table["confidence"], ["value", "confidence"], ctx.threshold),
        hide_index=True,
        on_select=_on_pick_value,
        selection_mode="single-row",
        key="_results_long_table",
        column_config={"confidence": st.column_config.NumberColumn(format="%.3f")},
        height=min(38 + 35 * max(len(table), 1), 640),
    )
    if not len(shown):
        st.caption("No value is below the threshold." if only_low else "This job has no values.")


def _cell_text(value: Any) -> str:
    shown = display_text(value)
    return "" if _is_empty(shown) else str(shown)


def _on_pick_value() -> None:
    selection = st.session_state["_results_long_table"].selection
    visible: list[Item] = st.session_state.get(_VISIBLE, [])
    if selection.rows and selection.rows[0] < len(visible):
        item = visible[selection.rows[0]]
        st.session_state[_ROW], st.session_state[_FIELD] = int(item.row or 0), item.path


def _rows_view(ctx: Ctx, only_low: bool, pager: Optional[Any] = None) -> None:
    """The wide table of a per_page / per_table_row job, a page of rows at a time, each cell coloured by
    its own confidence; only the visible page is corrected and styled."""
    flat = ctx.flat
    fields = _scored_fields(flat)
    rows = _table_rows(flat, ctx.threshold, only_low)
    start, stop = _paged(len(rows), ROWS_PER_PAGE, pager)
    visible = rows[start:stop]
    on_page = set(visible.tolist())
    values, _children = corrected_frames(flat, {i: e for i, e in ctx.reviews.items() if i.row in on_page})
    shown = display_frame(values.loc[visible], flat.columns)
    st.session_state[_VISIBLE] = visible.tolist()
    st.dataframe(
        style_window(shown, flat.confidence.loc[visible, fields], ctx.threshold),
        on_select=_on_pick_cell,
        selection_mode="single-cell",
        key="_results_rows_table",
        height=min(38 + 35 * max(len(shown), 1), 640),
    )
    if not len(rows):
        st.caption("No row has a value below the threshold." if only_low else "This job has no rows.")


def _tables(ctx: Ctx) -> None:
    """The per_doc wide view and every array of objects as its own table (parent row, parent path and
    index first), coloured by confidence; the first rows only, the full tables are in the exports."""
    flat = ctx.flat
    if flat.target != "per_doc" and not flat.children:
        return
    with st.expander("Wide view and child tables", expanded=False):
        if flat.target == "per_doc":
            st.dataframe(style_window(flat.wide, flat.confidence[_scored_fields(flat)], ctx.threshold), hide_index=True)
        for path, child in flat.children.items():
            window = child.values.head(CHILD_ROWS_SHOWN)
            names = [c.name for c in child.columns if c.kind != "table"]
            st.markdown(f"**{path}** · {len(child.values)} element(s)")
            shown = display_frame(window, child.columns)
            st.dataframe(style_window(shown, child.confidence.loc[window.index, names], ctx.threshold), hide_index=True)


def _scored_fields(flat: FlatJob) -> list[str]:
    return [c.name for c in flat.columns if c.kind != "table" and c.name in flat.confidence.columns]


def _table_rows(flat: FlatJob, threshold: float, only_low: bool) -> pd.Index:
    """The rows the wide table shows: all, or those with at least one value below the threshold."""
    fields = _scored_fields(flat)
    if not (only_low and fields):
        return flat.values.index
    return flat.values.index[flat.confidence[fields].lt(threshold).any(axis=1).to_numpy()]


def _on_pick_cell() -> None:
    selection = st.session_state["_results_rows_table"].selection
    visible: list[int] = st.session_state.get(_VISIBLE, [])
    cells = getattr(selection, "cells", None) or []
    if cells:
        position, column = cells[0]
        if position < len(visible):
            st.session_state[_ROW], st.session_state[_FIELD] = int(visible[position]), str(column)


# --- one value: its citation and the review actions -----------------------------------------------------


def _value_panel(ctx: Ctx) -> None:
    """The selected value: what was extracted, how sure, its review, the actions, and its cited page."""
    row_target = ctx.flat.target != "per_doc"
    if row_target:
        last = max(len(ctx.flat.values) - 1, 0)
        st.session_state[_ROW] = min(max(int(st.session_state.get(_ROW, 0)), 0), last)
        st.number_input("Row", min_value=0, max_value=last, step=1, key=_ROW)
    row = int(st.session_state.get(_ROW, 0)) if row_target else 0
    in_row = ctx.values[ctx.values["row"] == row]
    paths = in_row["path"].tolist()
    if not paths:
        st.info("This row has no values.")
        return
    if st.session_state.get(_FIELD) not in paths:
        st.session_state[_FIELD] = paths[0]
    path = st.selectbox("Field", paths, key=_FIELD)
    item = Item(row, path)
    leaf = in_row[in_row["path"] == path].iloc[0]
    event = ctx.reviews.get(item)
    _value_header(item, leaf["value"], leaf["confidence"], event, ctx.threshold)
    _review_actions(ctx, item, leaf["value"], event)
    show_citations(ctx.client, ctx.backend_id, ctx.job, citations_of(citations_at(ctx.flat, item)), key=f"cite_{row}_{path}")
    _decision_actions(ctx, row if row_target else None)


_MARKUP_CHARACTERS = set("\\`*_{}[]()#+-.!|~<>&\"'")


def _literal(text: str) -> str:
    """Text for a markdown string that also holds HTML: markdown and HTML characters as numeric character
    references, which are shown as themselves and never parsed (escaping inside a code span would show
    ``&lt;``, and a backtick in the value would end the span)."""
    return "".join(f"&#{ord(ch)};" if ch in _MARKUP_CHARACTERS else ch for ch in text)


def _value_header(item: Item, extracted: Any, confidence: float, event: Optional[ReviewEvent], threshold: float) -> None:
    band = band_of(None if pd.isna(confidence) else float(confidence), threshold)
    score = "n/a" if pd.isna(confidence) else f"{confidence:.3f}"
    st.markdown(
        f"**{_literal(item.path)}** extracted <code>{_literal(_cell_text(extracted)) or '(empty)'}</code> · confidence "
        f"<span style='background:{band.background};padding:1px 6px;border-radius:3px'>{score} ({band.name})</span>",
        unsafe_allow_html=True,
    )
    if event is not None:
        now = f" → `{_cell_text(event.reviewed) or '(empty)'}`" if event.action in CHANGING_ACTIONS else ""
        st.caption(f"{_status_of(event)} at {event.created_at:%Y-%m-%d %H:%M:%S} UTC{now}")


def _review_actions(ctx: Ctx, item: Item, extracted: Any, event: Optional[ReviewEvent]) -> None:
    if not reviewer():
        st.caption("Enter your name in the sidebar to confirm or correct values.")
        return
    schema = field_schema_at(ctx.flat.data_schema, item.path) or {}
    takes = describe_type(schema) if schema else "any value"
    st.text_input("Corrected value", key=_CORRECTION, help=f"This field takes {takes}.", placeholder=f"takes {takes}")
    args = (ctx, item, _plain(extracted), event.version if event else 0)
    confirm, correct, clear = st.columns(3)
    confirm.button("Confirm", key="_results_confirm", on_click=_save_one, args=(*args, "confirm"))
    correct.button("Save correction", key="_results_correct", on_click=_save_one, args=(*args, "correct"), type="primary")
    clear.button("Clear value", key="_results_clear", on_click=_save_one, args=(*args, "clear"))


def _decision_actions(ctx: Ctx, row: Optional[int]) -> None:
    if not reviewer():
        return
    item = Item(row)
    event = ctx.reviews.get(item)
    what = "document" if row is None else f"row {row}"
    with st.expander(f"Approve or reject this {what}", expanded=False):
        if event is not None:
            st.caption(_status_of(event) + (f": {event.reason}" if event.reason else ""))
        st.text_input("Reason (required to reject)", key=_REASON)
        args = (ctx, item, None, event.version if event else 0)
        approve, reject = st.columns(2)
        approve.button(f"Approve {what}", key="_results_approve", on_click=_save_one, args=(*args, "approve"))
        reject.button(f"Reject {what}", key="_results_reject", on_click=_save_one, args=(*args, "reject"))


def _save_one(ctx: Ctx, item: Item, extracted: Any, version: int, action: str) -> None:
    """Button callback: append one action; a conflict or a bad value is reported, never lost silently."""
    typed = (st.session_state.get(_CORRECTION) or "").strip() if action == "correct" else None
    reason = st.session_state.get(_REASON, "") if action in DECISION_ACTIONS else None
    try:
        saved = review_store().save(
            ctx.backend_id,
            ctx.job_id,
            item,
            action,
            reviewer=reviewer() or "",
            expected_version=version,
            extracted=extracted,
            reviewed=typed or None,
            reason=reason,
            data_schema=ctx.flat.data_schema,
        )
    except ReviewConflict as conflict:
        _flash("error", str(conflict))
        ctx.refresh()
        return
    except (InvalidReviewValue, ReviewError) as error:
        _flash("error", f"Not saved: {error}")
        return
    ctx.refresh()
    st.session_state[_CORRECTION] = ""
    st.session_state[_REASON] = ""
    now = f" → {_cell_text(saved.reviewed) or '(empty)'}" if action in CHANGING_ACTIONS else ""
    _flash("success", f"Saved: {_DONE[action]} {item.label()}{now}.")


def _plain(value: Any) -> Any:
    """A frame cell as JSON-ready data (NaN is empty)."""
    if isinstance(value, float) and pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


# --- editing the table ----------------------------------------------------------------------------------


def _edit_view(ctx: Ctx) -> None:
    """Typed editing of the scalar values, a page of rows at a time (with each array of objects of those
    rows as its own table); edits are saved as corrections, each against the version it was shown at."""
    if not reviewer():
        st.info("Enter your name in the sidebar to edit values.")
        return
    flat = ctx.flat
    values, children = corrected_frames(flat, ctx.reviews)
    start, stop = _paged(len(values), ROWS_PER_PAGE)
    base = values.iloc[start:stop]
    scalar = [c for c in flat.columns if c.kind == "scalar"]
    _editor(ctx, "main", base, scalar, lambda pos, col: Item(int(base.index[pos]), col), keys=flat.key_columns)
    for path, child in flat.children.items():
        columns = [c for c in child.columns if c.kind == "scalar"]
        frame = children[path]
        frame = frame[(frame[ROW] >= start) & (frame[ROW] < stop)]
        if "[]." in path or not len(frame) or not columns:
            continue
        st.markdown(f"**{path}**")

        def item_of(pos: int, col: str, frame: pd.DataFrame = frame) -> Item:
            return Item(int(frame[ROW].iat[pos]), f"{frame[PARENT].iat[pos]}[{int(frame[INDEX].iat[pos])}].{col}")

        _editor(ctx, path, frame, columns, item_of, keys=(ROW, INDEX))


def _editor(
    ctx: Ctx,
    name: str,
    frame: pd.DataFrame,
    columns: list[Column],
    item_of: Callable[[int, str], Item],
    *,
    keys: Sequence[str] = (),
) -> None:
    key = f"_results_editor_{name}_{st.session_state.get(_EDITOR_ROUND, 0)}"
    shown = pd.DataFrame(
        {
            **{k: frame[k].to_numpy() for k in keys},
            **{c.name: [editor_cell(v, c) for v in frame[c.name].tolist()] for c in columns},
        }
    )
    config: dict[str, Any] = {c.name: column_config_for(c) for c in columns}
    st.data_editor(shown, key=key, hide_index=True, disabled=list(keys), column_config=config, num_rows="fixed")
    edited: dict[int, dict[str, Any]] = (st.session_state.get(key) or {}).get("edited_rows", {})
    count = sum(len(changes) for changes in edited.values())
    if count:
        changes = [(item_of(int(pos), col), value) for pos, changes in edited.items() for col, value in changes.items()]
        st.button(f"Save {count} edit(s)", key=f"{key}_save", type="primary", on_click=_save_edits, args=(ctx, changes))


def _save_edits(ctx: Ctx, changes: list[tuple[Item, Any]]) -> None:
    edits = []
    for item, value in changes:
        event = ctx.reviews.get(item)
        action = "clear" if value is None or value == "" else "correct"
        edits.append(Edit(item, action, event.version if event else 0, extracted=_extracted(ctx.values, item), reviewed=value))
    outcome = review_store().save_many(ctx.backend_id, ctx.job_id, edits, reviewer=reviewer() or "", data_schema=ctx.flat.data_schema)
    for conflict in outcome.conflicts:
        _flash("error", str(conflict))
    for error in outcome.invalid:
        _flash("error", f"Not saved: {error}")
    if outcome.saved:
        _flash("success", f"Saved {len(outcome.saved)} correction(s).")
    ctx.refresh()
    st.session_state[_EDITOR_ROUND] = st.session_state.get(_EDITOR_ROUND, 0) + 1


def _extracted(values: pd.DataFrame, item: Item) -> Any:
    hits = values[(values["row"] == (item.row or 0)) & (values["path"] == item.path)]
    return _plain(hits["value"].iat[0]) if len(hits) else None


# --- comparing, audit, export ---------------------------------------------------------------------------


def _compare_view(ctx: Ctx) -> None:
    """Other finished jobs of the same file, value by value, with the batch's review progress."""
    try:
        page = ctx.client.list_jobs_page(file_input=ctx.job.file_input, status="COMPLETED", page_size=50)
    except ClientError as exc:
        st.error(f"The backend did not list the other jobs of this file: {exc}")
        return
    others = [job for job in page.items if job.id != ctx.job_id]
    if not others:
        st.info("No other finished job of this file to compare with. Run it again with another tier or schema.")
        return
    labels = {job.id: f"{job.id[:12]}… {job.created_at:%m-%d %H:%M}" for job in others}
    st.session_state.setdefault(_COMPARE, list(labels)[:1])
    chosen = st.multiselect("Compare with", list(labels), format_func=labels.__getitem__, key=_COMPARE)
    if not chosen:
        return
    flats = {f"this job ({ctx.job_id[:12]}…)": ctx.flat}
    parts = [progress(ctx.values, ctx.reviews, ctx.threshold)]
    for job_id in chosen:
        other = _load(ctx.backend_id, job_id, ctx.client)
        flats[labels[job_id]] = other.flat
        parts.append(progress(other.values, review_store().current(ctx.backend_id, job_id), ctx.threshold))
    batch = batch_progress(parts)
    st.caption(f"Batch of {len(parts)} jobs: {batch.reviewed} / {batch.total} values reviewed, {batch.flagged_left} flagged left.")
    diff = diff_values(flats)
    only = st.toggle("Only values that differ", value=True, key="_results_only_diff")
    shown = diff[diff[DIFFERS]] if only else diff
    st.caption(f"{int(diff[DIFFERS].sum())} of {len(diff)} values differ" + (" (first 2,000 shown)." if len(shown) > 2000 else "."))
    table = shown.head(2000)
    # Each job's values as text: one column mixes numbers, text and empties, which Arrow cannot type.
    st.dataframe(table.assign(**{label: table[label].map(_cell_text) for label in flats}), hide_index=True)


def _audit_view(ctx: Ctx) -> None:
    trail = review_store().history(ctx.backend_id, ctx.job_id)
    if not trail:
        st.info("No review action on this job yet.")
        return
    st.dataframe(pd.DataFrame([event.as_record() for event in reversed(trail)]), hide_index=True)


def _export_view(ctx: Ctx) -> None:
    """Downloads of the reviewed data, built only when a button is clicked."""
    only_reviewed = st.toggle(
        "Reviewed only",
        key="_results_export_reviewed",
        help="Only the rows (or the document) a reviewer approved or reviewed values of; rejected ones are left out.",
    )
    rows = reviewed_rows(ctx.flat, ctx.reviews) if only_reviewed else None
    if rows == []:
        st.info("Nothing is reviewed yet; switch off 'Reviewed only' to export everything.")
        return
    stem = f"{ctx.job_id}{'-reviewed' if only_reviewed else ''}"
    for col, fmt in zip(st.columns(len(MIME_TYPES)), MIME_TYPES):
        col.download_button(
            f"Download {fmt.upper()}",
            data=_exporter(ctx, fmt, rows),
            file_name=f"{stem}.{fmt}",
            mime=MIME_TYPES[fmt],
            key=f"_results_download_{fmt}",
            on_click="ignore",
        )


def _exporter(ctx: Ctx, fmt: str, rows: Optional[list[int]]) -> Callable[[], bytes]:
    def build() -> bytes:
        trail = review_store().history(ctx.backend_id, ctx.job_id)
        return export_reviewed(ctx.flat, fmt, ctx.reviews, trail, rows)

    return build


# --- the page -------------------------------------------------------------------------------------------


def main() -> None:
    require_shell()
    state.init_session()
    st.title("Results")
    backend = current_backend()
    client = current_client()
    job_id = _pick_job(backend.id)
    if job_id is None:
        return
    try:
        loaded = _load(backend.id, job_id, client)
    except ClientError as exc:
        st.error(f"Job {job_id} cannot be loaded from {backend.base_url}: {exc}")
        return
    except NotFinished as unfinished:
        st.warning(f"{unfinished} Its values appear here once it has COMPLETED; the Submit page shows it live.")
        return
    st.session_state.setdefault(_THRESHOLD, load_settings().confidence_threshold)
    st.session_state.setdefault(_VIEW, VIEWS[0])
    reviews = _reviews(review_store(), backend.id, job_id)
    ctx = Ctx(backend.id, client, loaded.job, loaded.flat, loaded.values, reviews, float(st.session_state[_THRESHOLD]))
    header = st.container()
    _view(ctx, st.session_state.get(_VIEW) or VIEWS[0])
    with header:
        _header(ctx)
    with st.sidebar:
        reviewer_box()


def _header(ctx: Ctx) -> None:
    """The threshold, the summary and progress, messages and the view picker. Drawn after the view below
    it (into a container placed above): on a large job the table is what a person waits for, and the
    widgets' values are already in the session state the view was drawn from."""
    threshold, only_low, view = st.columns([4, 2, 5], vertical_alignment="bottom")
    threshold.slider("Confidence threshold", 0.0, 1.0, step=0.01, key=_THRESHOLD)
    only_low.toggle("Only flagged", key=_ONLY_LOW, help="Show only the values (or rows with a value) below the threshold")
    view.segmented_control("View", VIEWS, key=_VIEW)
    _summary(ctx)
    _progress(ctx)
    _show_flash()


def _view(ctx: Ctx, view: str) -> None:
    """The chosen view: the values table with the selected value's panel, or one of the other tabs."""
    if view != "Values":
        {"Edit table": _edit_view, "Compare": _compare_view, "Audit trail": _audit_view, "Export": _export_view}[view](ctx)
        return
    only_low = bool(st.session_state.get(_ONLY_LOW))
    table_col, panel_col = st.columns([3, 2])
    with table_col:
        layout, pager = st.columns(2, vertical_alignment="bottom")
        if ctx.flat.target != "per_doc":
            layout.radio("Layout", LAYOUTS, horizontal=True, key=_LAYOUT)
        if ctx.flat.target != "per_doc" and st.session_state.get(_LAYOUT, LAYOUTS[0]) == LAYOUTS[0]:
            _rows_view(ctx, only_low, pager)
        else:
            _long_view(ctx, only_low, pager)
        _tables(ctx)
        st.button(
            "Reload reviews", key="_results_reload", on_click=ctx.refresh,
            help="Show what other reviewers saved since you opened this job",
        )
    with panel_col:
        _value_panel(ctx)


main()
