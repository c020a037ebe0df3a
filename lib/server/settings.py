"""The server's settings: one dataclass, filled from environment variables and CLI flags.

Every setting has an ``EXTRACT_SERVER_*`` variable; the command line (``python -m lib.server``)
overrides the environment for the few flags it has. Values are checked here, once, so a typo
stops the server at start with a message instead of surfacing as an odd failure later.

=============================  ==============  ==========================================================
variable (flag)                default         meaning
=============================  ==============  ==========================================================
HOST (--host)                  127.0.0.1       listen address; anything but loopback needs an API key
PORT (--port)                  8787            0 picks a free port (printed on the first line of output)
DATA_DIR (--data-dir)          ./data          files, parses and ``server.db`` (git-ignored)
WORKERS (--workers)            number of cores worker processes running jobs
API_KEY (--api-key)            none            require ``Authorization: Bearer <key>``
MAX_FILE_MB                    50              larger uploads are refused with 413
MAX_QUEUE                      200             PENDING jobs beyond this are refused with 429
JOB_TIMEOUT_S                  600             a job running longer is stopped and FAILED
WORKER_MEMORY_MB               4096            a worker whose resident memory passes this is killed, its job FAILED
ALLOW_PRIVATE_WEBHOOKS         false           allow webhooks to private/loopback addresses (never to metadata)
PUBLIC_URL                     request's host  base of the signed content URLs (set it behind a proxy)
PUBLIC_DOCS                    false           serve /docs and /openapi.json without the API key
WEBHOOK_TIMEOUT_S              10              per delivery attempt
WEBHOOK_BACKOFF_S              2               wait before retry n is BACKOFF * 2**(n-1); 3 attempts in all
CONTENT_URL_TTL_S              3600            default lifetime of a signed content URL
=============================  ==============  ==========================================================
"""

from __future__ import annotations

import argparse
import ipaddress
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Optional, Sequence

ENV_PREFIX = "EXTRACT_SERVER_"


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message names the variable."""


@dataclass(frozen=True)
class ServerSettings:
    """Everything the server reads from its environment, resolved once."""

    host: str = "127.0.0.1"
    port: int = 8787
    data_dir: Path = Path("data")
    workers: int = max(1, os.cpu_count() or 1)
    api_key: Optional[str] = None
    max_file_mb: float = 50.0
    max_queue: int = 200
    job_timeout_s: float = 600.0
    worker_memory_mb: int = 4096
    allow_private_webhooks: bool = False
    public_url: Optional[str] = None
    public_docs: bool = False
    webhook_timeout_s: float = 10.0
    webhook_backoff_s: float = 2.0
    content_url_ttl_s: int = 3600

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "server.db"


_INT_FIELDS = {"port", "workers", "max_queue", "worker_memory_mb", "content_url_ttl_s"}
_FLOAT_FIELDS = {"max_file_mb", "job_timeout_s", "webhook_timeout_s", "webhook_backoff_s"}
_BOOL_FIELDS = {"allow_private_webhooks", "public_docs"}
_STR_FIELDS = {"host", "api_key", "public_url"}
_ENV_NAMES = {
    "host": "HOST",
    "port": "PORT",
    "data_dir": "DATA_DIR",
    "workers": "WORKERS",
    "api_key": "API_KEY",
    "max_file_mb": "MAX_FILE_MB",
    "max_queue": "MAX_QUEUE",
    "job_timeout_s": "JOB_TIMEOUT_S",
    "worker_memory_mb": "WORKER_MEMORY_MB",
    "allow_private_webhooks": "ALLOW_PRIVATE_WEBHOOKS",
    "public_url": "PUBLIC_URL",
    "public_docs": "PUBLIC_DOCS",
    "webhook_timeout_s": "WEBHOOK_TIMEOUT_S",
    "webhook_backoff_s": "WEBHOOK_BACKOFF_S",
    "content_url_ttl_s": "CONTENT_URL_TTL_S",
}


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _convert(field: str, name: str, raw: str) -> object:
    """Turn one raw string into the field's type, or say which variable is wrong."""
    try:
        if field in _INT_FIELDS:
            return int(raw)
        if field in _FLOAT_FIELDS:
            return float(raw)
    except ValueError:
        kind = "a whole number" if field in _INT_FIELDS else "a number"
        raise SettingsError(f"{name} must be {kind}, not {raw!r}") from None
    if field in _BOOL_FIELDS:
        return _parse_bool(name, raw)
    if field == "data_dir":
        return Path(raw).expanduser()
    return raw.strip() or None


