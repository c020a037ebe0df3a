"""What the Submit page decides before anything is sent: file inspection, option checks, requests.

Kept free of Streamlit so the checks the analyst sees are the checks the tests exercise, and so
a script (``bench/submit_batch.py``) can build the same requests the page builds.

Three parts:
- ``inspect_file``: what a local file is (type sniffed from its bytes, not its name), how big,
  how many pages, and whether the backend would refuse it, with the reason.
- ``validate_options``: the extraction options checked against the seed's rules and against
  each file's page count, as a list of ``Problem`` the page shows next to the field.
- ``build_configuration`` / ``build_webhooks`` / ``job_request``: the options turned into the
  API's own models (``lib.api.models``), ready for the client's ``create_job``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable, Optional, Sequence
from urllib.parse import urlsplit

from lib.api.models import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    EXTRACT_EVENTS,
    ExtractConfiguration,
    WebhookConfiguration,
)
from lib.client import AuthenticationError, ClientError, ConnectionFailedError, PayloadTooLargeError

# --- what the backend accepts ------------------------------------------------------------------

#: Document kinds the extraction backends take, with the extensions a file of that kind carries.
SUPPORTED_KINDS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "tiff": (".tif", ".tiff"),
    "docx": (".docx",),
    "xlsx": (".xlsx",),
    "xls": (".xls",),
    "csv": (".csv",),
    "html": (".html", ".htm"),
    "txt": (".txt",),
    "md": (".md", ".markdown"),
}

#: The upload limit checked before sending: the local server's default (``EXTRACT_SERVER_MAX_FILE_MB``).
#: The API has no route that tells a client its limit, so a backend configured otherwise answers 413,
#: which the page shows on that file's own row.
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024

EXTRACTION_TARGETS: tuple[str, ...] = ("per_doc", "per_page", "per_table_row")
#: The seed's tiers first; ``agentic_plus`` and ``turbo`` are the newer ones the SDK knows.
TIERS: tuple[str, ...] = ("cost_effective", "agentic", "agentic_plus", "turbo")
PARSE_TIERS: tuple[str, ...] = ("fast", "cost_effective", "agentic", "agentic_plus")
WEBHOOK_OUTPUT_FORMATS: tuple[str, ...] = ("string", "json")
#: Events an extract job's webhook can subscribe to (the seed lists more, for other products).
WEBHOOK_EVENTS: tuple[str, ...] = EXTRACT_EVENTS

_HEADER_NAME_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_VERSION_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- inspecting a local file -------------------------------------------------------------------


@dataclass(frozen=True)
class FileInfo:
    """What the page shows about a file before sending it.

    ``refusal`` is set when the backend would refuse the upload (the file is then not sent);
    ``warning`` when it would be accepted but is likely to fail or surprise (a PDF that does not
    open here, an extension that disagrees with the content).
    """

    name: str
    size: int
    kind: Optional[str]
    page_count: Optional[int]
    refusal: Optional[str] = None
    warning: Optional[str] = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def sniff_kind(name: str, data: bytes) -> Optional[str]:
    """The document kind from the first bytes (magic numbers, then the zip or text layout).

    The extension decides only between kinds the bytes cannot tell apart (CSV vs TXT vs Markdown),
    so a renamed file is judged by what it is.
    """
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls" if _extension(name) == ".xls" else None
    return _text_kind(name, data)


def _zip_kind(data: bytes) -> Optional[str]:
    """DOCX and XLSX are zip archives; their member names say which one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _text_kind(name: str, data: bytes) -> Optional[str]:
    """HTML, CSV, Markdown or plain text, for bytes that decode as text."""
    sample = data[:8192]
    if b"\x00" in sample:
        return None
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a multi-byte character cut at the sample's end is fine
            return None
        text = sample[: exc.start].decode("utf-8")
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<body" in lowered[:2048]:
        return "html"
    extension = _extension(name)
    if extension in SUPPORTED_KINDS["md"]:
        return "md"
    if extension == ".csv" or (extension != ".txt" and _looks_like_csv(text)):
        return "csv"
    return "txt"


