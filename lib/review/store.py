"""The review store: every reviewer action on a job's values, as an append-only audit trail in SQLite.

Why a trail rather than a table of current values: an auditor must be able to see who changed what
the machine extracted, when, and from what to what; the current state is simply the newest event of
each reviewed item. Why optimistic versions: two analysts may review the same job at once; each save
carries the version (the id of the newest event) its reviewer saw for that item, and a save against a
stale version is refused with :class:`ReviewConflict` carrying the newer event, so nobody overwrites
anybody silently.

Reviews are keyed by backend (its base URL) and job ID, so one store serves the embedded server, a
shared server and the hosted service. The file is the app's own database (``STUDIO_DB``); another
module keeps its ``submission_`` tables in it, so every table here starts with ``review_``.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Optional

from lib.review.validation import InvalidReviewValue, coerce_value, field_schema_at

Action = Literal["confirm", "correct", "clear", "approve", "reject"]
VALUE_ACTIONS: frozenset[str] = frozenset({"confirm", "correct", "clear"})
DECISION_ACTIONS: frozenset[str] = frozenset({"approve", "reject"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    backend TEXT NOT NULL,
    job_id TEXT NOT NULL,
    row_index INTEGER NOT NULL,
    path TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('confirm', 'correct', 'clear', 'approve', 'reject')),
    extracted_value TEXT,
    reviewed_value TEXT,
    reason TEXT,
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    base_version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS review_events_item ON review_events (backend, job_id, row_index, path, id);
CREATE TRIGGER IF NOT EXISTS review_events_no_update BEFORE UPDATE ON review_events
BEGIN SELECT RAISE(ABORT, 'review_events is an append-only audit trail'); END;
CREATE TRIGGER IF NOT EXISTS review_events_no_delete BEFORE DELETE ON review_events
BEGIN SELECT RAISE(ABORT, 'review_events is an append-only audit trail'); END;
"""

_DOCUMENT_ROW = -1


@dataclass(frozen=True, order=True)
class Item:
    """What a review action is about. ``row`` is the result row (0 for per_doc, the page's or table
    row's position for per_page / per_table_row; ``None`` for the whole document); ``path`` is the
    flattened field path (``items[2].amount``), or ``""`` for a decision on the whole row/document."""

    row: Optional[int]
    path: str = ""

    @property
    def is_value(self) -> bool:
        return self.path != ""

    def label(self) -> str:
        where = "document" if self.row is None else f"row {self.row}"
        return f"{where} · {self.path}" if self.path else where


@dataclass(frozen=True)
class ReviewEvent:
    """One entry of the audit trail. ``version`` is the event's id: what the next save of the same
    item must carry as ``expected_version``."""

    version: int
    backend: str
    job_id: str
    item: Item
    action: str
    extracted: Any
    reviewed: Any
    reason: Optional[str]
    reviewer: str
    created_at: datetime
    base_version: int

    def as_record(self) -> dict[str, Any]:
        """A flat dict for audit tables and exports (values kept as JSON text so a sheet can hold
        lists and numbers alike)."""
        return {
            "version": self.version,
            "job_id": self.job_id,
            "row": self.item.row,
            "path": self.item.path,
            "action": self.action,
            "extracted_value": _dump(self.extracted),
            "reviewed_value": _dump(self.reviewed),
            "reason": self.reason,
            "reviewer": self.reviewer,
            "created_at": self.created_at.isoformat(),
            "base_version": self.base_version,
        }


class ReviewConflict(Exception):
    """Someone saved this item after the version the reviewer saw. ``current`` is that newer event,
    so the page can say who changed it, to what, and show it."""

    def __init__(self, item: Item, expected_version: int, current: ReviewEvent) -> None:
        self.item = item
        self.expected_version = expected_version
        self.current = current
        super().__init__(
            f"{item.label()} was changed by {current.reviewer} at {current.created_at:%H:%M:%S} UTC "
            f"({current.action}: {current.reviewed!r}) after you opened it; your change was not saved. "
            "Look at the newer value and save again if it is still wrong."
        )


