"""Webhook deliveries: checked URLs, signed bodies, an outbox in the database, retries off the request path.

A status change writes one delivery row per matching webhook configuration (the outbox), so
deliveries survive a restart; a background thread sends due rows with a timeout and retries a
failure twice more with exponential backoff (3 attempts in all). A receiver that fails, hangs or
refuses never affects the job.

URL rules: http or https only, a host is required, and addresses that are not globally routable
(private, loopback, link-local, CGNAT, reserved ...) are refused unless
``EXTRACT_SERVER_ALLOW_PRIVATE_WEBHOOKS`` is on. Cloud metadata addresses are refused always.
Literal addresses are checked when the job is created (a 400); host names are resolved and
checked again right before each attempt, so a name that later points inside is still refused.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import re
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional
from urllib.parse import urlsplit

import httpx

from lib.server.errors import BadRequest
from lib.server.settings import ServerSettings
from lib.server.store import Store, now_iso

log = logging.getLogger("lib.server.webhooks")

MAX_ATTEMPTS = 3
SIGNATURE_HEADER = "LC-Signature"
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
_RESERVED_HEADERS = {"content-type", "content-length", "host", SIGNATURE_HEADER.lower()}


class UnsafeUrl(ValueError):
    """A webhook URL that may not be called; the message says why."""


def _address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool) -> Optional[str]:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if address.is_global or allow_private:
        return None
    return f"{address} is a private, loopback or link-local address"


_LEGACY_IPV4 = re.compile(r"[0-9a-fA-FxX.]+")


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address a literal host names, including the old IPv4 spellings resolvers still accept
    (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``), so those are refused at job creation
    like a dotted quad; raises ValueError for a host name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        if not _LEGACY_IPV4.fullmatch(host):
            raise
        try:
            return ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            raise ValueError(f"{host!r} is not an address") from None


def check_url_syntax(url: str, allow_private: bool) -> None:
    """The checks that need no network: scheme, host, and a literal or ``localhost`` host's address."""
    if len(url) > 2048:
        raise UnsafeUrl("it is longer than 2048 characters")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise UnsafeUrl("only http and https URLs can receive webhooks")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("it has no host")
    try:
        parts.port
    except ValueError:
        raise UnsafeUrl("its port is not a number between 0 and 65535") from None
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in the URL are not allowed; use webhook_headers")
    host = host.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        problem = None if allow_private else "localhost is a loopback address"
    else:
        try:
            problem = _address_problem(_literal_address(host), allow_private)
        except ValueError:
            problem = None
    if problem:
        raise UnsafeUrl(problem)


def check_url_resolved(url: str, allow_private: bool) -> None:
    """Resolve the host and refuse if any address it maps to is refused (checked before every attempt)."""
    check_url_syntax(url, allow_private)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeUrl(f"its host cannot be resolved ({error})") from None
    for info in infos:
        problem = _address_problem(ipaddress.ip_address(info[4][0]), allow_private)
        if problem:
            raise UnsafeUrl(f"its host resolves to {problem}")


def validate_webhooks(configs: Optional[list[dict[str, Any]]], allow_private: bool) -> list[dict[str, Any]]:
    """Check a job's webhook configurations at creation; a bad one is a 400 naming it."""
    out = []
    for index, config in enumerate(configs or []):
        url = config.get("webhook_url")
        if not url:
            raise BadRequest(f"webhook_configurations[{index}].webhook_url is required.")
        try:
            check_url_syntax(url, allow_private)
        except UnsafeUrl as error:
            raise BadRequest(f"webhook_configurations[{index}].webhook_url {url!r} is refused: {error}.") from None
        fmt = config.get("webhook_output_format") or "string"
        if fmt not in {"string", "json"}:
            raise BadRequest(f"webhook_configurations[{index}].webhook_output_format must be 'string' or 'json', not {fmt!r}.")
        for name, value in (config.get("webhook_headers") or {}).items():
            if name.lower() in _RESERVED_HEADERS:
                raise BadRequest(f"webhook_configurations[{index}].webhook_headers may not set {name!r}.")
            if not _HEADER_NAME.fullmatch(name) or any(ch in value for ch in "\r\n\x00"):
                raise BadRequest(f"webhook_configurations[{index}].webhook_headers has an invalid header {name!r}.")
        out.append(config)
    return out


