"""Submit: send documents to the backend and watch every job live.

The checks (file types, page ranges, webhooks) are ``lib.submission``'s; the live table and its
actions are ``lib.ui.job_table``'s; this script lays them out and moves values between the widgets,
the shared session keys (``lib.ui.state``) and the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any, Optional

import pandas as pd
import streamlit as st

from lib.api.models import ConfigurationResponse, File
from lib.client import ClientError, ExtractClient
from lib.review.submissions import SubmissionStore
from lib.samples import TEMPLATES, Sample, demo_samples
from lib.settings import load_settings
from lib.submission import (
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_STUCK_AFTER_S,
    EXTRACTION_TARGETS,
    PARSE_TIERS,
    TIERS,
    WEBHOOK_EVENTS,
    WEBHOOK_OUTPUT_FORMATS,
    FileInfo,
    Problem,
    SubmitOptions,
    WebhookOptions,
    configuration_summary,
    describe_failure,
    format_size,
    inspect_file,
    job_request,
    validate_options,
)
from lib.ui import navigation, state
from lib.ui.connection import Backend, check_health, current_backend, current_client
from lib.ui.job_table import record_batch, render_job_table, start_polling

MODE_SCHEMA = "The working schema"
MODE_SAVED = "A saved configuration"
MAX_CONCURRENCY = 16
#: Backend files offered for picking: the newest ones (the hosted service may hold thousands).
MAX_BACKEND_FILES = 200

_UPLOADER_VERSION = "_submit_uploader_version"
_SAMPLES = "_submit_samples"
_PICKED = "_submit_backend_files"
_INSPECTED = "_submit_inspected"
_MODE = "_submit_mode"
_NOTICE = "_submit_notice"
_OPTIONS_SEEN = "_submit_options_seen"
_WEBHOOK_COUNT = "_submit_webhook_count"
_OPT = "_submit_opt_"

HELP = {
    "extraction_target": "per_doc: one object for the whole document. per_page: one object per page. "
    "per_table_row: one object per row of the document's main table or list.",
    "tier": "Extract tier: cost_effective (5 credits/page) or agentic (15 credits/page); agentic_plus and "
    "turbo on newer hosted releases. Default: the backend's own.",
    "parse_tier": "How the document is parsed before extraction. Default: the same as the extract tier.",
    "cite_sources": "Give every value the page, text and boxes it was read from (needed to check values "
    "on the page).",
    "confidence_scores": "Give every value a confidence (parsing and extraction), used to flag values "
    "for review.",
    "extract_version": "Extract algorithm version: 'latest' for the default pipeline, or a release date "
    "such as 2026-01-08 to pin one.",
    "max_pages": "Process at most this many pages (of the target pages, if set). Empty: no limit.",
    "target_pages": "Only these 1-based pages: numbers and ranges separated by commas, e.g. 1,3,5-7. "
    "Checked against each file's page count. Empty: all pages.",
    "system_prompt": "Extra instructions for the extraction, e.g. 'All amounts are in USD.'",
}
OPTION_DEFAULTS: dict[str, Any] = {
    "extraction_target": "per_doc",
    "tier": None,
    "parse_tier": None,
    "cite_sources": True,
    "confidence_scores": True,
    "extract_version": "latest",
    "max_pages": None,
    "target_pages": "",
    "system_prompt": "",
}


WHAT_TO_CHECK = {
    "embedded": "the embedded server starts with the app; restart the app and read its log for the reason.",
    "shared": "that the server runs (python -m lib.server), that the URL under 'Switch backend' is right and "
    "reachable from this machine, and the API key if the server asks for one.",
    "hosted": "the API key (LLAMA_CLOUD_API_KEY or the key under 'Switch backend'), the base URL, and this "
    "machine's network access to it.",
}


@dataclass(frozen=True)
class Chosen:
    """A document picked for sending: what the batch takes as its source, and what we know of it."""

    source: Any
    info: FileInfo
    origin: str


@st.cache_resource(show_spinner=False)
def _store(db_path: str) -> SubmissionStore:
    return SubmissionStore(db_path)


@st.cache_resource(show_spinner="Generating the sample documents...")
def _samples() -> list[Sample]:
    """Generated once per process: the same bytes for every session."""
    return demo_samples()


def _inspect_upload(upload: Any, max_bytes: int) -> FileInfo:
    """Inspect an uploaded file once, not on every rerun (the uploader gives each upload its own ID)."""
    seen: dict[str, FileInfo] = st.session_state.setdefault(_INSPECTED, {})
    if upload.file_id not in seen:
        seen[upload.file_id] = inspect_file(upload.name, upload.getvalue(), max_bytes)
    return seen[upload.file_id]


# --- documents ---------------------------------------------------------------------------------


def choose_documents(client: ExtractClient, max_bytes: int) -> list[Chosen]:
    """The documents picked in any of the three ways, inspected, with a table that says what each is."""
    st.subheader("1. Documents")
    upload_tab, backend_tab, sample_tab = st.tabs(["Upload", "Already on the backend", "Try a sample"])
    chosen: list[Chosen] = []
    with upload_tab:
        uploads = st.file_uploader(
            "Documents to extract from",
            accept_multiple_files=True,
            key=f"_submit_uploads_{st.session_state.get(_UPLOADER_VERSION, 0)}",
            help="PDF, images (PNG, JPEG, TIFF), DOCX, XLSX / XLS, CSV, HTML, TXT or Markdown; one or many.",
        )
        for upload in uploads or []:
            chosen.append(Chosen((upload.name, upload.getvalue()), _inspect_upload(upload, max_bytes), "upload"))
    with backend_tab:
        chosen += _backend_files(client)
    with sample_tab:
        chosen += _sample_documents(max_bytes)
    if chosen:
        _show_documents(chosen)
    return chosen


def _backend_files(client: ExtractClient) -> list[Chosen]:
    try:
        files = {file.id: file for file in islice(client.list_files(), MAX_BACKEND_FILES)}
    except ClientError as exc:
        st.warning(f"Could not list the backend's files: {describe_failure(exc, client.base_url)}")
        return []
    if not files:
        st.caption("The backend holds no files yet.")
        return []
    st.session_state[_PICKED] = [file_id for file_id in st.session_state.get(_PICKED, []) if file_id in files]
    picked = st.multiselect(
        "Files already uploaded",
        list(files),
        key=_PICKED,
        format_func=lambda file_id: f"{files[file_id].name} ({file_id})",
        help="Send a file the backend already holds again, without uploading it.",
    )
    return [Chosen(files[file_id], _backend_file_info(files[file_id]), "backend") for file_id in picked]


def _backend_file_info(file: File) -> FileInfo:
    """What the backend says of a file it holds (its page count is not part of the API)."""
    return FileInfo(file.name, file.file_size or 0, file.file_type, None)


def _sample_documents(max_bytes: int) -> list[Chosen]:
    st.caption(
        "Documents the studio generates itself, each with the template schema it answers: "
        "pressing one adds it and makes that template the working schema."
    )
    samples = _samples()
    columns = st.columns(min(len(samples), 4) or 1)
    for index, sample in enumerate(samples):
        template = TEMPLATES[sample.template]
        columns[index % len(columns)].button(
            f"Try: {template.title} ({sample.fmt.replace('_', ' ').upper()})",
            key=f"_submit_sample_{sample.filename}",
            on_click=_add_sample,
            args=(sample.filename, sample.template),
            help=f"{sample.filename}: {template.description}",
            width="stretch",
        )
    picked = st.session_state.get(_SAMPLES, [])
    if picked:
        st.button("Remove the samples", key="_submit_samples_clear", on_click=lambda: st.session_state.pop(_SAMPLES, None))
    by_name = {sample.filename: sample for sample in samples}
    return [
        Chosen((name, by_name[name].data), inspect_file(name, by_name[name].data, max_bytes), "sample")
        for name in picked
        if name in by_name
    ]


def _add_sample(filename: str, template_key: str) -> None:
    """Button callback: add the sample, and make its template the working schema and target."""
    picked = st.session_state.setdefault(_SAMPLES, [])
    if filename not in picked:
        picked.append(filename)
    template = TEMPLATES[template_key]
    state.set_schema(template.schema)
    st.session_state.setdefault(state.CONFIGURATION, {})["extraction_target"] = template.extraction_target
    st.session_state[_MODE] = MODE_SCHEMA
    st.session_state[_NOTICE] = f"The working schema is now the {template.title} template."


def _show_documents(chosen: list[Chosen]) -> None:
    frame = pd.DataFrame(
        {
            "File": [item.info.name for item in chosen],
            "From": [item.origin for item in chosen],
            "Type": [(item.info.kind or "unknown").upper() for item in chosen],
            "Size": [format_size(item.info.size) if item.info.size else "" for item in chosen],
            "Pages": pd.array([item.info.page_count for item in chosen], dtype="Int64"),
            "Check": [item.info.refusal or item.info.warning or "ok" for item in chosen],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    for item in chosen:
        if item.info.refusal:
            st.error(f"{item.info.name} will not be sent: {item.info.refusal}", icon=":material/block:")
        elif item.info.warning:
            st.warning(f"{item.info.name}: {item.info.warning}", icon=":material/warning:")


# --- what to extract with ----------------------------------------------------------------------


def choose_source(client: ExtractClient) -> tuple[Optional[dict[str, Any]], Optional[ConfigurationResponse]]:
    """The working schema, or a saved configuration: exactly one of the two is returned set."""
    st.subheader("2. What to extract")
    st.session_state.setdefault(_MODE, MODE_SAVED if st.session_state.get(state.CONFIGURATION_ID) else MODE_SCHEMA)
    mode = st.radio("Extract with", [MODE_SCHEMA, MODE_SAVED], key=_MODE, horizontal=True)
    if mode == MODE_SCHEMA:
        schema = state.working_schema()
        if schema is None:
            st.warning("The working schema is not a valid JSON Schema right now: fix it on the Schema page.")
        else:
            fields = ", ".join(list((schema.get("properties") or {}).keys())[:12])
            st.caption(f"{schema.get('title') or 'Working schema'}: {fields or 'no fields'}")
        return schema, None
    return None, _saved_configuration(client)


def _saved_configuration(client: ExtractClient) -> Optional[ConfigurationResponse]:
    try:
        saved = {config.id: config for config in client.list_configurations()}
    except ClientError as exc:
        st.error(f"Could not list saved configurations: {describe_failure(exc, client.base_url)}")
        return None
    if not saved:
        st.caption("No saved configurations on this backend: save one on the Schema page.")
        return None
    key = "_submit_saved_configuration"
    if st.session_state.get(key) not in saved:
        current = st.session_state.get(state.CONFIGURATION_ID)
        st.session_state[key] = current if current in saved else next(iter(saved))
    config_id = st.selectbox(
        "Saved configuration", list(saved), key=key, format_func=lambda cid: f"{saved[cid].name} ({cid})"
    )
    config = saved[config_id]
    parameters = config.parameters.model_dump(exclude_none=True, exclude={"data_schema", "product_type"})
    st.caption(
        f"{len(config.parameters.data_schema.get('properties') or {})} fields · "
        + " · ".join(f"{name}: {value}" for name, value in parameters.items())
    )
    return config


# --- options -----------------------------------------------------------------------------------


def _sync_option_widgets() -> None:
    """Seed the option widgets from the shared options (the Schema page may have loaded a saved
    configuration since this page last wrote them)."""
    shared = st.session_state.get(state.CONFIGURATION) or {}
    if st.session_state.get(_OPTIONS_SEEN) == shared and all(_OPT + name in st.session_state for name in OPTION_DEFAULTS):
        return
    for name, default in OPTION_DEFAULTS.items():
        value = shared.get(name)
        st.session_state[_OPT + name] = default if value is None else value


def choose_options(locked: bool) -> SubmitOptions:
    """Every option of the seed's configuration, with help; ``locked`` when a saved configuration's
    own options apply (they are shown there, and these are not sent)."""
    st.subheader("3. Options")
    if locked:
        st.caption("A saved configuration carries its own options; these apply to the working schema only.")
    _sync_option_widgets()

    def option(name: str) -> dict[str, Any]:
        return {"key": _OPT + name, "help": HELP[name], "disabled": locked}

    left, right = st.columns(2)
    with left:
        target = st.selectbox("Extraction target", EXTRACTION_TARGETS, **option("extraction_target"))
        tier = st.selectbox("Tier", [None, *TIERS], format_func=_default_label, **option("tier"))
        parse_tier = st.selectbox("Parse tier", [None, *PARSE_TIERS], format_func=_default_label, **option("parse_tier"))
        version = st.text_input("Extract version", **option("extract_version"))
        cite = st.toggle("Cite sources", **option("cite_sources"))
        confidence = st.toggle("Confidence scores", **option("confidence_scores"))
    with right:
        target_pages = st.text_input("Target pages", placeholder="1,3,5-7", **option("target_pages"))
        max_pages = st.number_input("Max pages", min_value=1, step=1, **option("max_pages"))
        prompt = st.text_area("System prompt", height=110, **option("system_prompt"))
    values = {
        "extraction_target": target,
        "tier": tier,
        "parse_tier": parse_tier,
        "extract_version": version,
        "cite_sources": cite,
        "confidence_scores": confidence,
        "target_pages": target_pages or "",
        "max_pages": int(max_pages) if max_pages is not None else None,
        "system_prompt": prompt or "",
    }
    if not locked:
        _write_shared_options(values)
    return SubmitOptions(**values, webhooks=_webhooks())


def _default_label(value: Optional[str]) -> str:
    return "default" if value is None else value


def _write_shared_options(values: dict[str, Any]) -> None:
    """Keep the shared options in step, so the Schema page saves what was chosen here."""
    shared = dict(st.session_state.get(state.CONFIGURATION) or {})
    shared.update({name: (value if value not in ("", None) else None) for name, value in values.items()})
    st.session_state[state.CONFIGURATION] = shared
    st.session_state[_OPTIONS_SEEN] = shared


def _webhooks() -> list[WebhookOptions]:
    with st.expander("Webhooks", expanded=bool(st.session_state.get(_WEBHOOK_COUNT))):
        st.caption("The backend POSTs to these URLs as each job changes status.")
        count = st.number_input("Number of webhooks", min_value=0, max_value=5, step=1, key=_WEBHOOK_COUNT)
        return [_webhook(index) for index in range(int(count or 0))]


def _webhook(index: int) -> WebhookOptions:
    key = f"_submit_webhook_{index}_"
    st.markdown(f"**Webhook {index + 1}**")
    url = st.text_input(
        "URL", key=key + "url", placeholder="https://example.com/hooks/extract",
        help="Where the notifications are POSTed (http or https).",
    )
    events = st.multiselect(
        "Events", WEBHOOK_EVENTS, key=key + "events", help="Which status changes to send. None chosen: all of them."
    )
    headers = st.text_area(
        "Headers", key=key + "headers", placeholder="Authorization: Bearer ...",
        help="Sent with every delivery, one 'Name: value' per line (e.g. an auth token).",
    )
    output = st.radio(
        "Output format", WEBHOOK_OUTPUT_FORMATS, key=key + "format", horizontal=True,
        help="string: the payload as a JSON string (default); json: as a JSON object.",
    )
    secret = st.text_input(
        "Signing secret", key=key + "secret", type="password",
        help="When set, every delivery carries LC-Signature: sha256=<HMAC-SHA256 of the body>.",
    )
    return WebhookOptions(
        url=url or "",
        events=list(events),
        headers_text=headers or "",
        output_format=output or "string",
        signing_secret=secret or "",
    )


# --- submitting --------------------------------------------------------------------------------


LABELS = {
    "source": "What to extract",
    "extraction_target": "Extraction target",
    "tier": "Tier",
    "parse_tier": "Parse tier",
    "extract_version": "Extract version",
    "max_pages": "Max pages",
    "target_pages": "Target pages",
}


def _label(problem: Problem) -> str:
    if problem.field.startswith("webhooks["):
        index, _, part = problem.field[len("webhooks[") :].partition("].")
        return f"Webhook {int(index) + 1} {part.replace('_', ' ')}"
    return LABELS.get(problem.field, problem.field)


def submit_section(
    client: ExtractClient,
    store: SubmissionStore,
    backend: Backend,
    chosen: list[Chosen],
    options: SubmitOptions,
    config: Optional[ConfigurationResponse],
) -> None:
    """Problems first; then the Submit button, which sends every accepted file, a few at a time."""
    st.subheader("4. Submit")
    sendable = [item for item in chosen if item.info.accepted]
    check_options = options
    if config is not None:
        params = config.parameters
        check_options = SubmitOptions(
            configuration_id=config.id,
            target_pages=params.target_pages or "",
            max_pages=params.max_pages,
            webhooks=options.webhooks,
        )
    problems = validate_options(check_options, [item.info for item in sendable])
    for problem in problems:
        st.error(f"**{_label(problem)}**: {problem.message}", icon=":material/error:")
    refused = len(chosen) - len(sendable)
    if not chosen:
        st.caption("Choose at least one document above.")
    elif refused:
        st.caption(f"{len(sendable)} of {len(chosen)} documents will be sent; {refused} refused (see above).")
    concurrency = st.number_input(
        "Send at most this many at once",
        min_value=1,
        max_value=MAX_CONCURRENCY,
        value=4,
        key="_submit_concurrency",
        help="Uploads and job creations run in parallel up to this number; the hosted service throttles more.",
    )
    pressed = st.button(
        f"Submit {len(sendable)} document{'s' if len(sendable) != 1 else ''}",
        type="primary",
        key="_submit_go",
        disabled=bool(problems) or not sendable,
    )
    if pressed:
        _send(client, store, backend, sendable, check_options, config, int(concurrency))


def _send(
    client: ExtractClient,
    store: SubmissionStore,
    backend: Backend,
    sendable: list[Chosen],
    options: SubmitOptions,
    config: Optional[ConfigurationResponse],
    concurrency: int,
) -> None:
    request = job_request(options)
    summary = configuration_summary(options, config.name if config else None)
    progress = st.progress(0.0, text=f"Sending 0 of {len(sendable)}...")

    def on_progress(done: int, total: int, item: Any) -> None:
        progress.progress(done / total, text=f"Sent {done} of {total} ({item.name}: {item.status})")

    try:
        items = client.submit_batch(
            [item.source for item in sendable], concurrency=concurrency, on_progress=on_progress, **request
        )
    except ClientError as exc:
        st.error(describe_failure(exc, backend.base_url))
        return
    sizes = {index: (chosen.info.size or None, chosen.info.page_count) for index, chosen in enumerate(sendable)}
    created, failed = record_batch(items, store, backend, request, summary, sizes)
    start_polling()
    unsent = f"; {failed} file(s) could not be sent (see the table)." if failed else "."
    st.session_state[_NOTICE] = f"{created} job(s) created{unsent}"
    st.session_state[_UPLOADER_VERSION] = st.session_state.get(_UPLOADER_VERSION, 0) + 1
    st.session_state.pop(_SAMPLES, None)
    st.session_state.pop(_PICKED, None)
    st.rerun()


# --- the page ----------------------------------------------------------------------------------


def jobs_section(client: ExtractClient, store: SubmissionStore, backend: Backend) -> None:
    st.subheader("Jobs")
    left, right = st.columns(2)
    limit = left.selectbox("Show the latest", [25, 50, 100], key="_submit_job_limit", format_func=lambda n: f"{n} submissions")
    stuck_after = right.number_input(
        "Call a job stuck after (seconds)",
        min_value=1,
        value=int(DEFAULT_STUCK_AFTER_S),
        step=30,
        key="_submit_stuck_after",
        help="A job still PENDING or RUNNING after this long is flagged, with the offer to cancel it.",
    )
    render_job_table(client, store, backend, limit=int(limit), stuck_after_s=float(stuck_after))


def main() -> None:
    st.title("Submit documents")
    state.init_session()
    backend = current_backend()
    health = check_health(backend)
    if not health.ok:
        st.error(
            f"**{backend.label}** at {backend.base_url} cannot be used: {health.message}\n\n"
            f"What to check: {WHAT_TO_CHECK[backend.kind]} Then press 'Check again' in the sidebar.",
            icon=":material/cloud_off:",
        )
        st.stop()
    client = current_client()
    store = _store(str(load_settings().db_path))
    notice = st.session_state.get(_NOTICE)
    if notice:
        st.success(notice, icon=":material/check_circle:")
    chosen = choose_documents(client, max_bytes=DEFAULT_MAX_UPLOAD_BYTES)
    schema, config = choose_source(client)
    options = choose_options(locked=config is not None)
    options.data_schema = schema
    options.configuration_id = config.id if config is not None else None
    submit_section(client, store, backend, chosen, options, config)
    st.divider()
    jobs_section(client, store, backend)
    # Dropped only once a run got this far: the job table may rerun the page before (to start or
    # stop polling), and the notice must survive into that run.
    st.session_state.pop(_NOTICE, None)


main()
