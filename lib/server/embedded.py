"""The embedded server: what the app calls when no other backend is configured.

``start_embedded()`` runs uvicorn in a daemon thread of the calling process (uvicorn leaves signal handling to the
main thread), on a free loopback
port, once per process (a second call returns the same URL). Jobs still run in worker processes,
so the app's process only serves HTTP. It has no API key, which is safe because it listens on
127.0.0.1 only; it stops when the process exits (workers are killed at exit).
"""

from __future__ import annotations

import atexit
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Optional

import uvicorn

from lib.server.app import bind_socket, create_app
from lib.server.settings import ServerSettings, check, settings_from_env

_lock = threading.Lock()
_url: Optional[str] = None
_server: Optional[uvicorn.Server] = None
START_TIMEOUT_S = 60.0


class EmbeddedServerError(RuntimeError):
    """The embedded server did not start; the message says why."""


def _stop() -> None:
    if _server is not None:
        _server.should_exit = True


def start_embedded(data_dir: Path | None = None, *, workers: int | None = None) -> str:
    """Start the local server once for this process and return its base URL (e.g. ``http://127.0.0.1:43127``).

    ``data_dir`` defaults to ``EXTRACT_SERVER_DATA_DIR`` or ``./data``; ``workers`` to
    ``EXTRACT_SERVER_WORKERS`` or the number of cores. Later calls return the first URL whatever
    their arguments."""
    global _url, _server
    with _lock:
        if _url is not None:
            return _url
        base = settings_from_env()
        settings: ServerSettings = check(
            replace(
                base,
                host="127.0.0.1",
                port=0,
                api_key=None,
                data_dir=Path(data_dir) if data_dir is not None else base.data_dir,
                workers=workers or base.workers,
            )
        )
        sock = bind_socket("127.0.0.1", 0)
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="embedded-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise EmbeddedServerError(f"The embedded server did not start (data directory {settings.data_dir}).")
            time.sleep(0.02)
        _server = server
        _url = f"http://127.0.0.1:{port}"
        atexit.register(_stop)
        return _url
