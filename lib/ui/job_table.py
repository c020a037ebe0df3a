"""The live job table: every job submitted from this app to the current backend, refreshed while any runs.

Rows come from the app's own record (``lib.review.submissions``: file name, configuration in words)
joined with the backend's job list (status, times, usage), so a reload, another tab or another analyst
on the same app sees the same jobs, and polling picks up where it left off. Files that never became a
job (a refused upload, a rejected create, a lost connection) are kept in this session and shown on
their own rows, to be retried.

The table lives in an ``st.fragment`` that reruns every ``POLL_INTERVAL_S`` seconds only while a job is
PENDING or RUNNING; when the last one finishes it asks for one full rerun, which re-creates the fragment
without ``run_every``, so an idle page sends no requests. Each refresh costs one list request for all
the rows (the ``job_ids`` filter), not one request per job.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional, Sequence

import pandas as pd
import streamlit as st

from lib.api.models import ExtractV2Job
from lib.client import BatchItem, ClientError, ExtractClient, NotFoundError
from lib.review.load import JOBS
from lib.review.submissions import Submission, SubmissionStore
from lib.submission import (
    NOT_SENT,
    JobRow,
    can_retry,
    describe_failure,
    failed_submission_row,
    format_duration,
    job_row,
)
from lib.ui import navigation, state
from lib.ui.connection import Backend

POLL_INTERVAL_S = 2.0
PREFETCH_NEWEST = 2
MAX_STUCK_SHOWN = 5
_POLLING = "_job_table_polling"
_FAILURES = "_submit_failures"
_WEBHOOKS = "_submit_webhooks"
_SELECTED = "_job_table_selected"
_NOTICE = "_job_table_notice"
_STUCK = " (stuck)"

STATUS_COLOURS: dict[str, str] = {
    "PENDING": "background-color: #e6ecfb; color: #1f3f8f",
    "RUNNING": "background-color: #fff1cc; color: #7a5200",
    "COMPLETED": "background-color: #d9f2e1; color: #14562b",
    "FAILED": "background-color: #fbdcdb; color: #8a1c17",
    "CANCELLED": "background-color: #eceff3; color: #414b57",
    NOT_SENT: "background-color: #fbdcdb; color: #8a1c17",
    "GONE": "background-color: #eceff3; color: #414b57",
}


@dataclass
class Failure:
    """A file that never became a job, kept in the session with what is needed to send it again.

    ``source`` is what the client's batch takes: ``(name, bytes)``, a File, or a ``dfl-`` ID.
    """

    name: str
    source: Any
    request: dict[str, Any]
    summary: str
    error: str
    size: Optional[int] = None
    page_count: Optional[int] = None
    id: str = field(default_factory=lambda: f"failed-{uuid.uuid4().hex[:12]}")


@dataclass(frozen=True)
class Entry:
    """One row of the table: the row itself, and the record or failure behind it."""

    row: JobRow
    summary: str
    submitted_at: Optional[datetime]
    submission: Optional[Submission] = None
    failure: Optional[Failure] = None

    @property
    def key(self) -> str:
        return self.row.job_id or (self.failure.id if self.failure else "")


# --- session bookkeeping -----------------------------------------------------------------------


def start_polling() -> None:
    """Make the next render of the table poll (after a submit or a retry)."""
    st.session_state[_POLLING] = True


def session_failures() -> list[Failure]:
    return st.session_state.setdefault(_FAILURES, [])


def remember_webhooks(job_id: str, webhooks: Optional[list[Any]]) -> None:
    """Webhooks stay in this session's memory only (their headers and secrets are credentials), so a
    retry in the same session sends them again."""
    if webhooks:
        st.session_state.setdefault(_WEBHOOKS, {})[job_id] = webhooks


def record_batch(
    items: Sequence[BatchItem],
    store: SubmissionStore,
    backend: Backend,
    request: dict[str, Any],
    summary: str,
    sizes: dict[int, tuple[Optional[int], Optional[int]]],
    retry_of: Optional[str] = None,
) -> tuple[int, int]:
    """Record the jobs a batch created and keep its failures; returns (jobs created, failures).

    ``request`` is the ``create_job`` keyword arguments the batch used; ``sizes`` maps an item's
    index to its (size, page count) as inspected before sending.
    """
    stored = {key: _jsonable(value) for key, value in request.items() if key != "webhook_configurations"}
    submitted_at = datetime.now(timezone.utc)
    created = failed = 0
    for item in items:
        size, pages = sizes.get(item.index, (None, None))
        if item.job is None or item.file_input is None:
            error = describe_failure(item.error, backend.base_url) if item.error else "Not sent."
            source = item.file or item.source  # an upload that got through is not sent again on retry
            session_failures().append(Failure(item.name, source, request, summary, error, size=size, page_count=pages))
            failed += 1
            continue
        store.record(
            backend.id,
            item.job.id,
            item.file_input,
            item.name,
            summary,
            stored,
            file_size=size,
            page_count=pages,
            retry_of=retry_of,
            submitted_at=submitted_at,
        )
        remember_webhooks(item.job.id, request.get("webhook_configurations"))
        st.session_state.setdefault(state.JOBS, []).append(item.job.id)
        created += 1
    return created, failed


def _jsonable(value: Any) -> Any:
    return value.model_dump(mode="json", exclude_none=True) if hasattr(value, "model_dump") else value


# --- reading the rows --------------------------------------------------------------------------


def fetch_jobs(client: ExtractClient, job_ids: Sequence[str]) -> dict[str, Optional[ExtractV2Job]]:
    """The backend's view of the given jobs in one list request; a job the list leaves out is asked
    for by itself, and is None when the backend no longer has it."""
    if not job_ids:
        return {}
    wanted = set(job_ids)
    listed = client.list_jobs_page(job_ids=list(job_ids), page_size=len(job_ids), expand=("usage",)).items
    jobs: dict[str, Optional[ExtractV2Job]] = {job.id: job for job in listed if job.id in wanted}
    for job_id in job_ids:
        if job_id not in jobs:
            try:
                jobs[job_id] = client.get_job(job_id, expand=("usage",))
            except NotFoundError:
                jobs[job_id] = None
    return jobs


def load_entries(
    client: ExtractClient,
    store: SubmissionStore,
    backend: Backend,
    *,
    limit: int,
    stuck_after_s: float,
) -> list[Entry]:
    """This session's unsent files first, then the latest recorded submissions with their live status."""
    submissions = store.list(backend.id, limit=limit)
    jobs = fetch_jobs(client, [submission.job_id for submission in submissions])
    now = datetime.now(timezone.utc)
    entries = [
        Entry(failed_submission_row(failure.name, failure.error), failure.summary, None, failure=failure)
        for failure in session_failures()
    ]
    for submission in submissions:
        job = jobs.get(submission.job_id)
        if job is None:
            row = JobRow(submission.file_name, submission.job_id, "GONE", None, None, "The backend no longer has this job.")
        else:
            row = job_row(submission.file_name, job, now=now, stuck_after_s=stuck_after_s)
        entries.append(Entry(row, submission.configuration_summary, submission.submitted_at, submission=submission))
    return entries


