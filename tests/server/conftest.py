"""Fixtures for the server's tests: real servers on loopback, real documents from lib.samples."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from lib.samples import Sample, make_sample
from tests.server.helpers import FAST_ENV, upload
from tests.support.server import RunningServer, start_server


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The server most tests share: two workers, loopback webhooks allowed, quick webhook retries."""
    with start_server(tmp_path_factory.mktemp("api") / "data", workers=2, extra_env=FAST_ENV) as server:
        yield server


@pytest.fixture()
def client(api_server: RunningServer) -> Iterator[httpx.Client]:
    with api_server.client() as http:
        yield http


@pytest.fixture(scope="session")
def invoice() -> Sample:
    return make_sample("invoice", fmt="pdf")


@pytest.fixture(scope="session")
def slow_document() -> Sample:
    """Scanned pages: OCR makes this take seconds, long enough to cancel or time out while RUNNING."""
    return make_sample("report", fmt="scanned_pdf", pages=4)


@pytest.fixture(scope="session")
def invoice_file(api_server: RunningServer, invoice: Sample) -> dict:
    with api_server.client() as http:
        return upload(http, invoice.data, invoice.filename)
