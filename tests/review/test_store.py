"""The review store on a real SQLite file: audit trail, optimistic concurrency, persistence, validation."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone

import pytest

from lib.review.store import Edit, Item, ReviewConflict, ReviewError, ReviewStore
from lib.review.validation import InvalidReviewValue, coerce_value, field_schema_at

BACKEND = "embedded:http://127.0.0.1:9"
JOB = "ext-00000000-0000-4000-8000-000000000001"

SCHEMA = {
    "type": "object",
    "properties": {
        "vendor": {"type": "string"},
        "total": {"type": "number"},
        "pages": {"type": "integer"},
        "paid": {"type": "boolean"},
        "currency": {"type": "string", "enum": ["USD", "EUR"]},
        "issued": {"type": "string", "format": "date"},
        "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
        "buyer": {"anyOf": [{"$ref": "#/$defs/Party"}, {"type": "null"}]},
    },
    "$defs": {
        "Item": {"type": "object", "properties": {"amount": {"type": "number"}, "sku": {"type": "string"}}},
        "Party": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.fixture
def store(tmp_path):
    return ReviewStore(tmp_path / "studio.db")


def test_correction_is_recorded_with_extracted_and_reviewed_value(store):
    event = store.save(
        BACKEND, JOB, Item(0, "total"), "correct",
        reviewer="ana", expected_version=0, extracted=120.0, reviewed="125.50", data_schema=SCHEMA,
    )
    assert event.reviewed == 125.5
    assert event.extracted == 120.0
    assert event.reviewer == "ana"
    assert event.base_version == 0
    assert event.created_at <= datetime.now(timezone.utc)
    assert store.current(BACKEND, JOB) == {Item(0, "total"): event}


def test_audit_trail_keeps_every_action_in_order_and_state_is_the_newest(store):
    item = Item(3, "items[1].amount")
    first = store.save(BACKEND, JOB, item, "confirm", reviewer="ana", expected_version=0, extracted=9.5)
    second = store.save(
        BACKEND, JOB, item, "correct", reviewer="bo", expected_version=first.version,
        extracted=9.5, reviewed=10, data_schema=SCHEMA,
    )
    third = store.save(BACKEND, JOB, item, "clear", reviewer="ana", expected_version=second.version, extracted=9.5)
    decision = store.save(BACKEND, JOB, Item(3), "reject", reviewer="bo", expected_version=0, reason="wrong table")

    trail = store.history(BACKEND, JOB)
    assert [(e.action, e.reviewer, e.reviewed) for e in trail] == [
        ("confirm", "ana", 9.5),
        ("correct", "bo", 10),
        ("clear", "ana", None),
        ("reject", "bo", None),
    ]
    assert [e.base_version for e in trail] == [0, first.version, second.version, 0]
    assert trail[3].reason == "wrong table"
    assert store.history(BACKEND, JOB, item) == trail[:3]
    assert store.current(BACKEND, JOB) == {item: third, Item(3): decision}
    assert trail[1].as_record()["reviewed_value"] == "10"


def test_stale_save_raises_conflict_carrying_the_newer_value(store):
    item = Item(0, "vendor")
    winner = store.save(
        BACKEND, JOB, item, "correct", reviewer="ana", expected_version=0, extracted="ACME", reviewed="ACME Ltd"
    )
    with pytest.raises(ReviewConflict) as info:
        store.save(BACKEND, JOB, item, "correct", reviewer="bo", expected_version=0, extracted="ACME", reviewed="Acme")
    assert info.value.current == winner
    assert info.value.current.reviewed == "ACME Ltd"
    assert "ana" in str(info.value) and "not saved" in str(info.value)
    retried = store.save(
        BACKEND, JOB, item, "correct", reviewer="bo", expected_version=winner.version, extracted="ACME", reviewed="Acme"
    )
    assert store.current(BACKEND, JOB)[item] == retried


def test_two_connections_saving_at_once_give_exactly_one_conflict(tmp_path):
    path = tmp_path / "shared.db"
    stores = [ReviewStore(path), ReviewStore(path)]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def review(index: int) -> None:
        barrier.wait()
        try:
            results[index] = stores[index].save(
                BACKEND, JOB, Item(0, "total"), "correct", reviewer=f"r{index}",
                expected_version=0, extracted=1.0, reviewed=float(index + 10),
            )
        except ReviewConflict as conflict:
            results[index] = conflict

    threads = [threading.Thread(target=review, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    conflicts = [r for r in results if isinstance(r, ReviewConflict)]
    saved = [r for r in results if not isinstance(r, ReviewConflict)]
    assert len(conflicts) == 1 and len(saved) == 1
    assert conflicts[0].current == saved[0]
    assert len(stores[0].history(BACKEND, JOB)) == 1


def test_reviews_survive_reopening_the_file(tmp_path):
    path = tmp_path / "studio.db"
    event = ReviewStore(path).save(
        BACKEND, JOB, Item(2, "issued"), "correct", reviewer="ana", expected_version=0,
        extracted="2024-01-03", reviewed="2024-03-01", data_schema=SCHEMA,
    )
    reopened = ReviewStore(path)
    assert reopened.current(BACKEND, JOB) == {Item(2, "issued"): event}
    assert reopened.history(BACKEND, JOB) == [event]


def test_reviews_are_kept_apart_per_backend_and_job(store):
    store.save(BACKEND, JOB, Item(0, "vendor"), "confirm", reviewer="ana", expected_version=0, extracted="x")
    assert store.current("hosted:https://api.cloud.llamaindex.ai", JOB) == {}
    assert store.current(BACKEND, "ext-other") == {}
    assert store.reviewed_counts(BACKEND, [JOB, "ext-other"]) == {JOB: 1}


def test_trail_cannot_be_rewritten(store, tmp_path):
    store.save(BACKEND, JOB, Item(0, "vendor"), "confirm", reviewer="ana", expected_version=0, extracted="x")
    conn = sqlite3.connect(tmp_path / "studio.db")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE review_events SET reviewed_value = '\"y\"'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM review_events")
    conn.close()


@pytest.mark.parametrize(
    ("path", "typed", "stored"),
    [
        ("total", "1,234.50", 1234.5),
        ("total", 7, 7),
        ("pages", "12", 12),
        ("pages", 3.0, 3),
        ("paid", "yes", True),
        ("currency", "EUR", "EUR"),
        ("issued", "2025-02-28", "2025-02-28"),
        ("items[4].amount", "3.25", 3.25),
        ("buyer.city", 1010, "1010"),
        ("vendor", None, None),
    ],
)
def test_corrections_are_coerced_to_the_field_type(store, path, typed, stored):
    event = store.save(
        BACKEND, JOB, Item(0, path), "correct", reviewer="ana", expected_version=0, reviewed=typed, data_schema=SCHEMA
    )
    assert event.reviewed == stored


@pytest.mark.parametrize(
    ("path", "typed", "phrase"),
    [
        ("total", "twelve", "a number"),
        ("total", True, "a number"),
        ("pages", 2.5, "a whole number"),
        ("paid", "maybe", "true or false"),
        ("currency", "GBP", "one of 'USD', 'EUR'"),
        ("issued", "28/02/2025", "an ISO date"),
        ("issued", "2025-02-30", "an ISO date"),
        ("items[0].amount", "n/a", "a number"),
    ],
)
def test_corrections_that_do_not_fit_the_type_are_refused_and_not_saved(store, path, typed, phrase):
    with pytest.raises(InvalidReviewValue) as info:
        store.save(
            BACKEND, JOB, Item(0, path), "correct", reviewer="ana", expected_version=0, reviewed=typed,
            data_schema=SCHEMA,
        )
    assert phrase in str(info.value) and path in str(info.value)
    assert store.history(BACKEND, JOB) == []


def test_actions_that_make_no_sense_are_refused(store):
    with pytest.raises(ReviewError, match="reason"):
        store.save(BACKEND, JOB, Item(1), "reject", reviewer="ana", expected_version=0, reason="  ")
    with pytest.raises(ReviewError, match="name"):
        store.save(BACKEND, JOB, Item(1, "total"), "confirm", reviewer=" ", expected_version=0)
    with pytest.raises(ReviewError, match="whole row"):
        store.save(BACKEND, JOB, Item(1, "total"), "approve", reviewer="ana", expected_version=0)
    with pytest.raises(ReviewError, match="one value"):
        store.save(BACKEND, JOB, Item(None), "correct", reviewer="ana", expected_version=0, reviewed=1)
    assert store.history(BACKEND, JOB) == []


def test_save_many_keeps_the_good_edits_and_reports_the_rest(store):
    store.save(BACKEND, JOB, Item(0, "vendor"), "confirm", reviewer="bo", expected_version=0, extracted="x")
    outcome = store.save_many(
        BACKEND,
        JOB,
        [
            Edit(Item(0, "total"), "correct", 0, extracted=1, reviewed="2"),
            Edit(Item(0, "vendor"), "correct", 0, extracted="x", reviewed="y"),
            Edit(Item(0, "pages"), "correct", 0, extracted=1, reviewed="many"),
        ],
        reviewer="ana",
        data_schema=SCHEMA,
    )
    assert [e.item.path for e in outcome.saved] == ["total"]
    assert [c.item.path for c in outcome.conflicts] == ["vendor"]
    assert [e.path for e in outcome.invalid] == ["pages"]


def test_field_schema_lookup_follows_refs_arrays_and_nullable_objects():
    assert field_schema_at(SCHEMA, "items[2].amount") == {"type": "number"}
    assert field_schema_at(SCHEMA, "buyer.city") == {"type": "string"}
    assert field_schema_at(SCHEMA, "unknown.path") is None
    assert coerce_value("anything", None, "unknown.path") == "anything"
