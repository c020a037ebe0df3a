"""Review items on the flattened job: locating values, citations, corrections applied, exports, progress,
diffs."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pandas as pd
import pyarrow.parquet as pq
import pytest

from lib.review.cells import (
    citations_at,
    corrected_frames,
    export_reviewed,
    locate,
    review_values,
    reviewed_rows,
)
from lib.review.compare import DIFFERS, diff_values
from lib.review.flatten import flatten_job
from lib.review.progress import batch_progress, next_flagged, progress
from lib.review.store import Item, ReviewStore

BACKEND, JOB = "embedded:http://127.0.0.1:9", "ext-job"
SCHEMA = {
    "type": "object",
    "properties": {
        "vendor": {"type": "string"},
        "total": {"type": "number"},
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"sku": {"type": "string"}, "amount": {"type": "number"}}},
        },
    },
}


def cite(page: int, text: str, x: float = 10) -> list[dict]:
    return [{"page": page, "matching_text": text, "bounding_boxes": [{"x": x, "y": 20, "w": 30, "h": 10}],
             "page_dimensions": {"width": 612, "height": 792}}]


def job(result, metadata, target="per_doc", schema=SCHEMA, job_id=JOB) -> dict:
    now = datetime.now(timezone.utc).isoformat()
    key = {"per_doc": "document_metadata", "per_page": "page_metadata", "per_table_row": "row_metadata"}[target]
    return {
        "id": job_id, "created_at": now, "updated_at": now, "file_input": "dfl-x", "project_id": "prj-x",
        "status": "COMPLETED", "configuration": {"data_schema": schema, "extraction_target": target},
        "extract_result": result, "extract_metadata": {"field_metadata": {key: metadata}},
    }


@pytest.fixture
def doc():
    return flatten_job(job(
        {"vendor": "ACME", "total": 30.0, "items": [{"sku": "A", "amount": 10.0}, {"sku": "B", "amount": 20.0}]},
        {
            "vendor": {"citation": cite(1, "ACME"), "confidence": 0.95},
            "total": {"citation": cite(2, "30.00"), "confidence": 0.4},
            "items": [
                {"sku": {"citation": cite(1, "A"), "confidence": 0.9}, "amount": {"citation": cite(1, "10.00"), "confidence": 0.5}},
                {"sku": {"citation": cite(1, "B"), "confidence": 0.3}, "amount": {"citation": cite(1, "20.00", 99), "confidence": 0.99}},
            ],
        },
    ))


@pytest.fixture
def rows():
    schema = {"type": "object", "properties": {"date": {"type": "string", "format": "date"}, "amount": {"type": "number"}}}
    return flatten_job(job(
        [{"date": "2024-01-0%d" % i, "amount": float(i)} for i in range(1, 5)],
        [{"date": {"confidence": 0.9}, "amount": {"confidence": 0.2 * i}} for i in range(1, 5)],
        target="per_table_row",
        schema=schema,
    ))


def test_review_values_cover_every_leaf_in_table_order(doc, rows):
    assert review_values(doc)[["row", "path"]].values.tolist() == [
        [0, "vendor"], [0, "total"], [0, "items[0].sku"], [0, "items[0].amount"], [0, "items[1].sku"], [0, "items[1].amount"],
    ]
    assert review_values(rows)[["row", "path"]].values.tolist()[:3] == [[0, "date"], [0, "amount"], [1, "date"]]


def test_locate_and_citations_reach_child_tables(doc):
    assert locate(doc, Item(0, "total")).child is None
    cell = locate(doc, Item(0, "items[1].amount"))
    assert (cell.child, cell.position, cell.column) == ("items", 1, "amount")
    assert citations_at(doc, Item(0, "items[1].amount"))[0]["bounding_boxes"][0]["x"] == 99
    assert citations_at(doc, Item(0, "total"))[0]["page"] == 2
    assert locate(doc, Item(0, "items[7].amount")) is None and citations_at(doc, Item(0, "nope")) == []


def test_corrections_land_in_the_frames_and_the_nesting(doc, tmp_path):
    store = ReviewStore(tmp_path / "s.db")
    store.save(BACKEND, JOB, Item(0, "items[1].amount"), "correct", reviewer="a", expected_version=0,
               extracted=20.0, reviewed="21.5", data_schema=SCHEMA)
    store.save(BACKEND, JOB, Item(0, "vendor"), "clear", reviewer="a", expected_version=0, extracted="ACME")
    store.save(BACKEND, JOB, Item(0, "total"), "confirm", reviewer="a", expected_version=0, extracted=30.0)
    reviews = store.current(BACKEND, JOB)
    values, children = corrected_frames(doc, reviews)
    assert values.at[0, "vendor"] is None and values.at[0, "total"] == 30.0
    assert children["items"]["amount"].tolist() == [10.0, 21.5]
    assert doc.children["items"].values["amount"].tolist() == [10.0, 20.0], "the flattening itself is untouched"
    assert doc.restore(values, children) == {
        "vendor": None, "total": 30.0, "items": [{"sku": "A", "amount": 10.0}, {"sku": "B", "amount": 21.5}],
    }


def test_progress_counts_reviewed_and_flagged_values(doc, tmp_path):
    store = ReviewStore(tmp_path / "s.db")
    values = review_values(doc)
    assert progress(values, {}, 0.8) == progress(values, store.current(BACKEND, JOB), 0.8)
    start = progress(values, {}, 0.8)
    assert (start.total, start.reviewed, start.flagged, start.flagged_left) == (6, 0, 3, 3)
    store.save(BACKEND, JOB, Item(0, "total"), "confirm", reviewer="a", expected_version=0, extracted=30.0)
    store.save(BACKEND, JOB, Item(0, "vendor"), "confirm", reviewer="a", expected_version=0, extracted="ACME")
    after = progress(values, store.current(BACKEND, JOB), 0.8)
    assert (after.reviewed, after.flagged_left) == (2, 2)
    store.save(BACKEND, JOB, Item(None), "approve", reviewer="a", expected_version=0)
    assert progress(values, store.current(BACKEND, JOB), 0.8).reviewed == 6
    assert batch_progress([start, after]).total == 12


def test_next_flagged_walks_the_low_values_in_order_and_wraps(doc, tmp_path):
    values = review_values(doc)
    assert next_flagged(values, {}, 0.8) == Item(0, "total")
    assert next_flagged(values, {}, 0.8, after=Item(0, "total")) == Item(0, "items[0].amount")
    assert next_flagged(values, {}, 0.8, after=Item(0, "items[0].amount")) == Item(0, "items[1].sku")
    assert next_flagged(values, {}, 0.8, after=Item(0, "items[1].sku")) == Item(0, "total")
    store = ReviewStore(tmp_path / "s.db")
    for path in ("total", "items[0].amount", "items[1].sku"):
        store.save(BACKEND, JOB, Item(0, path), "confirm", reviewer="a", expected_version=0)
    assert next_flagged(values, store.current(BACKEND, JOB), 0.8) is None


def test_reviewed_rows_follow_decisions(rows, tmp_path):
    store = ReviewStore(tmp_path / "s.db")
    assert reviewed_rows(rows, {}) == []
    store.save(BACKEND, JOB, Item(1, "amount"), "confirm", reviewer="a", expected_version=0)
    store.save(BACKEND, JOB, Item(2), "approve", reviewer="a", expected_version=0)
    store.save(BACKEND, JOB, Item(3, "date"), "confirm", reviewer="a", expected_version=0)
    store.save(BACKEND, JOB, Item(3), "reject", reviewer="a", expected_version=0, reason="not a transaction")
    assert reviewed_rows(rows, store.current(BACKEND, JOB)) == [1, 2]


def test_diff_of_two_jobs_matches_values_by_row_and_path(rows):
    other = flatten_job(job(
        [{"date": "2024-01-01", "amount": 1}, {"date": "2024-01-02", "amount": 2.5}],
        [],
        target="per_table_row",
        schema={"type": "object", "properties": {"date": {"type": "string"}, "amount": {"type": "number"}}},
        job_id="ext-other",
    ))
    diff = diff_values({"a": rows, "b": other}).set_index(["row", "path"])
    assert not diff.loc[(0, "amount"), DIFFERS], "1 and 1.0 are the same value"
    assert diff.loc[(1, "amount"), DIFFERS] and diff.loc[(1, "amount"), "b"] == 2.5
    assert diff.loc[(3, "date"), DIFFERS] and diff.loc[(3, "date"), "a"] == "2024-01-04"
    assert len(diff) == 8


def test_exports_carry_the_corrections_and_the_audit_trail(doc, rows, tmp_path):
    store = ReviewStore(tmp_path / "s.db")
    store.save(BACKEND, JOB, Item(0, "total"), "correct", reviewer="ana", expected_version=0,
               extracted=30.0, reviewed="31.25", data_schema=SCHEMA)
    store.save(BACKEND, JOB, Item(0, "items[0].sku"), "correct", reviewer="bo", expected_version=0,
               extracted="A", reviewed="A-1", data_schema=SCHEMA)
    reviews, trail = store.current(BACKEND, JOB), store.history(BACKEND, JOB)

    nested = json.loads(export_reviewed(doc, "json", reviews, trail))
    assert nested["total"] == 31.25 and nested["items"][0] == {"sku": "A-1", "amount": 10.0}

    table = pd.read_csv(io.BytesIO(export_reviewed(doc, "csv", reviews, trail)), encoding="utf-8-sig")
    assert table.loc[0, "total"] == 31.25 and json.loads(table.loc[0, "items"])[0]["sku"] == "A-1"

    sheets = pd.read_excel(io.BytesIO(export_reviewed(doc, "xlsx", reviews, trail)), sheet_name=None)
    assert {"values", "confidence", "audit", "items"} <= set(sheets)
    assert sheets["values"].loc[0, "total"] == 31.25 and sheets["confidence"].loc[0, "total"] == 0.4
    assert list(sheets["items"]["sku"]) == ["A-1", "B"]
    assert list(zip(sheets["audit"]["path"], sheets["audit"]["reviewer"], sheets["audit"]["reviewed_value"])) == [
        ("total", "ana", "31.25"), ("items[0].sku", "bo", '"A-1"'),
    ]
    assert pq.read_table(io.BytesIO(export_reviewed(doc, "parquet", reviews, trail))).column("total").to_pylist() == [31.25]


def test_reviewed_only_export_keeps_the_signed_off_rows(rows, tmp_path):
    store = ReviewStore(tmp_path / "s.db")
    store.save(BACKEND, JOB, Item(2, "amount"), "correct", reviewer="a", expected_version=0, extracted=3.0, reviewed=30)
    store.save(BACKEND, JOB, Item(0), "approve", reviewer="a", expected_version=0)
    store.save(BACKEND, JOB, Item(1), "reject", reviewer="a", expected_version=0, reason="not a transaction")
    reviews = store.current(BACKEND, JOB)
    kept = reviewed_rows(rows, reviews)
    assert kept == [0, 2]
    assert json.loads(export_reviewed(rows, "json", reviews, [], kept)) == [
        {"date": "2024-01-01", "amount": 1.0}, {"date": "2024-01-03", "amount": 30},
    ]
    with pytest.raises(ValueError, match="unknown export format"):
        export_reviewed(rows, "pdf", reviews, [])
