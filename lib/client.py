"""The one client of the Extract v2 API: the hosted service, a shared server of ours, or the embedded one.

Every page reaches a backend through this module, so the pages never know which backend they talk to.
It speaks HTTP with httpx and parses answers into the shared wire models of ``lib.api.models``.

The request of every endpoint is described once (``_Endpoints``) and executed by a synchronous
(``ExtractClient``) or asynchronous (``AsyncExtractClient``) transport loop; both loops share the retry
decisions of ``RetryPolicy``. What differs between the two variants (polling, batches, pagination) is
written twice over shared bookkeeping classes, so that each rule lives in one place.

Resilience rules: connect errors, timeouts, 429 and 5xx are retried with jittered, capped exponential
backoff; a request that creates something (an upload, a job, a configuration, a parse job) is never
sent twice once the server may have seen it: it is retried only when the connection was never made,
or on 429 (which means nothing was created). Other 4xx answers become typed errors carrying the
server's ``detail``.
"""

from __future__ import annotations

import asyncio
import functools
import mimetypes
import os
import random
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import (
    IO,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Optional,
    Sequence,
    Union,
)
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from lib.api.ids import id_prefix
from lib.api.models import (
    EXPAND_OPTIONS,
    TERMINAL_STATUSES,
    ConfigurationList,
    ConfigurationResponse,
    ExtractConfiguration,
    ExtractJobList,
    ExtractV2Job,
    ExtractV2Parameters,
    File,
    FileList,
    ParseJob,
    ParseJobResult,
    PresignedUrl,
    SchemaGenerateResponse,
    SchemaValidationResponse,
    WebhookConfiguration,
)
from lib.gcpause import gc_paused
from lib.settings import HOSTED_BASE_URL

__all__ = [
    "ApiError",
    "AsyncExtractClient",
    "AuthenticationError",
    "BadRequestError",
    "BatchItem",
    "ClientError",
    "ConflictError",
    "ConnectionFailedError",
    "ExtractClient",
    "JobCancelledError",
    "JobError",
    "JobFailedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RateLimitError",
    "RequestTimeoutError",
    "RetryPolicy",
    "ServerError",
    "ValidationError",
    "WaitTimeoutError",
    "get_client",
]

FileSource = Union[str, Path, bytes, IO[bytes]]
BatchSource = Union[str, Path, tuple[str, bytes], IO[bytes], File]
ProgressCallback = Callable[[int, int, "BatchItem"], None]
StatusCallback = Callable[[ExtractV2Job], None]

DEFAULT_EXPAND: tuple[str, ...] = EXPAND_OPTIONS
_RETRY_AFTER_LIMIT = 60.0
_JOB_IDS_PER_POLL = 100


# --- errors ------------------------------------------------------------------------------------


class ClientError(Exception):
    """Root of everything this client raises on purpose, so a page can catch one type."""


class ApiError(ClientError):
    """A request that did not succeed. ``detail`` is the server's own explanation (or ours when the
    server never answered); ``str(error)`` is the message to show an analyst."""

    def __init__(
        self,
        status_code: Optional[int],
        detail: Any,
        request: Optional[httpx.Request],
        message: Optional[str] = None,
    ) -> None:
        self.status_code = status_code
        self.detail = detail
        self.request = request
        self.message = message or _detail_text(detail)
        super().__init__(self.message)


class BadRequestError(ApiError):
    """400: the request is wrong (an invalid schema, a job that cannot be cancelled...)."""


class AuthenticationError(ApiError):
    """401: the API key is missing or wrong."""


class NotFoundError(ApiError):
    """404: no such file, job or configuration."""


class ConflictError(ApiError):
    """409: the resource is in a state that refuses the request (e.g. deleting a running job)."""


class PayloadTooLargeError(ApiError):
    """413: the file is larger than the backend accepts."""


class ValidationError(ApiError):
    """422: the request body does not match the API (the detail names the offending fields)."""


class RateLimitError(ApiError):
    """429 still answered after every retry."""


class ServerError(ApiError):
    """5xx still answered after every retry (or once, for a create, which is never resent)."""


class ConnectionFailedError(ApiError):
    """The server could not be reached at all."""


class RequestTimeoutError(ConnectionFailedError):
    """The server did not answer in time; for a create the request may have been received."""


# Failures worth another try later, as opposed to answers that will not change.
_TRANSIENT = (ConnectionFailedError, ServerError, RateLimitError)

_STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: ValidationError,
    429: RateLimitError,
}


class JobError(ClientError):
    """A job that ended (or did not end in time) other than COMPLETED; carries the last seen job."""

    def __init__(self, job: ExtractV2Job, message: str) -> None:
        self.job = job
        self.error_message = job.error_message
        super().__init__(message)


class JobFailedError(JobError):
    """The job ended FAILED; ``error_message`` is the backend's reason."""


class JobCancelledError(JobError):
    """The job was CANCELLED before it finished."""


class WaitTimeoutError(JobError):
    """The job was still PENDING / RUNNING when the wait's timeout ran out."""


def _detail_text(detail: Any) -> str:
    """One readable line from a ``detail`` that may be a string, FastAPI's list of field errors,
    or any JSON value."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and all(isinstance(item, Mapping) for item in detail):
        parts = []
        for item in detail:
            location = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
            message = str(item.get("msg", item))
            parts.append(f"{location}: {message}" if location else message)
        return "; ".join(parts)
    if isinstance(detail, Mapping) and isinstance(detail.get("message"), str):
        return detail["message"]
    return str(detail)


def _response_detail(response: httpx.Response) -> Any:
    """The ``detail`` of an error body, or its text when the body is not the documented JSON."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip() or response.reason_phrase
    if isinstance(body, Mapping) and "detail" in body:
        return body["detail"]
    return body


