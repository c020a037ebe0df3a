"""API fuzzing: schemathesis generates requests for every operation in our own /openapi.json and
checks that none gets a 5xx and every response matches the schema the server documents."""

from __future__ import annotations

import os

import httpx
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.support.server import RunningServer

# Bounded and seeded for CI; explore further locally with e.g. FUZZ_EXAMPLES=200 FUZZ_SEED=3.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "10"))
CONFIG = {
    "seed": int(os.environ.get("FUZZ_SEED", "8")),
    "generation": {"max-examples": EXAMPLES_PER_OPERATION},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
}


@pytest.fixture(scope="module")
def api_schema(fuzz_server: RunningServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json",
                                         config=SchemathesisConfig.from_dict(CONFIG))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_no_server_error_and_responses_match_the_schema(case: schemathesis.Case) -> None:
    response = case.call(timeout=30)
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                             response_schema_conformance])


def test_server_still_answers_after_fuzzing(fuzz_server: RunningServer) -> None:
    """Runs after the fuzzing above (same module, file order): nothing it sent stopped the server."""
    assert httpx.get(fuzz_server.url + "/health", timeout=10).json() == {"status": "ok"}
    assert fuzz_server.proc is not None and fuzz_server.proc.poll() is None
