"""What every kind builder returns, and the small helpers they share."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Optional

from ..content import A4, FONTS, LETTER, Doc
from ..conventions import Convention


@dataclass
class Built:
    """A document's content and its truth, before rendering.

    ``expected_pages`` is known only for kinds that decide their own page breaks (statements,
    reports); their ``@p<N>.`` spans let the renderer confirm the pages came out as planned."""

    doc: Doc
    template: str
    schema: dict[str, Any]
    expected: dict[str, Any]
    row_schema: Optional[dict[str, Any]] = None
    expected_rows: Optional[list[dict[str, Any]]] = None
    page_schema: Optional[dict[str, Any]] = None
    expected_pages: Optional[list[dict[str, Any]]] = None


def row_root(title: str, item_schema: dict[str, Any]) -> dict[str, Any]:
    """An array's item schema as a standalone root schema (the per_table_row schema)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **item_schema}


def pick_font(rng: random.Random, font: Optional[str]) -> str:
    if font is not None:
        if font not in FONTS:
            raise ValueError(f"unknown font {font!r}; choose one of {sorted(FONTS)}")
        return font
    return rng.choice(sorted(FONTS))


def page_size(conv: Convention) -> tuple[float, float]:
    return A4 if conv.a4 else LETTER


def leaf_paths(value: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a truth object to leaf paths: ``{"vendor.name": ..., "line_items[0].amount": ...}``.

    Arrays of scalars give ``skills[0]``; nulls are kept so callers can see what is missing."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, sub in value.items():
            out.update(leaf_paths(sub, f"{prefix}.{key}" if prefix else key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            out.update(leaf_paths(sub, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out
