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


def _parse_part(part: str, total: int) -> range:
    """One comma-separated item: ``N`` or ``A-B``."""
    match = _PART.match(part)
    if match is None:
        raise PageSelectionError(f"target_pages item '{part}' is not a page number or range; {_EXAMPLE}")
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    if first == 0 or last == 0:
        raise PageSelectionError(f"target_pages item '{part}' contains page 0; pages are numbered from 1")
    if last < first:
        raise PageSelectionError(f"target_pages range '{part}' is reversed; write it as '{last}-{first}'")
    if last > total:
        asked = f"page {first}" if first == last else f"pages {first}-{last}"
        verb = "requested but the document has"
        raise PageSelectionError(f"{asked} {verb} {_pages_word(total)}")
    return range(first, last + 1)


def page_selection(spec: str | None, max_pages: int | None, total: int) -> list[int]:
    """The 1-based page numbers to parse, ascending and without duplicates.

    ``spec`` None or blank means every page; ``max_pages`` then keeps the first N of the
    selection (the API's "maximum number of pages to process")."""
    if max_pages is not None and (isinstance(max_pages, bool) or int(max_pages) < 1):
        raise PageSelectionError(f"max_pages must be a whole number of at least 1, got {max_pages!r}")
    if spec is None or not str(spec).strip():
        pages = list(range(1, total + 1))
    else:
        parts = [p.strip() for p in str(spec).split(",")]
        if any(not p for p in parts):
            raise PageSelectionError(f"target_pages '{spec}' has an empty item; {_EXAMPLE}")
        chosen: set[int] = set()
        for part in parts:
            chosen.update(_parse_part(part, total))
        pages = sorted(chosen)
    if max_pages is not None:
        pages = pages[: int(max_pages)]
    return pages