def _looks_like_csv(text: str) -> bool:
    """Several lines with the same number (>1) of delimited columns."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
    except csv.Error:
        return False
    widths = {len(row) for row in csv.reader(lines, dialect)}
    return len(widths) == 1 and widths.pop() > 1


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def count_pages(kind: str, data: bytes) -> Optional[int]:
    """Pages as the engine counts them: PDF and image pages (pymupdf), spreadsheet sheets, else 1.

    None when the file cannot be read here: the backend will then say why in the job's error.
    """
    try:
        if kind in ("pdf", "png", "jpeg", "tiff"):
            import pymupdf

            with pymupdf.open(stream=data, filetype=kind) as document:
                return document.page_count
        if kind == "xlsx":
            import openpyxl

            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            try:
                return len(workbook.sheetnames)
            finally:
                workbook.close()
        if kind == "xls":
            import xlrd

            return xlrd.open_workbook(file_contents=data, on_demand=True).nsheets
    except Exception:  # any reader failure means "unreadable here", reported as a warning
        return None
    return 1


def inspect_file(name: str, data: bytes, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> FileInfo:
    """Name, size, kind and page count of a local file, and whether the backend would refuse it."""
    size = len(data)
    if size == 0:
        return FileInfo(name, 0, None, None, refusal="The file is empty (0 bytes).")
    if size > max_bytes:
        return FileInfo(
            name,
            size,
            sniff_kind(name, data),
            None,
            refusal=f"{format_size(size)} is over the backend's limit of {format_size(max_bytes)}.",
        )
    kind = sniff_kind(name, data)
    if kind is None:
        return FileInfo(
            name,
            size,
            None,
            None,
            refusal="Unsupported file type: the content is none of "
            + ", ".join(k.upper() for k in SUPPORTED_KINDS)
            + ".",
        )
    pages = count_pages(kind, data)
    return FileInfo(name, size, kind, pages, warning=_warning(name, kind, pages))


def _warning(name: str, kind: str, pages: Optional[int]) -> Optional[str]:
    notes = []
    if pages is None:
        notes.append(f"This {kind.upper()} could not be opened here; the job will probably fail.")
    extension = _extension(name)
    if extension not in SUPPORTED_KINDS[kind]:
        notes.append(f"The name says {extension or 'nothing'} but the content is {kind.upper()}.")
    return " ".join(notes) or None


def format_size(size: int) -> str:
    """Bytes in the unit a person reads at a glance (one decimal above bytes)."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


# --- the options and their checks --------------------------------------------------------------


@dataclass
class WebhookOptions:
    """One webhook as the page collects it; headers as "Name: value" lines."""

    url: str = ""
    events: list[str] = field(default_factory=list)
    headers_text: str = ""
    output_format: str = "string"
    signing_secret: str = ""


