"""Command line: ``python -m lib.engine FILE --schema SCHEMA.json [--target per_page] [--pages 1-3]``.

Prints the job-shaped JSON (``extract_result``, ``extract_metadata``, ``metadata.usage``) on
stdout. Any error (unreadable file, bad schema, bad page selection) prints one line on
stderr and exits with status 2, so scripts can tell a failed extraction from a result.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from lib.engine import extract_file
from lib.engine.errors import EngineError


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lib.engine",
                                     description="Extract schema-shaped data from a document with the local engine.")
    parser.add_argument("file", type=Path, help="the document (PDF, image, DOCX, XLSX, CSV, HTML, TXT, MD)")
    parser.add_argument("--schema", type=Path, required=True, help="a JSON file holding the data schema")
    parser.add_argument("--target", choices=["per_doc", "per_page", "per_table_row"], default="per_doc")
    parser.add_argument("--pages", help="pages to extract, 1-based: '1,3,5-7'")
    parser.add_argument("--max-pages", type=int, help="extract at most this many pages")
    parser.add_argument("--tier", choices=["cost_effective", "agentic"], default="cost_effective")
    parser.add_argument("--system-prompt", help="hints for the engine (see lib.engine's documentation)")
    parser.add_argument("--no-citations", action="store_true", help="leave citations out of the metadata")
    parser.add_argument("--no-confidence", action="store_true", help="leave confidence scores out of the metadata")
    return parser.parse_args(argv)


def _read_inputs(args: argparse.Namespace) -> tuple[bytes, dict]:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise EngineError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    try:
        schema = json.loads(args.schema.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EngineError(f"cannot read the schema {args.schema}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EngineError(f"the schema {args.schema} is not valid JSON: {exc}") from None
    return data, schema


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        data, schema = _read_inputs(args)
        configuration = {
            "data_schema": schema,
            "extraction_target": args.target,
            "target_pages": args.pages,
            "max_pages": args.max_pages,
            "tier": args.tier,
            "system_prompt": args.system_prompt,
            "cite_sources": not args.no_citations,
            "confidence_scores": not args.no_confidence,
        }
        output = extract_file(data, args.file.name, configuration)
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    json.dump(output.job_json(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