def _error_from_response(response: httpx.Response, base_url: str, attempts: int) -> ApiError:
    """The typed error of a failed answer; the message says what went wrong and what to do."""
    status = response.status_code
    detail = _response_detail(response)
    text = _detail_text(detail)
    if status == 401:
        message = f"the API key is missing or wrong for {base_url} ({text})"
    elif status == 429:
        message = f"{base_url} is throttling requests (429 after {attempts} attempts): {text}"
    elif status >= 500:
        message = f"{base_url} failed with {status} after {attempts} attempt(s): {text}"
    else:
        message = text
    error_type = _STATUS_ERRORS.get(status) or (ServerError if status >= 500 else ApiError)
    return error_type(status, detail, response.request, message)


def _error_from_transport(exc: httpx.TransportError, request: httpx.Request, creates: bool) -> ApiError:
    """A ConnectionFailedError naming the URL and what to check."""
    url = str(request.url)
    reason = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, _NEVER_SENT):
        caveat = (
            "; the request may have been received, so check before sending it again"
            if creates
            else "; the server may be overloaded, try again or raise the timeout"
        )
        message = f"no answer from {url} in time ({reason}){caveat}"
        return RequestTimeoutError(None, reason, request, message)
    message = f"could not reach {url}: {reason}; check that the server is running and the URL is right"
    return ConnectionFailedError(None, reason, request, message)


# --- retries -----------------------------------------------------------------------------------

# Transport errors raised before a single byte of the request left this machine.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RETRYABLE_TRANSPORT = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)


@dataclass
class RetryPolicy:
    """When to try a request again and how long to wait first.

    The delay is exponential in the attempt number, capped, with "equal jitter" (half fixed, half
    random) so that many clients throttled together do not come back in lockstep.
    """

    max_retries: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt + 1``."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def after_transport_error(self, exc: httpx.TransportError, creates: bool, attempt: int) -> Optional[float]:
        """The delay before retrying after ``exc``, or None to give up."""
        if attempt >= self.max_retries or not isinstance(exc, _RETRYABLE_TRANSPORT):
            return None
        if creates and not isinstance(exc, _NEVER_SENT):
            return None
        return self.delay(attempt)

    def after_response(self, response: httpx.Response, creates: bool, attempt: int) -> Optional[float]:
        """The delay before retrying after this answer, or None to accept it as final."""
        status = response.status_code
        if attempt >= self.max_retries or not (status == 429 or status >= 500):
            return None
        if creates and status != 429:
            return None
        return max(self.delay(attempt), _retry_after(response))


def _retry_after(response: httpx.Response) -> float:
    """The server's Retry-After in seconds (0 when absent or unreadable), bounded so that a
    misbehaving server cannot park the app for hours."""
    value = response.headers.get("Retry-After")
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(tz=parsedate_to_datetime(value).tzinfo)).total_seconds()
        except (TypeError, ValueError):
            return 0.0
    return min(max(seconds, 0.0), _RETRY_AFTER_LIMIT)


# --- one request, described once ----------------------------------------------------------------


@dataclass
class _Call:
    """One HTTP request and how to read its answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], Any]
    params: Optional[dict[str, Any]] = None
    json: Any = None
    files: Optional[dict[str, Any]] = None
    data: Optional[dict[str, Any]] = None
    creates: bool = False


def _model(model: type[BaseModel]) -> Callable[[httpx.Response], Any]:
    return lambda response: _parse(response, model)


def _parse(response: httpx.Response, model: type[BaseModel]) -> Any:
    """The answer as ``model``, with the cyclic collector paused: a finished job with citations is
    megabytes of small dicts and lists that form no cycles, and the collections their allocation sets off
    took about as long again as the parse itself when a 10,000-row job was timed both ways."""
    with gc_paused():
        return model.model_validate(response.json())


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every client of the process: building one loads the CA bundle (about 50 ms
    here), which a short-lived client such as the sidebar's health probe would otherwise pay on each
    use. A context is safe to share between connections and threads."""
    return httpx.create_ssl_context()


def _nothing(response: httpx.Response) -> None:
    return None


def _query(**params: Any) -> dict[str, Any]:
    """Query parameters without the unset ones; sequences are repeated (``expand=a&expand=b``) as
    the SDK sends them, datetimes are ISO 8601."""
    query: dict[str, Any] = {}
    for key, value in params.items():
        if value is None or (isinstance(value, (list, tuple)) and not value):
            continue
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = str(value).lower()
        elif isinstance(value, tuple):
            value = list(value)
        query[key] = value
    return query


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def _as_model(value: Any, model: type[BaseModel], what: str) -> BaseModel:
    """``value`` as ``model``; a malformed dict is a ValueError raised before any request."""
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except PydanticValidationError as exc:
        raise ValueError(f"{what} is not valid: {exc}") from exc


def _read_source(file: FileSource, name: Optional[str]) -> tuple[str, bytes]:
    """The name and bytes of an upload; read once up front so a retry resends the same bytes."""
    if isinstance(file, (str, Path)):
        path = Path(file)
        return name or path.name, path.read_bytes()
    if isinstance(file, (bytes, bytearray, memoryview)):
        if not name:
            raise ValueError("name is required when uploading bytes (the backend reads the type from its extension)")
        return name, bytes(file)
    if hasattr(file, "read"):
        data = file.read()
        guessed = Path(str(getattr(file, "name", "") or "")).name
        if not (name or guessed):
            raise ValueError("name is required when uploading a file object that has no name")
        return name or guessed, data if isinstance(data, bytes) else str(data).encode()
    raise ValueError(f"cannot upload a {type(file).__name__}: give a path, bytes or a binary file object")


