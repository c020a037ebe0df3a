"""The cited page on screen: the source page as an image with the citation's boxes, or its text marked.

Page images come from the backend's file content (the local server serves the bytes; the hosted service
gives a download URL the client follows), drawn by :mod:`lib.review.render` and kept in one page cache per
backend for the whole app process, so moving between values of one document draws each page once.
Flowing formats (DOCX, CSV, HTML, TXT, spreadsheets) have no page picture; their page text comes from the
parse job the extraction used (or one parse of the file, made once), which is the text the citations
point into.
"""

from __future__ import annotations

import html
import time
from typing import Any, Iterable, Optional, Sequence

import streamlit as st

from lib.api.models import BoundingBox, Citation, ExtractV2Job, File
from lib.client import ClientError, ExtractClient
from lib.review.render import (
    PageCache,
    PageKind,
    RenderedPage,
    RenderError,
    excerpt,
    page_kind,
    plain_text,
    render_citation,
)

PARSE_WAIT_SECONDS = 30.0


@st.cache_resource(show_spinner=False, max_entries=8)
def _page_cache(backend_id: str, _client: ExtractClient) -> PageCache:
    """One page cache per backend, shared by every session of this app process."""
    return PageCache(_client.download_file)


@st.cache_data(show_spinner=False, max_entries=256, ttl=3600)
def file_info(backend_id: str, file_id: str, _client: ExtractClient) -> File:
    """A file's name and type, asked once per file (files do not change)."""
    return _client.get_file(file_id)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _parsed_pages(backend_id: str, file_id: str, parse_job_id: Optional[str], _client: ExtractClient) -> dict[int, str]:
    """Page number -> text of a text-format document, from its parse job (made once when the
    extraction did not say which one it used)."""
    job_id = parse_job_id or _client.create_parse_job(file_id).id
    deadline = time.monotonic() + PARSE_WAIT_SECONDS
    while True:
        result = _client.get_parse_job(job_id, expand=("text",))
        if result.job.status in ("COMPLETED", "FAILED", "CANCELLED") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    pages = result.text.pages if result.text else []
    return {page.page_number: page.text for page in pages}


def citations_of(raw: Any) -> list[Citation]:
    """Citations from whatever the flattened table holds (models, dicts, or odd hosted values such as
    the seed's ``"bar"``), keeping only those that name a page."""
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    found: list[Citation] = []
    for item in items:
        if isinstance(item, Citation):
            citation = item
        elif isinstance(item, dict):
            try:
                citation = Citation.model_validate(item)
            except ValueError:
                continue
        else:
            continue
        if citation.page is not None:
            found.append(citation)
    return found


def show_citations(
    client: ExtractClient,
    backend_id: str,
    job: ExtractV2Job,
    citations: Sequence[Citation],
    *,
    key: str,
) -> Optional[RenderedPage]:
    """Show the cited page(s) of a value; returns what was drawn (for tests and captions)."""
    if not citations:
        st.info("The extraction gave no citation for this value, so there is no page to show.")
        return None
    chosen = citations[0]
    if len(citations) > 1:
        labels = [f"page {c.page}: {(c.matching_text or '')[:40]}" for c in citations]
        index = st.radio("Citation", range(len(citations)), format_func=labels.__getitem__, key=f"{key}_pick", horizontal=True)
        chosen = citations[index]
    return show_page(client, backend_id, job, chosen)


def show_page(client: ExtractClient, backend_id: str, job: ExtractV2Job, citation: Citation) -> Optional[RenderedPage]:
    """Render one citation: the page image with its boxes, or the page text with the match marked."""
    file_id = job.file_input
    try:
        info = file_info(backend_id, file_id, client)
        kind = page_kind(info.file_type, info.name)
        rendered = _render(client, backend_id, job, info, kind, citation)
    except (ClientError, RenderError) as exc:
        st.warning(f"The cited page {citation.page} of {file_id} cannot be shown: {exc}")
        return None
    if rendered.image is not None:
        st.image(rendered.image, caption=_caption(rendered, info.name), width="stretch")
    if citation.matching_text:
        st.markdown(f"**Matching text:** {html.escape(citation.matching_text)}")
    if rendered.marked_text:
        with st.expander("Page text", expanded=rendered.image is None):
            st.markdown(marked_html(rendered.marked_text), unsafe_allow_html=True)
    elif rendered.image is None:
        st.info(f"No text is available for page {citation.page} of {info.name}.")
    return rendered


def marked_html(pieces: Iterable[tuple[str, bool]]) -> str:
    """The page text as preformatted HTML, the matching text in ``<mark>``."""
    body = "".join(f"<mark>{html.escape(text)}</mark>" if hit else html.escape(text) for text, hit in pieces)
    return f"<div style='white-space:pre-wrap;font-family:monospace;font-size:0.85em'>{body}</div>"


def _render(
    client: ExtractClient, backend_id: str, job: ExtractV2Job, info: File, kind: PageKind, citation: Citation
) -> RenderedPage:
    page = int(citation.page or 1)
    if kind == "text":
        text, first, total = excerpt(_page_text(client, backend_id, job, info, page), citation.matching_text)
        last = first + text.count("\n")
        if last - first + 1 < total:
            st.caption(f"{info.name}, page {page}: lines {first}–{last} of {total}, around the matching text")
        return render_citation(None, kind, page, matching_text=citation.matching_text, page_text=text)
    raster = _page_cache(backend_id, client).page(info.id, kind, page)
    boxes: list[BoundingBox] = list(citation.bounding_boxes or [])
    return render_citation(
        raster, kind, page, boxes=boxes, page_dimensions=citation.page_dimensions, matching_text=citation.matching_text
    )


def _page_text(client: ExtractClient, backend_id: str, job: ExtractV2Job, info: File, page: int) -> str:
    """A flowing document's page text: the file itself for plain text, else the parse job's text."""
    text = plain_text(_page_cache(backend_id, client).file_bytes(info.id), info.file_type or info.name.rsplit(".", 1)[-1])
    if text is not None:
        return text
    parse_job_id = job.extract_metadata.parse_job_id if job.extract_metadata else None
    return _parsed_pages(backend_id, info.id, parse_job_id, client).get(page, "")


def _caption(rendered: RenderedPage, name: str) -> str:
    where = f"{name}, page {rendered.page} of {rendered.page_count}"
    if rendered.box_source == "citation":
        return f"{where} · {len(rendered.boxes)} cited box(es)"
    if rendered.box_source == "text search":
        return f"{where} · no box was cited; the matching text was found on the page"
    return f"{where} · no box cited and the matching text was not found on this page"
