"""Load: 50 concurrent clients on loopback create jobs and poll them for a bounded time against a
server with a small queue. The only refusal is the documented 429 (which really happens), no
job is lost (every created job reaches a terminal state), and the poll latency is reported."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.reliability.load import LoadReport, run_load
from tests.server.helpers import TEXT_DOC, TEXT_SCHEMA, upload
from tests.support.server import RunningServer, start_server

CLIENTS = 50
SECONDS = 10.0
MAX_QUEUE = 8


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadReport]:
    env = {"EXTRACT_SERVER_MAX_QUEUE": str(MAX_QUEUE)}
    with start_server(tmp_path_factory.mktemp("load") / "data", workers=2, extra_env=env) as server:
        with server.client() as http:
            file_id = upload(http, TEXT_DOC, "load.txt")["id"]
        result = run_load(server.url, file_id, TEXT_SCHEMA, clients=CLIENTS, seconds=SECONDS)
        print("\nload:", result.summary())
        yield result
        assert _still_answers(server)


def _still_answers(server: RunningServer) -> bool:
    with server.client() as http:
        return http.get("/health").status_code == 200


def test_no_errors_other_than_429(report: LoadReport) -> None:
    assert report.errors == [], report.errors[:5]
    assert report.created, "no job was accepted at all"


def test_the_full_queue_really_answers_429(report: LoadReport) -> None:
    assert report.refused_429 > 0, report.summary()
    assert report.refusals_well_formed


def test_no_job_is_lost(report: LoadReport, record_property: Any) -> None:
    record_property("load", report.summary())  # for bench/reliability.py's table
    assert report.lost == [], report.summary()
    assert report.count("COMPLETED") == len(report.created), report.summary()


def test_poll_latency_is_measured(report: LoadReport) -> None:
    """Reported, not asserted on time: only that polls happened and were timed."""
    assert len(report.poll_ms) > 0
    assert report.percentile(99) is not None