class _Endpoints:
    """Every endpoint of the API as a ``_Call``; the subclasses decide how to run it.

    ``_execute`` returns the parsed answer in ``ExtractClient`` and an awaitable of it in
    ``AsyncExtractClient``, so each method below serves both variants.
    """

    base_url: str

    def _execute(self, call: _Call) -> Any:  # pragma: no cover - overridden by both clients
        raise NotImplementedError

    # files

    def upload_file(
        self,
        file: FileSource,
        *,
        name: Optional[str] = None,
        purpose: str = "extract",
        external_file_id: Optional[str] = None,
    ) -> File:
        """Upload a document (path, bytes or binary file object) and return its File (``dfl-...``)."""
        filename, content = _read_source(file, name)
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        form = {"purpose": purpose}
        if external_file_id:
            form["external_file_id"] = external_file_id
        return self._execute(
            _Call(
                "POST",
                "/api/v1/beta/files",
                _model(File),
                files={"file": (filename, content, content_type)},
                data=form,
                creates=True,
            )
        )

    def get_file(self, file_id: str) -> File:
        return self._execute(_Call("GET", f"/api/v1/beta/files/{file_id}", _model(File)))

    def list_files_page(self, *, page_size: int = 50, page_token: Optional[str] = None) -> FileList:
        """One page of files; ``list_files`` walks them all."""
        params = _query(page_size=page_size, page_token=page_token)
        return self._execute(_Call("GET", "/api/v1/beta/files", _model(FileList), params=params))

    def delete_file(self, file_id: str) -> None:
        return self._execute(_Call("DELETE", f"/api/v1/beta/files/{file_id}", _nothing))

    def file_content_url(self, file_id: str) -> PresignedUrl:
        """Where the file's bytes can be fetched (a presigned URL on the hosted service)."""
        return self._execute(_Call("GET", f"/api/v1/beta/files/{file_id}/content", _model(PresignedUrl)))

    # extract jobs

    def create_job(
        self,
        file_input: str,
        *,
        configuration: Union[ExtractConfiguration, Mapping[str, Any], None] = None,
        configuration_id: Optional[str] = None,
        webhook_configurations: Optional[Sequence[Union[WebhookConfiguration, Mapping[str, Any]]]] = None,
    ) -> ExtractV2Job:
        """Start an extraction of ``file_input`` (``dfl-`` or ``pjb-``) with exactly one of an inline
        configuration or a saved ``configuration_id``."""
        if (configuration is None) == (configuration_id is None):
            raise ValueError("give exactly one of configuration or configuration_id")
        body: dict[str, Any] = {"file_input": file_input}
        if configuration is not None:
            body["configuration"] = _dump(_as_model(configuration, ExtractConfiguration, "configuration"))
        else:
            body["configuration_id"] = configuration_id
        if webhook_configurations:
            body["webhook_configurations"] = [
                _dump(_as_model(hook, WebhookConfiguration, "webhook configuration")) for hook in webhook_configurations
            ]
        return self._execute(_Call("POST", "/api/v2/extract", _model(ExtractV2Job), json=body, creates=True))

    def get_job(self, job_id: str, *, expand: Optional[Sequence[str]] = DEFAULT_EXPAND) -> ExtractV2Job:
        """The job; by default with its configuration, per-field metadata and usage."""
        params = _query(expand=tuple(expand or ()))
        return self._execute(_Call("GET", f"/api/v2/extract/{job_id}", _model(ExtractV2Job), params=params))

    def list_jobs_page(
        self,
        *,
        status: Optional[str] = None,
        file_input: Optional[str] = None,
        configuration_id: Optional[str] = None,
        job_ids: Optional[Sequence[str]] = None,
        created_at_on_or_after: Union[datetime, str, None] = None,
        created_at_on_or_before: Union[datetime, str, None] = None,
        page_size: int = 50,
        page_token: Optional[str] = None,
        expand: Optional[Sequence[str]] = None,
    ) -> ExtractJobList:
        """One page of jobs, newest first; ``list_jobs`` walks them all."""
        params = _query(
            status=status,
            file_input=file_input,
            configuration_id=configuration_id,
            job_ids=tuple(job_ids or ()),
            created_at_on_or_after=created_at_on_or_after,
            created_at_on_or_before=created_at_on_or_before,
            page_size=page_size,
            page_token=page_token,
            expand=tuple(expand or ()),
        )
        return self._execute(_Call("GET", "/api/v2/extract", _model(ExtractJobList), params=params))

    def cancel_job(self, job_id: str) -> ExtractV2Job:
        return self._execute(_Call("POST", f"/api/v2/extract/{job_id}/cancel", _model(ExtractV2Job)))

    def delete_job(self, job_id: str, *, force: bool = False) -> None:
        """Delete a finished job; a PENDING / RUNNING one is refused unless ``force``."""
        params = _query(force=True if force else None)
        return self._execute(_Call("DELETE", f"/api/v2/extract/{job_id}", _nothing, params=params))

    # schemas

    def validate_schema(self, data_schema: Mapping[str, Any]) -> dict[str, Any]:
        """The schema as the backend will use it; an invalid one raises BadRequestError whose message
        says what is wrong."""
        return self._execute(
            _Call(
                "POST",
                "/api/v2/extract/schema/validation",
                lambda response: SchemaValidationResponse.model_validate(response.json()).data_schema,
                json={"data_schema": dict(data_schema)},
            )
        )

    def generate_schema(
        self,
        *,
        prompt: Optional[str] = None,
        file_id: Optional[str] = None,
        data_schema: Optional[Mapping[str, Any]] = None,
        name: Optional[str] = None,
    ) -> SchemaGenerateResponse:
        """A proposed schema from a prompt, a sample file, or an existing schema to refine."""
        body = {
            key: value
            for key, value in {"prompt": prompt, "file_id": file_id, "data_schema": data_schema, "name": name}.items()
            if value is not None
        }
        return self._execute(
            _Call("POST", "/api/v2/extract/schema/generate", _model(SchemaGenerateResponse), json=body)
        )

    # saved configurations

    def create_configuration(
        self, name: str, parameters: Union[ExtractV2Parameters, Mapping[str, Any]]
    ) -> ConfigurationResponse:
        body = {"name": name, "parameters": _dump(_as_model(parameters, ExtractV2Parameters, "parameters"))}
        return self._execute(
            _Call("POST", "/api/v1/beta/configurations", _model(ConfigurationResponse), json=body, creates=True)
        )

    def get_configuration(self, config_id: str) -> ConfigurationResponse:
        return self._execute(_Call("GET", f"/api/v1/beta/configurations/{config_id}", _model(ConfigurationResponse)))

    def update_configuration(
        self,
        config_id: str,
        *,
        name: Optional[str] = None,
        parameters: Union[ExtractV2Parameters, Mapping[str, Any], None] = None,
    ) -> ConfigurationResponse:
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if parameters is not None:
            body["parameters"] = _dump(_as_model(parameters, ExtractV2Parameters, "parameters"))
        return self._execute(
            _Call("PUT", f"/api/v1/beta/configurations/{config_id}", _model(ConfigurationResponse), json=body)
        )

    def list_configurations_page(
        self, *, page_size: int = 50, page_token: Optional[str] = None, name: Optional[str] = None
    ) -> ConfigurationList:
        params = _query(page_size=page_size, page_token=page_token, name=name)
        return self._execute(_Call("GET", "/api/v1/beta/configurations", _model(ConfigurationList), params=params))

    def delete_configuration(self, config_id: str) -> None:
        return self._execute(_Call("DELETE", f"/api/v1/beta/configurations/{config_id}", _nothing))

    # parse jobs

    def create_parse_job(self, file_id: str, *, tier: str = "fast", version: Optional[str] = None) -> ParseJob:
        """Parse a file once so several extract jobs can reuse it (``file_input="pjb-..."``)."""
        body = {"file_id": file_id, "tier": tier}
        if version:
            body["version"] = version
        return self._execute(_Call("POST", "/api/v2/parse", _model(ParseJob), json=body, creates=True))

    def get_parse_job(self, job_id: str, *, expand: Sequence[str] = ("text",)) -> ParseJobResult:
        params = _query(expand=tuple(expand))
        return self._execute(_Call("GET", f"/api/v2/parse/{job_id}", _model(ParseJobResult), params=params))