class ReviewError(ValueError):
    """An action that cannot be recorded as asked (no reviewer, a reject without a reason, ...)."""


@dataclass(frozen=True)
class Edit:
    """One action to save: the unit of :meth:`ReviewStore.save_many`."""

    item: Item
    action: str
    expected_version: int
    extracted: Any = None
    reviewed: Any = None
    reason: Optional[str] = None


@dataclass
class SaveOutcome:
    """What happened to each edit of a batch: saved, refused as stale, or refused as invalid."""

    saved: list[ReviewEvent]
    conflicts: list[ReviewConflict]
    invalid: list[InvalidReviewValue | ReviewError]


class ReviewStore:
    """The audit trail in one SQLite file. Each call opens its own short connection, so a store can be
    shared by threads and by Streamlit sessions, and two stores on the same file behave like two app
    processes."""

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)
        finally:
            conn.close()

    def save(
        self,
        backend: str,
        job_id: str,
        item: Item,
        action: str,
        *,
        reviewer: str,
        expected_version: int,
        extracted: Any = None,
        reviewed: Any = None,
        reason: Optional[str] = None,
        data_schema: Optional[dict[str, Any]] = None,
    ) -> ReviewEvent:
        """Append one action and return its event.

        ``expected_version`` is the ``version`` of the newest event the reviewer saw for this item
        (0 when it had none). A correction is checked against ``data_schema`` (the job's schema; the
        value is coerced to the field's type) and refused with :class:`InvalidReviewValue`.
        """
        reviewed = _reviewed_value(item, action, extracted, reviewed, reason, reviewer, data_schema)
        with self._transaction() as conn:
            current = self._latest(conn, backend, job_id, item)
            if (current.version if current else 0) != expected_version:
                if current is None:
                    raise ReviewError(f"{item.label()} has no review with version {expected_version}.")
                raise ReviewConflict(item, expected_version, current)
            cursor = conn.execute(
                "INSERT INTO review_events (backend, job_id, row_index, path, action, extracted_value,"
                " reviewed_value, reason, reviewer, created_at, base_version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    backend,
                    job_id,
                    _row_key(item.row),
                    item.path,
                    action,
                    _dump(extracted),
                    _dump(reviewed),
                    reason.strip() if reason else None,
                    reviewer.strip(),
                    datetime.now(timezone.utc).isoformat(),
                    expected_version,
                ),
            )
            return self._event(conn.execute(_SELECT + " WHERE id = ?", (cursor.lastrowid,)).fetchone())

    def save_many(
        self,
        backend: str,
        job_id: str,
        edits: Iterable[Edit],
        *,
        reviewer: str,
        data_schema: Optional[dict[str, Any]] = None,
    ) -> SaveOutcome:
        """Save each edit on its own: one stale or invalid edit does not lose the others."""
        outcome = SaveOutcome(saved=[], conflicts=[], invalid=[])
        for edit in edits:
            try:
                outcome.saved.append(
                    self.save(
                        backend,
                        job_id,
                        edit.item,
                        edit.action,
                        reviewer=reviewer,
                        expected_version=edit.expected_version,
                        extracted=edit.extracted,
                        reviewed=edit.reviewed,
                        reason=edit.reason,
                        data_schema=data_schema,
                    )
                )
            except ReviewConflict as conflict:
                outcome.conflicts.append(conflict)
            except (InvalidReviewValue, ReviewError) as error:
                outcome.invalid.append(error)
        return outcome

    def history(self, backend: str, job_id: str, item: Optional[Item] = None) -> list[ReviewEvent]:
        """The audit trail of a job (or of one item), oldest first."""
        query, params = _SELECT + " WHERE backend = ? AND job_id = ?", [backend, job_id]
        if item is not None:
            query += " AND row_index = ? AND path = ?"
            params += [_row_key(item.row), item.path]
        with closing(self._connect()) as conn:
            return [self._event(row) for row in conn.execute(query + " ORDER BY id", params)]

    def current(self, backend: str, job_id: str) -> dict[Item, ReviewEvent]:
        """The state of a job's review: the newest event of every item ever reviewed."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                _SELECT + " WHERE id IN (SELECT MAX(id) FROM review_events WHERE backend = ? AND job_id = ?"
                " GROUP BY row_index, path) ORDER BY id",
                (backend, job_id),
            ).fetchall()
        return {event.item: event for event in map(self._event, rows)}

    def reviewed_counts(self, backend: str, job_ids: Iterable[str]) -> dict[str, int]:
        """How many distinct values of each job have a review (for the Jobs list, without fetching
        every job's result)."""
        ids = list(job_ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with closing(self._connect()) as conn:
            rows = conn.execute(
                f"SELECT job_id, COUNT(DISTINCT row_index || ':' || path) FROM review_events"
                f" WHERE backend = ? AND path != '' AND job_id IN ({marks}) GROUP BY job_id",
                [backend, *ids],
            ).fetchall()
        return {job_id: count for job_id, count in rows}

    def _latest(self, conn: sqlite3.Connection, backend: str, job_id: str, item: Item) -> Optional[ReviewEvent]:
        row = conn.execute(
            _SELECT + " WHERE backend = ? AND job_id = ? AND row_index = ? AND path = ? ORDER BY id DESC LIMIT 1",
            (backend, job_id, _row_key(item.row), item.path),
        ).fetchone()
        return self._event(row) if row else None

    @staticmethod
    def _event(row: tuple[Any, ...]) -> ReviewEvent:
        version, backend, job_id, row_index, path, action, extracted, reviewed, reason, reviewer, at, base = row
        return ReviewEvent(
            version=version,
            backend=backend,
            job_id=job_id,
            item=Item(None if row_index == _DOCUMENT_ROW else row_index, path),
            action=action,
            extracted=_load(extracted),
            reviewed=_load(reviewed),
            reason=reason,
            reviewer=reviewer,
            created_at=datetime.fromisoformat(at),
            base_version=base,
        )

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock at once (``BEGIN IMMEDIATE``), so the
        version check and the insert cannot interleave with another reviewer's save."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()


_SELECT = (
    "SELECT id, backend, job_id, row_index, path, action, extracted_value, reviewed_value, reason,"
    " reviewer, created_at, base_version FROM review_events"
)


def _reviewed_value(
    item: Item,
    action: str,
    extracted: Any,
    reviewed: Any,
    reason: Optional[str],
    reviewer: str,
    data_schema: Optional[dict[str, Any]],
) -> Any:
    """The value an action leaves the item with, after checking the action makes sense."""
    if not reviewer or not reviewer.strip():
        raise ReviewError("Enter your name as reviewer before saving a review.")
    if action in VALUE_ACTIONS and not item.is_value:
        raise ReviewError(f"'{action}' applies to one value; name the field path.")
    if action in DECISION_ACTIONS and item.is_value:
        raise ReviewError(f"'{action}' applies to a whole row or document, not to the value {item.path}.")
    if action == "reject" and not (reason and reason.strip()):
        raise ReviewError("Say why you reject it: a reason is required.")
    if action not in VALUE_ACTIONS | DECISION_ACTIONS:
        raise ReviewError(f"Unknown review action {action!r}.")
    if action == "correct":
        return coerce_value(reviewed, field_schema_at(data_schema, item.path) if data_schema else None, item.path)
    if action == "confirm":
        return extracted
    return None


def _row_key(row: Optional[int]) -> int:
    return _DOCUMENT_ROW if row is None else int(row)


def _dump(value: Any) -> Optional[str]:
    return None if value is None else json.dumps(value, default=_jsonable, ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    """numpy / pandas scalars (they come out of the flattened frames) as plain Python values."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _load(text: Optional[str]) -> Any:
    return None if text is None else json.loads(text)