@dataclass
class SubmitOptions:
    """Everything the analyst chooses before sending: what to extract with, and how.

    Exactly one of ``data_schema`` (the working schema) and ``configuration_id`` (a saved
    configuration) must be set; with a saved configuration its own options apply, so the others
    here are not sent (``target_pages``/``max_pages`` are still checked against each file).
    """

    data_schema: Optional[dict[str, Any]] = None
    configuration_id: Optional[str] = None
    extraction_target: str = "per_doc"
    tier: Optional[str] = None
    parse_tier: Optional[str] = None
    cite_sources: bool = True
    confidence_scores: bool = True
    extract_version: str = "latest"
    max_pages: Optional[int] = None
    target_pages: str = ""
    system_prompt: str = ""
    webhooks: list[WebhookOptions] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the options: which field, and what to do about it."""

    field: str
    message: str


class PageSpecError(ValueError):
    """A ``target_pages`` string that does not follow the "1,3,5-7" syntax."""


def parse_target_pages(spec: str) -> list[int]:
    """The 1-based page numbers of a "1,3,5-7" spec, sorted and without repeats.

    Raises ``PageSpecError`` naming the bad part, so the analyst can fix that part.
    """
    pages: set[int] = set()
    parts = [part.strip() for part in spec.split(",")]
    if not spec.strip():
        raise PageSpecError("The page list is empty.")
    for part in parts:
        if not part:
            raise PageSpecError(f"Empty entry in {spec!r}: remove the extra comma.")
        pages.update(_parse_page_part(part))
    return sorted(pages)


def _parse_page_part(part: str) -> range:
    bounds = [bound.strip() for bound in part.split("-")]
    if len(bounds) > 2 or not all(bound.isdigit() for bound in bounds):
        raise PageSpecError(f"{part!r} is not a page number or a range like 5-7.")
    first, last = int(bounds[0]), int(bounds[-1])
    if first < 1:
        raise PageSpecError(f"{part!r}: pages are numbered from 1.")
    if last < first:
        raise PageSpecError(f"{part!r}: a range goes from the lower page to the higher one.")
    return range(first, last + 1)


def validate_options(options: SubmitOptions, files: Sequence[FileInfo] = ()) -> list[Problem]:
    """Every problem with the options, checked as the backend would, plus page-count checks per file."""
    problems = _source_problems(options)
    if options.configuration_id is None:
        problems += _inline_problems(options)
    problems += _page_problems(options, files)
    for index, webhook in enumerate(options.webhooks):
        problems += validate_webhook(webhook, index)
    return problems


def _source_problems(options: SubmitOptions) -> list[Problem]:
    has_schema = options.data_schema is not None
    has_config = options.configuration_id is not None
    if has_schema and has_config:
        return [Problem("source", "Choose one: the working schema or a saved configuration, not both.")]
    if not has_schema and not has_config:
        return [
            Problem(
                "source",
                "Nothing to extract with: write a schema on the Schema page or pick a saved configuration.",
            )
        ]
    if has_config and not str(options.configuration_id).startswith("cfg-"):
        return [Problem("source", f"{options.configuration_id!r} is not a configuration ID (cfg-...).")]
    if has_schema and not _is_object_schema(options.data_schema):
        return [Problem("source", 'The working schema must be a JSON object with "type": "object".')]
    return []


def _is_object_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type", "object") == "object"


def _inline_problems(options: SubmitOptions) -> list[Problem]:
    problems = []
    if options.extraction_target not in EXTRACTION_TARGETS:
        problems.append(_choice_problem("extraction_target", options.extraction_target, EXTRACTION_TARGETS))
    if options.tier is not None and options.tier not in TIERS:
        problems.append(_choice_problem("tier", options.tier, TIERS))
    if options.parse_tier is not None and options.parse_tier not in PARSE_TIERS:
        problems.append(_choice_problem("parse_tier", options.parse_tier, PARSE_TIERS))
    version = (options.extract_version or "").strip()
    if version and version != "latest" and not _is_date(version):
        problems.append(
            Problem("extract_version", f"{version!r}: use 'latest' or a release date like 2026-01-08.")
        )
    return problems


def _choice_problem(name: str, value: Any, allowed: Iterable[str]) -> Problem:
    return Problem(name, f"{value!r} is not one of: {', '.join(allowed)}.")


def _is_date(value: str) -> bool:
    if not _VERSION_DATE_RE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _page_problems(options: SubmitOptions, files: Sequence[FileInfo]) -> list[Problem]:
    problems = []
    if options.max_pages is not None and (isinstance(options.max_pages, bool) or options.max_pages < 1):
        problems.append(Problem("max_pages", "Max pages must be 1 or more (leave it empty for no limit)."))
    if not options.target_pages.strip():
        return problems
    try:
        pages = parse_target_pages(options.target_pages)
    except PageSpecError as exc:
        return problems + [Problem("target_pages", f"{exc} Use the form 1,3,5-7.")]
    for info in files:
        if info.page_count is not None and pages[-1] > info.page_count:
            problems.append(
                Problem(
                    "target_pages",
                    f"{info.name} has {info.page_count} page(s); page {pages[-1]} does not exist in it.",
                )
            )
    return problems


def validate_webhook(webhook: WebhookOptions, index: int = 0) -> list[Problem]:
    """Checks of one webhook: an http(s) URL with a host, known events, well-formed headers."""
    name = f"webhooks[{index}]"
    problems = []
    parts = urlsplit(webhook.url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(Problem(f"{name}.url", f"{webhook.url!r} is not an http:// or https:// URL."))
    unknown = [event for event in webhook.events if event not in WEBHOOK_EVENTS]
    if unknown:
        problems.append(Problem(f"{name}.events", f"Unknown event(s): {', '.join(unknown)}."))
    if webhook.output_format not in WEBHOOK_OUTPUT_FORMATS:
        problems.append(_choice_problem(f"{name}.output_format", webhook.output_format, WEBHOOK_OUTPUT_FORMATS))
    try:
        parse_headers(webhook.headers_text)
    except ValueError as exc:
        problems.append(Problem(f"{name}.headers", str(exc)))
    return problems


def parse_headers(text: str) -> dict[str, str]:
    """ "Name: value" lines into a dict; a line without a colon or with a bad name is an error."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not _HEADER_NAME_RE.match(name):
            raise ValueError(f"Header line {number} ({line.strip()!r}) is not of the form 'Name: value'.")
        headers[name] = value.strip()
    return headers


