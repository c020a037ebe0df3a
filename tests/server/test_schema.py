"""Schema validation and generation over real HTTP: the normalised schema, or a 400 naming pointer and rule."""

from __future__ import annotations

import httpx
import pytest

from tests.server.helpers import TEXT_SCHEMA

VALIDATE = "/api/v2/extract/schema/validation"
GENERATE = "/api/v2/extract/schema/generate"


def _deep(levels: int) -> dict:
    node: dict = {"type": "string"}
    for _ in range(levels):
        node = {"type": "object", "properties": {"x": node}}
    return node


def test_valid_schema_is_returned_normalised(client: httpx.Client) -> None:
    schema = {"type": "object", "properties": {"vendor": {"$ref": "#/$defs/party"}},
              "$defs": {"party": {"type": "object", "properties": {"name": {"type": "string"}}}}}
    body = client.post(VALIDATE, json={"data_schema": schema}).json()
    normalised = body["data_schema"]
    assert "$defs" not in normalised and normalised["properties"]["vendor"]["properties"]["name"]["type"] == ["string", "null"]
    assert client.post(VALIDATE, json={"data_schema": normalised}).json()["data_schema"] == normalised


@pytest.mark.parametrize(
    "schema, pointer, words",
    [
        ({"type": "array", "items": {"type": "string"}}, "/type", "root"),
        ({"type": "object", "properties": {"a": {"type": "string", "if": {}}}}, "/properties/a", "if"),
        ({"type": "object", "properties": {"a": {"$ref": "#/$defs/nowhere"}}}, "/properties/a", "ref"),
        ({"type": "object", "properties": {"a": {"$ref": "#/$defs/loop"}},
          "$defs": {"loop": {"type": "object", "properties": {"self": {"$ref": "#/$defs/loop"}}}}}, "/", "cycl"),
        (_deep(9), "/properties/x", "nest"),
        ({"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(5001)}}, "/properties", "5000"),
    ],
)
def test_invalid_schema_names_pointer_and_rule(client: httpx.Client, schema: dict, pointer: str, words: str) -> None:
    response = client.post(VALIDATE, json={"data_schema": schema})
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert f"(at {pointer}" in detail, detail
    assert words.lower() in detail.lower(), detail


def test_malformed_validation_request_is_422(client: httpx.Client) -> None:
    assert client.post(VALIDATE, json={"schema": TEXT_SCHEMA}).status_code == 422
    not_an_object = client.post(VALIDATE, json={"data_schema": [1, 2]})  # a schema rule, so 400 naming it
    assert not_an_object.status_code == 400 and "(at /)" in not_an_object.json()["detail"]


def test_generate_refines_a_given_schema(client: httpx.Client) -> None:
    body = client.post(GENERATE, json={"data_schema": TEXT_SCHEMA, "name": "mine"}).json()
    assert body["name"] == "mine" and body["parameters"]["product_type"] == "extract_v2"
    assert set(body["parameters"]["data_schema"]["properties"]) == {"invoice_number", "total"}
    assert client.post(GENERATE, json={}).status_code == 400
    assert client.post(GENERATE, json={"file_id": "dfl-missing"}).status_code == 404
