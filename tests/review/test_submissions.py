"""The app's record of submitted jobs: survives new store objects, is shared between threads, keyed per backend."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from lib.review.submissions import SubmissionStore

BACKEND = "embedded:http://127.0.0.1:9"
REQUEST = {"configuration": {"data_schema": {"type": "object", "properties": {}}, "tier": "agentic"}}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "studio.db"


def test_a_record_is_seen_by_another_store_on_the_same_file(db: Path) -> None:
    SubmissionStore(db).record(BACKEND, "ext-1", "dfl-1", "invoice.pdf", "Invoice (2 fields) · per_doc", REQUEST, file_size=1234, page_count=2)
    [record] = SubmissionStore(db).list(BACKEND)
    assert (record.job_id, record.file_id, record.file_name, record.file_size, record.page_count) == ("ext-1", "dfl-1", "invoice.pdf", 1234, 2)
    assert record.request == REQUEST and record.configuration_summary == "Invoice (2 fields) · per_doc"
    assert record.submitted_at.tzinfo is not None


def test_list_is_newest_first_batches_in_order_and_per_backend(db: Path) -> None:
    store = SubmissionStore(db)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for n in range(3):
        store.record(BACKEND, f"ext-{n}", "dfl-1", f"f{n}.pdf", "s", REQUEST, submitted_at=start + timedelta(minutes=n))
    later = start + timedelta(hours=1)
    store.record(BACKEND, "ext-b1", "dfl-1", "b1.pdf", "s", REQUEST, submitted_at=later)
    store.record(BACKEND, "ext-b2", "dfl-1", "b2.pdf", "s", REQUEST, submitted_at=later)
    store.record("hosted:https://api.example", "ext-9", "dfl-9", "other.pdf", "s", REQUEST)
    assert [r.job_id for r in store.list(BACKEND)] == ["ext-b1", "ext-b2", "ext-2", "ext-1", "ext-0"]
    assert [r.job_id for r in store.list(BACKEND, limit=3)] == ["ext-b1", "ext-b2", "ext-2"]
    assert [r.job_id for r in store.list("hosted:https://api.example")] == ["ext-9"]


def test_recording_twice_keeps_the_first_and_retries_point_back(db: Path) -> None:
    store = SubmissionStore(db)
    store.record(BACKEND, "ext-1", "dfl-1", "first.pdf", "s", REQUEST)
    again = store.record(BACKEND, "ext-1", "dfl-1", "second.pdf", "s", REQUEST)
    assert again.file_name == "first.pdf"
    retry = store.record(BACKEND, "ext-2", "dfl-1", "first.pdf", "s", REQUEST, retry_of="ext-1")
    assert store.get(BACKEND, "ext-2").retry_of == "ext-1" == retry.retry_of


def test_forget(db: Path) -> None:
    store = SubmissionStore(db)
    store.record(BACKEND, "ext-1", "dfl-1", "a.pdf", "s", REQUEST)
    assert store.forget(BACKEND, "ext-1") and store.get(BACKEND, "ext-1") is None
    assert not store.forget(BACKEND, "ext-1")


def test_concurrent_writers_lose_nothing(db: Path) -> None:
    store = SubmissionStore(db)

    def write(worker: int) -> None:
        own = SubmissionStore(db)
        for n in range(25):
            own.record(BACKEND, f"ext-{worker}-{n}", "dfl-1", "a.pdf", "s", REQUEST)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.list(BACKEND, limit=1000)) == 100


def test_uses_wal_and_its_own_table_names(db: Path) -> None:
    SubmissionStore(db)
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables and all(name.startswith("submission_") for name in tables)


def test_from_settings_uses_the_configured_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_DB", str(tmp_path / "elsewhere.db"))
    assert SubmissionStore.from_settings().db_path == tmp_path / "elsewhere.db"
    assert (tmp_path / "elsewhere.db").exists()
