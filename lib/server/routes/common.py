"""The paging parameter every listing shares."""

from __future__ import annotations

from typing import Optional

from fastapi import Query

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50


def page_size_param(
    page_size: Optional[int] = Query(None, ge=1, description="Items per page (default 50, at most 1000; larger is clamped)."),
) -> int:
    return min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)

