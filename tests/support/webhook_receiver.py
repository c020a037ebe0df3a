"""A small real HTTP server that records webhook deliveries, for tests on loopback.

``behaviour`` maps a path to a list of status codes answered in turn (the last one repeats), or
to ``"hang"`` to hold the request longer than any sensible client timeout::

    with WebhookReceiver({"/flaky": [500, 500, 200]}) as rx:
        ... rx.url("/flaky") ...
        rx.wait_for(lambda calls: len(calls) >= 3)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional, Union

Behaviour = Union[list[int], str]


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float


class WebhookReceiver:
    def __init__(self, behaviour: Optional[dict[str, Behaviour]] = None, hang_s: float = 30.0) -> None:
        self.behaviour = dict(behaviour or {})
        self.hang_s = hang_s
        self.calls: list[Delivery] = []
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._status_for(self.path)
                if status == -1:
                    time.sleep(receiver.hang_s)
                    status = 200
                with receiver._lock:
                    receiver.calls.append(Delivery(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                   body, status, time.time()))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _status_for(self, path: str) -> int:
        plan = self.behaviour.get(path, [200])
        if plan == "hang":
            return -1
        with self._lock:
            n = self._counts.get(path, 0)
            self._counts[path] = n + 1
        return plan[min(n, len(plan) - 1)]  # type: ignore[index]

    def url(self, path: str = "/hook") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def for_path(self, path: str) -> list[Delivery]:
        with self._lock:
            return [call for call in self.calls if call.path == path]

    def wait_for(self, predicate: Callable[[list[Delivery]], bool], timeout: float = 30.0) -> list[Delivery]:
        """Wait until ``predicate(calls)`` holds; returns the calls (raises TimeoutError if never)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                snapshot = list(self.calls)
            if predicate(snapshot):
                return snapshot
            time.sleep(0.05)
        raise TimeoutError(f"webhook receiver: condition not met in {timeout} s; got {len(self.calls)} calls")

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
