"""Draft schemas: from a document's own labels and tables, or from a list of fields in plain words.

``propose_schema(document)`` turns what the document labels into properties: every
"Label: value" pair (or label with its value right of or below it) becomes a property named
after the label, typed from the value (date, number, integer, boolean, email, string), and
every table with a header row becomes an array of objects, one property per column, typed
from the column's cells (continuations of a table across pages are one array). Each property's
description quotes the printed label, which the engine then uses as a label hint, so a draft
extracts well from documents like the one it came from.

``schema_from_prompt(prompt)`` reads "invoice number, date, total, line items with
description, quantity and price": names separated by commas and "and"; "X with a, b and c"
(or "X (a, b, c)") makes X an array of objects with those properties; "list of X" an array of
strings. Types come from the words (date, total, quantity, email, is/has ...).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from lib.engine.documents.model import Document, Table
from lib.engine.errors import EngineError
from lib.engine.locate import PageIndex, fold_label, index_document
from lib.engine.tables import header_texts, layout_tables
from lib.engine.values import (EMAIL, Conventions, detect_conventions, find_booleans, find_dates, find_numbers)

MAX_PROPOSED = 200
_COLON = re.compile(r":(?!\d)")


def snake(text: str) -> str:
    """A property name from printed words: ``Invoice No.`` -> ``invoice_no``."""
    words = re.findall(r"[a-z0-9]+", fold_label(text).replace("#", " number "))
    name = "_".join(words)[:60].strip("_")
    return f"field_{name}" if name[:1].isdigit() else name


def infer_type(values: Iterable[str], conv: Conventions, name: str = "") -> dict[str, Any]:
    """The JSON Schema type that fits every non-empty value (most specific first)."""
    texts = [v.strip() for v in values if v and v.strip()]
    if not texts:
        return {"type": "string"}

    def whole(test) -> bool:
        return all(test(t) for t in texts)

    if whole(lambda t: (d := find_dates(t, conv)) and len(d[0].text) >= len(t) - 2):
        return {"type": "string", "format": "date"}
    if whole(lambda t: EMAIL.fullmatch(t) is not None):
        return {"type": "string", "format": "email"}
    if whole(lambda t: (b := find_booleans(t)) and len(b) == 1 and len(b[0].text) == len(t)):
        return {"type": "boolean"}
    numbers = [find_numbers(t, conv) for t in texts]
    if all(n and len(n[0][0].text) >= len(t) - 1 for n, t in zip(numbers, texts)):
        ints = all(float(n[0][0].value).is_integer() and not re.search(r"[.,]\d{2}\b", t) for n, t in zip(numbers, texts))
        return {"type": "integer"} if ints and not re.search(r"amount|price|total|cost", name) else {"type": "number"}
    return {"type": "string"}


# --- from a document ------------------------------------------------------------------------------


def propose_schema(document: Document) -> dict[str, Any]:
    """A draft schema from the document's labels and tables (see the module docstring)."""
    texts = [line.text for _, line in document.iter_lines()]
    conv = detect_conventions(texts)
    index = index_document(document, conv)
    properties: dict[str, Any] = {}
    for label, value in _label_pairs(index.pages):
        name = snake(label)
        if name and name not in properties and len(properties) < MAX_PROPOSED:
            prop = infer_type([value], conv, name)
            prop["description"] = f"Printed as '{label.strip()}'"
            properties[name] = prop
    for name, prop in _table_properties(index.pages, conv):
        if name not in properties and len(properties) < MAX_PROPOSED:
            properties[name] = prop
    if not properties:
        raise EngineError(f"{document.filename} shows no labelled values or tables to draft a schema from; "
                          "write the schema by hand or describe the fields in a prompt")
    return {"type": "object", "properties": properties}


