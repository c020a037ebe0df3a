"""Fixtures shared by every area's tests."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.server import RunningServer, start_server


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One real local server (no API key, one worker) on a temporary data directory, for the session."""
    with start_server(tmp_path_factory.mktemp("local-server") / "data", workers=1) as server:
        yield server
