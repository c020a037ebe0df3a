"""The server's state: SQLite for metadata and jobs, plain files on disk for uploaded bytes.

Why this shape:
- SQLite in WAL mode with one connection per thread: the API's request threads, the worker
  supervisors and the webhook thread read concurrently and write one at a time, and a killed
  process never leaves the database inconsistent (``PRAGMA integrity_check`` stays ``ok``).
- Every status change is a conditional ``UPDATE ... WHERE status IN (...)``, so a cancel racing a
  finishing worker has exactly one winner and a job never moves out of a terminal state.
- Uploaded bytes are written to a temporary file and ``os.replace``-d into place before the row
  that names them is committed, so a crash leaves either nothing or a whole file; leftovers from
  a crash are swept at start. Names given by uploaders never become paths: a stored file is named
  by its random ID only.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from lib.api.ids import CONFIGURATION_PREFIX, FILE_PREFIX, PROJECT_PREFIX, new_id
from lib.server.errors import BadRequest, Conflict, NotFound, QueueFull

ACTIVE = ("PENDING", "RUNNING")
TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")
MAX_RUN_ATTEMPTS = 2
MAX_IDS_FILTER = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    file_type TEXT,
    file_size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    purpose TEXT,
    external_file_id TEXT,
    created_at TEXT NOT NULL,
    last_modified_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS configurations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    product_type TEXT NOT NULL,
    parameters TEXT NOT NULL,
    version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    file_input TEXT NOT NULL,
    file_id TEXT NOT NULL,
    parse_job_id TEXT,
    configuration TEXT,
    configuration_id TEXT,
    options TEXT,
    webhooks TEXT,
    error_message TEXT,
    extract_result TEXT,
    extract_metadata TEXT,
    usage TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_kind_seq ON jobs(kind, seq);
CREATE INDEX IF NOT EXISTS jobs_status_seq ON jobs(status, seq);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    secret TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(status, next_attempt_at);
"""

_JSON_COLUMNS = ("configuration", "options", "webhooks", "extract_result", "extract_metadata", "usage", "parameters", "headers")


def now_iso() -> str:
    """UTC time as ISO 8601 with microseconds: sortable as text, so date filters are string compares."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def to_iso(value: datetime) -> str:
    """A caller's datetime as the stored form; a naive one is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    except OverflowError:
        raise BadRequest(f"{value.isoformat()} is out of the range of dates this server can compare.") from None


def _dumps(value: Any) -> Optional[str]:
    return None if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _row(row: Optional[sqlite3.Row], as_text: tuple[str, ...] = ()) -> Optional[dict[str, Any]]:
    """A database row as a dict with its JSON columns decoded, except those in ``as_text``, kept as
    the stored JSON text (a large result is served by splicing its text, not decoded and re-encoded)."""
    if row is None:
        return None
    out = dict(row)
    for column in _JSON_COLUMNS:
        if column in out and column not in as_text and isinstance(out[column], str):
            out[column] = json.loads(out[column])
    return out


# --- cursor paging ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    """A keyset ordering: columns compared as a tuple, all in one direction."""

    name: str
    columns: tuple[str, ...]
    descending: bool

    def clause(self) -> str:
        direction = "DESC" if self.descending else "ASC"
        return ", ".join(f"{column} {direction}" for column in self.columns)

    def after(self) -> str:
        columns = ", ".join(self.columns)
        marks = ", ".join("?" for _ in self.columns)
        return f"({columns}) {'<' if self.descending else '>'} ({marks})"


NEWEST_FIRST = Order("created_at", ("seq",), True)
BY_NAME = Order("name", ("name", "seq"), False)
BY_ID = Order("id", ("id",), False)


