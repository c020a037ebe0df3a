"""flatten_job on real jobs of the local server (all three targets) and on hand-made results whose
every expected cell is known, including missing and oddly shaped metadata."""

from __future__ import annotations

import copy
import math
from typing import Any

import pandas as pd
import pytest

from lib.api.models import ExtractV2Job
from lib.client import ExtractClient
from lib.review import flatten
from lib.review.flatten import INDEX, PAGE, PARENT, ROW, flatten_job, parse_pages, unflatten
from lib.samples import demo_samples, make_sample
from tests.client.hosted import SEED_JOB, seed_job


@pytest.fixture(scope="module")
def server_jobs(local_server) -> dict[str, Any]:
    """One finished job per target: the invoice per_doc, the 3-page statement per_page and per_table_row."""
    invoice = make_sample("invoice", fmt="pdf")
    statement = next(s for s in demo_samples() if s.kind == "bank_statement")
    common = {"cite_sources": True, "confidence_scores": True}
    with ExtractClient(local_server.url, local_server.api_key) as client:
        invoice_file = client.upload_file(invoice.data, name=invoice.filename)
        statement_file = client.upload_file(statement.data, name=statement.filename)
        jobs = {
            "per_doc": client.create_job(invoice_file.id, configuration={"data_schema": invoice.schema, **common}),
            "per_page": client.create_job(
                statement_file.id, configuration={"data_schema": statement.page_schema, "extraction_target": "per_page", **common}
            ),
            "per_table_row": client.create_job(
                statement_file.id, configuration={"data_schema": statement.row_schema, "extraction_target": "per_table_row", **common}
            ),
        }
        finished = client.wait_all(list(jobs.values()), poll_interval=0.1, timeout=120)
    assert [item.status for item in finished] == ["COMPLETED"] * 3, [str(item.error) for item in finished]
    return {"invoice": invoice, "statement": statement, **{t: item.job for t, item in zip(jobs, finished)}}


def _aligned(flat) -> None:
    assert flat.values.shape == flat.confidence.shape == flat.citations.shape
    assert list(flat.values.columns) == list(flat.confidence.columns) == list(flat.citations.columns)


def test_per_doc_fields_follow_the_result_and_its_citations(server_jobs) -> None:
    job, invoice = server_jobs["per_doc"], server_jobs["invoice"]
    flat = flatten_job(job)
    _aligned(flat)
    fields = flat.fields.set_index("path")
    result = job.extract_result
    assert fields.loc["vendor.name", "value"] == result["vendor"]["name"]
    last = len(result["line_items"]) - 1
    assert fields.loc[f"line_items[{last}].amount", "value"] == result["line_items"][last]["amount"]
    cited = {path: pages for path, pages in fields["pages"].items() if pages}
    assert cited and all(pages == [invoice.field_pages[path]] for path, pages in cited.items())
    assert fields["confidence"].between(0, 1).all()
    items = flat.children["line_items"]
    assert len(items.values) == len(result["line_items"])
    assert items.values[[ROW, PARENT, INDEX]].values.tolist() == [[0, "line_items", i] for i in range(last + 1)]
    assert items.values.shape == items.confidence.shape == items.citations.shape
    assert flat.wide.loc[0, "line_items"] == f"{last + 1} items"


def test_per_page_has_the_page_number_first_and_one_row_per_page(server_jobs) -> None:
    job, statement = server_jobs["per_page"], server_jobs["statement"]
    flat = flatten_job(job)
    _aligned(flat)
    assert flat.target == "per_page" and flat.values.columns[0] == PAGE
    assert flat.values[PAGE].tolist() == list(range(1, statement.pages + 1))
    assert flat.values["account_number"].tolist() == [page["account_number"] for page in job.extract_result]
    assert (flat.confidence[PAGE] == flat.values[PAGE]).all()
    for row, cells in flat.citations.drop(columns=PAGE).iterrows():
        assert all(c["page"] == flat.values.loc[row, PAGE] for cell in cells for c in cell)


def test_per_table_row_has_one_row_per_extracted_row(server_jobs) -> None:
    job = server_jobs["per_table_row"]
    flat = flatten_job(job)
    _aligned(flat)
    assert len(flat.values) == len(job.extract_result) > 0
    assert list(flat.values.columns) == ["date", "description", "amount", "balance"]
    assert flat.values["amount"].tolist() == [row["amount"] for row in job.extract_result]
    assert set(flat.fields[ROW]) == set(range(len(job.extract_result)))
    assert flat.restore() == job.extract_result