def _resolve(base_url: Optional[str], api_key: Optional[str]) -> tuple[str, Optional[str]]:
    """The base URL and key, falling back to the official SDK's environment variables."""
    url = base_url or os.environ.get("LLAMA_CLOUD_BASE_URL") or HOSTED_BASE_URL
    key = api_key if api_key is not None else os.environ.get("LLAMA_CLOUD_API_KEY")
    return url.rstrip("/"), key or None


class _Base(_Endpoints):
    """What both clients share: the base URL, the key and the retry policy."""

    def __init__(
        self,
        base_url: Optional[str],
        api_key: Optional[str],
        *,
        max_retries: int,
        backoff_base: float,
        backoff_cap: float,
    ) -> None:
        self.base_url, self.api_key = _resolve(base_url, api_key)
        self.retry = RetryPolicy(max_retries=max_retries, backoff_base=backoff_base, backoff_cap=backoff_cap)
        self._origin = urlsplit(self.base_url)[:2]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def _request(self, http: Union[httpx.Client, httpx.AsyncClient], call: _Call) -> httpx.Request:
        return http.build_request(
            call.method,
            self.base_url + call.path,
            params=call.params,
            json=call.json,
            files=call.files,
            data=call.data,
            headers=self._auth_headers(),
        )

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def _content_request(
        self, http: Union[httpx.Client, httpx.AsyncClient], url: PresignedUrl
    ) -> httpx.Request:
        """The download of a content URL: the key goes only to our own backend, never to a third
        party's presigned URL (which would reject or leak it)."""
        absolute = urljoin(self.base_url + "/", url.url)
        headers = self._auth_headers() if urlsplit(absolute)[:2] == self._origin else {}
        return http.build_request("GET", absolute, headers=headers)


def _raise_for(response: httpx.Response, base_url: str, attempts: int) -> httpx.Response:
    if response.is_error:
        raise _error_from_response(response, base_url, attempts)
    return response


# --- waiting and batches: the bookkeeping both variants share -----------------------------------


