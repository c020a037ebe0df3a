"""The public generators: ``make_sample``, ``corpus``, ``demo_samples``, ``long_pdf``, ``scanned_pages``.

Each sample is built as content (a kind builder), checked (every non-null truth value has a
printed span; every per-page span landed on its page) and rendered to the requested format.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import random
import re
from typing import Any, Callable, Optional

from .content import printed_values
from .kinds import contract, form, id_card, invoice, purchase_order, receipt, report, resume, statement
from .kinds.base import Built, leaf_paths
from .render import flow, scan
from .render.pdf import render_pdf
from .sample import EXTENSIONS, FORMATS, Sample

Builder = Callable[..., Built]
Rendered = tuple[bytes, int, dict[str, int]]

KINDS: dict[str, tuple[Builder, int]] = {
    "invoice": (invoice.build_invoice, len(invoice.LAYOUTS)),
    "receipt": (receipt.build_receipt, len(receipt.LAYOUTS)),
    "bank_statement": (statement.build_statement, len(statement.LAYOUTS)),
    "form": (form.build_form, len(form.LAYOUTS)),
    "report": (report.build_report, len(report.LAYOUTS)),
    "purchase_order": (purchase_order.build_purchase_order, len(purchase_order.LAYOUTS)),
    "id_card": (id_card.build_id_card, len(id_card.LAYOUTS)),
    "contract": (contract.build_contract, len(contract.CONVENTION_BY_LAYOUT)),
    "resume": (resume.build_resume, 2),
}
SINGLE_PAGE_FORMATS = ("png", "jpeg")
_MARKED = re.compile(r"^@(p|row)(\d+)\.(.+)$")


def kind_options(kind: str) -> list[str]:
    """The keyword options ``make_sample`` accepts for ``kind`` (``rows``, ``items``, ``font``, ...)."""
    params = inspect.signature(KINDS[kind][0]).parameters.values()
    return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


def make_sample(kind: str, *, fmt: str = "pdf", layout: int = 0, seed: int = 0, **options: Any) -> Sample:
    """One document of ``kind`` in ``fmt``; the same arguments always give the same sample.

    ``options`` go to the kind's builder: ``items=`` (invoice, receipt), ``rows=``,
    ``first_page_rows=``, ``page_rows=`` (bank_statement), ``pages=`` (report),
    ``ticked=`` (form), and for all ``font=`` (Helvetica, Times-Roman, Courier) and
    ``convention=`` (us, us_long, eu, uk, iso_chf, iso_cad). ``layout`` wraps around the
    kind's layout count. For PNG and JPEG (one image, one page) the sizes the seed picks
    fit one page; an explicit size that does not is a ``ValueError``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {sorted(KINDS)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {list(FORMATS)}")
    builder, n_layouts = KINDS[kind]
    unknown = sorted(set(options) - set(kind_options(kind)))
    if unknown:
        raise ValueError(f"{kind} does not take {unknown}; its options are {kind_options(kind)}")
    layout %= n_layouts
    if fmt in SINGLE_PAGE_FORMATS:
        options = {**_one_page_sizes(kind, random.Random(f"size:{kind}:{layout}:{seed}")), **options}
    built = builder(random.Random(f"{kind}:{layout}:{seed}"), layout, **options)
    return _render(built, kind, fmt, layout, seed)


def _one_page_sizes(kind: str, rng: random.Random) -> dict[str, Any]:
    """Default sizes that fit one page, for PNG and JPEG (explicit options still win)."""
    if kind in ("invoice", "purchase_order"):
        return {"items": rng.choice([1, 2, 3, 4, 6, 8, 12])}
    if kind == "bank_statement":
        return {"rows": rng.choice([1, 4, 8, 12, 16])}
    if kind == "report":
        return {"pages": 1}
    return {}


def _render(built: Built, kind: str, fmt: str, layout: int, seed: int) -> Sample:
    printed_all = printed_values(built.doc)
    truth = {p: v for p, v in leaf_paths(built.expected).items() if v is not None}
    _check_printed(kind, layout, truth, printed_all)
    data, pages, span_pages = _RENDERERS[fmt](built, seed)
    marked = _marked(printed_all, span_pages)
    rows_printed, row_pages = _rows(built.expected_rows, marked.get("row", {}))
    _check_printed(kind, layout, _indexed_truth(built.expected_rows), _indexed_printed(marked.get("row", {})))
    paged = built.expected_pages is not None and pages == len(built.expected_pages)
    page_printed = None
    if paged:
        page_marks = marked.get("p", {})
        _check_printed(kind, layout, _indexed_truth(built.expected_pages), _indexed_printed(page_marks))
        _check_pages(page_marks)
        page_printed = [{name: text for name, (text, _) in page_marks.get(i, {}).items()}
                        for i in range(len(built.expected_pages))]
    return Sample(
        filename=f"{kind}-l{layout}-s{seed}.{EXTENSIONS[fmt]}", data=data, kind=kind, fmt=fmt, layout=layout,
        schema=copy.deepcopy(built.schema), expected=built.expected,
        field_pages={p: span_pages.get(p, 1) for p in truth},
        printed={p: printed_all[p] for p in truth},
        row_schema=copy.deepcopy(built.row_schema), expected_rows=built.expected_rows, row_pages=row_pages, row_printed=rows_printed,
        page_schema=copy.deepcopy(built.page_schema) if paged else None,
        expected_pages=built.expected_pages if paged else None,
        page_printed=page_printed, template=built.template, pages=pages, seed=seed,
    )


Marks = dict[str, dict[int, dict[str, tuple[str, Optional[int]]]]]


def _marked(printed_all: dict[str, str], span_pages: dict[str, int]) -> Marks:
    """The ``@p<N>.field`` / ``@row<N>.field`` spans: kind -> index -> field -> (text, page)."""
    out: Marks = {}
    for path, text in printed_all.items():
        match = _MARKED.match(path)
        if match:
            kind, index, name = match.group(1), int(match.group(2)), match.group(3)
            out.setdefault(kind, {}).setdefault(index, {})[name] = (text, span_pages.get(path))
    return out


def _indexed_truth(objects: Optional[list[dict[str, Any]]]) -> dict[str, Any]:
    return {f"{i}.{k}": v for i, obj in enumerate(objects or []) for k, v in obj.items() if v is not None}


def _indexed_printed(marks: dict[int, dict[str, tuple[str, Optional[int]]]]) -> dict[str, str]:
    return {f"{i}.{name}": text for i, fields in marks.items() for name, (text, _) in fields.items()}


def _check_printed(kind: str, layout: int, truth: dict[str, Any], printed: dict[str, str]) -> None:
    """A builder bug guard: every value in the truth must have been printed somewhere."""
    missing = sorted(set(truth) - set(printed))
    if missing:
        raise AssertionError(f"{kind} layout {layout}: truth not printed: {missing[:5]}")


def _check_pages(page_marks: dict[int, dict[str, tuple[str, Optional[int]]]]) -> None:
    for index, fields in page_marks.items():
        for name, (_, landed) in fields.items():
            if landed is not None and landed != index + 1:
                raise AssertionError(f"page {index + 1}'s {name} was printed on page {landed}: the layout overflowed")


def _rows(rows: Optional[list[dict[str, Any]]], marks: dict[int, dict[str, tuple[str, Optional[int]]]]
          ) -> tuple[Optional[list[dict[str, str]]], Optional[list[int]]]:
    if rows is None:
        return None, None
    printed = [{name: text for name, (text, _) in marks.get(i, {}).items()} for i in range(len(rows))]
    pages = [min((p or 1) for _, p in marks[i].values()) if marks.get(i) else 1 for i in range(len(rows))]
    return printed, pages


# --- renderers per format ------------------------------------------------------------------------


def _pdf(built: Built, seed: int) -> Rendered:
    rendered = render_pdf(built.doc)
    return rendered.data, rendered.pages, rendered.span_pages


def _scanned(fmt: str) -> Callable[[Built, int], Rendered]:
    def render(built: Built, seed: int) -> Rendered:
        rendered = render_pdf(built.doc)
        if fmt in SINGLE_PAGE_FORMATS and rendered.pages > 1:
            raise scan.SinglePageFormatError(
                f"{fmt} holds one page but this document has {rendered.pages}; use tiff or scanned_pdf, "
                "or fewer rows/items")
        images = scan.scan_images(rendered.data, random.Random(f"scan:{seed}"))
        data = scan.to_scanned_pdf(images) if fmt == "scanned_pdf" else scan.to_image(images, fmt)
        return data, rendered.pages, rendered.span_pages

    return render


def _flowing(fmt: str) -> Callable[[Built, int], Rendered]:
    def render(built: Built, seed: int) -> Rendered:
        return flow.RENDERERS[fmt](built.doc), 1, {}

    return render


_RENDERERS: dict[str, Callable[[Built, int], Rendered]] = {
    "pdf": _pdf,
    **{fmt: _scanned(fmt) for fmt in ("scanned_pdf", "png", "jpeg", "tiff")},
    **{fmt: _flowing(fmt) for fmt in flow.RENDERERS},
}


# --- corpora and ready-made samples --------------------------------------------------------------

CORPUS_WEIGHTS = {"invoice": 5, "receipt": 3, "bank_statement": 4, "form": 2, "report": 2, "purchase_order": 2,
                  "id_card": 1, "contract": 1, "resume": 1}


def _corpus_options(kind: str, fmt: str, rng: random.Random) -> dict[str, Any]:
    """Sizes for a corpus member: long tables sometimes, one page for single-image formats."""
    if fmt in SINGLE_PAGE_FORMATS:
        return _one_page_sizes(kind, rng)
    if kind in ("invoice", "purchase_order"):
        return {"items": rng.choice([1, 2, 3, 5, 8, 12, 20, 30, 40])}
    if kind == "receipt":
        return {"items": rng.randint(1, 10)}
    if kind == "bank_statement":
        return {"rows": rng.choice([1, 5, 10, 16, 30, 60, 120])}
    if kind == "report":
        return {"pages": rng.randint(2, 4)}
    return {}


def corpus(n: int, *, seed: int = 0, fmts: Optional[tuple[str, ...]] = None) -> list[Sample]:
    """``n`` varied samples (kind, layout, format, font, wording, sizes), reproducible from ``seed``."""
    chosen = tuple(fmts) if fmts else FORMATS
    bad = [f for f in chosen if f not in FORMATS]
    if bad:
        raise ValueError(f"unknown formats {bad}; choose from {list(FORMATS)}")
    rng = random.Random(f"corpus:{seed}")
    kinds = sorted(CORPUS_WEIGHTS)
    out = []
    for i in range(n):
        kind = rng.choices(kinds, weights=[CORPUS_WEIGHTS[k] for k in kinds])[0]
        fmt = rng.choice(chosen)
        layout = rng.randrange(KINDS[kind][1])
        sample = make_sample(kind, fmt=fmt, layout=layout, seed=rng.randrange(1_000_000),
                             **_corpus_options(kind, fmt, rng))
        out.append(dataclasses.replace(sample, filename=f"{i:04d}-{sample.filename}"))
    return out


def demo_samples() -> list[Sample]:
    """The app's "Try a sample" set: an invoice, a receipt and a 3-page statement, each with its template."""
    picks = [("demo-invoice.pdf", make_sample("invoice", layout=0, seed=7, items=4, due_date=True, tax=True)),
             ("demo-receipt.pdf", make_sample("receipt", layout=0, seed=3, items=4)),
             ("demo-statement.pdf", make_sample("bank_statement", layout=0, seed=5, rows=70))]
    return [dataclasses.replace(s, filename=name) for name, s in picks]


def _statement_rows(pages: int) -> int:
    return statement.FIRST_PAGE_ROWS + statement.PAGE_ROWS * (pages - 1)


def long_pdf(pages: int = 200, seed: int = 0) -> Sample:
    """A born-digital bank statement of exactly ``pages`` full pages (the speed benchmark's input)."""
    if pages < 1:
        raise ValueError(f"pages must be at least 1, got {pages}")
    sample = make_sample("bank_statement", layout=0, seed=seed, rows=_statement_rows(pages), font="Helvetica")
    return dataclasses.replace(sample, filename=f"statement-{pages}p.pdf")


def scanned_pages(n: int = 10) -> Sample:
    """An image-only ("scanned") PDF of ``n`` statement pages, for the OCR side of the benchmark."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    sample = make_sample("bank_statement", fmt="scanned_pdf", layout=0, seed=0, rows=_statement_rows(n),
                         font="Helvetica")
    return dataclasses.replace(sample, filename=f"scanned-statement-{n}p.pdf")
