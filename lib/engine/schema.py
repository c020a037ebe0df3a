"""Data schemas: validate what analysts write, normalise it, and compile it into a field tree.

``validate_schema(schema)`` checks a JSON Schema against the rules below and returns the
*normalised* schema the engine works with and the API hands back from schema/validation:

- every ``$ref`` is resolved and inlined, and ``$defs`` / ``definitions`` are dropped, so the
  schema is self-contained (pydantic's ``model_json_schema()`` output works as-is);
- nullable spellings (``anyOf``/``oneOf`` with ``{"type": "null"}``, ``type: [X, "null"]``)
  become one form, ``type: [X, "null"]``;
- because the engine answers ``null`` where the document is silent (never a guess), every
  scalar field is made nullable (``null`` is added to ``type`` and to ``enum``); objects stay
  objects and arrays stay arrays (an unanswered array is ``[]``). Every result the engine
  returns validates against this normalised schema;
- ``minItems`` and ``uniqueItems`` are dropped (a document may list no items); ``maxItems``
  is kept and honoured by truncation.

Rules (a broken one raises ``SchemaError(message, pointer)`` naming the JSON pointer):

- the root is ``type: object`` with ``properties``;
- at most 7 levels of nesting below the root (each object property or array ``items`` is a
  level), at most 5,000 properties in total after ``$ref`` resolution, at most 1,000 values
  per ``enum``;
- scalar types are ``string``, ``number``, ``integer``, ``boolean``; a field has one type
  besides ``null``; ``anyOf`` / ``oneOf`` are accepted only to make a type nullable;
  ``allOf`` only with a single member (older pydantic wraps ``$ref`` in it);
- ``$ref`` must point inside the schema (``#/...``) and must not be cyclic;
- supported keywords: ``type, properties, required, items, enum, const, format, description,
  title, anyOf, oneOf, allOf, $ref, $defs, definitions, default, examples,
  additionalProperties, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf,
  minLength, maxLength, pattern, minItems, maxItems, uniqueItems, $schema, $id, $comment,
  deprecated, readOnly, writeOnly, nullable`` and any ``x-...`` extension; anything else
  (``if``/``then``, ``not``, ``patternProperties``...) is refused rather than silently ignored.

Every walk is bounded (node budget, depth limit), so hostile schemas fail fast.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from lib.engine.errors import SchemaError

MAX_DEPTH = 7
MAX_PROPERTIES = 5000
MAX_ENUM = 1000
MAX_NODES = 50_000  # schema nodes visited while resolving; bounds $ref fan-out
SCALAR_TYPES = ("string", "number", "integer", "boolean")
ANNOTATIONS = {"description", "title", "default", "examples", "$schema", "$id", "$comment", "deprecated",
               "readOnly", "writeOnly", "nullable"}
CONSTRAINTS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
               "maxLength", "pattern"}
STRUCTURE = {"type", "properties", "required", "items", "enum", "const", "format", "anyOf", "oneOf", "allOf",
             "$ref", "$defs", "definitions", "additionalProperties", "minItems", "maxItems", "uniqueItems"}
SUPPORTED = ANNOTATIONS | CONSTRAINTS | STRUCTURE


@dataclass
class Field:
    """One node of the compiled schema: an object, an array or a scalar leaf."""

    name: str
    kind: str  # "object" | "array" | a scalar type
    path: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    format: Optional[str] = None
    enum: Optional[list[Any]] = None
    constraints: dict[str, Any] = field(default_factory=dict)
    children: list["Field"] = field(default_factory=list)  # object properties
    items: Optional["Field"] = None  # array items
    max_items: Optional[int] = None

    @property
    def is_scalar(self) -> bool:
        return self.kind in SCALAR_TYPES


def _ptr(path: tuple[str, ...]) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path) if path else "/"


class _Resolver:
    """Walks a raw schema once, inlining ``$ref`` and producing the normalised form."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.nodes = 0
        self.properties = 0

    def lookup(self, ref: Any, at: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SchemaError(f"$ref {ref!r} is not supported: only references inside the schema ('#/$defs/Name')",
                              _ptr(at))
        target: Any = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise SchemaError(f"$ref {ref!r} does not resolve to a definition in the schema", _ptr(at))
            target = target[part]
        if not isinstance(target, dict):
            raise SchemaError(f"$ref {ref!r} points at something that is not a schema", _ptr(at))
        return target

    def normalise(self, node: Any, at: tuple[str, ...], depth: int, refs: tuple[str, ...]) -> dict[str, Any]:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SchemaError(f"the schema is too large once $ref is resolved (more than {MAX_NODES} nodes)",
                              _ptr(at))
        if not isinstance(node, dict):
            raise SchemaError("a schema must be a JSON object", _ptr(at))
        unknown = sorted(k for k in node if k not in SUPPORTED and not str(k).startswith("x-"))
        if unknown:
            raise SchemaError(f"unsupported keyword {unknown[0]!r}; supported keywords are listed in the "
                              "engine's schema documentation (type, properties, items, enum, format, ...)",
                              _ptr(at + (unknown[0],)))
        if "$ref" in node:
            ref = node["$ref"]
            if ref in refs:
                raise SchemaError(f"$ref {ref!r} is cyclic (a schema that contains itself cannot be extracted)",
                                  _ptr(at + ("$ref",)))
            target = self.lookup(ref, at + ("$ref",))
            merged = {k: v for k, v in node.items() if k != "$ref"}
            resolved = self.normalise(target, at, depth, refs + (ref,))
            for key in ("title", "description", "default", "examples"):
                if key in merged:
                    resolved[key] = merged[key]
            return resolved
        for combinator in ("anyOf", "oneOf", "allOf"):
            if combinator in node:
                return self.combinator(node, combinator, at, depth, refs)
        return self.typed(node, at, depth, refs)

    def combinator(self, node: dict[str, Any], key: str, at: tuple[str, ...], depth: int,
                   refs: tuple[str, ...]) -> dict[str, Any]:
        members = node[key]
        if not isinstance(members, list) or not members:
            raise SchemaError(f"{key} must be a non-empty list of schemas", _ptr(at + (key,)))
        non_null = [(i, m) for i, m in enumerate(members) if not (isinstance(m, dict) and m.get("type") == "null")]
        if key == "allOf" and len(members) != 1 or key != "allOf" and len(non_null) != 1:
            raise SchemaError(f"{key} is supported only to make one type nullable "
                              "(e.g. anyOf: [{type: string}, {type: null}]); use a single type per field",
                              _ptr(at + (key,)))
        index, member = non_null[0]
        resolved = self.normalise(member, at + (key, str(index)), depth, refs)
        for extra in ANNOTATIONS | CONSTRAINTS | {"format", "enum"}:
            if extra in node and extra not in ("$schema", "$id"):
                resolved[extra] = copy.deepcopy(node[extra])
        return self.typed_nullable(resolved) if resolved.get("type") not in ("object", "array") else resolved

    @staticmethod
    def typed_nullable(node: dict[str, Any]) -> dict[str, Any]:
        kind = node["type"]
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = node["enum"] + [None]
        return node

    def typed(self, node: dict[str, Any], at: tuple[str, ...], depth: int, refs: tuple[str, ...]) -> dict[str, Any]:
        kind = self.kind_of(node, at)
        out = {k: copy.deepcopy(v) for k, v in node.items()
               if k in ANNOTATIONS - {"nullable"} or k in CONSTRAINTS or k == "format" or str(k).startswith("x-")}
        if kind == "object":
            return self.object(node, out, at, depth, refs)
        if kind == "array":
            if depth + 1 > MAX_DEPTH:
                raise SchemaError(f"the schema nests deeper than {MAX_DEPTH} levels", _ptr(at + ("items",)))
            if "items" not in node:
                raise SchemaError("an array needs 'items' saying what each element is", _ptr(at))
            out["type"] = "array"
            out["items"] = self.normalise(node["items"], at + ("items",), depth + 1, refs)
            if "maxItems" in node:
                if not isinstance(node["maxItems"], int) or node["maxItems"] < 0:
                    raise SchemaError("maxItems must be a non-negative integer", _ptr(at + ("maxItems",)))
                out["maxItems"] = node["maxItems"]
            return out
        out["type"] = [kind, "null"]
        enum = node.get("enum")
        if "const" in node:
            enum = [node["const"]]
        if enum is not None:
            if not isinstance(enum, list) or not enum:
                raise SchemaError("enum must be a non-empty list of allowed values", _ptr(at + ("enum",)))
            if len(enum) > MAX_ENUM:
                raise SchemaError(f"enum has {len(enum)} values; at most {MAX_ENUM} are supported",
                                  _ptr(at + ("enum",)))
            bad = next((i for i, v in enumerate(enum) if isinstance(v, (dict, list))), None)
            if bad is not None:
                raise SchemaError("enum values must be strings, numbers, booleans or null", _ptr(at + ("enum", str(bad))))
            out["enum"] = list(enum) + ([None] if None not in enum else [])
        if "pattern" in node:
            self.check_pattern(node["pattern"], at)
        return out

    @staticmethod
    def check_pattern(pattern: Any, at: tuple[str, ...]) -> None:
        if not isinstance(pattern, str) or len(pattern) > 1000:
            raise SchemaError("pattern must be a regular expression of at most 1000 characters", _ptr(at + ("pattern",)))
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SchemaError(f"pattern is not a valid regular expression ({exc})", _ptr(at + ("pattern",))) from None

    def kind_of(self, node: dict[str, Any], at: tuple[str, ...]) -> str:
        kind = node.get("type")
        if kind is None:
            if "properties" in node:
                return "object"
            if "items" in node:
                return "array"
            if "enum" in node or "const" in node:
                values = node.get("enum") or [node.get("const")]
                return "string" if all(isinstance(v, str) or v is None for v in values) else "number"
            raise SchemaError("the field has no 'type' (use string, number, integer, boolean, object or array)",
                              _ptr(at))
        if isinstance(kind, list):
            rest = [k for k in kind if k != "null"]
            if len(rest) != 1:
                raise SchemaError(f"type {kind!r}: a field can have one type besides null", _ptr(at + ("type",)))
            kind = rest[0]
        if kind not in SCALAR_TYPES + ("object", "array"):
            raise SchemaError(f"type {kind!r} is not supported (use string, number, integer, boolean, object or "
                              "array)", _ptr(at + ("type",)))
        return kind

    def object(self, node: dict[str, Any], out: dict[str, Any], at: tuple[str, ...], depth: int,
               refs: tuple[str, ...]) -> dict[str, Any]:
        props = node.get("properties", {})
        if not isinstance(props, dict):
            raise SchemaError("properties must be an object mapping field names to schemas", _ptr(at + ("properties",)))
        if props and depth + 1 > MAX_DEPTH:
            raise SchemaError(f"the schema nests deeper than {MAX_DEPTH} levels", _ptr(at + ("properties",)))
        self.properties += len(props)
        if self.properties > MAX_PROPERTIES:
            raise SchemaError(f"the schema has more than {MAX_PROPERTIES} properties in total",
                              _ptr(at + ("properties",)))
        required = node.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise SchemaError("required must be a list of property names", _ptr(at + ("required",)))
        missing = [r for r in required if r not in props]
        if missing:
            raise SchemaError(f"required names {missing[0]!r}, which is not in properties", _ptr(at + ("required",)))
        out["type"] = "object"
        out["properties"] = {}
        for name, sub in props.items():
            if not name.strip():
                raise SchemaError("property names must not be empty", _ptr(at + ("properties", name)))
            out["properties"][name] = self.normalise(sub, at + ("properties", name), depth + 1, refs)
        if required:
            out["required"] = list(required)
        if "additionalProperties" in node:
            extra = node["additionalProperties"]
            if not isinstance(extra, (bool, dict)):
                raise SchemaError("additionalProperties must be true, false or a schema",
                                  _ptr(at + ("additionalProperties",)))
            out["additionalProperties"] = extra if isinstance(extra, bool) else False
        return out


def _json_kind(value: Any) -> str:
    """What a JSON value is, in the words of JSON (for messages about the wrong kind of value)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    kinds = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}
    return next((name for kind, name in kinds.items() if isinstance(value, kind)), type(value).__name__)


def validate_schema(schema: Any) -> dict[str, Any]:
    """Check a data schema and return its normalised form (see the module docstring)."""
    if not isinstance(schema, dict):
        raise SchemaError(f"the data schema must be a JSON object with type 'object', not {_json_kind(schema)}", "/")
    if schema.get("type") != "object":
        raise SchemaError("the root of the schema must have type 'object'", "/type")
    if "properties" in schema and not isinstance(schema["properties"], dict):
        raise SchemaError("properties must be an object mapping each field name to its schema, "
                          f"not {_json_kind(schema['properties'])}", "/properties")
    if not schema.get("properties"):
        raise SchemaError("the root of the schema needs at least one property to extract", "/properties")
    normalised = _Resolver(schema).normalise(schema, (), 0, ())
    for key in ("$schema", "$id"):
        normalised.pop(key, None)
    return normalised


def compile_schema(normalised: dict[str, Any]) -> Field:
    """Turn a normalised schema into the ``Field`` tree the extractor walks."""
    return _compile("", normalised, ())


def _compile(name: str, node: dict[str, Any], path: tuple[str, ...]) -> Field:
    kind = node["type"] if isinstance(node["type"], str) else next(k for k in node["type"] if k != "null")
    out = Field(name=name, kind=kind, path=path, title=str(node.get("title") or ""),
                description=str(node.get("description") or ""), format=node.get("format"))
    if kind == "object":
        out.children = [_compile(k, v, path + (k,)) for k, v in node.get("properties", {}).items()]
    elif kind == "array":
        out.items = _compile(name, node["items"], path)
        out.max_items = node.get("maxItems")
    else:
        enum = node.get("enum")
        out.enum = [v for v in enum if v is not None] if enum else None
        out.constraints = {k: node[k] for k in CONSTRAINTS if k in node}
    return out
