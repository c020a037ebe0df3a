"""``target_pages`` / ``max_pages``: which pages of a document to parse.

A malformed or out-of-range spec is an error that names the problem, never a silently
empty or truncated result: an analyst who asks for page 9 of a 4-page file must hear so.
"""

from __future__ import annotations

import re

from lib.engine.errors import PageSelectionError

_PART = re.compile(r"^(\d+)(?:\s*-\s*(\d+))?$")
_EXAMPLE = "use 1-based page numbers and ranges such as '1,3,5-7'"


def _pages_word(total: int) -> str:
    return f"{total} page" if total == 1 else f"{total} pages"


def _bounds(part: str) -> tuple[int, int]:
    """One comma-separated item, ``N`` or ``A-B``, as (first, last); what needs no document is checked."""
    match = _PART.match(part)
    if match is None:
        raise PageSelectionError(f"target_pages item '{part}' is not a page number or range; {_EXAMPLE}")
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    if first == 0 or last == 0:
        raise PageSelectionError(f"target_pages item '{part}' contains page 0; pages are numbered from 1")
    if last < first:
        raise PageSelectionError(f"target_pages range '{part}' is reversed; write it as '{last}-{first}'")
    return first, last


def _parse_part(part: str, total: int) -> range:
    first, last = _bounds(part)
    if last > total:
        asked = f"page {first}" if first == last else f"pages {first}-{last}"
        verb = "requested but the document has"
        raise PageSelectionError(f"{asked} {verb} {_pages_word(total)}")
    return range(first, last + 1)


def _parts(spec: str) -> list[str]:
    parts = [p.strip() for p in str(spec).split(",")]
    if any(not p for p in parts):
        raise PageSelectionError(f"target_pages '{spec}' has an empty item; {_EXAMPLE}")
    return parts


def _check_max_pages(max_pages: int | None) -> None:
    if max_pages is not None and (isinstance(max_pages, bool) or int(max_pages) < 1):
        raise PageSelectionError(f"max_pages must be a whole number of at least 1, got {max_pages!r}")


def check_selection(spec: str | None, max_pages: int | None) -> None:
    """Raise :class:`PageSelectionError` for what is wrong with the spec itself (syntax, page 0, reversed
    ranges, max_pages below 1), so that a server can refuse it when the job is created. Whether the pages
    exist is known only once the document is parsed."""
    _check_max_pages(max_pages)
    if spec is not None and str(spec).strip():
        for part in _parts(spec):
            _bounds(part)


def page_selection(spec: str | None, max_pages: int | None, total: int) -> list[int]:
    """The 1-based page numbers to parse, ascending and without duplicates.

    ``spec`` None or blank means every page; ``max_pages`` then keeps the first N of the
    selection (the API's "maximum number of pages to process")."""
    _check_max_pages(max_pages)
    if spec is None or not str(spec).strip():
        pages = list(range(1, total + 1))
    else:
        chosen: set[int] = set()
        for part in _parts(spec):
            chosen.update(_parse_part(part, total))
        pages = sorted(chosen)
    if max_pages is not None:
        pages = pages[: int(max_pages)]
    return pages