class _Waiter:
    """The state of one ``wait``: polling interval, deadline and status changes."""

    def __init__(
        self, job_id: str, poll_interval: float, max_interval: float, timeout: float, on_status: Optional[StatusCallback]
    ) -> None:
        self.job_id = job_id
        self.interval = poll_interval
        self.max_interval = max_interval
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.on_status = on_status
        self.last_status: Optional[str] = None

    def observe(self, job: ExtractV2Job) -> bool:
        """Record one poll; True when the job is finished."""
        if job.status != self.last_status:
            self.last_status = job.status
            if self.on_status:
                self.on_status(job)
        return job.status in TERMINAL_STATUSES

    def next_sleep(self, job: ExtractV2Job) -> float:
        """Seconds until the next poll; raises WaitTimeoutError once the deadline has passed."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise WaitTimeoutError(
                job, f"job {self.job_id} still {job.status} after {self.timeout:g} s; cancel it or wait longer"
            )
        sleep = min(self.interval, remaining)
        self.interval = min(self.interval * 1.5, self.max_interval)
        return sleep


def _finished(job: ExtractV2Job) -> ExtractV2Job:
    """The COMPLETED job itself, or the typed error of a FAILED / CANCELLED one."""
    error = _job_error(job)
    if error:
        raise error
    return job


def _job_error(job: ExtractV2Job) -> Optional[JobError]:
    if job.status == "FAILED":
        return JobFailedError(job, f"job {job.id} failed: {job.error_message or 'the backend gave no reason'}")
    if job.status == "CANCELLED":
        return JobCancelledError(job, f"job {job.id} was cancelled")
    return None


@dataclass
class BatchItem:
    """One document of a batch: where it came from, its File and job once made, or why not.

    ``error`` is set on this item alone when its upload, job creation or job failed; the other
    items of the batch carry on.
    """

    index: int
    name: str
    source: Any = field(default=None, repr=False)
    file: Optional[File] = None
    job: Optional[ExtractV2Job] = None
    error: Optional[ClientError] = None

    @property
    def file_input(self) -> Optional[str]:
        if self.file is not None:
            return self.file.id
        if isinstance(self.source, str) and id_prefix(self.source) in ("dfl", "pjb"):
            return self.source
        return None

    @property
    def status(self) -> str:
        """The job's status, or ERROR when the item never got a job."""
        if self.job is not None:
            return self.job.status
        return "ERROR" if self.error is not None else "NOT_SUBMITTED"

    @property
    def done(self) -> bool:
        """True once nothing more will happen to this item without a retry."""
        return self.error is not None or (self.job is not None and self.job.status in TERMINAL_STATUSES)


def _batch_items(files: Iterable[BatchSource]) -> list[BatchItem]:
    """One item per source; an unsupported source is a ValueError before anything is sent."""
    items = []
    for index, source in enumerate(files):
        if isinstance(source, File):
            items.append(BatchItem(index, source.name, source=source, file=source))
        elif isinstance(source, str) and id_prefix(source) in ("dfl", "pjb"):
            items.append(BatchItem(index, source, source=source))
        elif isinstance(source, (str, Path)):
            items.append(BatchItem(index, Path(source).name, source=Path(source)))
        elif isinstance(source, tuple) and len(source) == 2:
            items.append(BatchItem(index, str(source[0]), source=source))
        elif hasattr(source, "read"):
            items.append(BatchItem(index, Path(str(getattr(source, "name", f"document-{index}"))).name, source=source))
        else:
            raise ValueError(f"batch item {index}: cannot submit a {type(source).__name__}")
    return items


def _upload_args(item: BatchItem) -> tuple[FileSource, Optional[str]]:
    if isinstance(item.source, tuple):
        return item.source[1], item.source[0]
    return item.source, item.name


def _wait_items(jobs: Sequence[Union[BatchItem, ExtractV2Job, str]]) -> list[BatchItem]:
    items = []
    for index, job in enumerate(jobs):
        if isinstance(job, BatchItem):
            items.append(job)
        elif isinstance(job, ExtractV2Job):
            items.append(BatchItem(index, job.id, job=job))
        else:
            items.append(BatchItem(index, str(job), source=str(job)))
    return items