SCHEMA = {
    "type": "object",
    "properties": {
        "vendor": {"type": "object", "properties": {"name": {"type": "string"}, "address": {"type": "object", "properties": {"city": {"type": "string"}}}}},
        "total": {"type": "number"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "note": {"$ref": "#/$defs/text"},
        "line_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "amount": {"type": "number"},
                    "taxes": {"type": "array", "items": {"type": "object", "properties": {"rate": {"type": "number"}}}},
                },
            },
        },
    },
    "$defs": {"text": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
}
RESULT = {
    "vendor": {"name": "Acme", "address": {"city": "Lyon"}},
    "total": 12.5,
    "tags": ["red", "blue"],
    "note": None,
    "line_items": [{"amount": 10.0, "taxes": [{"rate": 0.2}, {"rate": 0.05}]}, {"amount": 2.5, "taxes": []}],
}


def _cite(page: int, text: str, confidence: float, **extra: Any) -> dict[str, Any]:
    box = {"x": 10.0, "y": 20.0 * page, "w": 30.0, "h": 8.0}
    return {"citation": [{"page": page, "matching_text": text, "bounding_boxes": [box]}], "confidence": confidence, **extra}


METADATA = {
    "vendor": {"name": _cite(1, "ACME", 0.9, extraction_confidence=0.95, parsing_confidence=0.8), "address": {"city": _cite(2, "Lyon", 0.7)}},
    "total": _cite(2, "$12.50", 0.6),
    "tags": [_cite(1, "red", 0.8), _cite(1, "blue", 0.4)],
    "line_items": [{"amount": _cite(1, "10.00", 0.99), "taxes": [{"rate": _cite(1, "20%", 0.5)}, {"rate": {"confidence": 0.3}}]}, {"amount": _cite(3, "2.50", 0.2)}],
}


def _job(result: Any = RESULT, metadata: Any = METADATA, target: str = "per_doc", schema: Any = SCHEMA, **configuration: Any) -> dict[str, Any]:
    key = {"per_doc": "document_metadata", "per_page": "page_metadata", "per_table_row": "row_metadata"}[target]
    return {
        "id": "ext-1",
        "status": "COMPLETED",
        "configuration": {"data_schema": schema, "extraction_target": target, **configuration},
        "extract_result": copy.deepcopy(result),
        "extract_metadata": {"field_metadata": {key: copy.deepcopy(metadata)}},
    }


def test_every_leaf_gets_its_value_confidences_pages_text_and_boxes() -> None:
    flat = flatten_job(_job())
    fields = flat.fields.set_index("path")
    assert list(fields.index) == [
        "vendor.name", "vendor.address.city", "total", "tags", "note",
        "line_items[0].amount", "line_items[0].taxes[0].rate", "line_items[0].taxes[1].rate", "line_items[1].amount",
    ]
    name = fields.loc["vendor.name"]
    assert (name["value"], name["type"], name["confidence"], name["extraction_confidence"], name["parsing_confidence"]) == ("Acme", "string", 0.9, 0.95, 0.8)
    assert fields.loc["vendor.address.city", "pages"] == [2]
    assert fields.loc["total", "boxes"] == [{"page": 2, "x": 10.0, "y": 40.0, "w": 30.0, "h": 8.0}]
    assert fields.loc["tags", "value"] == ["red", "blue"] and fields.loc["tags", "confidence"] == 0.4
    assert fields.loc["tags", "matching_text"] == "red | blue"
    assert math.isnan(fields.loc["note", "confidence"]) and fields.loc["note", "pages"] == []
    assert fields.loc["line_items[0].taxes[1].rate", "confidence"] == 0.3
    assert fields.loc["line_items[0].taxes[1].rate", "boxes"] == []


def test_values_confidence_and_citations_line_up_cell_for_cell() -> None:
    flat = flatten_job(_job())
    assert list(flat.values.columns) == ["vendor.name", "vendor.address.city", "total", "tags", "note", "line_items"]
    assert flat.confidence.loc[0].tolist()[:4] == [0.9, 0.7, 0.6, 0.4]
    assert math.isnan(flat.confidence.loc[0, "line_items"])
    assert flat.citations.loc[0, "total"][0]["matching_text"] == "$12.50"
    assert flat.wide.loc[0, "tags"] == "red, blue" and flat.values.loc[0, "tags"] == ["red", "blue"]
    taxes = flat.children["line_items[].taxes"]
    assert taxes.values[[ROW, PARENT, INDEX, "rate"]].values.tolist() == [[0, "line_items[0].taxes", 0, 0.2], [0, "line_items[0].taxes", 1, 0.05]]
    assert taxes.confidence["rate"].tolist() == [0.5, 0.3]
    assert flat.column("note").type == "string"