def _is_label(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 5 and not any(c.isdigit() for c in text) and sum(c.isalpha() for c in text) >= 2


def _label_pairs(pages: list[PageIndex]) -> list[tuple[str, str]]:
    """(label, value) pairs: "Label: value" inside a line, else a label-only line and the value
    right of it (or below it)."""
    out: list[tuple[str, str]] = []
    for page in pages:
        boxes = [t.box for t in page.page.tables + layout_tables(page)
                 if t.box is not None and len(t.rows) >= 2 and any(c.text.strip() for c in t.header)]
        for item in page.lines:
            b = item.line.box
            cx, cy = b.x + b.w / 2, b.y + b.h / 2
            if item.list_column or any(t.x <= cx <= t.x1 and t.y <= cy <= t.y1 for t in boxes):
                continue  # cells of a table become an array, not properties
            text = item.line.text.strip(" |")
            colon = _COLON.search(text)
            if colon:
                label, value = text[: colon.start()], text[colon.end():].strip(" |")
                if _is_label(label) and value:
                    out.append((label, value))
                    continue
                if _is_label(label) and not value:
                    neighbour = item.right or item.below
                    if neighbour is not None and not _is_label(neighbour.line.text):
                        out.append((label, neighbour.line.text))
                continue
            neighbour = item.right
            if _is_label(text) and neighbour is not None and not _is_label(neighbour.line.text.rstrip(":")):
                out.append((text, neighbour.line.text))
    return out


def _table_properties(pages: list[PageIndex], conv: Conventions) -> list[tuple[str, dict[str, Any]]]:
    tables: list[Table] = [t for p in pages for t in p.page.tables if any(c.text.strip() for c in t.header)]
    if not tables:
        tables = [t for p in pages for t in layout_tables(p)]
    groups: dict[tuple[str, ...], list[Table]] = {}
    for table in tables:
        key = tuple(header_texts(table))
        if len([h for h in key if h]) >= 2 and all(_is_label(c.text) for c in table.header if c.text.strip()):
            groups.setdefault(key, []).append(table)
    out = []
    used: set[str] = set()
    for key, members in groups.items():
        rows = [row for t in members for row in t.rows]
        item: dict[str, Any] = {}
        for column, header in enumerate(members[0].header):
            name = snake(header.text)
            if not name or name in item:
                continue
            prop = infer_type([r[column].text for r in rows if column < len(r)], conv, name)
            prop["description"] = f"Column '{header.text.strip()}'"
            item[name] = prop
        if len(item) < 2:
            continue
        name = _array_name(members[0], item, used)
        used.add(name)
        out.append((name, {"type": "array", "description": f"Rows of the table headed {', '.join(key)}",
                           "items": {"type": "object", "properties": item}}))
    return out


def _array_name(table: Table, item: dict[str, Any], used: set[str]) -> str:
    if table.title and snake(table.title) and not re.search(r"\.[a-z0-9]{2,5}$", table.title.lower()):
        base = snake(table.title)
    elif any(p.get("format") == "date" for p in item.values()) and any(
            re.search(r"amount|balance|debit|credit", n) for n in item):
        base = "transactions"
    elif any(re.search(r"qty|quantity|units|price|amount", n) for n in item):
        base = "line_items"
    else:
        base = "rows"
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    return name


# --- from a prompt --------------------------------------------------------------------------------

_LEAD = re.compile(r"^(?:(?:please|also|then|finally)\s+)*(?:extract|get|find|capture|pull|read|return|give me|"
                   r"i need|i want|we need)?\s*(?:(?:the|a|an|all|each|every|its|their)\s+)*", re.I)
_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bplus\b|&)\s*", re.I)


def _prompt_type(phrase: str) -> dict[str, Any]:
    p = phrase.lower()
    if re.search(r"\b(email|e-mail)\b", p):
        return {"type": "string", "format": "email"}
    if re.search(r"^(is|has|was|are|whether)\b|\?$|\b(paid|signed|approved|yes/no|flag)\b", p):
        return {"type": "boolean"}
    if re.search(r"\b(date|dated|day|birthday|dob|deadline|expiry|expiration)\b", p) or re.search(r"\bdue\b$", p):
        return {"type": "string", "format": "date"}
    if re.search(r"\bnumber of\b|\b(quantity|qty|count|units|age|year|years|days|months|pages|hours)\b", p):
        return {"type": "integer"}
    if re.search(r"\b(total|amount|price|cost|tax|vat|subtotal|balance|fee|fees|salary|income|revenue|value|sum|"
                 r"discount|rate|percentage|percent|weight|height)\b", p):
        return {"type": "number"}
    return {"type": "string"}


def _clean(phrase: str) -> str:
    return _LEAD.sub("", phrase.strip(" .:-\n\t")).strip(" .:-")


def _names(text: str) -> list[str]:
    return [c for c in (_clean(part) for part in _SPLIT.split(text)) if c]


def _scalar(phrase: str) -> tuple[str, dict[str, Any]]:
    if re.match(r"(?:a\s+)?list of\s+", phrase, re.I):
        inner = re.sub(r"^(?:a\s+)?list of\s+", "", phrase, flags=re.I)
        return snake(inner), {"type": "array", "description": phrase, "items": {"type": "string"}}
    prop = _prompt_type(phrase)
    prop["description"] = phrase
    return snake(phrase), prop


def schema_from_prompt(prompt: Optional[str]) -> dict[str, Any]:
    """A schema from fields listed in plain words (see the module docstring)."""
    text = (prompt or "").strip()
    if not text:
        raise EngineError("the prompt is empty: list the fields to extract, e.g. 'invoice number, date, total'")
    properties: dict[str, Any] = {}
    text = re.sub(r"^[^:\n]{0,60}\bfrom\b[^:\n]*:\s*", "", text, flags=re.I)  # "From invoices: ..." -> the list
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        for name, prop in _sentence_fields(sentence):
            if name and name not in properties and len(properties) < MAX_PROPOSED:
                properties[name] = prop
    if not properties:
        raise EngineError("the prompt names no fields to extract; list them, e.g. "
                          "'invoice number, date, total, line items with description, quantity and price'")
    return {"type": "object", "properties": properties}


def _sentence_fields(sentence: str) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    while sentence.strip():
        group = re.search(r"([^,;()]+?)\s*(?:\(([^)]*)\)|\b(?:with|containing|including|each with)\b\s+([^()]*))",
                          sentence, re.I)
        if group is None:
            out += [_scalar(n) for n in _names(sentence)]
            break
        head = sentence[: group.start(1)]
        out += [_scalar(n) for n in _names(head)]
        names = _names(group.group(1))
        if names:
            out += [_scalar(n) for n in names[:-1]]
            array = names[-1]
            members = _names(group.group(2) if group.group(2) is not None else group.group(3))
            items = {snake(m): {**_prompt_type(m), "description": m} for m in members if snake(m)}
            if items:
                out.append((snake(array), {"type": "array", "description": array,
                                           "items": {"type": "object", "properties": items}}))
            else:
                out.append(_scalar(array))
        sentence = sentence[group.end():] if group.group(2) is not None else ""
    return out
