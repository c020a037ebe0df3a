"""Jobs: every extraction job of the connected backend, newest first, a page at a time.

Filters go to the backend's list endpoint (status, saved configuration, creation date), so a backend with
thousands of jobs is never read whole. Each row says how far its review has come (from the app's review
store); a job can be opened in Results, or deleted once it has finished (after a confirmation).
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any, Optional

import pandas as pd
import streamlit as st

from lib.api.models import TERMINAL_STATUSES, ExtractV2Job
from lib.client import ClientError, ExtractClient
from lib.review.cells import review_values
from lib.review.flatten import flatten_job
from lib.review.submissions import SubmissionStore
from lib.ui import navigation, state
from lib.ui.connection import current_backend, current_client
from lib.ui.navigation import require_shell
from lib.ui.review import review_store

PAGE_SIZE = 25
STATUSES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")
ANY = "any"
_TOKENS = "_jobs_page_tokens"
_PICK = "_jobs_pick"
_CONFIRM = "_jobs_confirm_delete"
_NOTICE = "_jobs_notice"
_OPEN = "_jobs_open_results"


@st.cache_data(ttl=60, show_spinner=False)
def _configuration_names(backend_id: str, _client: ExtractClient) -> dict[str, str]:
    return {config.id: config.name for config in _client.list_configurations()}


@st.cache_data(ttl=600, show_spinner=False, max_entries=2048)
def _file_name(backend_id: str, file_id: str, _client: ExtractClient) -> str:
    try:
        return _client.get_file(file_id).name
    except ClientError:
        return file_id


@st.cache_data(ttl=3600, show_spinner=False, max_entries=4096)
def _count_values(backend_id: str, job_id: str, _job: ExtractV2Job) -> int:
    return len(review_values(flatten_job(_job)))


def _value_count(backend_id: str, job: ExtractV2Job) -> Optional[int]:
    """How many values a finished job has (its listed result, flattened once per job)."""
    if job.status != "COMPLETED" or job.extract_result is None:
        return None
    return _count_values(backend_id, job.id, job)


def _reset_paging() -> None:
    st.session_state[_TOKENS] = [None]
    st.session_state[_CONFIRM] = None


def _day_start(day: Optional[date]) -> Optional[str]:
    return datetime.combine(day, time.min, tzinfo=timezone.utc).isoformat() if day else None


def _day_end(day: Optional[date]) -> Optional[str]:
    return datetime.combine(day, time.max, tzinfo=timezone.utc).isoformat() if day else None


def _filters(config_names: dict[str, str]) -> dict[str, Any]:
    """The filter row; changing any filter goes back to the first page."""
    status_col, config_col, after_col, before_col = st.columns([1, 2, 1, 1])
    status = status_col.selectbox("Status", (ANY, *STATUSES), key="_jobs_status", on_change=_reset_paging)
    configs = [ANY, *config_names]
    config = config_col.selectbox(
        "Saved configuration",
        configs,
        format_func=lambda cid: "any (or inline)" if cid == ANY else f"{config_names[cid]} ({cid[:12]}…)",
        key="_jobs_config",
        on_change=_reset_paging,
    )
    after = after_col.date_input("Created on or after", value=None, key="_jobs_after", on_change=_reset_paging)
    before = before_col.date_input("Created on or before", value=None, key="_jobs_before", on_change=_reset_paging)
    return {
        "status": None if status == ANY else status,
        "configuration_id": None if config == ANY else config,
        "created_at_on_or_after": _day_start(after),
        "created_at_on_or_before": _day_end(before),
    }


def _rows(
    jobs: list[ExtractV2Job], client: ExtractClient, backend_id: str, config_names: dict[str, str]
) -> pd.DataFrame:
    reviewed = review_store().reviewed_counts(backend_id, [job.id for job in jobs])
    return pd.DataFrame(
        {
            "created": [job.created_at for job in jobs],
            "updated": [job.updated_at for job in jobs],
            "status": [job.status for job in jobs],
            "file": [_file_name(backend_id, job.file_input, client) for job in jobs],
            "configuration": [_configuration_label(job, config_names) for job in jobs],
            "reviewed values": [reviewed.get(job.id, 0) for job in jobs],
            "values": [_value_count(backend_id, job) for job in jobs],
            "job id": [job.id for job in jobs],
            "error": [job.error_message or "" for job in jobs],
        }
    )


def _configuration_label(job: ExtractV2Job, config_names: dict[str, str]) -> str:
    if job.configuration_id:
        return config_names.get(job.configuration_id, job.configuration_id)
    target = job.configuration.extraction_target if job.configuration else None
    return f"inline ({target})" if target else "inline"


def _table(frame: pd.DataFrame) -> Optional[int]:
    """The jobs table; returns the row a person clicked, if any."""
    event = st.dataframe(
        frame,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="_jobs_table",
        column_config={
            "created": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
            "updated": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
            "reviewed values": st.column_config.NumberColumn(help="Values confirmed, corrected or cleared so far"),
            "values": st.column_config.NumberColumn(help="Values extracted (empty until the job has finished)"),
        },
    )
    rows = event.selection.rows if event else []
    return rows[0] if rows else None


def _pager(has_next: Optional[str]) -> None:
    tokens: list[Optional[str]] = st.session_state[_TOKENS]
    left, middle, right = st.columns([1, 2, 1])
    left.button("◀ Newer", disabled=len(tokens) <= 1, key="_jobs_prev", on_click=_turn, args=(None,))
    middle.caption(f"Page {len(tokens)} · {PAGE_SIZE} jobs per page, newest first")
    right.button("Older ▶", disabled=not has_next, key="_jobs_next", on_click=_turn, args=(has_next,))


def _turn(token: Optional[str]) -> None:
    """Button callback: one page older (``token``) or newer (None)."""
    tokens: list[Optional[str]] = st.session_state[_TOKENS]
    if token:
        tokens.append(token)
    elif len(tokens) > 1:
        tokens.pop()
    st.session_state[_CONFIRM] = None


def _actions(
    jobs: list[ExtractV2Job], frame: pd.DataFrame, clicked: Optional[int], client: ExtractClient, backend_id: str
) -> None:
    """The chosen job (picked in the table or the list) and what can be done with it. Buttons act in
    callbacks, so a click survives any rerun the shell makes before the page runs."""
    by_id = {job.id: job for job in jobs}
    if clicked is not None and clicked != st.session_state.get(_PICK + "_clicked"):
        st.session_state[_PICK] = frame["job id"].iat[clicked]
    st.session_state[_PICK + "_clicked"] = clicked
    if st.session_state.get(_PICK) not in by_id:
        st.session_state[_PICK] = jobs[0].id
    labels = dict(zip(frame["job id"], frame["file"] + " · " + frame["status"] + " · " + frame["job id"]))
    job_id = st.selectbox("Job", list(by_id), format_func=labels.__getitem__, key=_PICK)
    job = by_id[job_id]
    finished = job.status in TERMINAL_STATUSES
    open_col, delete_col, _ = st.columns([1, 1, 3])
    open_col.button(
        "Open in Results", type="primary", disabled=job.status != "COMPLETED", key="_jobs_open",
        on_click=_open, args=(job.id,),
    )
    delete_col.button(
        "Delete…",
        disabled=not finished,
        help=None if finished else "Only a finished job can be deleted; cancel it on the Submit page first.",
        key="_jobs_delete",
        on_click=_set_confirm,
        args=(job.id,),
    )
    if st.session_state.get(_CONFIRM) == job.id:
        st.warning(f"Delete {labels[job.id]}? Its result is removed from the backend; the review trail stays in the app.")
        yes, no, _ = st.columns([1, 1, 3])
        yes.button("Yes, delete it", type="primary", key="_jobs_delete_yes", on_click=_delete, args=(client, backend_id, job.id))
        no.button("Keep it", key="_jobs_delete_no", on_click=_set_confirm, args=(None,))


def _open(job_id: str) -> None:
    st.session_state[state.SELECTED_JOB_ID] = job_id
    st.session_state[_OPEN] = True


def _set_confirm(job_id: Optional[str]) -> None:
    st.session_state[_CONFIRM] = job_id


def _delete(client: ExtractClient, backend_id: str, job_id: str) -> None:
    """Button callback: delete on the backend, then forget the app's record of the job."""
    st.session_state[_CONFIRM] = None
    try:
        client.delete_job(job_id)
    except ClientError as exc:
        st.session_state[_NOTICE] = ("error", f"The backend did not delete {job_id}: {exc}")
        return
    SubmissionStore.from_settings().forget(backend_id, job_id)
    st.session_state[_NOTICE] = ("success", f"Deleted {job_id}.")


def main() -> None:
    require_shell()
    st.title("Jobs")
    backend = current_backend()
    client = current_client()
    st.session_state.setdefault(_TOKENS, [None])
    if st.session_state.pop(_OPEN, False):
        st.switch_page(navigation.RESULTS_PAGE)
    if st.session_state.get(_NOTICE):
        level, message = st.session_state.pop(_NOTICE)
        getattr(st, level)(message)
    try:
        config_names = _configuration_names(backend.id, client)
    except ClientError as exc:
        st.error(f"The backend at {backend.base_url} did not list its configurations: {exc}")
        return
    filters = _filters(config_names)
    token = st.session_state[_TOKENS][-1]
    try:
        page = client.list_jobs_page(**filters, page_size=PAGE_SIZE, page_token=token)
    except ClientError as exc:
        st.error(f"The backend at {backend.base_url} did not list its jobs: {exc}")
        return
    if not page.items:
        st.info("No jobs match these filters." if any(filters.values()) else "No jobs yet: send a document on Submit.")
        _pager(None)
        return
    frame = _rows(page.items, client, backend.id, config_names)
    clicked = _table(frame)
    _pager(page.next_page_token)
    _actions(page.items, frame, clicked, client, backend.id)


main()
