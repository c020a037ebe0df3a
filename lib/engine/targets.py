"""Extraction targets and the job-shaped output: ``per_doc``, ``per_page``, ``per_table_row``.

- ``per_doc``: one object for the whole document; metadata under ``document_metadata``.
- ``per_page``: one object per selected page, each extracted from that page alone (its own
  lines and tables); metadata under ``page_metadata``, one entry per page.
- ``per_table_row``: one object per row of the table that best matches the schema's
  properties, joined across page breaks (every row, however long; one row gives one row);
  without such a table, one per repeated labelled group (a list printed without a table);
  metadata under ``row_metadata``, one entry per row.

Metadata follows the nesting of the result: a scalar maps to its entry, an object to its
sub-fields, an array to a list of per-element entries. ``cite_sources`` adds ``citation``,
``confidence_scores`` adds ``confidence`` / ``extraction_confidence`` / ``parsing_confidence``;
with a flag off that part is left out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Union

from lib.engine.confidence import combine
from lib.engine.documents.model import Document
from lib.engine.hints import label_hints, prompt_conventions
from lib.engine.locate import field_phrases, index_document
from lib.engine.schema import Field, compile_schema, validate_schema
from lib.engine.values import detect_conventions
from lib.engine.walk import Leaf, Options, Walker

AGENTIC_TIERS = ("agentic", "agentic_plus")


@dataclass
class ExtractionOutput:
    """What one extraction produces, shaped as the matching parts of an ``ExtractV2Job``."""

    extract_result: Union[dict[str, Any], list[dict[str, Any]]]
    extract_metadata: dict[str, Any]
    usage: dict[str, int]

    def job_json(self) -> dict[str, Any]:
        """The job-shaped JSON the command line prints."""
        return {"extract_result": self.extract_result, "extract_metadata": self.extract_metadata,
                "metadata": {"usage": self.usage}}


@dataclass(frozen=True)
class Flags:
    cite: bool
    scores: bool


def run(document: Document, config: Any) -> ExtractionOutput:
    """Extract ``config.data_schema`` from ``document`` for the configured target."""
    root = compile_schema(validate_schema(config.data_schema))
    texts = [line.text for page in document.pages for line in page.lines]
    conventions = prompt_conventions(config.system_prompt, detect_conventions(texts))
    index = index_document(document, conventions)
    hints = label_hints(config.system_prompt, _field_names(root))
    options = Options(wide=(config.tier or "") in AGENTIC_TIERS, hints=hints, labels=schema_labels(root, hints))
    walker = Walker(index, options)
    flags = Flags(bool(config.cite_sources), bool(config.confidence_scores))
    target = config.extraction_target or "per_doc"
    result: Union[dict[str, Any], list[dict[str, Any]]]
    if target == "per_page":
        pairs = [walker.object(root, [page]) for page in index.pages]
        result = [values for values, _ in pairs]
        field_metadata = {"page_metadata": [render(meta, flags) for _, meta in pairs]}
    elif target == "per_table_row":
        rows, metas = walker.items(root, index.pages)
        result = rows
        field_metadata = {"row_metadata": [render(meta, flags) for meta in metas]}
    else:
        values, meta = walker.object(root, index.pages)
        result = values
        field_metadata = {"document_metadata": render(meta, flags)}
    return ExtractionOutput(result, {"field_metadata": field_metadata}, usage(document, result, texts))


def schema_labels(node: Field, hints: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """Every strong label phrase of the schema's fields: a line that is just one of these is a
    label, never another label's value."""
    out: set[str] = set()
    stack = [(node, None)]
    while stack:
        field, parent = stack.pop()
        if field.name:
            out.update(p.text for p in field_phrases(field, parent, hints.get(field.name, ())) if p.weight >= 0.8)
        stack.extend((child, field) for child in field.children)
        if field.items is not None:
            stack.extend((child, field.items) for child in field.items.children)
    return frozenset(out)


def _field_names(node: Field) -> list[str]:
    names = [node.name] if node.name else []
    for child in node.children:
        names += _field_names(child)
    if node.items is not None:
        names += [n for n in _field_names(node.items) if n != node.name]
    return names


def render(meta: Any, flags: Flags) -> Any:
    """Metadata with the nesting of the result, each leaf an entry holding what the flags ask."""
    if isinstance(meta, Leaf):
        entry: dict[str, Any] = {}
        if flags.cite:
            entry["citation"] = meta.citations
        if flags.scores:
            entry["confidence"] = _combined(meta)
            entry["extraction_confidence"] = round(meta.extraction, 4)
            entry["parsing_confidence"] = round(meta.parsing, 4)
        return entry
    if isinstance(meta, dict):
        return {k: render(v, flags) for k, v in meta.items()}
    return [render(v, flags) for v in meta]


def _combined(leaf: Leaf) -> float:
    return combine(leaf.extraction, leaf.parsing) if leaf.value is not None else 0.0


def usage(document: Document, result: Any, texts: list[str]) -> dict[str, int]:
    """Pages extracted and word counts standing in for tokens (there is no tokenizer here);
    ``texts`` are the document's line texts (joined, their words are counted in one pass)."""
    words = len(" ".join(texts).split())
    return {
        "num_pages_extracted": len(document.pages),
        "num_document_tokens": words,
        "num_output_tokens": len(re.findall(r"\w+", json.dumps(result, ensure_ascii=False))),
    }
