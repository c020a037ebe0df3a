"""The Jobs page under AppTest against the real local server: newest first, filters, review progress,
opening a job in Results, deleting a finished one after confirmation."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from lib.client import ExtractClient, JobFailedError, NotFoundError
from lib.review.cells import review_values
from lib.review.flatten import flatten_job
from lib.review.store import Item, ReviewStore
from lib.samples import make_sample
from lib.ui import state
from tests.ui.support import app_test, point_app_at, texts


@pytest.fixture(scope="module")
def made(local_server) -> dict[str, str]:
    """Three finished jobs: two receipts (one through a saved configuration) and a corrupt PDF that fails."""
    receipt = make_sample("receipt", fmt="pdf")
    with ExtractClient(local_server.url) as client:
        upload = client.upload_file(receipt.data, name=receipt.filename, purpose="extract")
        inline = client.create_job(upload.id, configuration={"data_schema": receipt.schema})
        config = client.create_configuration(
            "receipts for the jobs page test", {"product_type": "extract_v2", "data_schema": receipt.schema}
        )
        saved = client.create_job(upload.id, configuration_id=config.id)
        broken = client.upload_file(b"%PDF-1.7\nthis is not a pdf", name="broken.pdf", purpose="extract")
        failed = client.create_job(broken.id, configuration={"data_schema": receipt.schema})
        for job in (inline, saved):
            client.wait(job.id, timeout=120)
        with pytest.raises(JobFailedError):
            client.wait(failed.id, timeout=120)
    return {"inline": inline.id, "saved": saved.id, "failed": failed.id, "config": config.id, "file": receipt.filename}


def open_jobs(monkeypatch, tmp_path, server_url):
    point_app_at(monkeypatch, tmp_path / "studio", server_url)
    at = app_test().run()
    at.switch_page("pages/jobs.py").run()
    assert not at.exception, at.exception
    return at


def table(at):
    return at.dataframe[0].value


def test_jobs_are_listed_newest_first_with_file_configuration_and_status(monkeypatch, tmp_path, local_server, made):
    at = open_jobs(monkeypatch, tmp_path, local_server.url)
    jobs = table(at)
    mine = jobs[jobs["job id"].isin([made["inline"], made["saved"], made["failed"]])]
    assert list(mine["job id"]) == [made["failed"], made["saved"], made["inline"]]
    assert list(mine["status"]) == ["FAILED", "COMPLETED", "COMPLETED"]
    assert list(mine["file"]) == ["broken.pdf", made["file"], made["file"]]
    assert mine["configuration"].iloc[1] == "receipts for the jobs page test"
    assert mine["error"].iloc[0] != ""
    created = list(jobs["created"])
    assert created == sorted(created, reverse=True)


def test_filters_by_status_configuration_and_date(monkeypatch, tmp_path, local_server, made):
    at = open_jobs(monkeypatch, tmp_path, local_server.url)
    at.selectbox(key="_jobs_status").set_value("FAILED").run()
    failed = table(at)
    assert made["failed"] in set(failed["job id"]) and set(failed["status"]) == {"FAILED"}

    at.selectbox(key="_jobs_status").set_value("any")
    at.selectbox(key="_jobs_config").set_value(made["config"]).run()
    assert list(table(at)["job id"]) == [made["saved"]]

    at.selectbox(key="_jobs_config").set_value("any")
    at.date_input(key="_jobs_after").set_value(date.today() + timedelta(days=2)).run()
    assert not at.dataframe and any("No jobs match these filters" in text for text in texts(at))


def test_review_progress_comes_from_the_review_store(monkeypatch, tmp_path, local_server, made):
    store = ReviewStore(tmp_path / "studio" / "studio.db")
    backend = f"shared:{local_server.url}"
    store.save(backend, made["inline"], Item(0, "total"), "confirm", reviewer="Ana", expected_version=0, extracted=1.0)
    store.save(backend, made["inline"], Item(0, "merchant"), "confirm", reviewer="Ana", expected_version=0, extracted="x")
    at = open_jobs(monkeypatch, tmp_path, local_server.url)
    jobs = table(at).set_index("job id")
    assert jobs.loc[made["inline"], "reviewed values"] == 2
    assert jobs.loc[made["saved"], "reviewed values"] == 0
    with ExtractClient(local_server.url) as client:
        total = len(review_values(flatten_job(client.get_job(made["inline"]))))
    assert jobs.loc[made["inline"], "values"] == total > 2
    assert pd.isna(jobs.loc[made["failed"], "values"])


def test_open_a_job_in_results(monkeypatch, tmp_path, local_server, made):
    at = open_jobs(monkeypatch, tmp_path, local_server.url)
    at.selectbox(key="_jobs_pick").set_value(made["saved"]).run()
    at.button(key="_jobs_open").click().run()
    assert not at.exception
    assert at.session_state[state.SELECTED_JOB_ID] == made["saved"]
    assert at.title[0].value == "Results"
    assert at.selectbox(key="_results_job").value == made["saved"]


def test_only_finished_jobs_are_deleted_and_only_after_confirming(monkeypatch, tmp_path, local_server, made):
    at = open_jobs(monkeypatch, tmp_path, local_server.url)
    at.selectbox(key="_jobs_pick").set_value(made["failed"]).run()
    at.button(key="_jobs_delete").click().run()
    assert any("Delete broken.pdf" in str(w.value) for w in at.warning)
    at.button(key="_jobs_delete_no").click().run()
    assert not at.warning
    with ExtractClient(local_server.url) as client:
        assert client.get_job(made["failed"]).status == "FAILED", "keeping it deletes nothing"
        at.button(key="_jobs_delete").click().run()
        at.button(key="_jobs_delete_yes").click().run()
        assert any(f"Deleted {made['failed']}" in str(s.value) for s in at.success)
        with pytest.raises(NotFoundError):
            client.get_job(made["failed"])
    assert made["failed"] not in set(table(at)["job id"])
