"""The Results page under AppTest, on real jobs of the real local server: per_doc, per_page and
per_table_row results render, the threshold filter, typed corrections refused or kept across sessions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lib.client import ExtractClient, JobFailedError
from lib.review.cells import review_values
from lib.review.flatten import flatten_job
from lib.review.store import Item, ReviewStore
from lib.samples import make_sample
from lib.ui import state
from tests.support.jobs import finished_job
from tests.ui.support import app_test, point_app_at, texts

PAGE = "pages/results.py"
TARGETS = ("per_doc", "per_page", "per_table_row")


@pytest.fixture(scope="module")
def jobs(local_server) -> dict[str, str]:
    """One finished job per extraction target: an invoice (per_doc) and a bank statement (per_page,
    per_table_row), generated with known content."""
    invoice = make_sample("invoice", fmt="pdf")
    statement = make_sample("bank_statement", fmt="pdf")
    plan = {
        "per_doc": (invoice, invoice.schema),
        "per_page": (statement, statement.page_schema),
        "per_table_row": (statement, statement.row_schema),
    }
    return {target: finished_job(local_server.url, sample, schema, target).id for target, (sample, schema) in plan.items()}


@pytest.fixture
def client(local_server):
    with ExtractClient(local_server.url) as api:
        yield api


def band_counts_shown(at) -> dict[str, int]:
    """The count on each chip of the confidence legend ("below threshold < 0.80 · <b>12</b>")."""
    chips = re.findall(r"(below threshold|fair|high|no score|empty)[^·]*· <b>([\d,]+)</b>", " ".join(texts(at)))
    return {name: int(count.replace(",", "")) for name, count in chips}


def open_job(monkeypatch, tmp_path: Path, server_url: str, job_id: str, reviewer: str | None = None):
    point_app_at(monkeypatch, tmp_path / "studio", server_url)
    at = app_test(PAGE)
    at.session_state[state.SELECTED_JOB_ID] = job_id
    if reviewer:
        at.session_state[state.REVIEWER] = reviewer
    at.run()
    assert not at.exception, at.exception
    return at


def long_values(client: ExtractClient, job_id: str):
    return review_values(flatten_job(client.get_job(job_id)))


@pytest.mark.parametrize("target", TARGETS)
def test_results_of_each_target_render(monkeypatch, tmp_path, local_server, jobs, client, target):
    at = open_job(monkeypatch, tmp_path, local_server.url, jobs[target])
    values = long_values(client, jobs[target])
    assert at.title[0].value == "Results"
    assert any(f"{target} ·" in text and f"{len(values):,} values" in text for text in texts(at))
    table = at.dataframe[0].value
    if target == "per_doc":
        assert list(table["field"]) == list(values["path"])
        flat = flatten_job(client.get_job(jobs[target]))
        wide, items = at.dataframe[1].value, at.dataframe[2].value
        assert len(wide) == 1 and "total" in wide.columns
        assert len(items) == len(flat.children["line_items"].values) > 0 and "amount" in items.columns
    else:
        flat = flatten_job(client.get_job(jobs[target]))
        assert len(table) == len(flat.values)
        assert [c for c in flat.columns if c.name in table.columns]
    counts = band_counts_shown(at)
    assert sum(counts[name] for name in ("below threshold", "fair", "high", "no score")) == len(values)
    assert counts["empty"] == int((values["value"].isna() | values["value"].eq("")).sum())
    assert at.selectbox(key="_results_field").value == values["path"].iloc[0]
    shown = texts(at)
    assert any("Matching text" in text for text in shown) or any("no citation" in text for text in shown)


def test_threshold_filter_shows_only_values_below_it(monkeypatch, tmp_path, local_server, jobs, client):
    at = open_job(monkeypatch, tmp_path, local_server.url, jobs["per_doc"])
    values = long_values(client, jobs["per_doc"])
    threshold = float(values["confidence"].dropna().median()) + 0.001
    at.slider(key="_results_threshold").set_value(round(threshold, 2))
    at.toggle(key="_results_only_low").set_value(True).run()
    expected = values[values["confidence"] < round(threshold, 2)]["path"].tolist()
    assert 0 < len(expected) < len(values)
    assert list(at.dataframe[0].value["field"]) == expected
    assert band_counts_shown(at)["below threshold"] == len(expected)


def test_row_filter_keeps_rows_with_a_low_value(monkeypatch, tmp_path, local_server, jobs, client):
    at = open_job(monkeypatch, tmp_path, local_server.url, jobs["per_table_row"])
    flat = flatten_job(client.get_job(jobs["per_table_row"]))
    scores = flat.confidence[[c.name for c in flat.columns]]
    weakest = scores.min(axis=1)
    at.toggle(key="_results_only_low").set_value(True)
    below_all = round(float(weakest.min()) - 0.01, 2)
    at.slider(key="_results_threshold").set_value(below_all).run()
    assert len(at.dataframe[0].value) == int(scores.lt(below_all).any(axis=1).sum()) == 0
    assert any("No row has a value below the threshold" in text for text in texts(at))
    above_some = round(float(weakest.max()) + 0.01, 2)
    at.slider(key="_results_threshold").set_value(above_some).run()
    expected = scores.lt(above_some).any(axis=1)
    assert len(at.dataframe[0].value) == int(expected.sum()) == len(flat.values)
    assert list(at.dataframe[0].value.index) == list(expected[expected].index)


def test_correction_that_does_not_fit_the_type_is_refused(monkeypatch, tmp_path, local_server, jobs):
    at = open_job(monkeypatch, tmp_path, local_server.url, jobs["per_doc"], reviewer="Ana")
    at.selectbox(key="_results_field").set_value("total").run()
    at.text_input(key="_results_correction").set_value("about twelve")
    at.button(key="_results_correct").click().run()
    assert any("'about twelve' is not valid for 'total'" in str(e.value) and "a number" in str(e.value) for e in at.error)
    store = ReviewStore(tmp_path / "studio" / "studio.db")
    assert store.history(f"shared:{local_server.url}", jobs["per_doc"]) == []


def test_accepted_correction_persists_into_a_new_session(monkeypatch, tmp_path, local_server, jobs):
    job_id = jobs["per_doc"]
    at = open_job(monkeypatch, tmp_path, local_server.url, job_id, reviewer="Ana")
    at.selectbox(key="_results_field").set_value("total").run()
    at.text_input(key="_results_correction").set_value("1,234.50")
    at.button(key="_results_correct").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("corrected" in str(s.value) and "1234.5" in str(s.value) for s in at.success)

    again = open_job(monkeypatch, tmp_path, local_server.url, job_id)
    table = again.dataframe[0].value
    row = table[table["field"] == "total"].iloc[0]
    assert row["value"] == "1234.5" and row["review"] == "corrected by Ana"
    again.selectbox(key="_results_field").set_value("total").run()
    assert any("corrected by Ana" in text and "1234.5" in text for text in texts(again))
    events = ReviewStore(tmp_path / "studio" / "studio.db").history(f"shared:{local_server.url}", job_id, Item(0, "total"))
    assert [(e.action, e.reviewed, e.reviewer) for e in events] == [("correct", 1234.5, "Ana")]


def test_second_reviewer_saving_a_stale_value_is_told_and_shown_the_newer_one(monkeypatch, tmp_path, local_server, jobs):
    job_id = jobs["per_page"]
    first = open_job(monkeypatch, tmp_path, local_server.url, job_id, reviewer="Ana")
    second = open_job(monkeypatch, tmp_path, local_server.url, job_id, reviewer="Bo")
    for at in (first, second):
        at.selectbox(key="_results_field").set_value("account_number").run()
    first.text_input(key="_results_correction").set_value("1111").run()
    first.button(key="_results_correct").click().run()
    assert not first.error

    second.text_input(key="_results_correction").set_value("2222")
    second.button(key="_results_correct").click().run()
    [error] = [str(e.value) for e in second.error]
    assert "changed by Ana" in error and "'1111'" in error and "not saved" in error
    assert any("corrected by Ana" in text and "1111" in text for text in texts(second)), "the newer value is shown"
    events = ReviewStore(tmp_path / "studio" / "studio.db").history(f"shared:{local_server.url}", job_id)
    assert [(e.reviewer, e.reviewed) for e in events] == [("Ana", "1111")]


def test_two_jobs_of_one_file_are_compared_value_by_value(monkeypatch, tmp_path, local_server, jobs, client):
    base = client.get_job(jobs["per_doc"])
    schema = {"type": "object", "properties": {"total": {"type": "number"}, "invoice_number": {"type": "string"}}}
    other = client.create_job(base.file_input, configuration={"data_schema": schema, "tier": "agentic"})
    client.wait(other.id, timeout=120)
    at = open_job(monkeypatch, tmp_path, local_server.url, base.id)
    at.segmented_control(key="_results_view").set_value("Compare").run()
    assert not at.exception
    assert at.multiselect(key="_results_compare").value == [other.id]
    at.toggle(key="_results_only_diff").set_value(False).run()
    diff = at.dataframe[0].value.set_index("path")
    extracted = long_values(client, base.id).set_index("path")["value"]
    only_in_base = next(path for path, value in extracted.items() if path not in schema["properties"] and value)
    assert not diff.loc["total", "differs"], "the same document gives the same total"
    assert diff.loc[only_in_base, "differs"], f"the second schema has no {only_in_base}"
    assert any(text.startswith("Batch of 2 jobs") for text in texts(at))


def test_a_row_is_rejected_only_with_a_reason(monkeypatch, tmp_path, local_server, jobs):
    job_id = jobs["per_table_row"]
    at = open_job(monkeypatch, tmp_path, local_server.url, job_id, reviewer="Ana")
    at.number_input(key="_results_row").set_value(2).run()
    at.button(key="_results_reject").click().run()
    assert any("a reason is required" in str(e.value) for e in at.error)
    at.text_input(key="_results_reason").set_value("duplicate of row 1")
    at.button(key="_results_reject").click().run()
    assert any("rejected" in str(s.value) and "row 2" in str(s.value) for s in at.success)
    [event] = ReviewStore(tmp_path / "studio" / "studio.db").history(f"shared:{local_server.url}", job_id)
    assert (event.item, event.action, event.reason) == (Item(2), "reject", "duplicate of row 1")
    assert any("Reviewed 4 /" in str(p.proto.text) for p in at.get("progress")), "a decided row counts as reviewed"


def test_next_flagged_value_walks_the_low_values(monkeypatch, tmp_path, local_server, jobs, client):
    at = open_job(monkeypatch, tmp_path, local_server.url, jobs["per_table_row"], reviewer="Ana")
    at.slider(key="_results_threshold").set_value(1.0).run()
    values = long_values(client, jobs["per_table_row"])
    flagged = values[values["confidence"] < 1.0]
    order = list(zip(flagged["row"], flagged["path"]))
    current = (at.number_input(key="_results_row").value, at.selectbox(key="_results_field").value)
    assert current == order[0], "the first value is shown at first"
    seen = []
    for _ in range(3):
        at.button(key="_results_next").click().run()
        seen.append((at.number_input(key="_results_row").value, at.selectbox(key="_results_field").value))
    assert seen == order[1:4], "each click moves to the next flagged value after the one shown"


def test_the_edit_table_types_each_column_from_the_schema(monkeypatch, tmp_path, local_server, jobs):
    at = open_job(monkeypatch, tmp_path, local_server.url, jobs["per_doc"], reviewer="Ana")
    at.segmented_control(key="_results_view").set_value("Edit table").run()
    assert not at.exception
    editors = [frame for frame in at.dataframe if frame.proto.editing_mode]
    kinds = [{name: column.get("type_config", {}).get("type") for name, column in json.loads(e.proto.columns).items()} for e in editors]
    invoice = make_sample("invoice", fmt="pdf").schema["properties"]
    expected = {
        name: "selectbox" if spec.get("enum") else "date" if spec.get("format") == "date" else
        {"number": "number", "integer": "number", "boolean": "checkbox"}.get(spec.get("type"), "text")
        for name, spec in invoice.items() if spec.get("type") in ("string", "number", "integer", "boolean")
    }
    assert {name: kinds[0][name] for name in expected} == expected
    assert kinds[1]["amount"] == "number", "the line items table is typed too"


def test_a_job_without_a_result_says_why(monkeypatch, tmp_path, local_server, client):
    broken = client.upload_file(b"%PDF-1.7\nnot really a pdf", name="broken.pdf", purpose="extract")
    job = client.create_job(broken.id, configuration={"data_schema": {"type": "object", "properties": {"a": {"type": "string"}}}})
    with pytest.raises(JobFailedError):
        client.wait(job.id, timeout=120)
    at = open_job(monkeypatch, tmp_path, local_server.url, job.id)
    [warning] = [str(w.value) for w in at.warning]
    assert f"Job {job.id} is FAILED" in warning and not at.dataframe

    missing = open_job(monkeypatch, tmp_path, local_server.url, "ext-00000000-0000-4000-8000-000000000000")
    assert any("cannot be loaded" in str(e.value) for e in missing.error)


def test_confidence_chart_is_drawn_once_its_expander_is_opened(monkeypatch, tmp_path, local_server, jobs):
    at = open_job(monkeypatch, tmp_path, local_server.url, jobs["per_table_row"])

    def charts() -> list:
        expander = next(e for e in at.expander if e.label.startswith("Confidence by field"))
        return [child for child in expander.children.values() if child.type == "vega_lite_chart"]

    assert charts() == []  # a first paint does not build the chart
    at.session_state["_results_chart_open"] = True
    at.run()
    assert not at.exception, at.exception
    (chart,) = charts()
    assert json.loads(chart.proto.spec)["mark"]["type"] == "bar"