# --- building the request ----------------------------------------------------------------------


def build_configuration(options: SubmitOptions) -> Optional[ExtractConfiguration]:
    """The inline configuration, or None when a saved configuration is used. Empty options are left
    out so the backend applies its own defaults (as the seed says for ``max_pages``/``target_pages``)."""
    if options.configuration_id is not None or options.data_schema is None:
        return None
    values: dict[str, Any] = {
        "data_schema": options.data_schema,
        "extraction_target": options.extraction_target,
        "cite_sources": options.cite_sources,
        "confidence_scores": options.confidence_scores,
        "tier": options.tier,
        "parse_tier": options.parse_tier,
        "extract_version": (options.extract_version or "").strip() or None,
        "max_pages": options.max_pages,
        "target_pages": options.target_pages.strip() or None,
        "system_prompt": options.system_prompt.strip() or None,
    }
    return ExtractConfiguration(**{key: value for key, value in values.items() if value is not None})


def build_webhooks(options: SubmitOptions) -> Optional[list[WebhookConfiguration]]:
    """The webhook configurations, or None when there are none (the field is then omitted)."""
    if not options.webhooks:
        return None
    return [_webhook(webhook) for webhook in options.webhooks]


def _webhook(webhook: WebhookOptions) -> WebhookConfiguration:
    values: dict[str, Any] = {
        "webhook_url": webhook.url.strip(),
        "webhook_events": list(webhook.events) or None,
        "webhook_headers": parse_headers(webhook.headers_text) or None,
        "webhook_output_format": webhook.output_format,
        "webhook_signing_secret": webhook.signing_secret or None,
    }
    return WebhookConfiguration(**{key: value for key, value in values.items() if value is not None})


def job_request(options: SubmitOptions) -> dict[str, Any]:
    """Keyword arguments for the client's ``create_job`` (besides ``file_input``).

    Raises ``ValueError`` listing the problems when the options do not validate, so nothing
    half-checked is ever sent.
    """
    problems = validate_options(options)
    if problems:
        raise ValueError("; ".join(problem.message for problem in problems))
    request: dict[str, Any] = {}
    if options.configuration_id is not None:
        request["configuration_id"] = options.configuration_id
    else:
        request["configuration"] = build_configuration(options)
    webhooks = build_webhooks(options)
    if webhooks:
        request["webhook_configurations"] = webhooks
    return request


