"""Schema editing without Streamlit: checking a schema text, the field builder's tables, inferring a schema
from an example result, and a sample result for the column-layout preview.

The schema editor page is a thin layer over these functions, so they are tested directly. Three stages of
checking run in order, each only when the previous one passed: JSON syntax (with line and column), the JSON
Schema meta-schema (with the path of the offending part), and - on the page, through the client - the rules
the extraction server enforces.

The builder shows one table per object (the root, and each object or array of objects below it). Writing a
table back only touches what that table shows and what the person changed, so keywords the builder has no
column for (``minimum``, ``pattern``, ``anyOf`` unions, ``$ref`` targets ...) survive a round trip; each row
lists them in its read-only ``kept`` column instead of dropping them.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Literal, Optional

from jsonschema.validators import Draft202012Validator, validator_for

Stage = Literal["syntax", "schema", "server"]
Path = tuple[str, ...]

SCALAR_TYPES = ("string", "number", "integer", "boolean")
FIELD_TYPES = (
    *SCALAR_TYPES,
    "object",
    "array[object]",
    *(f"array[{name}]" for name in SCALAR_TYPES),
    "other",
)
DATE_FORMATS = ("", "date", "date-time", "time")
SHOWN_KEYS = frozenset({"type", "description", "enum", "format", "properties", "required", "items", "$ref"})
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


# --- checking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the schema text. ``line`` and ``column`` are 1-based (syntax errors);
    ``path`` names the offending part of the schema (``properties/total/type``)."""

    stage: Stage
    message: str
    line: Optional[int] = None
    column: Optional[int] = None
    path: str = ""

    def describe(self) -> str:
        """The message a person reads: where, then what."""
        if self.line is not None and self.path:
            return f"Line {self.line}, at {self.path}: {self.message}"
        if self.line is not None:
            return f"Line {self.line}, column {self.column}: {self.message}"
        if self.path:
            return f"At {self.path}: {self.message}"
        return self.message

    def placed(self, text: str) -> "Problem":
        """This problem with the line and column of its ``path`` in ``text`` (when it can be found), so
        the editor can mark the line."""
        if self.line is not None or not self.path:
            return self
        parts = (part.replace("~1", "/").replace("~0", "~") for part in self.path.split("/") if part)
        where = locate(text, tuple(parts))
        if where is None:
            return self
        return Problem(self.stage, self.message, where[0], where[1], self.path)


@dataclass(frozen=True)
class Checked:
    """The result of checking a schema text: the schema when syntax and meta-schema pass, else the problems."""

    schema: Optional[dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)


