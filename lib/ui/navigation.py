"""The app's pages, listed from the page scripts that exist, so a page appears as soon as its file lands
and there is never a placeholder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

APP_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    blurb: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/schema_editor.py", "Schema", ":material/data_object:", "say what to extract: a JSON Schema"),
    PageSpec("pages/submit.py", "Submit", ":material/upload_file:", "send documents and watch the jobs run"),
    PageSpec("pages/results.py", "Results", ":material/table_view:", "review the values, fix them, export"),
    PageSpec("pages/jobs.py", "Jobs", ":material/history:", "every job of this backend"),
)
SCHEMA_PAGE, SUBMIT_PAGE, RESULTS_PAGE, JOBS_PAGE = (spec.path for spec in PAGES)


def present_pages(root: Path = APP_ROOT) -> list[PageSpec]:
    """The pages whose script exists under ``root``."""
    return [spec for spec in PAGES if (root / spec.path).is_file()]


def build_pages(home: st.Page, root: Path = APP_ROOT) -> list[st.Page]:
    """``st.Page`` objects for the home view and every present page, in the fixed order."""
    return [home] + [st.Page(str(root / spec.path), title=spec.title, icon=spec.icon) for spec in present_pages(root)]


def page_exists(path: str, root: Path = APP_ROOT) -> bool:
    """Whether a page script exists, e.g. before offering a link to it."""
    return (root / path).is_file()


def require_shell() -> None:
    """Call first in every page script: makes sure the page runs inside the shell (app.py).

    Because a ``pages/`` directory sits next to app.py, Streamlit (1.67) starts each process in its
    pre-``st.navigation`` mode: if the very first request of a fresh server names a page URL
    (a bookmark, a reload after a restart), it runs that page script alone, without app.py, so there is
    no sidebar, no backend and no navigation. This switches the process to ``st.navigation`` mode, which
    app.py would have done, and reruns, so the shell runs and then opens the same page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
