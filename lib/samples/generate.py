"""The public generators: ``make_sample``, ``corpus``, ``demo_samples``, ``long_pdf``, ``scanned_pages``.

Each sample is built as content (a kind builder), checked (every non-null truth value has a
printed span, every per-page span landed on its page) and rendered to the requested format.
"""

from __future__ import annotations

import inspect
import random
import re
from typing import Any, Callable

from .content import printed_values
from .kinds import invoice, statement
from .kinds.base import Built, leaf_paths
from .render import flow, scan
from .render.pdf import render_pdf
from .sample import EXTENSIONS, FORMATS, Sample

Builder = Callable[..., Built]

KINDS: dict[str, tuple[Builder, int]] = {
    "invoice": (invoice.build_invoice, len(invoice.LAYOUTS)),
    "bank_statement": (statement.build_statement, len(statement.LAYOUTS)),
}

_PAGE_PATH = re.compile(r"^@p(\d+)\.(.+)$")


def make_sample(kind: str, *, fmt: str = "pdf", layout: int = 0, seed: int = 0, **options: Any) -> Sample:
    """One document of ``kind`` in ``fmt``; the same arguments always give the same sample.

    ``options`` are passed to the kind's builder (``items=`` for invoices, ``rows=`` for
    statements, ``font=``, ``convention=``, ...)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {sorted(KINDS)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {list(FORMATS)}")
    builder, n_layouts = KINDS[kind]
    allowed = kind_options(kind)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"{kind} does not take {unknown}; its options are {allowed}")
    rng = random.Random(f"{kind}:{layout}:{seed}")
    built = builder(rng, layout % n_layouts, **options)
    return _render(built, kind, fmt, layout % n_layouts, seed)


def kind_options(kind: str) -> list[str]:
    """The keyword options ``make_sample`` accepts for ``kind`` (``rows``, ``items``, ``font``, ...)."""
    params = inspect.signature(KINDS[kind][0]).parameters.values()
    return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


def _render(built: Built, kind: str, fmt: str, layout: int, seed: int) -> Sample:
    printed_all = printed_values(built.doc)
    truth = {p: v for p, v in leaf_paths(built.expected).items() if v is not None}
    missing = sorted(set(truth) - set(printed_all))
    if missing:
        raise AssertionError(f"{kind} layout {layout}: truth not printed: {missing[:5]}")
    data, pages, span_pages = _RENDERERS[fmt](built, seed)
    page_printed = _page_printed(built, printed_all, span_pages)
    name = f"{kind}-l{layout}-s{seed}.{EXTENSIONS[fmt]}"
    return Sample(
        filename=name, data=data, kind=kind, fmt=fmt, layout=layout, schema=built.schema,
        expected=built.expected,
        field_pages={p: span_pages.get(p, 1) for p in truth},
        printed={p: printed_all[p] for p in truth},
        row_schema=built.row_schema, expected_rows=built.expected_rows,
        page_schema=built.page_schema if pages == len(built.expected_pages or []) else None,
        expected_pages=built.expected_pages if pages == len(built.expected_pages or []) else None,
        page_printed=page_printed if pages == len(built.expected_pages or []) else None,
        template=built.template, pages=pages, seed=seed,
    )


def _page_printed(built: Built, printed_all: dict[str, str], span_pages: dict[str, int]) -> list[dict[str, str]] | None:
    """Per page, field -> printed text; raises if a page's span landed on another page."""
    if built.expected_pages is None:
        return None
    out: list[dict[str, str]] = [{} for _ in built.expected_pages]
    for path, text in printed_all.items():
        match = _PAGE_PATH.match(path)
        if not match:
            continue
        index, name = int(match.group(1)), match.group(2)
        landed = span_pages.get(path)
        if landed is not None and landed != index + 1:
            raise AssertionError(f"page {index + 1}'s {name} was printed on page {landed}: the layout overflowed")
        out[index][name] = text
    return out


Rendered = tuple[bytes, int, dict[str, int]]


def _pdf(built: Built, seed: int) -> Rendered:
    rendered = render_pdf(built.doc)
    return rendered.data, rendered.pages, rendered.span_pages


def _scanned(fmt: str) -> Callable[[Built, int], Rendered]:
    def render(built: Built, seed: int) -> Rendered:
        rendered = render_pdf(built.doc)
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