def check_text(text: str) -> Checked:
    """Parse and check a schema text locally (syntax, then meta-schema and references)."""
    if not text.strip():
        return Checked(None, [Problem("syntax", "The schema is empty. Type a JSON object or load a template.", 1, 1)])
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Checked(None, [Problem("syntax", f"{exc.msg}.", exc.lineno, exc.colno)])
    if not isinstance(value, dict):
        kind = type(value).__name__
        return Checked(None, [Problem("schema", f"A schema must be a JSON object, not a {kind}.")])
    problems = [p.placed(text) for p in _unique(meta_schema_problems(value) + reference_problems(value))]
    return Checked(None if problems else value, problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    """The meta-schema reports some violations once per branch it tried; say each once."""
    return list(dict.fromkeys(problems))


def meta_schema_problems(schema: dict[str, Any]) -> list[Problem]:
    """Violations of the JSON Schema meta-schema (the draft the schema names, 2020-12 by default)."""
    cls = validator_for(schema, default=Draft202012Validator)
    errors = sorted(cls(cls.META_SCHEMA).iter_errors(schema), key=lambda e: [str(p) for p in e.absolute_path])
    return [Problem("schema", error.message, path=_pointer(error.absolute_path)) for error in errors]


def reference_problems(schema: dict[str, Any]) -> list[Problem]:
    """Local ``$ref`` s (``#/$defs/...``) that point at nothing: the meta-schema cannot see those."""
    problems = []
    for path, ref in _refs(schema, ()):
        if ref.startswith("#") and _resolve_pointer(schema, ref) is None:
            problems.append(Problem("schema", f"$ref '{ref}' points at nothing in this schema.", path=_pointer(path)))
    return problems


def _refs(node: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield path + ("$ref",), node["$ref"]
        for key, value in node.items():
            yield from _refs(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, path + (index,))


def _pointer(path: Any) -> str:
    return "/".join(str(part) for part in path)


def _resolve_pointer(schema: dict[str, Any], ref: str) -> Any:
    """The node a local JSON pointer (``#/$defs/Item``) names, or None."""
    node: Any = schema
    for raw in ref.lstrip("#").split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def locate(text: str, path: tuple[str, ...]) -> Optional[tuple[int, int]]:
    """The 1-based (line, column) where the value at ``path`` (object keys and array indexes as strings)
    is written in the JSON ``text``: at its key for an object member. None when the text does not parse
    or has no such path."""
    try:
        offsets = _offsets(text)
    except (ValueError, IndexError):
        return None
    offset = offsets.get(path)
    if offset is None:
        return None
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offsets(text: str) -> dict[tuple[str, ...], int]:
    """Where each value of a JSON text starts (its key's position for an object member), by path."""
    decoder = json.JSONDecoder()
    found: dict[tuple[str, ...], int] = {}

    def skip(index: int) -> int:
        return _WHITESPACE.match(text, index).end()

    def value(index: int, path: tuple[str, ...]) -> int:
        index = skip(index)
        found.setdefault(path, index)
        if text[index] == "{":
            return members(index + 1, path)
        if text[index] == "[":
            return elements(index + 1, path)
        return decoder.raw_decode(text, index)[1]

    def members(index: int, path: tuple[str, ...]) -> int:
        index = skip(index)
        if text[index] == "}":
            return index + 1
        while True:
            key, after = json.decoder.scanstring(text, index + 1)
            found.setdefault(path + (key,), index)
            index = skip(after)
            index = skip(value(index + 1, path + (key,)))
            if text[index] == "}":
                return index + 1
            index = skip(index + 1)

    def elements(index: int, path: tuple[str, ...]) -> int:
        index = skip(index)
        if text[index] == "]":
            return index + 1
        position = 0
        while True:
            index = skip(value(index, path + (str(position),)))
            if text[index] == "]":
                return index + 1
            index += 1
            position += 1

    value(0, ())
    return found


def annotations(problems: list[Problem]) -> list[dict[str, Any]]:
    """Ace editor annotations (0-based rows) for the problems that have a position."""
    return [
        {"row": p.line - 1, "column": (p.column or 1) - 1, "text": p.message, "type": "error"}
        for p in problems
        if p.line is not None
    ]


# --- the builder's tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    """One row of a builder table. ``key`` is the property's name in the schema the table was made from
    (None for a new row), so a rename keeps the field's other keywords. ``kept`` lists what the JSON holds
    for this field that the table has no column for."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    enum: str = ""
    format: str = ""
    kept: str = ""
    key: Optional[str] = None


COLUMNS = ("name", "type", "description", "required", "enum", "format", "kept", "key")


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a local ``$ref`` followed (pydantic puts models under ``$defs``)."""
    seen = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        seen.add(node["$ref"])
        target = _resolve_pointer(schema, node["$ref"])
        if not isinstance(target, dict):
            break
        node = target
    return node


def core(schema: dict[str, Any], prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The part of a property that carries its type, and whether the property also admits null.

    ``{"type": ["string", "null"]}`` and pydantic's ``{"anyOf": [{...}, {"type": "null"}]}`` are both a
    nullable field of the other type."""
    prop = resolve(schema, prop)
    kind = prop.get("type")
    if isinstance(kind, list):
        return prop, "null" in kind
    for union in ("anyOf", "oneOf"):
        options = prop.get(union)
        if isinstance(options, list):
            others = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            if len(others) == 1 and len(others) < len(options) and isinstance(others[0], dict):
                return resolve(schema, others[0]), True
    return prop, False


def _single_type(node: dict[str, Any]) -> Optional[str]:
    kind = node.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if len(kinds) == 1 else None
    if kind is None and isinstance(node.get("properties"), dict):
        return "object"
    return kind if isinstance(kind, str) else None


def field_type(schema: dict[str, Any], prop: dict[str, Any]) -> str:
    """The builder's type name for a property (``other`` for what it cannot show)."""
    node, _ = core(schema, prop)
    kind = _single_type(node)
    if kind == "array":
        items = node.get("items")
        if not isinstance(items, dict):
            return "other"
        item_node, _ = core(schema, items)
        item_kind = _single_type(item_node)
        return f"array[{item_kind}]" if f"array[{item_kind}]" in FIELD_TYPES else "other"
    return kind if kind in FIELD_TYPES else "other"


def _value_node(schema: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    """Where a field's ``enum`` and ``format`` live: on the field, or on its items for arrays of scalars."""
    node, _ = core(schema, prop)
    if _single_type(node) == "array" and isinstance(node.get("items"), dict):
        return core(schema, node["items"])[0]
    return node


def _enum_text(values: Any) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, list) else ""


def _date_format(node: dict[str, Any]) -> str:
    """The field's date format; other formats (``email``, ``uri``) are not dates and stay in ``kept``."""
    value = node.get("format")
    return value if isinstance(value, str) and value in DATE_FORMATS else ""


def _kept(schema: dict[str, Any], prop: dict[str, Any]) -> str:
    """What the JSON holds for a field that the table does not show, in words (``title`` is left out of
    the words, not out of the JSON: pydantic puts one on every field)."""
    notes = []
    if isinstance(prop.get("$ref"), str):
        notes.append(f"$ref {prop['$ref']}")
    node, nullable = core(schema, prop)
    hidden = set(prop) - SHOWN_KEYS - {"title"}
    if nullable:
        notes.append("nullable")
        hidden -= {"anyOf", "oneOf"}
    if node is not prop:
        hidden |= set(node) - SHOWN_KEYS - {"title"}
    value = _value_node(schema, prop)
    if value is not node:
        hidden |= {f"items.{k}" for k in set(value) - SHOWN_KEYS - {"title"}}
    if value.get("format") and not _date_format(value):
        hidden.discard("format")
        hidden.add(f"format {value['format']}")
    if field_type(schema, prop) == "other":
        hidden.add("type (edit it in the JSON)")
    return ", ".join(notes + sorted(hidden))


def object_at(schema: dict[str, Any], path: Path) -> Optional[dict[str, Any]]:
    """The object schema a builder table edits: the root for ``()``, else the object (or the items of the
    array of objects) reached through the named properties; None when the path does not lead to one."""
    node = resolve(schema, schema)
    for name in path:
        props = node.get("properties")
        if not isinstance(props, dict) or not isinstance(props.get(name), dict):
            return None
        node, _ = core(schema, props[name])
        if _single_type(node) == "array":
            items = node.get("items")
            if not isinstance(items, dict):
                return None
            node, _ = core(schema, items)
        if _single_type(node) != "object":
            return None
    return node


def table_rows(schema: dict[str, Any], path: Path = ()) -> list[FieldRow]:
    """The builder table of the object at ``path``."""
    node = object_at(schema, path)
    if node is None:
        return []
    props = node.get("properties") or {}
    required = set(node.get("required") or [])
    rows = []
    for name, prop in props.items():
        if not isinstance(prop, dict):
            continue
        value = _value_node(schema, prop)
        rows.append(
            FieldRow(
                name=name,
                type=field_type(schema, prop),
                description=str(prop.get("description") or core(schema, prop)[0].get("description") or ""),
                required=name in required,
                enum=_enum_text(value.get("enum")),
                format=_date_format(value),
                kept=_kept(schema, prop),
                key=name,
            )
        )
    return rows


def sub_tables(schema: dict[str, Any], path: Path = ()) -> list[Path]:
    """Paths of every object and array-of-objects field below ``path``, depth first (each gets a sub-table).
    A ``$ref`` cycle is shown once."""
    found: list[Path] = []
    seen: set[int] = set()

    def walk(at: Path) -> None:
        node = object_at(schema, at)
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        for row in table_rows(schema, at):
            if row.type in ("object", "array[object]"):
                found.append(at + (row.name,))
                walk(at + (row.name,))

    walk(path)
    return found


@dataclass(frozen=True)
class BuilderResult:
    """The schema after applying a table, or the reasons the table cannot be applied yet."""

    schema: Optional[dict[str, Any]]
    errors: list[str] = field(default_factory=list)


def apply_rows(schema: dict[str, Any], path: Path, rows: list[FieldRow]) -> BuilderResult:
    """Write a builder table back into (a copy of) the schema, changing only what the rows changed."""
    errors = _row_errors(rows)
    if errors:
        return BuilderResult(None, errors)
    updated = copy.deepcopy(schema)
    node = object_at(updated, path)
    if node is None:
        return BuilderResult(None, [f"'{'.'.join(path)}' is no longer an object in the schema."])
    before = {row.key: row for row in table_rows(updated, path)}
    old_props = node.get("properties") or {}
    new_props: dict[str, Any] = {}
    for row in rows:
        old = before.get(row.key) if row.key is not None else None
        original = copy.deepcopy(old_props[row.key]) if old is not None else {}
        new_props[row.name] = _write_field(updated, original, old, row)
    node["properties"] = new_props
    required = [row.name for row in rows if row.required]
    if required or "required" in node:
        node["required"] = required
    return BuilderResult(updated)


def _row_errors(rows: list[FieldRow]) -> list[str]:
    errors = []
    names = [row.name.strip() for row in rows]
    for number, (row, name) in enumerate(zip(rows, names), start=1):
        if not name:
            errors.append(f"Row {number} has no name: give the field a name or delete the row.")
        if row.type not in FIELD_TYPES:
            errors.append(f"Row {number} ('{name}'): pick a type from the list.")
        if row.format and row.format not in DATE_FORMATS:
            errors.append(f"Row {number} ('{name}'): the date format must be one of {', '.join(DATE_FORMATS[1:])}.")
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        errors.append(f"Field names must be unique in a table; repeated: {', '.join(duplicates)}.")
    return errors


def _write_field(schema: dict[str, Any], prop: dict[str, Any], old: Optional[FieldRow], row: FieldRow) -> dict:
    """One property, updated attribute by attribute: what the row did not change stays as it was."""
    if old is None or (row.type != old.type and row.type != "other"):
        prop = _retyped(prop, row.type)
        old = None
    if old is None or row.description != old.description:
        if row.description:
            prop["description"] = row.description
        else:
            prop.pop("description", None)
    value = _value_node(schema, prop)
    if row.type not in ("object", "array[object]", "other"):
        _set_or_drop(value, "enum", _parse_enum(row.enum, row.type), changed=old is None or row.enum != old.enum)
        _set_or_drop(value, "format", row.format or None, changed=old is None or row.format != old.format)
    return prop


def _set_or_drop(node: dict[str, Any], key: str, value: Any, *, changed: bool) -> None:
    if not changed:
        return
    if value in (None, [], ""):
        node.pop(key, None)
    else:
        node[key] = value


def _retyped(prop: dict[str, Any], kind: str) -> dict[str, Any]:
    """A property of a new type: type-bound keywords go, everything else (``title``, custom keys) stays."""
    kept = {k: v for k, v in prop.items() if k not in SHOWN_KEYS | {"anyOf", "oneOf", "allOf"} or k == "description"}
    if kind == "object":
        return {**kept, "type": "object", "properties": {}}
    if kind.startswith("array["):
        item = kind[len("array[") : -1]
        items: dict[str, Any] = {"type": "object", "properties": {}} if item == "object" else {"type": item}
        return {**kept, "type": "array", "items": items}
    return {**kept, "type": kind}


def _parse_enum(text: str, kind: str) -> Optional[list[Any]]:
    """``"a, b"`` -> ``["a", "b"]``; numbers for number and integer fields."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not parts:
        return None
    base = kind[len("array[") : -1] if kind.startswith("array[") else kind
    if base in ("number", "integer"):
        try:
            return [int(p) if base == "integer" else float(p) for p in parts]
        except ValueError:
            return parts
    return parts


def rows_from_records(records: list[dict[str, Any]]) -> list[FieldRow]:
    """Builder rows from a table's records (as ``st.data_editor`` returns them, blanks as None/NaN)."""
    rows = []
    for record in records:
        clean = {name: _clean(record.get(name)) for name in COLUMNS}
        rows.append(
            FieldRow(
                name=str(clean["name"] or "").strip(),
                type=str(clean["type"] or "string"),
                description=str(clean["description"] or ""),
                required=bool(clean["required"]),
                enum=str(clean["enum"] or ""),
                format=str(clean["format"] or ""),
                kept=str(clean["kept"] or ""),
                key=clean["key"] or None,
            )
        )
    return rows


def _clean(value: Any) -> Any:
    """None for the blanks a data editor produces (None, NaN, pandas NA)."""
    if value is None:
        return None
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        return None
    return value


# --- inference and samples ---------------------------------------------------------------------------


def infer_schema(example: Any) -> dict[str, Any]:
    """A JSON Schema for an example result. A list of objects (a per_page or per_table_row result) gives
    the schema of one element. Every key seen is a property; keys present in every object are required."""
    if isinstance(example, list) and example and all(isinstance(item, dict) for item in example):
        schema = _infer(example)["items"]
    else:
        schema = _infer(example)
    if schema.get("type") != "object":
        raise ValueError("The example must be a JSON object (or a list of objects) to describe fields.")
    return schema


def _infer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        if _DATE_RE.match(value):
            return {"type": "string", "format": "date"}
        if _DATETIME_RE.match(value):
            return {"type": "string", "format": "date-time"}
        return {"type": "string"}
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {key: _infer(item) for key, item in value.items()},
            "required": list(value),
        }
    if isinstance(value, list):
        return {"type": "array", "items": _merge([_infer(item) for item in value if item is not None])}
    return {"type": "string"}


def _merge(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """One schema covering several inferred ones: objects merge their properties (required = in all),
    integer and number make number, other mixes fall back to string."""
    if not schemas:
        return {"type": "string"}
    kinds = {s["type"] for s in schemas}
    if kinds == {"object"}:
        props: dict[str, list[dict[str, Any]]] = {}
        for s in schemas:
            for key, sub in s["properties"].items():
                props.setdefault(key, []).append(sub)
        required = [k for k in props if all(k in s["properties"] for s in schemas)]
        return {"type": "object", "properties": {k: _merge(v) for k, v in props.items()}, "required": required}
    if kinds == {"array"}:
        return {"type": "array", "items": _merge([s["items"] for s in schemas])}
    if kinds <= {"integer", "number"}:
        return {"type": "number"} if "number" in kinds else {"type": "integer"}
    if len(kinds) == 1:
        formats = {s.get("format") for s in schemas}
        return schemas[0] if len(formats) == 1 else {"type": schemas[0]["type"]}
    return {"type": "string"}


def sample_value(schema: dict[str, Any], node: dict[str, Any], *, items: int = 2, depth: int = 0) -> Any:
    """A placeholder value of the node's shape: what the preview flattens to show the columns a target
    will produce. Arrays get ``items`` elements so repeated columns show; ``$ref`` cycles stop at depth 6."""
    node, _ = core(schema, node)
    kind = _single_type(node)
    if depth > 6:
        return None
    if kind == "object":
        props = node.get("properties") or {}
        return {k: sample_value(schema, v, items=items, depth=depth + 1) for k, v in props.items() if isinstance(v, dict)}
    if kind == "array":
        item = node.get("items") if isinstance(node.get("items"), dict) else {}
        return [sample_value(schema, item, items=items, depth=depth + 1) for _ in range(items)]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    return {"string": "text", "number": 1.5, "integer": 1, "boolean": True}.get(kind or "", "text")


def sample_job(schema: dict[str, Any], target: str, *, records: int = 2) -> dict[str, Any]:
    """A finished job of placeholder values for ``schema`` and ``target``: flattening it (with the same
    function the Results page uses) shows the columns that target will produce."""
    one = sample_value(schema, schema)
    result: Any = one if target == "per_doc" else [copy.deepcopy(one) for _ in range(records)]
    return {
        "id": "ext-preview",
        "status": "COMPLETED",
        "configuration": {"data_schema": schema, "extraction_target": target},
        "extract_result": result,
    }
