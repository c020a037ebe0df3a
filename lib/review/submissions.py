"""The app's own record of the jobs it submitted, so they outlive the browser tab.

The backend knows every job but not what the analyst sent it as: the original file name, the
configuration in words, and the request needed to run it again. This store keeps exactly that,
keyed by backend and job ID, in the app's SQLite database (``lib.settings`` ``db_path``, shared
with the review store, which uses its own tables). A reload, another tab or another analyst on
the same app reads the same rows.

Connections are opened per call (SQLite connections must not cross threads, and Streamlit runs
each session in its own thread), in WAL mode so readers never wait for a writer.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submission_jobs (
    backend TEXT NOT NULL,
    job_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_size INTEGER,
    page_count INTEGER,
    configuration_summary TEXT NOT NULL,
    request_json TEXT NOT NULL,
    retry_of TEXT,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (backend, job_id)
);
CREATE INDEX IF NOT EXISTS submission_jobs_by_time ON submission_jobs (backend, submitted_at DESC);
"""


@dataclass(frozen=True)
class Submission:
    """One job the app created: what was sent, under which name, with what.

    ``request`` holds ``configuration`` (the inline configuration as JSON) or
    ``configuration_id``: what a retry sends again. Webhooks are deliberately not stored:
    their headers and signing secrets are credentials and must not be written to disk.
    """

    backend: str
    job_id: str
    file_id: str
    file_name: str
    configuration_summary: str
    request: dict[str, Any]
    submitted_at: datetime
    file_size: Optional[int] = None
    page_count: Optional[int] = None
    retry_of: Optional[str] = None


class SubmissionStore:
    """Submissions in one SQLite file; safe to use from several threads and processes at once."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executescript(_SCHEMA)

    @classmethod
    def from_settings(cls) -> "SubmissionStore":
        """The store at the app's configured database path."""
        from lib.settings import load_settings

        return cls(load_settings().db_path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection in WAL mode, committed on success and always closed."""
        with closing(sqlite3.connect(self.db_path, timeout=10.0)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.row_factory = sqlite3.Row
            with connection:
                yield connection

    def record(
        self,
        backend: str,
        job_id: str,
        file_id: str,
        file_name: str,
        configuration_summary: str,
        request: dict[str, Any],
        *,
        file_size: Optional[int] = None,
        page_count: Optional[int] = None,
        retry_of: Optional[str] = None,
        submitted_at: Optional[datetime] = None,
    ) -> Submission:
        """Remember a job just created. Recording the same job twice keeps the first record."""
        submission = Submission(
            backend=backend,
            job_id=job_id,
            file_id=file_id,
            file_name=file_name,
            configuration_summary=configuration_summary,
            request=request,
            submitted_at=submitted_at or datetime.now(timezone.utc),
            file_size=file_size,
            page_count=page_count,
            retry_of=retry_of,
        )
        with self._connect() as connection:
            connection.execute(
                "INSERT OR IGNORE INTO submission_jobs (backend, job_id, file_id, file_name, file_size,"
                " page_count, configuration_summary, request_json, retry_of, submitted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    backend,
                    job_id,
                    file_id,
                    file_name,
                    file_size,
                    page_count,
                    configuration_summary,
                    json.dumps(request, sort_keys=True),
                    retry_of,
                    submission.submitted_at.isoformat(),
                ),
            )
        return self.get(backend, job_id) or submission

    def get(self, backend: str, job_id: str) -> Optional[Submission]:
        """The record of one job, or None when this app did not submit it."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT * FROM submission_jobs WHERE backend = ? AND job_id = ?", (backend, job_id)
            ).fetchone()
        return _submission(row) if row else None

    def list(self, backend: str, limit: int = 200) -> list[Submission]:
        """The latest submissions to one backend, newest first; the files of one batch (recorded with
        the same ``submitted_at``) in the order they were given."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT * FROM submission_jobs WHERE backend = ?"
                " ORDER BY submitted_at DESC, rowid ASC LIMIT ?",
                (backend, limit),
            ).fetchall()
        return [_submission(row) for row in rows]

    def forget(self, backend: str, job_id: str) -> bool:
        """Drop the record of a job (after it was deleted on the backend). True if there was one."""
        with self._connect() as connection:
            cursor = connection.execute(
                "DELETE FROM submission_jobs WHERE backend = ? AND job_id = ?", (backend, job_id)
            )
        return cursor.rowcount > 0


def _submission(row: sqlite3.Row) -> Submission:
    return Submission(
        backend=row["backend"],
        job_id=row["job_id"],
        file_id=row["file_id"],
        file_name=row["file_name"],
        configuration_summary=row["configuration_summary"],
        request=json.loads(row["request_json"]),
        submitted_at=datetime.fromisoformat(row["submitted_at"]),
        file_size=row["file_size"],
        page_count=row["page_count"],
        retry_of=row["retry_of"],
    )
