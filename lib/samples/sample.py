"""The ``Sample``: a generated document together with the truth about what it shows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class Sample:
    """A document (``data``) and its ground truth.

    ``expected`` is the per_doc answer with values already in the schema's types (ISO dates,
    floats, exact enum spellings, ``None`` for what the document does not show).
    ``field_pages`` maps each leaf path that has a value (``"total"``, ``"vendor.name"``,
    ``"line_items[2].amount"``) to the 1-based page where it is printed; ``printed`` maps
    the same paths to the exact text printed for them (``"$1,234.56"``), so a test can look
    for it in the text layer (XLSX stores numbers as numeric cells instead of this text).
    Flowing formats (DOCX, HTML, CSV, TXT, MD, XLSX) have one page, so every value is on
    page 1 there, and their tables continued across PDF pages are one table.
    ``row_schema``/``expected_rows`` are the per_table_row truth, ``page_schema``/
    ``expected_pages`` the per_page truth (``page_printed[i]`` is what page ``i+1`` prints
    for each page field; ``expected_pages`` is ``None`` when the format has no fixed pages
    and the document would need more than one). ``row_pages[i]`` is the page showing row
    ``i`` and ``row_printed[i]`` its printed cells. ``pages`` is the page count.
    """

    filename: str
    data: bytes
    kind: str
    fmt: str
    layout: int
    schema: dict[str, Any]
    expected: dict[str, Any]
    field_pages: dict[str, int] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)
    row_schema: Optional[dict[str, Any]] = None
    expected_rows: Optional[list[dict[str, Any]]] = None
    row_pages: Optional[list[int]] = None
    row_printed: Optional[list[dict[str, str]]] = None
    page_schema: Optional[dict[str, Any]] = None
    expected_pages: Optional[list[dict[str, Any]]] = None
    page_printed: Optional[list[dict[str, str]]] = None
    template: Optional[str] = None
    pages: int = 1
    seed: int = 0

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.fmt]

    def truth(self) -> dict[str, Any]:
        """Everything but the bytes, as JSON-ready data (what ``python -m lib.samples`` writes)."""
        return {
            "filename": self.filename,
            "kind": self.kind,
            "fmt": self.fmt,
            "layout": self.layout,
            "seed": self.seed,
            "pages": self.pages,
            "template": self.template,
            "schema": self.schema,
            "expected": self.expected,
            "field_pages": self.field_pages,
            "printed": self.printed,
            "row_schema": self.row_schema,
            "expected_rows": self.expected_rows,
            "row_pages": self.row_pages,
            "row_printed": self.row_printed,
            "page_schema": self.page_schema,
            "expected_pages": self.expected_pages,
            "page_printed": self.page_printed,
        }

    def truth_json(self) -> str:
        return json.dumps(self.truth(), indent=2, ensure_ascii=False)


MIME_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "scanned_pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "html": "text/html",
    "txt": "text/plain",
    "md": "text/markdown",
}

EXTENSIONS: dict[str, str] = {
    "pdf": "pdf",
    "scanned_pdf": "pdf",
    "png": "png",
    "jpeg": "jpg",
    "tiff": "tiff",
    "docx": "docx",
    "xlsx": "xlsx",
    "csv": "csv",
    "html": "html",
    "txt": "txt",
    "md": "md",
}

FORMATS: tuple[str, ...] = tuple(MIME_TYPES)
