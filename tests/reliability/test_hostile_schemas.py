"""Hostile schemas: every entry of ``HOSTILE_SCHEMAS``, at schema/validation and inline on a job,
answers a 400 that names the problem (and the JSON pointer where there is one), in bounded time,
and leaves the server answering. Bodies are sent as raw text: some nest deeper than Python's json
module can encode."""

from __future__ import annotations

import httpx
import pytest

from lib.samples.hostile import HOSTILE_SCHEMAS
from tests.server.helpers import TEXT_DOC, upload
from tests.support.server import RunningServer

JSON = {"content-type": "application/json"}  # the clients time out after 30 s: a hung check fails, never waits forever

# What each 400 must say: the words of the rule broken, and where (None: no pointer fits, the body
# itself could not be read).
EXPECTED: dict[str, tuple[str, str | None]] = {
    "deep_nesting_50": ("deeper than 7 levels", "/properties/l/properties/l"),
    "deep_nesting_5000": ("nested too deeply", None),
    "ten_thousand_properties": ("more than 5000 properties", "/properties"),
    "huge_enum": ("at most 1000", "/properties/code/enum"),
    "ref_cycle": ("cyclic", "/properties/a/$ref"),
    "ref_self_recursive": ("cyclic", "/properties/node/properties/child/$ref"),
    "ref_missing": ("does not resolve", "/properties/a/$ref"),
    "ref_remote": ("only references inside the schema", "/properties/a/$ref"),
    "array_root": ("type 'object'", "/type"),
    "string_root": ("must be a JSON object", "/"),
    "list_root": ("must be a JSON object", "/"),
    "nonsense_keyword": ("unsupported keyword 'frobnicate'", "/properties/a/frobnicate"),
    "bad_type": ("'strnig' is not supported", "/properties/a/type"),
    "properties_not_object": ("properties must be an object", "/properties"),
}


def test_every_hostile_schema_has_an_expectation() -> None:
    assert set(EXPECTED) == set(HOSTILE_SCHEMAS)


def _check(response: httpx.Response, name: str) -> None:
    words, pointer = EXPECTED[name]
    assert response.status_code == 400, (name, response.status_code, response.text[:300])
    detail = response.json()["detail"]
    assert isinstance(detail, str) and words in detail, (name, detail)
    if pointer is not None:
        assert f"(at {pointer}" in detail, (name, detail)
    assert "Traceback" not in detail


@pytest.fixture(scope="module")
def text_file_id(fuzz_server: RunningServer) -> str:
    with fuzz_server.client() as http:
        return upload(http, TEXT_DOC, "hostile-schema.txt")["id"]


@pytest.mark.parametrize("name", sorted(HOSTILE_SCHEMAS))
def test_validation_endpoint_names_the_problem(fuzz_server: RunningServer, name: str) -> None:
    body = '{"data_schema": %s}' % HOSTILE_SCHEMAS[name]
    with fuzz_server.client() as http:
        _check(http.post("/api/v2/extract/schema/validation", content=body, headers=JSON), name)


@pytest.mark.parametrize("name", sorted(HOSTILE_SCHEMAS))
def test_inline_job_configuration_names_the_problem(fuzz_server: RunningServer, text_file_id: str,
                                                    name: str) -> None:
    body = '{"file_input": "%s", "configuration": {"data_schema": %s}}' % (text_file_id, HOSTILE_SCHEMAS[name])
    with fuzz_server.client() as http:
        _check(http.post("/api/v2/extract", content=body, headers=JSON), name)
        assert http.get("/api/v2/extract", params={"file_input": text_file_id}).json()["total_size"] == 0


def test_saved_configuration_refuses_them_too(fuzz_server: RunningServer) -> None:
    """The third way a schema gets in: a saved configuration (then used by configuration_id)."""
    with fuzz_server.client() as http:
        for name in ("ref_cycle", "string_root", "deep_nesting_5000"):
            body = '{"name": "hostile", "parameters": {"product_type": "extract_v2", "data_schema": %s}}' % (
                HOSTILE_SCHEMAS[name])
            _check(http.post("/api/v1/beta/configurations", content=body, headers=JSON), name)
        assert http.get("/api/v1/beta/configurations", params={"name": "hostile"}).json()["items"] == []
        assert http.get("/health").status_code == 200