def entries_frame(entries: Sequence[Entry]) -> pd.DataFrame:
    """The table as shown: one row per entry, durations in words."""
    return pd.DataFrame(
        {
            "File": [entry.row.file_name for entry in entries],
            "Job ID": [entry.row.job_id or "" for entry in entries],
            "Status": [entry.row.status + (_STUCK if entry.row.stuck else "") for entry in entries],
            "Elapsed": [_duration(entry.row.elapsed_s) for entry in entries],
            "Pages": pd.array([entry.row.pages for entry in entries], dtype="Int64"),
            "Configuration": [entry.summary for entry in entries],
            "Submitted": [_local_time(entry.submitted_at) for entry in entries],
            "Error": [entry.row.error or "" for entry in entries],
        }
    )


def _duration(seconds: Optional[float]) -> str:
    return format_duration(seconds) if seconds is not None else ""


def _local_time(moment: Optional[datetime]) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _status_style(value: str) -> str:
    return STATUS_COLOURS.get(value.removesuffix(_STUCK), "")


# --- actions -----------------------------------------------------------------------------------


def cancel(client: ExtractClient, job_id: str) -> str:
    """Cancel a job; the notice says what happened (a job that just finished cannot be cancelled)."""
    try:
        job = client.cancel_job(job_id)
    except ClientError as exc:
        return f"Could not cancel {job_id}: {describe_failure(exc, client.base_url)}"
    return f"{job_id} is {job.status}."


def retry(client: ExtractClient, store: SubmissionStore, backend: Backend, entry: Entry) -> str:
    """Send the same file with the same configuration again, as a new job (the old one stays listed),
    through the same batch path as a first send."""
    if entry.failure is not None:
        failure = entry.failure
        session_failures().remove(failure)
        source, request, summary, retry_of = failure.source, failure.request, failure.summary, None
        sizes = {0: (failure.size, failure.page_count)}
    else:
        submission = entry.submission
        assert submission is not None
        request = dict(submission.request)
        webhooks = st.session_state.get(_WEBHOOKS, {}).get(submission.job_id)
        if webhooks:
            request["webhook_configurations"] = webhooks
        source, summary, retry_of = submission.file_id, submission.configuration_summary, submission.job_id
        sizes = {0: (submission.file_size, submission.page_count)}
    items = client.submit_batch([source], concurrency=1, **request)
    items[0].name = entry.row.file_name
    created, _ = record_batch(items, store, backend, request, summary, sizes, retry_of=retry_of)
    start_polling()
    if created:
        return f"Sent {entry.row.file_name} again as {items[0].job.id}."
    return f"{entry.row.file_name} could not be sent again: see its row."


