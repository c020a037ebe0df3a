"""What several routes check the same way: the paging parameter of every listing, and page selections."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import Query

from lib.engine.documents.selection import check_selection
from lib.engine.errors import PageSelectionError
from lib.server.errors import BadRequest

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50


def page_size_param(
    page_size: Optional[int] = Query(None, ge=1, description="Items per page (default 50, at most 1000; larger is clamped)."),
) -> int:
    return min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)



def check_page_options(options: dict[str, Any], where: str = "page selection") -> None:
    """A 400 now for a ``target_pages`` / ``max_pages`` that no document could satisfy (bad syntax, page 0,
    a reversed range, max_pages below 1), rather than a job that fails later. Pages beyond the end of
    the document are found when it is parsed, and fail that job with the same kind of message."""
    try:
        check_selection(options.get("target_pages"), options.get("max_pages"))
    except PageSelectionError as error:
        raise BadRequest(f"Invalid {where}: {error}.") from None