def encode_token(order: Order, key: Sequence[Any]) -> str:
    raw = json.dumps({"o": order.name, "k": list(key)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _key_part_ok(part: Any) -> bool:
    if isinstance(part, bool):
        return False
    if isinstance(part, int):
        return -(2**63) <= part < 2**63
    return isinstance(part, str)


def decode_token(order: Order, token: str) -> list[Any]:
    """The key a token continues after; a token this server did not issue for this listing is a 400."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = data["k"]
        if data["o"] != order.name or not isinstance(key, list) or len(key) != len(order.columns):
            raise ValueError("wrong listing")
        if not all(_key_part_ok(part) for part in key):
            raise ValueError("bad key")
        return key
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(
            "page_token is not a token this server issued for this listing; "
            "pass the next_page_token of the previous page unchanged, or omit it to start over."
        ) from None


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_page_token: Optional[str]
    total_size: int


class Filters:
    """WHERE clauses and their parameters, built up one optional filter at a time."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def add_in(self, column: str, values: Optional[Iterable[str]]) -> None:
        values = [value for value in (values or []) if value]
        if len(values) > MAX_IDS_FILTER:
            raise BadRequest(f"At most {MAX_IDS_FILTER} IDs can be listed in one filter; split the request.")
        if values:
            self.add(f"{column} IN ({', '.join('?' for _ in values)})", *values)

    def sql(self, extra: Sequence[str] = ()) -> str:
        clauses = [*self.clauses, *extra]
        return (" WHERE " + " AND ".join(clauses)) if clauses else ""


# --- the store -------------------------------------------------------------------------------


class Store:
    """All reads and writes of the server's state. Thread-safe: one connection per thread."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.files_dir = self.data_dir / "files"
        self.parses_dir = self.data_dir / "parses"
        self.tmp_dir = self.data_dir / "tmp"
        for folder in (self.data_dir, self.files_dir, self.parses_dir, self.tmp_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.db_path = self.data_dir / "server.db"
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.db.executescript(_SCHEMA)
        self.project_id = self._meta("project_id", lambda: new_id(PROJECT_PREFIX))
        self.signing_key = bytes.fromhex(self._meta("signing_key", lambda: os.urandom(32).hex()))
        self._sweep_leftovers()

    # connections ---------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.db_path, isolation_level=None, timeout=30, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _write(self) -> "_Transaction":
        return _Transaction(self.db)

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()
        self._local = threading.local()

    def integrity_check(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    def _meta(self, key: str, make: Any) -> str:
        with self._write() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row:
                return row[0]
            value = make()
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
            return value

    def _sweep_leftovers(self) -> None:
        """Remove what a crash can leave: temporary uploads, and stored bytes no row names."""
        for leftover in self.tmp_dir.iterdir():
            leftover.unlink(missing_ok=True)
        known = {row[0] for row in self.db.execute("SELECT id FROM files")}
        for stored in self.files_dir.iterdir():
            if stored.name not in known:
                stored.unlink(missing_ok=True)
        known_parses = {row[0] for row in self.db.execute("SELECT id FROM jobs WHERE kind = 'parse'")}
        for stored in self.parses_dir.iterdir():
            if stored.stem not in known_parses or stored.suffix != ".json":
                stored.unlink(missing_ok=True)

    # paging ---------------------------------------------------------------------------------

    def _page(
        self, table: str, filters: Filters, order: Order, page_size: int, page_token: Optional[str],
        as_text: tuple[str, ...] = (),
    ) -> Page:
        total = self.db.execute(f"SELECT COUNT(*) FROM {table}{filters.sql()}", filters.params).fetchone()[0]
        extra: list[str] = []
        params = list(filters.params)
        if page_token:
            extra.append(order.after())
            params.extend(decode_token(order, page_token))
        sql = f"SELECT * FROM {table}{filters.sql(extra)} ORDER BY {order.clause()} LIMIT ?"
        rows = [_row(r, as_text) for r in self.db.execute(sql, [*params, page_size + 1])]
        token = None
        if len(rows) > page_size:
            rows = rows[:page_size]
            token = encode_token(order, [rows[-1][column] for column in order.columns])
        return Page(items=rows, next_page_token=token, total_size=total)  # type: ignore[arg-type]

    # files ----------------------------------------------------------------------------------

    def new_temp_path(self) -> Path:
        """Where an upload is streamed before it is complete; swept at start if a crash leaves it."""
        return self.tmp_dir / f"upload-{os.urandom(12).hex()}"

    def file_path(self, file_id: str) -> Path:
        return self.files_dir / file_id

    def add_file(
        self,
        temp_path: Path,
        *,
        name: str,
        file_type: Optional[str],
        size: int,
        sha256: str,
        purpose: Optional[str],
        external_file_id: Optional[str],
    ) -> dict[str, Any]:
        """Move a complete upload into place, then record it (in that order, so a row always has bytes)."""
        file_id = new_id(FILE_PREFIX)
        final = self.file_path(file_id)
        os.replace(temp_path, final)
        stamp = now_iso()
        try:
            with self._write() as db:
                db.execute(
                    "INSERT INTO files (id, name, file_type, file_size, sha256, purpose, external_file_id, created_at,"
                    " last_modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (file_id, name, file_type, size, sha256, purpose, external_file_id, stamp, stamp),
                )
        except BaseException:
            final.unlink(missing_ok=True)
            raise
        return self.get_file(file_id)

    def get_file(self, file_id: str) -> dict[str, Any]:
        row = _row(self.db.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone())
        if row is None:
            raise NotFound("file", file_id)
        return row

    def list_files(
        self,
        *,
        external_file_id: Optional[str],
        file_ids: Optional[list[str]],
        file_name: Optional[str],
        order: Order,
        page_size: int,
        page_token: Optional[str],
    ) -> Page:
        filters = Filters()
        if external_file_id:
            filters.add("external_file_id = ?", external_file_id)
        if file_name:
            filters.add("name = ?", file_name)
        filters.add_in("id", file_ids)
        return self._page("files", filters, order, page_size, page_token)

    def delete_file(self, file_id: str) -> None:
        """Refused while a queued or running job still needs the bytes."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM files WHERE id = ?", (file_id,)).fetchone() is None:
                raise NotFound("file", file_id)
            busy = db.execute(
                "SELECT id FROM jobs WHERE file_id = ? AND status IN ('PENDING', 'RUNNING') LIMIT 1", (file_id,)
            ).fetchone()
            if busy:
                raise Conflict(f"File {file_id} is in use by job {busy[0]}, which has not finished; cancel it first.")
            db.execute("DELETE FROM files WHERE id = ?", (file_id,))
        self.file_path(file_id).unlink(missing_ok=True)

    # configurations --------------------------------------------------------------------------

    def upsert_configuration(self, name: str, product_type: str, parameters: dict) -> dict:
        """Create, or update the one with the same name and product type (the SDK documents an upsert)."""
        stamp = now_iso()
        with self._write() as db:
            existing = db.execute(
                "SELECT id FROM configurations WHERE name = ? AND product_type = ?", (name, product_type)
            ).fetchone()
            if existing:
                db.execute(
                    "UPDATE configurations SET parameters = ?, version = ?, updated_at = ? WHERE id = ?",
                    (_dumps(parameters), stamp, stamp, existing[0]),
                )
                config_id = existing[0]
            else:
                config_id = new_id(CONFIGURATION_PREFIX)
                db.execute(
                    "INSERT INTO configurations (id, name, product_type, parameters, version, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (config_id, name, product_type, _dumps(parameters), stamp, stamp, stamp),
                )
        return self.get_configuration(config_id)

    def get_configuration(self, config_id: str) -> dict[str, Any]:
        row = _row(self.db.execute("SELECT * FROM configurations WHERE id = ?", (config_id,)).fetchone())
        if row is None:
            raise NotFound("configuration", config_id)
        return row

    def update_configuration(self, config_id: str, name: Optional[str], parameters: Optional[dict]) -> dict:
        stamp = now_iso()
        with self._write() as db:
            current = db.execute("SELECT name, product_type FROM configurations WHERE id = ?", (config_id,)).fetchone()
            if current is None:
                raise NotFound("configuration", config_id)
            if name is not None and name != current[0]:
                clash = db.execute(
                    "SELECT id FROM configurations WHERE name = ? AND product_type = ? AND id != ?",
                    (name, current[1], config_id),
                ).fetchone()
                if clash:
                    raise Conflict(f"Another configuration ({clash[0]}) is already named {name!r}; choose another name.")
                db.execute("UPDATE configurations SET name = ? WHERE id = ?", (name, config_id))
            if parameters is not None:
                db.execute("UPDATE configurations SET parameters = ? WHERE id = ?", (_dumps(parameters), config_id))
            db.execute("UPDATE configurations SET version = ?, updated_at = ? WHERE id = ?", (stamp, stamp, config_id))
        return self.get_configuration(config_id)

    def list_configurations(
        self, *, name: Optional[str], product_types: Optional[list[str]], page_size: int, page_token: Optional[str]
    ) -> Page:
        filters = Filters()
        if name:
            filters.add("name = ?", name)
        filters.add_in("product_type", product_types)
        return self._page("configurations", filters, NEWEST_FIRST, page_size, page_token)

    def delete_configuration(self, config_id: str) -> None:
        with self._write() as db:
            if db.execute("DELETE FROM configurations WHERE id = ?", (config_id,)).rowcount == 0:
                raise NotFound("configuration", config_id)

    # jobs -----------------------------------------------------------------------------------

    def create_job(
        self,
        *,
        job_id: str,
        kind: str,
        file_input: str,
        file_id: str,
        parse_job_id: Optional[str] = None,
        configuration: Optional[dict] = None,
        configuration_id: Optional[str] = None,
        options: Optional[dict] = None,
        webhooks: Optional[list] = None,
        max_queue: int,
    ) -> dict[str, Any]:
        """Queue a job, or refuse with 429 when ``max_queue`` jobs are already waiting."""
        stamp = now_iso()
        with self._write() as db:
            waiting = db.execute("SELECT COUNT(*) FROM jobs WHERE status = 'PENDING'").fetchone()[0]
            if waiting >= max_queue:
                raise QueueFull(
                    f"The queue is full ({waiting} jobs waiting, limit {max_queue}); retry after some jobs finish."
                )
            db.execute(
                "INSERT INTO jobs (id, kind, status, file_input, file_id, parse_job_id, configuration, configuration_id,"
                " options, webhooks, created_at, updated_at) VALUES (?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    kind,
                    file_input,
                    file_id,
                    parse_job_id,
                    _dumps(configuration),
                    configuration_id,
                    _dumps(options),
                    _dumps(webhooks),
                    stamp,
                    stamp,
                ),
            )
        return self.get_job(job_id, kind)

    def get_job(self, job_id: str, kind: Optional[str] = None, *, as_text: tuple[str, ...] = ()) -> dict[str, Any]:
        row = _row(self.db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone(), as_text)
        if row is None or (kind is not None and row["kind"] != kind):
            raise NotFound(f"{kind or ''} job".strip(), job_id)
        return row

    def list_jobs(
        self,
        kind: str,
        *,
        status: Optional[str] = None,
        file_input: Optional[str] = None,
        configuration_id: Optional[str] = None,
        job_ids: Optional[list[str]] = None,
        created_after: Optional[str] = None,
        created_before: Optional[str] = None,
        input_prefix: Optional[str] = None,
        page_size: int,
        page_token: Optional[str],
        as_text: tuple[str, ...] = (),
    ) -> Page:
        filters = Filters()
        filters.add("kind = ?", kind)
        if status:
            filters.add("status = ?", status)
        if file_input:
            filters.add("file_input = ?", file_input)
        if configuration_id:
            filters.add("configuration_id = ?", configuration_id)
        if created_after:
            filters.add("created_at >= ?", created_after)
        if created_before:
            filters.add("created_at <= ?", created_before)
        if input_prefix:
            filters.add("file_input LIKE ?", input_prefix + "-%")
        filters.add_in("id", job_ids)
        return self._page("jobs", filters, NEWEST_FIRST, page_size, page_token, as_text)

    def cancel_job(self, job_id: str, kind: str) -> dict[str, Any]:
        """PENDING or RUNNING -> CANCELLED; a finished job cannot be cancelled (409)."""
        self.get_job(job_id, kind)
        with self._write() as db:
            changed = db.execute(
                "UPDATE jobs SET status = 'CANCELLED', error_message = NULL, updated_at = ?"
                " WHERE id = ? AND status IN ('PENDING', 'RUNNING')",
                (now_iso(), job_id),
            ).rowcount
        if not changed:
            status = self.get_job(job_id, kind)["status"]
            raise Conflict(f"Job {job_id} is already {status} and cannot be cancelled.")
        return self.get_job(job_id, kind)

    def delete_job(self, job_id: str, kind: str, *, force: bool) -> dict[str, Any]:
        """Delete a finished job; an unfinished one only with ``force`` (the caller stops its work)."""
        job = self.get_job(job_id, kind)
        with self._write() as db:
            if force:
                deleted = db.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount
            else:
                deleted = db.execute(
                    "DELETE FROM jobs WHERE id = ? AND status IN ('COMPLETED', 'FAILED', 'CANCELLED')", (job_id,)
                ).rowcount
        if not deleted:
            status = self.get_job(job_id, kind)["status"]
            raise Conflict(f"Job {job_id} is {status}; cancel it first, or delete with force=true.")
        if kind == "parse":
            self.parse_result_path(job_id).unlink(missing_ok=True)
        return job

    def claim_next_job(self) -> Optional[dict[str, Any]]:
        """The oldest PENDING job, now RUNNING; None when nothing waits. Atomic across threads
        (an idle poll is a plain read, so idle supervisors never take the write lock)."""
        if self.db.execute("SELECT 1 FROM jobs WHERE status = 'PENDING' LIMIT 1").fetchone() is None:
            return None
        with self._write() as db:
            row = db.execute(
                "UPDATE jobs SET status = 'RUNNING', attempts = attempts + 1, updated_at = ?"
                " WHERE seq = (SELECT seq FROM jobs WHERE status = 'PENDING' ORDER BY seq LIMIT 1)"
                " RETURNING id",
                (now_iso(),),
            ).fetchone()
        return self.get_job(row[0]) if row else None

    def finish_job(self, job_id: str, status: str, **fields: Any) -> Optional[dict[str, Any]]:
        """RUNNING -> a terminal status with its results; None when the job was cancelled or deleted meanwhile."""
        assert status in TERMINAL
        columns = ["status = ?", "updated_at = ?"]
        values: list[Any] = [status, now_iso()]
        for column in ("error_message", "extract_result", "extract_metadata", "usage"):
            if column in fields:
                columns.append(f"{column} = ?")
                value = fields[column]
                values.append(value if column == "error_message" else _dumps(value))
        with self._write() as db:
            changed = db.execute(
                f"UPDATE jobs SET {', '.join(columns)} WHERE id = ? AND status = 'RUNNING'", (*values, job_id)
            ).rowcount
        return self.get_job(job_id) if changed else None

    def requeue(self, job_id: str) -> None:
        """RUNNING -> PENDING for a job whose worker the server stopped on purpose (a graceful
        shutdown): the attempt does not count against it."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status = 'PENDING', attempts = MAX(attempts - 1, 0), updated_at = ?"
                " WHERE id = ? AND status = 'RUNNING'",
                (now_iso(), job_id),
            )

    def recover_interrupted(self) -> tuple[list[str], list[dict[str, Any]]]:
        """At start: RUNNING jobs were interrupted by a stop. Run them again, unless they were already
        interrupted before (then they are FAILED, with a message saying so). Returns (requeued, failed)."""
        stamp = now_iso()
        message = (
            "The server stopped while this job was running, twice; it was not retried again. "
            "Submit it again, and check the server's memory and time limits if it keeps happening."
        )
        with self._write() as db:
            failed_ids = [
                row[0]
                for row in db.execute(
                    "UPDATE jobs SET status = 'FAILED', error_message = ?, updated_at = ?"
                    " WHERE status = 'RUNNING' AND attempts >= ? RETURNING id",
                    (message, stamp, MAX_RUN_ATTEMPTS),
                )
            ]
            requeued = [
                row[0]
                for row in db.execute(
                    "UPDATE jobs SET status = 'PENDING', updated_at = ? WHERE status = 'RUNNING' RETURNING id", (stamp,)
                )
            ]
        return requeued, [self.get_job(job_id) for job_id in failed_ids]

    def count_jobs(self, status: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM jobs WHERE status = ?", (status,)).fetchone()[0]

    # parse results ----------------------------------------------------------------------------

    def parse_result_path(self, job_id: str) -> Path:
        return self.parses_dir / f"{job_id}.json"

    def write_parse_result(self, job_id: str, result: dict[str, Any]) -> None:
        """Atomically: a reader sees the whole parse or none of it."""
        write_atomic(self.parse_result_path(job_id), json.dumps(result, ensure_ascii=False).encode(), self.tmp_dir)

    def read_parse_result(self, job_id: str) -> Optional[dict[str, Any]]:
        path = self.parse_result_path(job_id)
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    # webhook deliveries -----------------------------------------------------------------------

    def add_deliveries(self, deliveries: list[dict[str, Any]]) -> None:
        stamp = now_iso()
        with self._write() as db:
            for d in deliveries:
                db.execute(
                    "INSERT INTO deliveries (event_id, job_id, event_type, url, headers, body, secret, status,"
                    " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                    (d["event_id"], d["job_id"], d["event_type"], d["url"], _dumps(d["headers"]), d["body"],
                     d.get("secret"), time.time(), stamp),
                )

    def due_deliveries(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            (time.time(), limit),
        )
        return [_row(r) for r in rows]  # type: ignore[misc]

    def next_delivery_at(self) -> Optional[float]:
        row = self.db.execute("SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'").fetchone()
        return row[0]

    def record_delivery(self, seq: int, *, status: str, attempts: int, next_attempt_at: float, error: Optional[str]) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?",
                (status, attempts, next_attempt_at, error, seq),
            )

    def deliveries_for(self, job_id: str) -> list[dict[str, Any]]:
        return [_row(r) for r in self.db.execute("SELECT * FROM deliveries WHERE job_id = ? ORDER BY seq", (job_id,))]  # type: ignore[misc]


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (or ``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def write_atomic(path: Path, data: bytes, tmp_dir: Path) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, never half of one."""
    temp = tmp_dir / f"write-{os.urandom(8).hex()}"
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
