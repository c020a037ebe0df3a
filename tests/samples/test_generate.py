"""Determinism, variety and the ready-made sets (corpus, demo, benchmark inputs, CLI)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import Counter

import pymupdf
import pytest

from lib.samples import TEMPLATES, corpus, demo_samples, long_pdf, make_sample, scanned_pages
from lib.samples.__main__ import main


@pytest.mark.parametrize("fmt", ["pdf", "scanned_pdf", "png", "docx", "xlsx", "csv", "html", "txt", "md"])
def test_same_seed_same_bytes(fmt):
    first = make_sample("receipt", fmt=fmt, layout=2, seed=11)
    second = make_sample("receipt", fmt=fmt, layout=2, seed=11)
    assert first.data == second.data and first.truth() == second.truth()


def test_different_seeds_differ():
    a, b = make_sample("invoice", seed=1), make_sample("invoice", seed=2)
    assert a.expected != b.expected and a.data != b.data


def test_bad_arguments_say_what_is_allowed():
    with pytest.raises(ValueError, match="unknown kind"):
        make_sample("memo")
    with pytest.raises(ValueError, match="unknown format"):
        make_sample("invoice", fmt="odt")
    with pytest.raises(ValueError, match="its options are"):
        make_sample("invoice", rows=3)
    with pytest.raises(ValueError, match="items must be"):
        make_sample("invoice", items=0)
    with pytest.raises(ValueError, match="unknown font"):
        make_sample("invoice", font="Comic Sans")


def test_corpus_is_reproducible_and_varied():
    docs = corpus(24, seed=3, fmts=("pdf", "html", "txt"))
    again = corpus(24, seed=3, fmts=("pdf", "html", "txt"))
    assert [d.truth() for d in docs] == [d.truth() for d in again]
    assert len({d.filename for d in docs}) == 24
    assert len(Counter(d.kind for d in docs)) >= 4
    assert set(d.fmt for d in docs) == {"pdf", "html", "txt"}
    assert len({(d.kind, d.layout) for d in docs}) >= 8
    with pytest.raises(ValueError, match="unknown formats"):
        corpus(2, fmts=("pdf", "odt"))


def test_corpus_varies_labels_and_conventions():
    docs = [make_sample("invoice", fmt="txt", layout=layout, seed=seed) for layout in range(6) for seed in range(4)]
    text = "\n".join(d.data.decode() for d in docs)
    assert sum(label in text for label in ("Invoice No.", "Invoice #", "Invoice Number")) >= 2
    assert sum(label in text for label in ("Amount Due", "Balance Due", "Total Due", "Total:")) >= 3
    assert re.search(r"\d,\d\d €", text) and re.search(r"\d{2}\.\d{2}\.20\d\d", text)
    assert re.search(r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November"
                     r"|December) 20\d\d", text)


def test_demo_samples_pair_with_templates():
    demos = demo_samples()
    assert [d.kind for d in demos] == ["invoice", "receipt", "bank_statement"]
    assert demos[2].pages == 3
    for demo in demos:
        assert demo.template in TEMPLATES and demo.schema == TEMPLATES[demo.template].schema
        assert demo.fmt == "pdf" and demo.filename.startswith("demo-")


def test_benchmark_inputs_have_the_page_counts_asked_for():
    long_doc = long_pdf(pages=12)
    with pymupdf.open(stream=long_doc.data, filetype="pdf") as doc:
        assert doc.page_count == 12 and all(page.get_text().strip() for page in doc)
    assert len(long_doc.expected_pages) == 12
    scans = scanned_pages(2)
    with pymupdf.open(stream=scans.data, filetype="pdf") as doc:
        assert doc.page_count == 2 and not doc[1].get_text().strip()


def test_cli_writes_documents_and_truth(tmp_path, capsys):
    assert main([str(tmp_path), "--n", "3", "--fmts", "pdf,txt"]) == 0
    index = json.loads((tmp_path / "index.json").read_text())
    assert len(index) == 3
    for entry in index:
        truth = json.loads((tmp_path / f"{entry['filename']}.json").read_text())
        assert (tmp_path / entry["filename"]).stat().st_size > 0 and truth["expected"]
    assert "wrote 3 documents" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_office_files_carry_no_save_time(fmt):
    """Same bytes on every run needs every timestamp in the zip fixed, not just the seed."""
    sample = make_sample("invoice", fmt=fmt)
    archive = zipfile.ZipFile(io.BytesIO(sample.data))
    assert {info.date_time for info in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert re.findall(r"W3CDTF\">([^<]+)<", core) == ["2024-01-01T00:00:00Z"] * 2
