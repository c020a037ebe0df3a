"""The local extraction engine: documents in, schema-shaped results with citations and confidence out.

``extract_file(data, filename, configuration)`` parses a document (``lib.engine.documents``),
walks the data schema (``schema`` -> ``walk``), locates each field's value from labels,
synonyms, layout and typed patterns (``locate``, ``values``, ``tables``), scores it
(``confidence``) and shapes the output for the extraction target (``targets``): exactly the
``extract_result``, ``extract_metadata`` and usage of an Extract v2 job. It is a plain
top-level function of picklable arguments, so the server can run it in a worker process.

``tier`` and ``system_prompt`` on the local engine: the engine is rule-based, so neither
changes a model. ``tier: "cost_effective"`` (the default) reads a value only where a label
points at it (same line, right of it or below it) and, without a label, only values that
identify themselves (an email address, a phone number, an enum value, the currency of the
amounts). ``tier: "agentic"`` (and ``agentic_plus``) widens the search: it also considers
the lines right of and below a label that already had an inline value, and accepts an
unlabelled typed value when it is the only one of its type in scope, at a low confidence.
``system_prompt`` is read for hints a rule-based engine can honour: a quoted phrase in a
sentence naming a field becomes an extra label for it ("The invoice number is labelled
'Ref.'"), and "day first"/"DD/MM" or "decimal comma" set how ambiguous dates and numbers are
read; the rest of the prompt is ignored.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from pydantic import ValidationError

from lib.api.models import ExtractConfiguration
from lib.engine.documents import load_document, opened_document
from lib.engine.documents.model import Document
from lib.engine.errors import EngineError, SchemaError
from lib.engine.schema import validate_schema
from lib.engine.targets import ExtractionOutput, run
from lib.gcpause import gc_paused

__all__ = ["extract_file", "extract_document", "load_document", "ExtractionOutput", "as_configuration"]


def as_configuration(configuration: Union[ExtractConfiguration, dict[str, Any]]) -> ExtractConfiguration:
    """Accept the wire model or its dict form; a malformed one is an ``EngineError``."""
    if isinstance(configuration, ExtractConfiguration):
        return configuration
    if not isinstance(configuration, dict):
        raise EngineError("the extract configuration must be an object with a data_schema")
    try:
        return ExtractConfiguration.model_validate(configuration)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first.get("loc", ()))
        if where.startswith("data_schema"):
            raise SchemaError("the configuration needs a data_schema that is a JSON object", "/") from None
        raise EngineError(f"invalid extract configuration: {where or 'configuration'}: {first.get('msg')}") from None


def extract_document(document: Document, configuration: Union[ExtractConfiguration, dict[str, Any]]) -> ExtractionOutput:
    """Extract from an already parsed document (target_pages / max_pages were applied by the parse)."""
    config = as_configuration(configuration)
    with gc_paused():
        return run(document, config)


def extract_file(data: bytes, filename: str, configuration: Union[ExtractConfiguration, dict[str, Any]], *,
                 document: Optional[Document] = None) -> ExtractionOutput:
    """Parse ``data`` honouring ``target_pages`` / ``max_pages`` (unless a pre-parsed ``document``
    is given, as for a ``pjb-`` parse-job input) and extract the configured schema from it.

    Raises ``EngineError`` subclasses (unreadable document, bad page selection, unusable
    schema) with a message a person can act on. The schema is checked before the document is
    parsed, so a bad schema fails fast."""
    config = as_configuration(configuration)
    validate_schema(config.data_schema)
    with gc_paused():  # a parse and its index are many small objects without cycles: see lib/gcpause.py
        if document is not None:
            return run(document, config)
        with opened_document(data, filename, target_pages=config.target_pages, max_pages=config.max_pages) as parsed:
            return run(parsed, config)
