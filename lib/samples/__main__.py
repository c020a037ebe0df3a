"""Write a generated corpus and its ground truth to a folder, for people and manual checks.

    python -m lib.samples OUTDIR [--n N] [--seed S] [--fmts pdf,docx] [--demo]

Each document ``NAME.ext`` gets ``NAME.ext.json`` beside it (schema, expected values, pages,
printed text), and ``index.json`` lists them all.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .generate import corpus, demo_samples
from .sample import FORMATS, Sample


def write(samples: list[Sample], outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    index = []
    for sample in samples:
        (outdir / sample.filename).write_bytes(sample.data)
        (outdir / f"{sample.filename}.json").write_text(sample.truth_json(), encoding="utf-8")
        index.append({"filename": sample.filename, "kind": sample.kind, "fmt": sample.fmt, "layout": sample.layout,
                      "pages": sample.pages, "template": sample.template})
    (outdir / "index.json").write_text(json.dumps(index, indent=2), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.samples", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--n", type=int, default=20, help="number of documents (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fmts", default="", help=f"comma-separated subset of {','.join(FORMATS)}")
    parser.add_argument("--demo", action="store_true", help="write the three 'Try a sample' documents instead")
    args = parser.parse_args(argv)
    fmts = tuple(f for f in args.fmts.split(",") if f) or None
    if args.n < 1:
        parser.error("--n must be at least 1")
    try:
        samples = demo_samples() if args.demo else corpus(args.n, seed=args.seed, fmts=fmts)
    except ValueError as exc:
        parser.error(str(exc))
    write(samples, args.outdir)
    print(f"wrote {len(samples)} documents and their ground truth to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
