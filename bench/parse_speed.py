"""Parsing speed: ``load_document`` on a 200-page born-digital PDF against pymupdf's raw text
extraction of the same pages in the same run (the floor), plus OCR pages per second.

    python bench/parse_speed.py [--pages 200] [--repeat 3] [--scanned 2]

Printed: seconds and pages per second for the raw ``page.get_text()`` floor, for
``get_text("words")`` (what the parser reads), for the parser without and with table
detection, and the ratios to the floor; then OCR seconds per scanned page. The input is
``lib.samples.long_pdf`` (a bank statement with a transaction table on every page).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pymupdf  # noqa: E402

from bench.timing import best_of  # noqa: E402
from lib.engine.documents import load_document, ocr, tables  # noqa: E402
from lib.samples import long_pdf, scanned_pages  # noqa: E402


def _raw(data: bytes, mode: str) -> None:
    doc = pymupdf.open(stream=data, filetype="pdf")
    for page in doc:
        page.get_text(mode) if mode else page.get_text()
    doc.close()


def _without_tables(data: bytes) -> None:
    real = tables.pdf_tables
    tables.pdf_tables = lambda page, number, lines: []  # type: ignore[assignment]
    try:
        load_document(data, "long.pdf")
    finally:
        tables.pdf_tables = real  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scanned", type=int, default=2, help="scanned pages to OCR (about a second each)")
    args = parser.parse_args()

    data = long_pdf(args.pages).data
    n = pymupdf.open(stream=data, filetype="pdf").page_count
    floor = best_of(args.repeat, lambda: _raw(data, ""))
    rows = [
        ("raw page.get_text() (floor)", floor),
        ('raw page.get_text("words")', best_of(args.repeat, lambda: _raw(data, "words"))),
        ("load_document, no tables", best_of(args.repeat, lambda: _without_tables(data))),
        ("load_document (lines + tables)", best_of(args.repeat, lambda: load_document(data, "long.pdf"))),
    ]
    print(f"born-digital PDF, {n} pages, best of {args.repeat}")
    print(f"{'':34} {'seconds':>8} {'pages/s':>9} {'x floor':>8}")
    for name, seconds in rows:
        print(f"{name:34} {seconds:8.3f} {n / seconds:9.0f} {seconds / floor:8.2f}")
    doc = load_document(data, "long.pdf")
    print(f"parsed: {sum(len(p.lines) for p in doc.pages)} lines, "
          f"{sum(len(t.rows) for p in doc.pages for t in p.tables)} table rows on {len(doc.pages)} pages")

    if args.scanned:
        scan = scanned_pages(args.scanned).data
        load_document(scan, "warm.pdf", target_pages="1")  # loads the OCR models once
        start = time.perf_counter()
        scanned = load_document(scan, "scan.pdf")
        seconds = time.perf_counter() - start
        ocr_pages = sum(p.ocr for p in scanned.pages)
        print(f"\nscanned PDF, {ocr_pages} OCR pages at {ocr.RENDER_DPI} dpi: "
              f"{seconds / max(ocr_pages, 1):.2f} s per page")


if __name__ == "__main__":
    main()
