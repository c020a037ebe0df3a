"""Shared fixtures for the engine tests: generated samples (built once per session) and a small
builder for hand-made documents, so extraction logic can be tested without any parser."""

from __future__ import annotations

from typing import Optional

import pytest

from lib.engine.documents.model import Box, Document, Line, Page, Table, Word
from lib.samples import make_sample

CHAR_W = 5.0  # points per character in hand-built documents
LINE_H = 12.0


def make_line(text: str, x: float, y: float, confidence: float = 1.0) -> Line:
    """A line with one word box per whitespace-separated word, laid out at ``CHAR_W`` per char."""
    words, cursor = [], 0
    for part in text.split(" "):
        if part:
            words.append(Word(part, Box(x + cursor * CHAR_W, y, len(part) * CHAR_W, LINE_H), confidence))
        cursor += len(part) + 1
    return Line(text, Box(x, y, len(text) * CHAR_W, LINE_H), words, confidence)


def make_page(rows: list[list[tuple[float, str]]], number: int = 1, tables: Optional[list[Table]] = None,
              confidence: float = 1.0) -> Page:
    """A page from rows of ``(x, text)`` cells, one row every 20 points."""
    lines = [make_line(text, x, 40 + 20 * r, confidence) for r, row in enumerate(rows) for x, text in row]
    return Page(number, 612, 792, lines, tables or [], ocr=confidence < 1.0)


def make_document(*pages: Page, filename: str = "hand.pdf") -> Document:
    return Document(filename, "pdf", list(pages), len(pages))


@pytest.fixture(scope="session")
def invoice_samples():
    """Born-digital invoices in every layout, plus flowing formats of two layouts."""
    samples = [make_sample("invoice", fmt="pdf", layout=layout, seed=1) for layout in range(6)]
    samples += [make_sample("invoice", fmt=fmt, layout=layout, seed=2)
                for fmt in ("docx", "xlsx", "csv", "html", "md") for layout in (0, 1)]
    return samples


@pytest.fixture(scope="session")
def long_statement():
    """A multi-page statement whose transaction table runs over every page."""
    return make_sample("bank_statement", fmt="pdf", layout=0, seed=3, rows=120)
