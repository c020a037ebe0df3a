"""Checking a reviewer's corrected value against the schema type of its field.

A correction is only useful if it is still the kind of value the schema asks for: a number column
that ends up holding "n/a" breaks every export and downstream load. The review store calls
:func:`coerce_value` before it appends a correction, so a bad value is refused with a message that
names the field, what was typed and what the field takes.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, Optional

from lib.review.flatten import schema_columns

_ELEMENT = re.compile(r"\[\d+\]\.?")


class InvalidReviewValue(ValueError):
    """A corrected value that does not fit its field's schema type; the message says what to type."""

    def __init__(self, path: str, value: Any, expected: str) -> None:
        self.path = path
        self.value = value
        self.expected = expected
        super().__init__(f"{value!r} is not valid for '{path}': this field takes {expected}.")


def field_schema_at(data_schema: dict[str, Any], path: str) -> Optional[dict[str, Any]]:
    """The schema of the leaf at ``path`` (``vendor.name``, ``items[2].amount``) inside one result
    object, read off the flattening's columns (so ``$ref`` / nullable ``anyOf`` resolve the same way),
    or None when the schema does not describe it: then any value is accepted."""
    columns = schema_columns(data_schema)
    names = [part for part in _ELEMENT.split(path) if part]
    for depth, name in enumerate(names):
        column = next((c for c in columns if c.name == name), None)
        if column is None:
            return None
        if depth == len(names) - 1:
            return dict(column.schema)
        columns = list(column.children)
    return None


def coerce_value(value: Any, field_schema: Optional[dict[str, Any]], path: str) -> Any:
    """The value in its schema type (``"12.50"`` -> ``12.5`` for a number, a ``date`` -> its ISO
    string), or :class:`InvalidReviewValue`. ``None`` is always allowed: it means "empty"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if not field_schema:
        return value
    enum = field_schema.get("enum")
    if enum is not None:
        return _coerce_enum(value, [item for item in enum if item is not None], path)
    for kind in _types(field_schema):
        if kind == "array":
            coerced = _coerce_array(value, field_schema, path)
        else:
            coerced = _COERCERS.get(kind, _keep)(value, field_schema)
        if coerced is not _NO:
            return coerced
    raise InvalidReviewValue(path, value, describe_type(field_schema))


def describe_type(field_schema: dict[str, Any]) -> str:
    """A short human phrase for what a field takes, used in error messages and column help."""
    if field_schema.get("enum") is not None:
        return "one of " + ", ".join(repr(item) for item in field_schema["enum"] if item is not None)
    phrases = {
        "array": "a list of values separated by commas",
        "object": "an object",
        "number": "a number (e.g. 12.5)",
        "integer": "a whole number (e.g. 3)",
        "boolean": "true or false",
        "string": _string_phrase(field_schema),
    }
    kinds = [kind for kind in _types(field_schema) if kind != "null"]
    return " or ".join(phrases.get(kind, kind) for kind in kinds) or "any value"


_NO = object()


def _coerce_enum(value: Any, options: list[Any], path: str) -> Any:
    if value in options:
        return value
    text = str(value).strip()
    for option in options:
        if str(option) == text:
            return option
    raise InvalidReviewValue(path, value, "one of " + ", ".join(repr(item) for item in options))


def _coerce_number(value: Any, _schema: dict[str, Any]) -> Any:
    if isinstance(value, bool):
        return _NO
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else _NO
    number = _parse_float(value)
    return _NO if number is None else number


def _coerce_integer(value: Any, _schema: dict[str, Any]) -> Any:
    if isinstance(value, bool):
        return _NO
    number = float(value) if isinstance(value, (int, float)) else _parse_float(value)
    if number is None or not math.isfinite(number) or not number.is_integer():
        return _NO
    return int(number)


def _coerce_boolean(value: Any, _schema: dict[str, Any]) -> Any:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "1"}:
        return True
    if text in {"false", "no", "0"}:
        return False
    return _NO


def _coerce_string(value: Any, schema: dict[str, Any]) -> Any:
    fmt = schema.get("format")
    if fmt == "date":
        return _iso_date(value)
    if fmt == "date-time":
        return _iso_datetime(value)
    if isinstance(value, (dict, list)):
        return _NO
    return value if isinstance(value, str) else str(value)


def _coerce_array(value: Any, schema: dict[str, Any], path: str) -> Any:
    """A list of scalars, typed as a list or as comma-separated text; each element is checked
    against the schema of the array's items."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)):
        return _NO
    items = schema.get("items") if isinstance(schema.get("items"), dict) else None
    return [coerce_value(element, items, f"{path}[{position}]") for position, element in enumerate(value)]


def _keep(value: Any, _schema: dict[str, Any]) -> Any:
    return value


def _refuse(_value: Any, _schema: dict[str, Any]) -> Any:
    return _NO


_COERCERS = {
    "object": lambda value, _schema: value if isinstance(value, dict) else _NO,
    "number": _coerce_number,
    "integer": _coerce_integer,
    "boolean": _coerce_boolean,
    "string": _coerce_string,
    "null": _refuse,
}


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for parse in (date.fromisoformat, lambda raw: datetime.fromisoformat(raw).date()):
        try:
            return parse(text).isoformat()
        except ValueError:
            continue
    return _NO


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    try:
        return datetime.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        return _NO


def _parse_float(value: Any) -> Optional[float]:
    text = str(value).strip().replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _string_phrase(field_schema: dict[str, Any]) -> str:
    return {"date": "an ISO date (YYYY-MM-DD)", "date-time": "an ISO date-time"}.get(
        field_schema.get("format", ""), "text"
    )


def _types(field_schema: dict[str, Any]) -> list[str]:
    """The JSON types a schema allows, in order, looking through ``anyOf`` / ``oneOf`` (how
    pydantic spells Optional fields)."""
    declared = field_schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [str(kind) for kind in declared]
    kinds: list[str] = []
    for option in field_schema.get("anyOf") or field_schema.get("oneOf") or []:
        if isinstance(option, dict):
            kinds.extend(_types(option))
    return kinds