class _WaitAll:
    """The state of one ``wait_all``: which jobs are still unfinished, and progress reporting.

    Unfinished jobs are polled together through the job list's ``job_ids`` filter: one request per
    hundred jobs per round instead of one per job.
    """

    def __init__(
        self,
        items: list[BatchItem],
        poll_interval: float,
        max_interval: float,
        timeout: float,
        on_progress: Optional[ProgressCallback],
    ) -> None:
        self.items = items
        self.interval = poll_interval
        self.max_interval = max_interval
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.on_progress = on_progress
        self.final: set[int] = set()
        for item in items:
            if item.error is not None or job_id_of(item) is None:
                self._report(item)

    def pending(self) -> list[BatchItem]:
        return [item for item in self.items if id(item) not in self.final]

    def pending_ids(self) -> list[list[str]]:
        ids = [job_id_of(item) or "" for item in self.pending()]
        return [ids[start : start + _JOB_IDS_PER_POLL] for start in range(0, len(ids), _JOB_IDS_PER_POLL)]

    def update(self, jobs: Iterable[ExtractV2Job]) -> list[BatchItem]:
        """Record listed jobs; returns the items that just reached a terminal status."""
        by_id = {job.id: job for job in jobs}
        finished = []
        for item in self.pending():
            job = by_id.get(job_id_of(item) or "")
            if job is None:
                continue
            item.job = job
            if job.status in TERMINAL_STATUSES:
                finished.append(item)
        return finished

    def missing(self, jobs: Iterable[ExtractV2Job], asked: Sequence[str]) -> list[BatchItem]:
        """Items the list did not return (deleted, or a backend ignoring ``job_ids``)."""
        seen = {job.id for job in jobs}
        wanted = set(asked) - seen
        return [item for item in self.pending() if job_id_of(item) in wanted]

    def settle(self, item: BatchItem, job: Optional[ExtractV2Job] = None, error: Optional[ClientError] = None) -> None:
        """Mark an item finished with its final job or error, and report progress."""
        if job is not None:
            item.job = job
            item.error = _job_error(job)
        if error is not None:
            item.error = error
        self._report(item)

    def _report(self, item: BatchItem) -> None:
        if id(item) in self.final:
            return
        self.final.add(id(item))
        if self.on_progress:
            self.on_progress(len(self.final), len(self.items), item)

    def next_sleep(self) -> Optional[float]:
        """Seconds until the next round, or None when time is up (the rest get WaitTimeoutError)."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            for item in self.pending():
                job = item.job or _placeholder_job(job_id_of(item) or "")
                message = f"job {job.id} still {job.status} after {self.timeout:g} s; cancel it or wait longer"
                self.settle(item, error=WaitTimeoutError(job, message))
            return None
        sleep = min(self.interval, remaining)
        self.interval = min(self.interval * 1.5, self.max_interval)
        return sleep


def job_id_of(item: BatchItem) -> Optional[str]:
    """The extract job an item waits on: its job, or the ``ext-`` ID it was given."""
    if item.job is not None:
        return item.job.id
    if isinstance(item.source, str) and id_prefix(item.source) == "ext":
        return item.source
    return None


def _placeholder_job(job_id: str) -> ExtractV2Job:
    """A job seen only by ID (never listed), so a timeout error still carries a job."""
    now = datetime.now().astimezone()
    return ExtractV2Job(id=job_id, created_at=now, updated_at=now, file_input="", project_id="", status="PENDING")


# --- the synchronous client ----------------------------------------------------------------------


class ExtractClient(_Base):
    """A synchronous client of one Extract v2 backend, holding one long-lived httpx.Client.

    Use it as a context manager, or call ``close()``; ``get_client`` keeps one per backend for the app.
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        transport: Optional[httpx.BaseTransport] = None,
    ) -> None:
        super().__init__(base_url, api_key, max_retries=max_retries, backoff_base=backoff_base, backoff_cap=backoff_cap)
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=True, verify=_ssl_context())
        self._sleep: Callable[[float], None] = time.sleep

    def __enter__(self) -> "ExtractClient":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    def _execute(self, call: _Call) -> Any:
        return call.parse(self._send(lambda: self._request(self._http, call), call.creates))

    def _send(self, build: Callable[[], httpx.Request], creates: bool) -> httpx.Response:
        """Send the request built by ``build`` (rebuilt per attempt, so a multipart body is fresh),
        retrying as the policy says; a final error answer raises its typed ApiError."""
        attempt = 0
        while True:
            request = build()
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                delay = self.retry.after_transport_error(exc, creates, attempt)
                if delay is None:
                    raise _error_from_transport(exc, request, creates) from exc
            else:
                delay = self.retry.after_response(response, creates, attempt)
                if delay is None:
                    return _raise_for(response, self.base_url, attempt + 1)
                response.close()
            self._sleep(delay)
            attempt += 1

    def health(self) -> dict[str, Any]:
        """Check that the backend answers and accepts the key, with one cheap authenticated request
        (every Extract v2 backend lists files; not every one has a health route). Files, not jobs: a
        listed job carries its whole result, megabytes for a large one."""
        started = time.perf_counter()
        self.list_files_page(page_size=1)
        return {"status": "ok", "base_url": self.base_url, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}

    def download_file(self, file_id: str) -> bytes:
        """The file's bytes, fetched from its content URL (needed to render cited pages)."""
        url = self.file_content_url(file_id)
        return self._send(lambda: self._content_request(self._http, url), creates=False).content

    def list_files(self, *, page_size: int = 50) -> Iterator[File]:
        token: Optional[str] = None
        while True:
            page = self.list_files_page(page_size=page_size, page_token=token)
            yield from page.items
            token = page.next_page_token
            if not token or not page.items:
                return

    def list_configurations(self, *, page_size: int = 50, name: Optional[str] = None) -> Iterator[ConfigurationResponse]:
        token: Optional[str] = None
        while True:
            page = self.list_configurations_page(page_size=page_size, page_token=token, name=name)
            yield from page.items
            token = page.next_page_token
            if not token or not page.items:
                return

    def list_jobs(self, **filters: Any) -> Iterator[ExtractV2Job]:
        """Every job matching the filters of ``list_jobs_page`` (status, file_input, configuration_id,
        job_ids, created_at_on_or_after/before, page_size, expand), newest first, page after page."""
        token: Optional[str] = None
        while True:
            page = self.list_jobs_page(**filters, page_token=token)
            yield from page.items
            token = page.next_page_token
            if not token or not page.items:
                return

    def wait(
        self,
        job_id: str,
        *,
        poll_interval: float = 0.5,
        max_interval: float = 5.0,
        timeout: float = 600,
        on_status: Optional[StatusCallback] = None,
        expand: Optional[Sequence[str]] = DEFAULT_EXPAND,
    ) -> ExtractV2Job:
        """Poll until the job finishes and return it COMPLETED (with ``expand``); FAILED, CANCELLED and
        a timeout raise JobFailedError, JobCancelledError, WaitTimeoutError carrying the job.

        Polls ask for the bare job; the expanded one is fetched once at the end.
        """
        waiter = _Waiter(job_id, poll_interval, max_interval, timeout, on_status)
        while True:
            job = self.get_job(job_id, expand=())
            if waiter.observe(job):
                break
            self._sleep(waiter.next_sleep(job))
        if job.status == "COMPLETED" and expand:
            job = self.get_job(job_id, expand=expand)
        return _finished(job)

    def submit_batch(
        self,
        files: Iterable[BatchSource],
        *,
        configuration: Union[ExtractConfiguration, Mapping[str, Any], None] = None,
        configuration_id: Optional[str] = None,
        webhook_configurations: Optional[Sequence[Union[WebhookConfiguration, Mapping[str, Any]]]] = None,
        concurrency: int = 4,
        on_progress: Optional[ProgressCallback] = None,
    ) -> list[BatchItem]:
        """Upload each document (paths, ``(name, bytes)``, binary files, or already uploaded File / ``dfl-``
        / ``pjb-`` IDs) and create its job, ``concurrency`` at a time; items come back in input order.

        ``on_progress(done, total, item)`` is called from the calling thread as each item is submitted
        (so a Streamlit page may update widgets from it).
        """
        if (configuration is None) == (configuration_id is None):
            raise ValueError("give exactly one of configuration or configuration_id")
        items = _batch_items(files)
        submit = lambda item: self._submit_one(item, configuration, configuration_id, webhook_configurations)  # noqa: E731
        with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="extract-batch") as pool:
            futures = [pool.submit(submit, item) for item in items]
            for done, future in enumerate(as_completed(futures), start=1):
                if on_progress:
                    on_progress(done, len(items), future.result())
        return items

    def _submit_one(
        self,
        item: BatchItem,
        configuration: Any,
        configuration_id: Optional[str],
        webhook_configurations: Any,
    ) -> BatchItem:
        try:
            if item.file_input is None:
                source, name = _upload_args(item)
                item.file = self.upload_file(source, name=name)
            item.job = self.create_job(
                item.file_input or "",
                configuration=configuration,
                configuration_id=configuration_id,
                webhook_configurations=webhook_configurations,
            )
            item.error = None
        except ClientError as exc:
            item.error = exc
        except (OSError, ValueError) as exc:
            item.error = ClientError(f"could not read {item.name}: {exc}")
        return item

    def wait_all(
        self,
        jobs: Sequence[Union[BatchItem, ExtractV2Job, str]],
        *,
        poll_interval: float = 0.5,
        max_interval: float = 5.0,
        timeout: float = 600,
        on_progress: Optional[ProgressCallback] = None,
        expand: Optional[Sequence[str]] = DEFAULT_EXPAND,
    ) -> list[BatchItem]:
        """Wait for every job (batch items, jobs or job IDs); returns one BatchItem each, in order.

        A FAILED / CANCELLED job, or one still running at the timeout, is reported on its own item's
        ``error`` and the rest continue. ``on_progress(done, total, item)`` fires as each one finishes.
        """
        state = _WaitAll(_wait_items(jobs), poll_interval, max_interval, timeout, on_progress)
        while state.pending():
            for chunk in state.pending_ids():
                self._poll_chunk(state, chunk, expand)
            if state.pending():
                delay = state.next_sleep()
                if delay is None:
                    break
                self._sleep(delay)
        return state.items

    def _poll_chunk(self, state: _WaitAll, chunk: list[str], expand: Optional[Sequence[str]]) -> None:
        """One polling round over up to a hundred jobs. A transient failure (connection, 5xx, 429)
        leaves them pending for the next round; a definite one (a 404) settles the item."""
        try:
            try:
                listed = self.list_jobs_page(job_ids=chunk, page_size=len(chunk)).items
            except _TRANSIENT:
                raise
            except ClientError:
                listed = []
            for item in state.missing(listed, chunk):
                try:
                    listed.append(self.get_job(job_id_of(item) or "", expand=()))
                except _TRANSIENT:
                    raise
                except ClientError as exc:
                    state.settle(item, error=exc)
            for item in state.update(listed):
                complete = bool(expand) and item.job.status == "COMPLETED"
                state.settle(item, job=self.get_job(item.job.id, expand=expand) if complete else item.job)
        except _TRANSIENT:
            return