def settings_from_env(environ: Mapping[str, str] | None = None) -> ServerSettings:
    """Read every ``EXTRACT_SERVER_*`` variable that is set; the rest keep their defaults."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field, suffix in _ENV_NAMES.items():
        name = ENV_PREFIX + suffix
        raw = env.get(name)
        if raw is None or (raw == "" and field not in _STR_FIELDS):
            continue
        converted = _convert(field, name, raw)
        if converted is not None or field in _STR_FIELDS:
            values[field] = converted
    if values.get("host") is None:
        values.pop("host", None)
    return check(ServerSettings(**values))  # type: ignore[arg-type]


def is_loopback_host(host: str) -> bool:
    """True for an address (or ``localhost``) that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check(settings: ServerSettings) -> ServerSettings:
    """Refuse values that would make the server unsafe or unusable, naming the variable."""
    if not 0 <= settings.port <= 65535:
        raise SettingsError(f"{ENV_PREFIX}PORT must be between 0 and 65535, not {settings.port}")
    if settings.workers < 1:
        raise SettingsError(f"{ENV_PREFIX}WORKERS must be at least 1, not {settings.workers}")
    if settings.max_file_mb <= 0:
        raise SettingsError(f"{ENV_PREFIX}MAX_FILE_MB must be positive, not {settings.max_file_mb}")
    if settings.max_queue < 1:
        raise SettingsError(f"{ENV_PREFIX}MAX_QUEUE must be at least 1, not {settings.max_queue}")
    if settings.job_timeout_s <= 0:
        raise SettingsError(f"{ENV_PREFIX}JOB_TIMEOUT_S must be positive, not {settings.job_timeout_s}")
    if settings.worker_memory_mb < 64:
        raise SettingsError(f"{ENV_PREFIX}WORKER_MEMORY_MB must be at least 64, not {settings.worker_memory_mb}")
    if not settings.api_key and not is_loopback_host(settings.host):
        raise SettingsError(
            f"Refusing to listen on {settings.host} without an API key: set {ENV_PREFIX}API_KEY "
            "(or --api-key) or listen on 127.0.0.1."
        )
    if settings.public_url:
        return replace(settings, public_url=settings.public_url.rstrip("/"))
    return settings


def parse_args(argv: Sequence[str] | None, base: ServerSettings) -> ServerSettings:
    """Apply the command-line flags on top of the environment's settings."""
    parser = argparse.ArgumentParser(prog="python -m lib.server", description="The local Extract v2 API server.")
    parser.add_argument("--host", help=f"address to listen on (env {ENV_PREFIX}HOST, default {base.host})")
    parser.add_argument("--port", type=int, help=f"port, 0 for any free one (env {ENV_PREFIX}PORT, default {base.port})")
    parser.add_argument("--data-dir", type=Path, help=f"where files and the database live (env {ENV_PREFIX}DATA_DIR)")
    parser.add_argument("--workers", type=int, help=f"worker processes (env {ENV_PREFIX}WORKERS, default {base.workers})")
    parser.add_argument("--api-key", help=f"require 'Authorization: Bearer KEY' (env {ENV_PREFIX}API_KEY)")
    args = parser.parse_args(argv)
    overrides = {
        key: value
        for key, value in {
            "host": args.host,
            "port": args.port,
            "data_dir": args.data_dir,
            "workers": args.workers,
            "api_key": args.api_key,
        }.items()
        if value is not None
    }
    return check(replace(base, **overrides))
