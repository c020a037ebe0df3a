"""Fixtures for the reliability suites (issue 8): real servers on loopback, each with the limits
its suite needs, and the hostile corpus from ``lib.samples.hostile``."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from tests.server.helpers import FAST_ENV
from tests.support.server import RunningServer, start_server


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The server schemathesis fuzzes: small limits so generated bodies and jobs stay cheap."""
    env = {**FAST_ENV, "EXTRACT_SERVER_JOB_TIMEOUT_S": "10", "EXTRACT_SERVER_MAX_FILE_MB": "2"}
    with start_server(tmp_path_factory.mktemp("fuzz") / "data", workers=1, extra_env=env) as server:
        yield server


@pytest.fixture()
def fuzz_client(fuzz_server: RunningServer) -> Iterator[httpx.Client]:
    with fuzz_server.client() as http:
        yield http
