"""Pages per second of the local engine against the raw text extraction of the same PDF library.

    python bench/engine_speed.py [--pages 200] [--scanned 10] [--repeat 2]

Inputs are generated (``lib.samples.long_pdf`` and ``lib.samples.scanned_pages``). The floor
is ``page.get_text()`` of pymupdf over every page of the same PDF, measured in the same run;
each engine figure is the full ``extract_file`` (parse + extract) for one target, and its
ratio says how many times slower than the floor it is. Best of ``--repeat`` runs each.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pymupdf  # noqa: E402

from bench.timing import best_of  # noqa: E402
from lib.engine import extract_file  # noqa: E402
from lib.samples import TEMPLATES, long_pdf, scanned_pages  # noqa: E402


def raw_text(data: bytes) -> None:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            page.get_text()


def configs() -> dict[str, dict]:
    full = {"cite_sources": True, "confidence_scores": True}
    return {
        "per_doc": {"data_schema": TEMPLATES["bank_statement"].schema, **full},
        "per_page": {"data_schema": TEMPLATES["bank_statement_page"].schema, "extraction_target": "per_page", **full},
        "per_table_row": {"data_schema": TEMPLATES["bank_statement_rows"].schema,
                          "extraction_target": "per_table_row", **full},
    }


def measure(label: str, sample, pages: int, repeat: int) -> None:
    floor = best_of(repeat, lambda: raw_text(sample.data))
    print(f"\n{label}: {pages} pages; floor pymupdf get_text(): {floor:.3f} s = {pages / floor:,.0f} pages/s")
    print(f"{'target':<16}{'seconds':>9}{'pages/s':>10}{'x floor':>9}")
    for target, config in configs().items():
        seconds = best_of(repeat, lambda: extract_file(sample.data, sample.filename, config))
        print(f"{target:<16}{seconds:>9.3f}{pages / seconds:>10.2f}{seconds / floor:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--scanned", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    measure("born-digital statement", long_pdf(args.pages), args.pages, args.repeat)
    if args.scanned:
        measure("scanned statement (OCR)", scanned_pages(args.scanned), args.scanned, 1)


if __name__ == "__main__":
    main()