def open_results(job_id: str) -> None:
    """Show this job on the Results page."""
    st.session_state[state.SELECTED_JOB_ID] = job_id
    st.switch_page(navigation.RESULTS_PAGE)


# --- rendering ---------------------------------------------------------------------------------


def render_job_table(
    client: ExtractClient,
    store: SubmissionStore,
    backend: Backend,
    *,
    limit: int,
    stuck_after_s: float,
) -> None:
    """The table and its actions, in a fragment that polls only while a job is unfinished."""
    run_every = POLL_INTERVAL_S if st.session_state.get(_POLLING) else None

    @st.fragment(run_every=run_every)
    def live_table() -> None:
        try:
            entries = load_entries(client, store, backend, limit=limit, stuck_after_s=stuck_after_s)
        except ClientError as exc:
            st.error(describe_failure(exc, backend.base_url), icon=":material/cloud_off:")
            return
        active = any(entry.row.active for entry in entries)
        if st.session_state.get(_POLLING):
            prefetch_finished(client, backend, entries)
        if active != bool(st.session_state.get(_POLLING)):
            st.session_state[_POLLING] = active
            st.rerun()
        _render_entries(client, store, backend, entries, stuck_after_s)

    live_table()


def prefetch_finished(client: ExtractClient, backend: Backend, entries: Sequence[Entry]) -> None:
    """While the person watches jobs finish, load the newest finished ones for the Results page in the
    background, so that opening one is immediate (``lib.review.load``; already loaded ones cost nothing)."""
    finished = [entry.key for entry in entries if entry.row.status == "COMPLETED" and entry.row.job_id]
    for job_id in finished[:PREFETCH_NEWEST]:
        JOBS.prefetch((backend.id, job_id), client.get_job, job_id)


def _render_entries(
    client: ExtractClient, store: SubmissionStore, backend: Backend, entries: list[Entry], stuck_after_s: float
) -> None:
    if not entries:
        st.info("No jobs yet: choose documents above and press Submit.", icon=":material/info:")
        return
    counts = pd.Series([entry.row.status for entry in entries]).value_counts()
    st.caption(" · ".join(f"{status}: {count}" for status, count in counts.items()))
    frame = entries_frame(entries)
    st.dataframe(frame.style.map(_status_style, subset=["Status"]), hide_index=True, width="stretch")
    for entry in [entry for entry in entries if entry.row.stuck][:MAX_STUCK_SHOWN]:
        _render_stuck(client, entry)
    _render_actions(client, store, backend, entries)


def _render_stuck(client: ExtractClient, entry: Entry) -> None:
    """A stuck job said so, with its cancel button right there."""
    message, button = st.columns([5, 1], vertical_alignment="center")
    message.warning(f"{entry.row.file_name} ({entry.key}): {entry.row.error}", icon=":material/hourglass_top:")
    if button.button("Cancel it", key=f"_job_cancel_stuck_{entry.key}", width="stretch"):
        st.session_state[_NOTICE] = cancel(client, entry.key)
        start_polling()
        st.rerun()


def _render_actions(client: ExtractClient, store: SubmissionStore, backend: Backend, entries: list[Entry]) -> None:
    by_key = {entry.key: entry for entry in entries}
    if st.session_state.get(_SELECTED) not in by_key:
        st.session_state[_SELECTED] = entries[0].key
    key = st.selectbox(
        "Job",
        list(by_key),
        key=_SELECTED,
        format_func=lambda k: " · ".join((by_key[k].row.file_name, by_key[k].row.job_id or "not sent", by_key[k].row.status)),
        help="Pick a job to cancel it, send it again, or open its results.",
    )
    entry = by_key[key]
    if entry.row.error and entry.row.status in ("FAILED", NOT_SENT):
        st.error(f"{entry.row.file_name}: {entry.row.error}", icon=":material/error:")
    cancel_col, retry_col, open_col = st.columns(3)
    if cancel_col.button("Cancel job", key="_job_cancel", disabled=not entry.row.active, width="stretch"):
        st.session_state[_NOTICE] = cancel(client, entry.key)
        start_polling()
        st.rerun()
    if retry_col.button(
        "Retry",
        key="_job_retry",
        disabled=not can_retry(entry.row.status),
        help="Send the same file with the same configuration as a new job.",
        width="stretch",
    ):
        st.session_state[_NOTICE] = retry(client, store, backend, entry)
        st.rerun()
    results_missing = not navigation.page_exists(navigation.RESULTS_PAGE)
    if open_col.button(
        "Open results",
        key="_job_open",
        type="primary",
        disabled=entry.row.status != "COMPLETED" or results_missing,
        help="The Results page is not installed." if results_missing else "Review this job's values.",
        width="stretch",
    ):
        open_results(entry.key)
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.info(notice, icon=":material/info:")
