"""Parsers: one per input kind, each producing the one ``Document`` model (see model.py).

``load_document`` is the only entry point the rest of the engine needs: it sniffs what the
bytes really are, parses only the selected pages, and turns every failure into one of the
exceptions in ``lib.engine.errors`` with a message a person can act on. Parsers keep no
state between calls (except the lazily created OCR engine), so they are safe to run in a
worker process.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from lib.engine.documents.model import Document, Page, page_markdown, table_markdown
from lib.engine.documents.selection import page_selection
from lib.engine.documents.sniff import sniff
from lib.engine.errors import CorruptDocument, DocumentError, EmptyDocument, EngineError
from lib.gcpause import gc_paused

__all__ = [
    "load_document", "opened_document", "count_pages", "page_selection", "page_markdown", "table_markdown", "sniff", "gc_paused", "Document",
]


def _flowing_parser(kind: str) -> Callable[[bytes, str], list[Page]]:
    """The parser of a format without real pages; imported lazily so a PDF-only worker never
    loads openpyxl, python-docx or lxml."""
    if kind == "docx":
        from lib.engine.documents.office import parse_docx

        return parse_docx
    if kind in ("xlsx", "xls", "csv"):
        from lib.engine.documents import sheets

        return {"xlsx": sheets.parse_xlsx, "xls": sheets.parse_xls, "csv": sheets.parse_csv}[kind]
    if kind == "html":
        from lib.engine.documents.html import parse_html

        return parse_html
    from lib.engine.documents.text import parse_markdown, parse_text

    return parse_markdown if kind == "md" else parse_text


def _flowing(kind: str, data: bytes, filename: str, target_pages: str | None, max_pages: int | None) -> Document:
    pages = _flowing_parser(kind)(data, filename)
    if not pages or not any(p.lines for p in pages):
        raise EmptyDocument(f"{filename} contains no text to extract from")
    wanted = set(page_selection(target_pages, max_pages, len(pages)))
    return Document(filename=filename, kind=kind, pages=[p for p in pages if p.number in wanted], total_pages=len(pages))


def _dispatch(kind: str, data: bytes, filename: str, target_pages: str | None, max_pages: int | None,
              opened: list | None = None) -> Document:
    if kind == "pdf":
        from lib.engine.documents.pdf import parse_pdf

        return parse_pdf(data, filename, target_pages, max_pages, opened)
    if kind == "image":
        from lib.engine.documents.images import parse_image

        return parse_image(data, filename, target_pages, max_pages)
    return _flowing(kind, data, filename, target_pages, max_pages)


def load_document(
    data: bytes, filename: str, *, target_pages: str | None = None, max_pages: int | None = None
) -> Document:
    """Parse ``data`` (named ``filename``) into a ``Document`` holding only the selected pages.

    Raises ``DocumentError`` subclasses for unreadable input and ``PageSelectionError`` for a
    bad ``target_pages`` / ``max_pages``; any other failure inside a third-party parser is
    reported as a ``CorruptDocument`` rather than escaping as a traceback."""
    return _parse(data, filename, target_pages, max_pages, None)


@contextmanager
def opened_document(
    data: bytes, filename: str, *, target_pages: str | None = None, max_pages: int | None = None
) -> Iterator[Document]:
    """``load_document`` for a caller that is done with the document when the block ends (an
    extraction): a PDF stays open for the block and each text-layer page detects its tables
    only if something reads them, which a schema without tables often never does. The
    document must not be used after the block."""
    opened: list = []
    try:
        yield _parse(data, filename, target_pages, max_pages, opened)
    finally:
        for source in opened:
            source.close()


def _parse(data: bytes, filename: str, target_pages: str | None, max_pages: int | None, opened: list | None) -> Document:
    kind = sniff(data, filename)
    try:
        with gc_paused():
            return _dispatch(kind, data, filename, target_pages, max_pages, opened)
    except (EngineError, ImportError, SyntaxError):
        raise  # ours, or a broken installation: not the document's fault
    except MemoryError as exc:
        raise DocumentError(f"{filename} needs more memory to parse than this machine has; split it into smaller files") from exc
    except Exception as exc:  # a parser library failed on malformed input
        raise CorruptDocument(f"{filename} could not be read as {kind.upper()}: {str(exc)[:200] or type(exc).__name__}") from exc


def count_pages(data: bytes, filename: str) -> int:
    """The number of pages in the source, cheaply where the format allows (PDF, images);
    flowing formats are laid out to count their synthetic pages."""
    kind = sniff(data, filename)
    try:
        if kind == "pdf":
            from lib.engine.documents.pdf import count_pdf_pages

            return count_pdf_pages(data)
        if kind == "image":
            from lib.engine.documents.images import count_image_pages

            return count_image_pages(data, filename)
        return _flowing(kind, data, filename, None, None).total_pages
    except (EngineError, ImportError, SyntaxError):
        raise
    except Exception as exc:
        raise CorruptDocument(f"{filename} could not be read as {kind.upper()}: {str(exc)[:200] or type(exc).__name__}") from exc
