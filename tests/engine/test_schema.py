"""Schema validation: the rules, the pointers in the errors, normalisation, and hostile input."""

from __future__ import annotations

import time

import jsonschema
import pytest

from lib.engine.errors import SchemaError
from lib.engine.schema import compile_schema, validate_schema
from lib.samples.templates import REPORT


def _obj(**props):
    return {"type": "object", "properties": props}


@pytest.mark.parametrize("schema, pointer, words", [
    ({"type": "array", "items": {"type": "string"}}, "/type", "root"),
    ({"type": "object", "properties": {}}, "/properties", "at least one"),
    (_obj(a={"type": "strin"}), "/properties/a/type", "not supported"),
    (_obj(a={"type": "string", "if": {}}), "/properties/a/if", "unsupported keyword"),
    (_obj(a={"type": ["string", "number"]}), "/properties/a/type", "one type"),
    (_obj(a={"anyOf": [{"type": "string"}, {"type": "number"}]}), "/properties/a/anyOf", "nullable"),
    (_obj(a={"$ref": "#/$defs/Missing"}), "/properties/a/$ref", "does not resolve"),
    (_obj(a={"$ref": "http://example.com/s.json"}), "/properties/a/$ref", "inside the schema"),
    (_obj(a={"type": "array"}), "/properties/a", "items"),
    (_obj(a={"type": "string", "enum": []}), "/properties/a/enum", "non-empty"),
    (_obj(a={"type": "string", "pattern": "("}), "/properties/a/pattern", "regular expression"),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]}, "/required", "'b'"),
])
def test_invalid_schemas_name_the_rule_and_the_pointer(schema, pointer, words):
    with pytest.raises(SchemaError) as caught:
        validate_schema(schema)
    assert caught.value.pointer == pointer
    assert words in caught.value.reason


def test_ref_cycle_is_refused_with_its_pointer():
    schema = {"type": "object", "$defs": {"Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}},
              "properties": {"root": {"$ref": "#/$defs/Node"}}}
    with pytest.raises(SchemaError) as caught:
        validate_schema(schema)
    assert "cyclic" in caught.value.reason
    assert caught.value.pointer == "/properties/root/properties/child/$ref"


def test_nesting_deeper_than_seven_levels_is_refused():
    node: dict = {"type": "string"}
    for _ in range(8):
        node = {"type": "object", "properties": {"x": node}}
    with pytest.raises(SchemaError) as caught:
        validate_schema(node)
    assert "deeper than 7" in caught.value.reason
    seven: dict = {"type": "string"}
    for _ in range(7):
        seven = {"type": "object", "properties": {"x": seven}}
    assert validate_schema(seven)["type"] == "object"


def test_hostile_schemas_fail_fast():
    started = time.perf_counter()
    too_many = {"type": "object", "properties": {f"f{i}": {"type": "string"} for i in range(10_000)}}
    with pytest.raises(SchemaError, match="more than 5000 properties"):
        validate_schema(too_many)
    huge_enum = _obj(a={"type": "string", "enum": [str(i) for i in range(100_000)]})
    with pytest.raises(SchemaError, match="at most 1000"):
        validate_schema(huge_enum)
    deep: dict = {"type": "string"}
    for _ in range(5000):
        deep = {"type": "object", "properties": {"x": deep}}
    with pytest.raises(SchemaError, match="deeper"):
        validate_schema(deep)
    # $ref fan-out: each level refers to the previous one twice, 2**30 nodes if expanded naively
    defs = {"L0": {"type": "string"}}
    for i in range(1, 31):
        defs[f"L{i}"] = {"type": "object", "properties": {"a": {"$ref": f"#/$defs/L{i-1}"}, "b": {"$ref": f"#/$defs/L{i-1}"}}}
    with pytest.raises(SchemaError):
        validate_schema({"type": "object", "$defs": defs, "properties": {"top": {"$ref": "#/$defs/L30"}}})
    assert time.perf_counter() - started < 30  # a guard against hangs, not a speed claim


def test_pydantic_defs_and_refs_are_inlined():
    normalised = validate_schema(REPORT)
    assert "$defs" not in normalised
    sections = normalised["properties"]["sections"]
    assert sections["type"] == "array"
    assert set(sections["items"]["properties"]) == {"title", "section_date", "subtotal"}
    assert sections["items"]["properties"]["section_date"]["format"] == "date"
    assert normalised["properties"]["author"]["type"] == ["string", "null"]


def test_every_scalar_becomes_nullable_so_nulls_validate():
    schema = {"type": "object", "required": ["kind", "total"], "properties": {
        "kind": {"type": "string", "enum": ["a", "b"]},
        "total": {"type": "number"},
        "maybe": {"type": ["integer", "null"]},
        "items": {"type": "array", "minItems": 1, "items": {"type": "object", "properties": {"x": {"type": "boolean"}}}},
    }}
    normalised = validate_schema(schema)
    jsonschema.validate({"kind": None, "total": None, "maybe": None, "items": []}, normalised)
    assert normalised["properties"]["kind"]["enum"] == ["a", "b", None]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"kind": "c", "total": None, "maybe": None, "items": []}, normalised)


def test_compiled_tree_follows_the_schema():
    root = compile_schema(validate_schema(REPORT))
    names = [c.name for c in root.children]
    assert names[:3] == ["title", "company", "report_date"]
    sections = next(c for c in root.children if c.name == "sections")
    assert sections.kind == "array" and sections.items is not None
    assert [c.path for c in sections.items.children][0] == ("sections", "title")