# --- the asynchronous client ---------------------------------------------------------------------


class AsyncExtractClient(_Base):
    """The asynchronous twin of ExtractClient: the same methods, each awaitable (``list_*`` are async
    iterators), over one long-lived httpx.AsyncClient."""

    def __init__(
        self,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        transport: Optional[httpx.AsyncBaseTransport] = None,
    ) -> None:
        super().__init__(base_url, api_key, max_retries=max_retries, backoff_base=backoff_base, backoff_cap=backoff_cap)
        self._http = httpx.AsyncClient(
            timeout=timeout, transport=transport, follow_redirects=True, verify=_ssl_context()
        )
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def __aenter__(self) -> "AsyncExtractClient":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    async def _execute(self, call: _Call) -> Any:
        return call.parse(await self._send(lambda: self._request(self._http, call), call.creates))

    async def _send(self, build: Callable[[], httpx.Request], creates: bool) -> httpx.Response:
        attempt = 0
        while True:
            request = build()
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                delay = self.retry.after_transport_error(exc, creates, attempt)
                if delay is None:
                    raise _error_from_transport(exc, request, creates) from exc
            else:
                delay = self.retry.after_response(response, creates, attempt)
                if delay is None:
                    return _raise_for(response, self.base_url, attempt + 1)
                await response.aclose()
            await self._sleep(delay)
            attempt += 1

    async def health(self) -> dict[str, Any]:
        started = time.perf_counter()
        await self.list_files_page(page_size=1)
        return {"status": "ok", "base_url": self.base_url, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}

    async def download_file(self, file_id: str) -> bytes:
        url = await self.file_content_url(file_id)
        return (await self._send(lambda: self._content_request(self._http, url), creates=False)).content

    async def list_files(self, *, page_size: int = 50) -> AsyncIterator[File]:
        token: Optional[str] = None
        while True:
            page = await self.list_files_page(page_size=page_size, page_token=token)
            for item in page.items:
                yield item
            token = page.next_page_token
            if not token or not page.items:
                return

    async def list_configurations(
        self, *, page_size: int = 50, name: Optional[str] = None
    ) -> AsyncIterator[ConfigurationResponse]:
        token: Optional[str] = None
        while True:
            page = await self.list_configurations_page(page_size=page_size, page_token=token, name=name)
            for item in page.items:
                yield item
            token = page.next_page_token
            if not token or not page.items:
                return

    async def list_jobs(self, **filters: Any) -> AsyncIterator[ExtractV2Job]:
        token: Optional[str] = None
        while True:
            page = await self.list_jobs_page(**filters, page_token=token)
            for item in page.items:
                yield item
            token = page.next_page_token
            if not token or not page.items:
                return

    async def wait(
        self,
        job_id: str,
        *,
        poll_interval: float = 0.5,
        max_interval: float = 5.0,
        timeout: float = 600,
        on_status: Optional[StatusCallback] = None,
        expand: Optional[Sequence[str]] = DEFAULT_EXPAND,
    ) -> ExtractV2Job:
        waiter = _Waiter(job_id, poll_interval, max_interval, timeout, on_status)
        while True:
            job = await self.get_job(job_id, expand=())
            if waiter.observe(job):
                break
            await self._sleep(waiter.next_sleep(job))
        if job.status == "COMPLETED" and expand:
            job = await self.get_job(job_id, expand=expand)
        return _finished(job)

    async def submit_batch(
        self,
        files: Iterable[BatchSource],
        *,
        configuration: Union[ExtractConfiguration, Mapping[str, Any], None] = None,
        configuration_id: Optional[str] = None,
        webhook_configurations: Optional[Sequence[Union[WebhookConfiguration, Mapping[str, Any]]]] = None,
        concurrency: int = 4,
        on_progress: Optional[ProgressCallback] = None,
    ) -> list[BatchItem]:
        if (configuration is None) == (configuration_id is None):
            raise ValueError("give exactly one of configuration or configuration_id")
        items = _batch_items(files)
        gate = asyncio.Semaphore(max(1, concurrency))

        async def submit(item: BatchItem) -> BatchItem:
            async with gate:
                return await self._submit_one(item, configuration, configuration_id, webhook_configurations)

        for done, next_item in enumerate(asyncio.as_completed([submit(item) for item in items]), start=1):
            item = await next_item
            if on_progress:
                on_progress(done, len(items), item)
        return items

    async def _submit_one(
        self, item: BatchItem, configuration: Any, configuration_id: Optional[str], webhook_configurations: Any
    ) -> BatchItem:
        try:
            if item.file_input is None:
                source, name = _upload_args(item)
                item.file = await self.upload_file(source, name=name)
            item.job = await self.create_job(
                item.file_input or "",
                configuration=configuration,
                configuration_id=configuration_id,
                webhook_configurations=webhook_configurations,
            )
            item.error = None
        except ClientError as exc:
            item.error = exc
        except (OSError, ValueError) as exc:
            item.error = ClientError(f"could not read {item.name}: {exc}")
        return item

    async def wait_all(
        self,
        jobs: Sequence[Union[BatchItem, ExtractV2Job, str]],
        *,
        poll_interval: float = 0.5,
        max_interval: float = 5.0,
        timeout: float = 600,
        on_progress: Optional[ProgressCallback] = None,
        expand: Optional[Sequence[str]] = DEFAULT_EXPAND,
    ) -> list[BatchItem]:
        state = _WaitAll(_wait_items(jobs), poll_interval, max_interval, timeout, on_progress)
        while state.pending():
            for chunk in state.pending_ids():
                await self._poll_chunk(state, chunk, expand)
            if state.pending():
                delay = state.next_sleep()
                if delay is None:
                    break
                await self._sleep(delay)
        return state.items

    async def _poll_chunk(self, state: _WaitAll, chunk: list[str], expand: Optional[Sequence[str]]) -> None:
        try:
            try:
                listed = (await self.list_jobs_page(job_ids=chunk, page_size=len(chunk))).items
            except _TRANSIENT:
                raise
            except ClientError:
                listed = []
            for item in state.missing(listed, chunk):
                try:
                    listed.append(await self.get_job(job_id_of(item) or "", expand=()))
                except _TRANSIENT:
                    raise
                except ClientError as exc:
                    state.settle(item, error=exc)
            for item in state.update(listed):
                complete = bool(expand) and item.job.status == "COMPLETED"
                state.settle(item, job=await self.get_job(item.job.id, expand=expand) if complete else item.job)
        except _TRANSIENT:
            return


# --- one client per backend for the app ----------------------------------------------------------

_CLIENTS: dict[tuple[str, Optional[str]], ExtractClient] = {}
_CLIENTS_LOCK = threading.Lock()


def get_client(base_url: Optional[str] = None, api_key: Optional[str] = None) -> ExtractClient:
    """The app's shared client for one backend (base URL + key): one connection pool per backend
    across reruns and sessions, replaced if someone closed it."""
    key = _resolve(base_url, api_key)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None or client.closed:
            client = _CLIENTS[key] = ExtractClient(*key)
        return client
