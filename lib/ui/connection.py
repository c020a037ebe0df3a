"""Which backend this session talks to, and the sidebar that shows and switches it.

Three kinds speak the same Extract v2 API: the embedded local server (started once per process on
loopback; the default with no configuration), a shared server of ours (``STUDIO_SERVER_URL``) and the hosted
LlamaCloud service (``LLAMA_CLOUD_API_KEY``). Keys typed into the sidebar stay in this session's memory only:
they are never shown again, never logged and never written to disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlparse

import streamlit as st

from lib.client import ApiError, AuthenticationError, ConnectionFailedError, ExtractClient, get_client
from lib.settings import BackendKind, StudioSettings, load_settings
from lib.ui import state
from lib.ui.navigation import require_shell

KIND_LABELS: dict[str, str] = {
    "embedded": "Local server (embedded)",
    "shared": "Shared server",
    "hosted": "LlamaCloud (hosted)",
}
HEALTH_TTL_SECONDS = 30.0
PROBE_TIMEOUT_SECONDS = 5.0
_HEALTH = "_backend_health"
_KIND_INPUT = "_backend_kind_input"
_URL_INPUT = "_backend_url_input"
_KEY_INPUT = "_backend_key_input"
_SWITCH_ERROR = "_backend_switch_error"


@dataclass(frozen=True)
class Backend:
    """One backend: its kind, the base URL the client calls, and the key (kept out of repr)."""

    kind: BackendKind
    base_url: str
    api_key: Optional[str] = field(default=None, repr=False)
    data_dir: Optional[str] = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def client_key(self) -> str:
        """The key to hand the client: never None, so that the client does not fall back to
        ``LLAMA_CLOUD_API_KEY`` and send the hosted key to a server of ours."""
        return self.api_key or ""

    @property
    def id(self) -> str:
        """A stable name for what the app stores per backend (reviews, submitted jobs), without the key.
        The embedded server gets a new port each start, so it is named by its data directory instead."""
        if self.kind == "embedded":
            return f"embedded:{self.data_dir}"
        return f"{self.kind}:{self.base_url}"


@dataclass(frozen=True)
class Health:
    """Whether the backend answered, and if not, what a person should check."""

    ok: bool
    message: str
    checked_at: float


class BackendStartError(RuntimeError):
    """The embedded server could not start; the message says what to do instead."""


def default_backend(settings: StudioSettings) -> Backend:
    """The backend the environment names; with nothing configured, the embedded server (started here)."""
    kind = settings.default_backend
    if kind == "shared":
        return Backend("shared", settings.server_url or "", settings.server_api_key)
    if kind == "hosted":
        return Backend("hosted", settings.hosted_base_url, settings.hosted_api_key)
    return embedded_backend(settings)


def embedded_backend(settings: StudioSettings) -> Backend:
    """Start (once per process) the local server on the app's data directory and point at it."""
    try:
        from lib.server.embedded import start_embedded

        url = start_embedded(data_dir=settings.data_dir / "server").rstrip("/")
    except Exception as exc:  # any failure to start is reported the same way, with its cause
        raise BackendStartError(
            f"The embedded local server could not start ({type(exc).__name__}: {exc}). Check that "
            f"{settings.data_dir} is writable, or set STUDIO_SERVER_URL to use a running server."
        ) from exc
    return Backend("embedded", url, data_dir=str(settings.data_dir.resolve()))


def current_backend() -> Backend:
    """This session's backend, chosen from the environment the first time a page asks. Every page asks,
    so this is also where a page that Streamlit ran without the shell is sent back through it."""
    require_shell()
    backend = st.session_state.get(state.BACKEND)
    if backend is None:
        try:
            backend = default_backend(load_settings())
        except BackendStartError as exc:
            st.error(str(exc), icon=":material/error:")
            st.stop()
        st.session_state[state.BACKEND] = backend
    return backend


def current_client() -> ExtractClient:
    """The API client of this session's backend (one cached client per URL and key)."""
    backend = current_backend()
    return get_client(backend.base_url, backend.client_key)


def check_health(backend: Backend, *, force: bool = False) -> Health:
    """Ask the backend whether it answers; the answer is reused for a short while so that every rerun
    does not cost a round trip."""
    cached = st.session_state.get(_HEALTH)
    if not force and cached and cached[0] == backend.id and time.time() - cached[1].checked_at < HEALTH_TTL_SECONDS:
        return cached[1]
    health = probe(backend)
    st.session_state[_HEALTH] = (backend.id, health)
    return health


