"""Field-level accuracy of the local engine on generated documents, split by confidence band.

    python bench/accuracy.py [--n 200] [--seed 0] [--scanned 6]

Builds ``lib.samples.corpus(n)`` (invoices, receipts, statements, forms, reports in every
born-digital and flowing format, varied layouts, wording and conventions), plus ``--scanned``
rasterised documents (OCR is ~1 s of CPU per page, so they are counted separately), extracts
each with every target the sample has truth for (per_doc; per_page and per_table_row where
defined) and compares leaf by leaf with the ground truth (numbers to the cent, strings exactly).

Printed: accuracy per target and format, then for the values the engine *returned* (non-null)
the share that is right in each confidence band; the point of the confidence model is that
higher bands are right more often. Nulls are reported apart: a null is right when the truth
is null (the document does not show the field).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.engine import extract_document  # noqa: E402
from lib.engine.documents import load_document  # noqa: E402
from lib.engine.errors import EngineError  # noqa: E402
from lib.samples import corpus, make_sample  # noqa: E402
from lib.samples.kinds.base import leaf_paths  # noqa: E402

BANDS = [(0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 1.0001)]
SCANNED_FORMATS = ("scanned_pdf", "png", "jpeg", "tiff")


def meta_leaves(meta: Any, prefix: str = "") -> Iterator[tuple[str, dict]]:
    if isinstance(meta, dict) and ("confidence" in meta or "citation" in meta):
        yield prefix, meta
    elif isinstance(meta, dict):
        for key, sub in meta.items():
            yield from meta_leaves(sub, f"{prefix}.{key}" if prefix else key)
    elif isinstance(meta, list):
        for i, sub in enumerate(meta):
            yield from meta_leaves(sub, f"{prefix}[{i}]")


def same(expected: Any, got: Any) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and isinstance(got, (int, float)):
        return abs(float(expected) - float(got)) < 0.005
    return expected == got


def score(expected: Any, result: Any, metadata: Any) -> list[tuple[bool, Any, float]]:
    """(right, predicted value, confidence) for every leaf of the truth and of the result."""
    truth = leaf_paths(expected)
    got = leaf_paths(result)
    conf = {path: entry.get("confidence", 0.0) for path, entry in meta_leaves(metadata)}
    out = []
    for path in sorted(set(truth) | set(got)):
        value = got.get(path)
        out.append((same(truth.get(path), value), value, float(conf.get(path, 0.0))))
    return out


def jobs(sample) -> Iterator[tuple[str, dict, Any, str]]:
    yield "per_doc", sample.schema, sample.expected, "document_metadata"
    if sample.page_schema and sample.expected_pages:
        yield "per_page", sample.page_schema, sample.expected_pages, "page_metadata"
    if sample.row_schema and sample.expected_rows:
        yield "per_table_row", sample.row_schema, sample.expected_rows, "row_metadata"


def run(samples: list) -> tuple[dict, dict, dict, float]:
    by_target: dict[str, list[bool]] = defaultdict(list)
    by_format: dict[str, list[bool]] = defaultdict(list)
    bands: dict[tuple[float, float], list[bool]] = defaultdict(list)
    nulls: list[bool] = []
    started = time.perf_counter()
    for sample in samples:
        try:
            document = load_document(sample.data, sample.filename)
        except EngineError as exc:
            print(f"  {sample.filename}: {exc}")
            continue
        for target, schema, expected, key in jobs(sample):
            config = {"data_schema": schema, "extraction_target": target, "cite_sources": False,
                      "confidence_scores": True}
            out = extract_document(document, config)
            for right, value, conf in score(expected, out.extract_result, out.extract_metadata["field_metadata"][key]):
                by_target[target].append(right)
                by_format[sample.fmt].append(right)
                if value is None:
                    nulls.append(right)
                else:
                    band = next(b for b in BANDS if b[0] <= conf < b[1])
                    bands[band].append(right)
    elapsed = time.perf_counter() - started
    return by_target, by_format, {"bands": bands, "nulls": nulls}, elapsed


def pct(values: list[bool]) -> str:
    return f"{100 * sum(values) / len(values):6.1f}%" if values else "     -"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="born-digital and flowing documents (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scanned", type=int, default=6, help="rasterised documents added (OCR; default 6)")
    args = parser.parse_args()
    flowing = tuple(f for f in ("pdf", "docx", "xlsx", "csv", "html", "txt", "md"))
    samples = corpus(args.n, seed=args.seed, fmts=flowing)
    kinds = ["invoice", "receipt", "bank_statement", "form"]
    samples += [make_sample(kinds[i % len(kinds)], fmt=SCANNED_FORMATS[i % len(SCANNED_FORMATS)], layout=i, seed=i)
                for i in range(args.scanned)]
    by_target, by_format, conf, elapsed = run(samples)
    print(f"{len(samples)} documents ({args.scanned} scanned), {elapsed:.1f} s\n")
    print(f"{'target':<16}{'fields':>8}{'accuracy':>10}")
    for target, values in by_target.items():
        print(f"{target:<16}{len(values):>8}{pct(values):>10}")
    print(f"\n{'format':<16}{'fields':>8}{'accuracy':>10}")
    for fmt, values in sorted(by_format.items()):
        print(f"{fmt:<16}{len(values):>8}{pct(values):>10}")
    print(f"\n{'confidence band':<16}{'values':>8}{'wrong':>8}{'right':>10}   (non-null values the engine returned)")
    for band in BANDS:
        values = conf["bands"].get(band, [])
        label = f"[{band[0]:.2f}, {min(band[1], 1.0):.2f}{']' if band[1] > 1 else ')'}"
        print(f"{label:<16}{len(values):>8}{values.count(False):>8}{pct(values):>10}")
    nulls = conf["nulls"]
    print(f"{'null (conf 0)':<16}{len(nulls):>8}{nulls.count(False):>8}{pct(nulls):>10}"
          "   (null is right when the truth is null)")


if __name__ == "__main__":
    main()
