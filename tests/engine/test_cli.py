"""The command line, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lib.samples import make_sample

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.engine", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_cli_prints_the_job_shaped_json(tmp_path):
    sample = make_sample("bank_statement", fmt="pdf", layout=0, seed=13, rows=60)
    pdf = tmp_path / sample.filename
    pdf.write_bytes(sample.data)
    schema = tmp_path / "page.json"
    schema.write_text(json.dumps(sample.page_schema))
    done = cli(str(pdf), "--schema", str(schema), "--target", "per_page", "--pages", "1-2")
    assert done.returncode == 0, done.stderr
    job = json.loads(done.stdout)
    assert job["extract_result"] == sample.expected_pages[:2]
    assert len(job["extract_metadata"]["field_metadata"]["page_metadata"]) == 2
    assert job["metadata"]["usage"]["num_pages_extracted"] == 2
    bare = json.loads(cli(str(pdf), "--schema", str(schema), "--target", "per_page", "--no-citations",
                          "--no-confidence").stdout)
    assert all(entry == {} for page in bare["extract_metadata"]["field_metadata"]["page_metadata"]
               for entry in page.values())


def test_cli_errors_are_one_line_and_exit_2(tmp_path):
    schema = tmp_path / "bad.json"
    schema.write_text(json.dumps({"type": "array"}))
    text = tmp_path / "note.txt"
    text.write_text("Total: 5.00\n")
    for args, words in [((str(text), "--schema", str(schema)), "root of the schema"),
                        ((str(tmp_path / "missing.pdf"), "--schema", str(schema)), "cannot read"),
                        ((str(text), "--schema", str(tmp_path / "none.json")), "cannot read the schema")]:
        done = cli(*args)
        assert done.returncode == 2
        assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1
        assert words in done.stderr