def probe(backend: Backend) -> Health:
    """One health call, turned into a sentence a person can act on. It uses its own short-timeout client
    with one retry, so a dead URL is reported in seconds rather than after the full retry schedule."""
    now = time.time()
    try:
        with ExtractClient(backend.base_url, backend.client_key, timeout=PROBE_TIMEOUT_SECONDS, max_retries=1) as client:
            client.health()
    except AuthenticationError:
        return Health(False, "The backend refused the API key. Enter a valid key below.", now)
    except ConnectionFailedError:
        return Health(False, f"Nothing answers at {backend.base_url}. Check the URL and that the server runs.", now)
    except ApiError as exc:
        return Health(False, f"The backend answered with an error: {exc}", now)
    return Health(True, "Connected", now)


def backend_answers() -> bool:
    """Whether this session's backend answered its last health check (so a page can skip calls that
    would only wait out the client's retries against a dead URL; the sidebar says what is wrong)."""
    return check_health(current_backend()).ok


def switch_backend(backend: Backend) -> None:
    """Make ``backend`` this session's backend. A saved configuration belongs to the backend that holds it,
    so the editor forgets which one it had loaded."""
    st.session_state[state.BACKEND] = backend
    st.session_state[state.CONFIGURATION_ID] = None
    st.session_state[state.CONFIGURATION_NAME] = None
    st.session_state.pop(_HEALTH, None)


def backend_from_inputs(kind: str, url: str, key: str, settings: StudioSettings) -> Backend:
    """Build the backend a person asked for in the sidebar, or raise ValueError saying what to fix."""
    if kind == "embedded":
        return embedded_backend(settings)
    url = (url or "").strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"'{url}' is not a server URL. Enter one like http://host:8000.")
    key = (key or "").strip()
    if kind == "hosted":
        key = key or (settings.hosted_api_key or "")
        if not key:
            raise ValueError("LlamaCloud needs an API key. Paste one, or set LLAMA_CLOUD_API_KEY.")
        return Backend("hosted", url, key)
    return Backend("shared", url, key or settings.server_api_key)


def render_sidebar() -> Backend:
    """The sidebar block: which backend, its URL, whether it answers, and a form to switch."""
    backend = current_backend()
    with st.sidebar:
        st.subheader("Backend")
        st.markdown(f"**{backend.label}**")
        st.caption(backend.base_url)
        health = check_health(backend)
        if health.ok:
            st.success(health.message, icon=":material/check_circle:")
        else:
            st.error(health.message, icon=":material/error:")
        st.button("Check again", key="_backend_recheck", on_click=_recheck, width="stretch")
        with st.expander("Switch backend", expanded=not health.ok):
            _switch_form(backend)
    return backend


def _switch_form(backend: Backend) -> None:
    settings = load_settings()
    kinds = list(KIND_LABELS)
    st.session_state.setdefault(_KIND_INPUT, backend.kind)
    kind = st.radio("Kind", kinds, format_func=KIND_LABELS.__getitem__, key=_KIND_INPUT)
    if kind != "embedded":
        default_url = _default_url(kind, backend, settings)
        if st.session_state.get(_URL_INPUT + "_for") != kind:
            st.session_state[_URL_INPUT] = default_url
            st.session_state[_URL_INPUT + "_for"] = kind
        st.text_input("URL", key=_URL_INPUT)
        hint = "Kept in this session's memory only; never shown again or saved."
        if kind == "hosted" and settings.hosted_api_key:
            hint += " Leave empty to use LLAMA_CLOUD_API_KEY."
        st.text_input("API key", key=_KEY_INPUT, type="password", help=hint)
    st.button("Connect", key="_backend_connect", on_click=_connect, type="primary", width="stretch")
    if st.session_state.get(_SWITCH_ERROR):
        st.error(st.session_state[_SWITCH_ERROR])


def _default_url(kind: str, backend: Backend, settings: StudioSettings) -> str:
    if backend.kind == kind:
        return backend.base_url
    if kind == "hosted":
        return settings.hosted_base_url
    return settings.server_url or ""


def _connect() -> None:
    """Button callback: switch to the backend in the form, then clear the key field so the key is not
    kept in the page."""
    kind = st.session_state.get(_KIND_INPUT, "embedded")
    key = st.session_state.get(_KEY_INPUT, "")
    st.session_state[_KEY_INPUT] = ""
    try:
        backend = backend_from_inputs(kind, st.session_state.get(_URL_INPUT, ""), key, load_settings())
    except (ValueError, BackendStartError) as exc:
        st.session_state[_SWITCH_ERROR] = str(exc)
        return
    st.session_state[_SWITCH_ERROR] = None
    switch_backend(backend)


def _recheck() -> None:
    st.session_state.pop(_HEALTH, None)
