"""The parsers against ``lib.samples``' generated documents (skipped if that package is
absent): every value the truth says is printed is in the text of the page it is printed on,
and the line-item table has exactly the rows the truth lists (joined across PDF pages)."""

import re

import pytest

samples = pytest.importorskip("lib.samples")

from lib.engine.documents import load_document  # noqa: E402
from lib.engine.documents.model import Document  # noqa: E402

FORMATS = ["pdf", "docx", "xlsx", "csv", "html", "txt", "md"]
CASES = [(kind, fmt, layout) for kind in ("invoice", "receipt", "bank_statement", "purchase_order", "report")
         for fmt in FORMATS for layout in (0, 1)]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _row_counts(doc: Document) -> list[int]:
    """Body rows per family of tables: tables with the same header count as one (a report's
    sections, a statement continued over pages), and so does a headerless table that starts
    the page after one of the same width (a continuation that repeats no header)."""
    groups: dict[tuple[str, ...], list[int]] = {}  # header -> [rows, last page, columns]
    last: list[int] | None = None
    for page in doc.pages:
        for table in page.tables:
            header = tuple(c.text for c in table.header)
            width = len(table.rows[0]) if table.rows else len(header)
            if not header and last is not None and last[1] == page.number - 1 and last[2] == width:
                last[0] += len(table.rows)
                last[1] = page.number
                continue
            group = groups.setdefault(header or (f"table {len(groups)}",), [0, page.number, width])
            group[0] += len(table.rows)
            group[1] = page.number
            last = group
    return [g[0] for g in groups.values()]


@pytest.mark.parametrize(("kind", "fmt", "layout"), CASES)
def test_printed_truth_is_on_its_page_and_tables_have_every_row(kind, fmt, layout):
    sample = samples.make_sample(kind, fmt=fmt, layout=layout, seed=layout)
    doc = load_document(sample.data, sample.filename)
    assert doc.total_pages == sample.pages
    if fmt != "xlsx":  # XLSX stores numbers as numbers, not as the printed text
        pages = {p.number: _norm(p.text) for p in doc.pages}
        missing = [text for path, text in sample.printed.items() if _norm(text) not in pages[sample.field_pages[path]]]
        assert missing == []
    if sample.expected_rows:
        assert len(sample.expected_rows) in _row_counts(doc)