def test_restore_gives_back_the_original_nesting_and_applies_corrections() -> None:
    flat = flatten_job(_job())
    assert flat.restore() == RESULT
    values = flat.values.copy()
    values.loc[0, "vendor.address.city"] = "Lille"
    items = flat.children["line_items"].values.copy()
    items.loc[1, "amount"] = 3.0
    taxes = flat.children["line_items[].taxes"].values.copy()
    taxes.loc[0, "rate"] = 0.1
    children = {"line_items": items, "line_items[].taxes": taxes}
    restored = flat.restore(values, children)
    assert restored["vendor"]["address"]["city"] == "Lille"
    assert [item["amount"] for item in restored["line_items"]] == [10.0, 3.0]
    assert restored["line_items"][0]["taxes"] == [{"rate": 0.1}, {"rate": 0.05}]
    assert unflatten(values, target="per_doc")["vendor"]["address"]["city"] == "Lille"


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        {},
        {"vendor": "bar", "total": {"citation": "bar", "confidence": "bar"}, "tags": "bar", "line_items": "bar"},
        {"total": {"citation": {"page": 2, "matching_text": "$12.50"}, "confidence": True}, "tags": [None, "x"], "line_items": [None, 7]},
        {"total": {"citation": ["bar", {"page": "two"}], "confidence": None}},
    ],
)
def test_missing_or_odd_metadata_gives_nan_and_empty_citations_never_an_exception(metadata: Any) -> None:
    flat = flatten_job(_job(metadata=metadata))
    assert flat.values.loc[0, "total"] == 12.5 and flat.restore() == RESULT
    fields = flat.fields.set_index("path")
    assert len(fields) == 9 and fields["pages"].map(lambda pages: all(isinstance(p, int) for p in pages)).all()
    assert fields.loc["vendor.name", "pages"] == [] and math.isnan(fields.loc["vendor.name", "confidence"])
    for cell in flat.citations.loc[0]:
        assert isinstance(cell, list)
    for child in flat.children.values():
        assert child.confidence.drop(columns=[ROW, PARENT, INDEX]).isna().all().all()


def test_a_lone_citation_object_still_counts_as_a_citation() -> None:
    flat = flatten_job(_job(metadata={"total": {"citation": {"page": 2, "matching_text": "$12.50"}, "confidence": 0.5}}))
    assert flat.citations.loc[0, "total"] == [{"page": 2, "matching_text": "$12.50"}]
    assert flat.fields.set_index("path").loc["total", "pages"] == [2]


def test_the_seed_response_flattens_as_a_model_and_as_a_dict_under_every_target() -> None:
    for target in ("per_doc", "per_page", "per_table_row"):
        job = seed_job(configuration={**SEED_JOB["configuration"], "extraction_target": target})
        if target != "per_doc":
            job["extract_result"] = [job["extract_result"]]
        for given in (job, ExtractV2Job.model_validate(job)):
            flat = flatten_job(given)
            assert flat.values["foo.foo"].tolist() == ["bar"] and flat.confidence["foo.foo"].isna().all()
            assert flat.citations["foo.foo"].tolist() == [[]]


def test_schema_columns_come_first_and_keys_the_schema_lacks_are_kept() -> None:
    rows = [{"amount": 1.0, "extra": "x"}, {"memo": {"by": "me"}}]
    flat = flatten_job(_job(rows, [], "per_table_row", {"type": "object", "properties": {"date": {"type": "string"}, "amount": {"type": "number"}}}))
    assert list(flat.values.columns) == ["date", "amount", "extra", "memo.by"]
    assert flat.values["date"].isna().all() and flat.values["memo.by"].tolist()[1] == "me"
    assert flat.confidence.isna().all().all()


def test_pages_come_from_metadata_then_citations_then_target_pages_then_position() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    rows = [{"n": 1}, {"n": 2}]
    assert flatten_job(_job(rows, [], "per_page", schema)).values[PAGE].tolist() == [1, 2]
    assert flatten_job(_job(rows, [], "per_page", schema, target_pages="3,5")).values[PAGE].tolist() == [3, 5]
    cited = [{"n": _cite(7, "1", 0.5)}, {"page_number": 9, "n": _cite(7, "2", 0.5)}]
    assert flatten_job(_job(rows, cited, "per_page", schema, target_pages="3,5")).values[PAGE].tolist() == [7, 9]
    assert parse_pages("1,3,5-7") == [1, 3, 5, 6, 7] and parse_pages("1,x") == []


def test_a_job_without_a_result_gives_empty_frames() -> None:
    job = _job()
    job.update(status="RUNNING", extract_result=None, extract_metadata=None)
    flat = flatten_job(job)
    assert flat.values.empty and flat.fields.empty and list(flat.fields.columns)[:2] == ["path", "value"]
    assert flat.restore() == {}