def configuration_summary(options: SubmitOptions, configuration_name: Optional[str] = None) -> str:
    """One line saying what a job was run with, for the job table and the submission record."""
    if options.configuration_id is not None:
        label = configuration_name or options.configuration_id
        return f"saved configuration {label}"
    schema = options.data_schema or {}
    title = schema.get("title") or "working schema"
    fields = len(schema.get("properties") or {})
    parts = [f"{title} ({fields} field{'s' if fields != 1 else ''})", options.extraction_target]
    parts += [value for value in (options.tier, options.target_pages.strip()) if value]
    return " · ".join(parts)


# --- the live job table ------------------------------------------------------------------------

#: A job unfinished for longer than this is reported as stuck (the page lets the analyst change it).
DEFAULT_STUCK_AFTER_S = 300.0


@dataclass(frozen=True)
class JobRow:
    """One row of the live job table, computed from a job as the backend reports it."""

    file_name: str
    job_id: Optional[str]
    status: str
    elapsed_s: Optional[float]
    pages: Optional[int]
    error: Optional[str]
    stuck: bool = False

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def job_row(
    file_name: str,
    job: Any,
    now: Optional[datetime] = None,
    stuck_after_s: float = DEFAULT_STUCK_AFTER_S,
) -> JobRow:
    """The table row of a job (an ``ExtractV2Job``): elapsed time runs until the job finishes,
    pages come from its usage, and an unfinished job past ``stuck_after_s`` is marked stuck."""
    now = now or datetime.now(timezone.utc)
    active = job.status in ACTIVE_STATUSES
    end = now if active else job.updated_at
    elapsed = max((_aware(end) - _aware(job.created_at)).total_seconds(), 0.0)
    usage = job.metadata.usage if job.metadata and job.metadata.usage else None
    stuck = active and elapsed > stuck_after_s
    error = job.error_message if job.status == "FAILED" else None
    if stuck:
        error = (
            f"Still {job.status} after {format_duration(elapsed)} "
            f"(timeout {format_duration(stuck_after_s)}): cancel it or wait."
        )
    return JobRow(
        file_name=file_name,
        job_id=job.id,
        status=job.status,
        elapsed_s=elapsed,
        pages=usage.num_pages_extracted if usage else None,
        error=error,
        stuck=stuck,
    )


#: The status of a table row for a file that never became a job.
NOT_SENT = "NOT SENT"


def failed_submission_row(file_name: str, error: str) -> JobRow:
    """A row for a file that never became a job (refused upload, rejected create, lost connection)."""
    return JobRow(file_name=file_name, job_id=None, status=NOT_SENT, elapsed_s=None, pages=None, error=error)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def format_duration(seconds: float) -> str:
    """"42 s", "3 min 05 s", "1 h 02 min": short enough for a table cell."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def can_retry(status: str) -> bool:
    """A job can be sent again once it has stopped without a result (or never became a job)."""
    return status in (TERMINAL_STATUSES - {"COMPLETED"}) or status == NOT_SENT


# --- errors in words ---------------------------------------------------------------------------


def describe_failure(error: Exception, base_url: str) -> str:
    """What went wrong talking to the backend, and what the analyst can do about it."""
    if isinstance(error, ConnectionFailedError):
        return (
            f"The backend at {base_url} does not answer ({error}). Check that the server is running, that "
            "the URL under 'Switch backend' in the sidebar is right, and that this machine can reach it."
        )
    if isinstance(error, AuthenticationError):
        return (
            f"The backend at {base_url} refused the API key: it is missing or wrong. Enter a valid key "
            "under 'Switch backend' in the sidebar."
        )
    if isinstance(error, PayloadTooLargeError):
        return f"The backend refused the file as too large: {error}"
    if isinstance(error, ClientError):
        return str(error)
    return f"{type(error).__name__}: {error}"