def sign(secret: str, body: bytes) -> str:
    """The ``LC-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(event_type: str, data: dict[str, Any], output_format: str) -> tuple[str, bytes]:
    """``{event_id, event_type, timestamp, data}``; with the ``string`` format ``data`` is sent as
    a JSON-encoded string, with ``json`` as an object."""
    event_id = str(uuid.uuid4())
    payload = {
        "event_id": event_id,
        "event_type": event_type,
        "timestamp": now_iso(),
        "data": data if output_format == "json" else json.dumps(data, separators=(",", ":")),
    }
    return event_id, json.dumps(payload, separators=(",", ":")).encode()


class WebhookDispatcher:
    """Turns job events into outbox rows and sends them from a background thread."""

    def __init__(self, settings: ServerSettings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._inflight: set[int] = set()
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook")
        self._thread = threading.Thread(target=self._loop, name="webhooks", daemon=True)
        self._client = httpx.Client(timeout=settings.webhook_timeout_s, follow_redirects=False, trust_env=False)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def emit(self, job: dict[str, Any], event_type: str, data: dict[str, Any]) -> None:
        """Queue ``event_type`` for every webhook of ``job`` whose filter lets it through."""
        deliveries = []
        for config in job.get("webhooks") or []:
            events = config.get("webhook_events")
            if events is not None and event_type not in events:
                continue
            event_id, body = event_body(event_type, data, config.get("webhook_output_format") or "string")
            deliveries.append(
                {
                    "event_id": event_id,
                    "job_id": job["id"],
                    "event_type": event_type,
                    "url": config["webhook_url"],
                    "headers": config.get("webhook_headers") or {},
                    "body": body,
                    "secret": config.get("webhook_signing_secret"),
                }
            )
        if deliveries:
            self.store.add_deliveries(deliveries)
            self._wake.set()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                for delivery in self.store.due_deliveries():
                    with self._lock:
                        if delivery["seq"] in self._inflight:
                            continue
                        self._inflight.add(delivery["seq"])
                    self._executor.submit(self._attempt, delivery)
                next_at = self.store.next_delivery_at()
            except Exception:
                log.exception("webhook loop failed")
                next_at = None
            wait = 1.0 if next_at is None else min(1.0, max(0.02, next_at - time.time()))
            self._wake.wait(timeout=wait)
            self._wake.clear()

    def _is_current(self, delivery: dict[str, Any]) -> bool:
        """Whether the row is still pending at the attempt count it was read with: the loop may hold
        a row read just before another attempt recorded it, and sending that again is a duplicate."""
        rows = self.store.deliveries_for(delivery["job_id"])
        row = next((r for r in rows if r["seq"] == delivery["seq"]), None)
        return row is not None and row["status"] == "pending" and row["attempts"] == delivery["attempts"]

    def _attempt(self, delivery: dict[str, Any]) -> None:
        try:
            current = self._is_current(delivery)
        except Exception:  # the loop reads the row again on its next pass
            log.exception("could not re-read webhook delivery %s", delivery["seq"])
            current = False
        if not current:
            with self._lock:
                self._inflight.discard(delivery["seq"])
            return
        attempts = delivery["attempts"] + 1
        try:
            error = self._send(delivery)
        except Exception as exc:  # never let one delivery kill the sender
            error = f"{type(exc).__name__}: {exc}"
        try:
            if error is None:
                self.store.record_delivery(delivery["seq"], status="delivered", attempts=attempts, next_attempt_at=0, error=None)
            elif attempts >= MAX_ATTEMPTS:
                self.store.record_delivery(delivery["seq"], status="failed", attempts=attempts, next_attempt_at=0, error=error)
            else:
                delay = self.settings.webhook_backoff_s * (2 ** (attempts - 1))
                self.store.record_delivery(
                    delivery["seq"], status="pending", attempts=attempts, next_attempt_at=time.time() + delay, error=error
                )
        finally:
            with self._lock:
                self._inflight.discard(delivery["seq"])
            self._wake.set()

    def _send(self, delivery: dict[str, Any]) -> Optional[str]:
        """One POST; None on a 2xx, else what went wrong."""
        try:
            check_url_resolved(delivery["url"], self.settings.allow_private_webhooks)
        except UnsafeUrl as error:
            return f"refused: {error}"
        body: bytes = delivery["body"]
        headers = dict(delivery["headers"] or {})
        headers["Content-Type"] = "application/json"
        headers["User-Agent"] = "extraction-review-studio-webhooks/1"
        if delivery.get("secret"):
            headers[SIGNATURE_HEADER] = sign(delivery["secret"], body)
        try:
            response = self._client.post(delivery["url"], content=body, headers=headers)
        except httpx.HTTPError as error:
            return f"{type(error).__name__}: {error}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"