def test_a_wide_table_of_rows_keeps_list_cells_whole() -> None:
    rows = [{"tags": ["a", "b"]}, {"tags": ["c", "d"]}]
    flat = flatten_job(_job(rows, [], "per_table_row", {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}))
    assert flat.values["tags"].tolist() == [["a", "b"], ["c", "d"]]
    assert flat.wide["tags"].tolist() == ["a, b", "c, d"]
    assert isinstance(flat.values, pd.DataFrame) and flat.restore() == rows


def test_a_job_longer_than_a_read_chunk_keeps_every_cell_and_its_odd_metadata_in_place() -> None:
    """The metadata is read ``_CHUNK`` rows at a time; odd entries in a later chunk (a lone citation
    dict, "bar", a missing entry, a text confidence) must land in their own cell and nowhere else."""
    size = 2 * flatten._CHUNK + 7
    schema = {"type": "object", "properties": {"n": {"type": "integer"}, "who": {"type": "object", "properties": {"name": {"type": "string"}}}}}
    rows = [{"n": i, "who": {"name": f"p{i}"}} for i in range(size)]
    metas: list[Any] = [{"page_number": i + 1, "n": _cite(1, str(i), i / size), "who": {"name": _cite(1, f"p{i}", 0.5)}} for i in range(size)]
    odd = {flatten._CHUNK + 3: {"citation": {"page": 9, "matching_text": "lone"}, "confidence": 0.25}, size - 2: {"citation": "bar", "confidence": "high"}}
    for row, entry in odd.items():
        metas[row]["n"] = entry
    del metas[size - 1]["who"]
    flat = flatten_job(_job(rows, metas, "per_page", schema))
    _aligned(flat)
    assert flat.values["n"].tolist() == list(range(size)) and flat.values[PAGE].tolist() == list(range(1, size + 1))
    assert flat.confidence[PAGE].dtype == flat.values[PAGE].dtype and flat.citations[PAGE].tolist() == flat.values[PAGE].tolist()
    expected = [i / size for i in range(size)]
    expected[flatten._CHUNK + 3], expected[size - 2] = 0.25, math.nan
    assert flat.confidence["n"].tolist()[: size - 2] == expected[: size - 2] and math.isnan(flat.confidence.loc[size - 2, "n"])
    assert flat.citations.loc[flatten._CHUNK + 3, "n"] == [{"page": 9, "matching_text": "lone"}] and flat.citations.loc[size - 2, "n"] == []
    plain = [row for row in range(size) if row not in odd]
    assert all(flat.citations.loc[row, "n"] == metas[row]["n"]["citation"] for row in plain)
    assert flat.confidence["who.name"].tolist()[:-1] == [0.5] * (size - 1) and math.isnan(flat.confidence.loc[size - 1, "who.name"])
    assert flat.citations.loc[size - 1, "who.name"] == [] and flat.citations.loc[size - 2, "who.name"][0]["matching_text"] == f"p{size - 2}"


def test_keys_the_schema_lacks_are_found_however_a_late_record_hides_them() -> None:
    """The search for undeclared keys is skipped only when the build shows every record holds
    exactly the declared keys; a record past the first read chunk that differs in any way (a key
    swapped for another, one more key in a nested object or in an array's element) still brings
    its key out as a column."""
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer"},
            "who": {"type": "object", "properties": {"name": {"type": "string"}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"q": {"type": "integer"}}}},
        },
    }
    size = flatten._CHUNK + 5

    def rows() -> list[dict[str, Any]]:
        return [{"n": i, "who": {"name": f"p{i}"}, "items": [{"q": i}]} for i in range(size)]

    def flat_of(result: list[dict[str, Any]]):
        return flatten_job(_job(result, [], "per_table_row", schema))

    plain = flat_of(rows())
    assert list(plain.values.columns) == ["n", "who.name", "items"] and list(plain.children["items"].values.columns) == [ROW, PARENT, INDEX, "q"]
    swapped = rows()
    del swapped[-1]["n"]
    swapped[-1]["m"] = "moved"
    flat = flat_of(swapped)
    assert list(flat.values.columns) == ["n", "who.name", "items", "m"] and flat.values["m"].isna().sum() == size - 1 and flat.values["m"].tolist()[-1] == "moved"
    assert flat.values["n"].isna().tolist()[-2:] == [False, True]
    nested = rows()
    nested[-1]["who"]["city"] = "Lyon"
    flat = flat_of(nested)
    assert list(flat.values.columns) == ["n", "who.name", "items", "who.city"] and flat.values["who.city"].tolist()[-1] == "Lyon"
    element = rows()
    element[-1]["items"][0]["r"] = 2
    child = flat_of(element).children["items"].values
    assert list(child.columns) == [ROW, PARENT, INDEX, "q", "r"] and child["r"].tolist()[-1] == 2 and child["r"].isna().sum() == size - 1
    assert flat_of(nested).restore()[-1]["who"] == {"name": f"p{size - 1}", "city": "Lyon"}
