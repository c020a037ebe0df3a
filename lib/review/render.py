"""Rendering the cited page of a source document, with the cited boxes drawn on it.

A reviewer trusts a value only after seeing where it came from. PDFs are rasterised with pymupdf and
images opened with Pillow; the citation's boxes are in the page's own units (PDF points, image
pixels) and its ``page_dimensions`` say how large that page is, so they are scaled onto whatever
resolution the page is drawn at. Flowing formats (DOCX, CSV, HTML, TXT, spreadsheets) have no page
picture: they fall back to the page's text with the matching text marked.

Rasterising is the slow part (tens of milliseconds a page), so :class:`PageCache` keeps pages by
(file id, page) and only the boxes are drawn afresh for each selection.
"""

from __future__ import annotations

import io
import re
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Callable, Iterable, Literal, Optional, Sequence

from PIL import Image, ImageDraw

from lib.api.models import BoundingBox, PageDimensions

PageKind = Literal["pdf", "image", "text"]
BoxSource = Literal["citation", "text search"]

IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp"})
PLAIN_TEXT_TYPES = frozenset({"txt", "csv", "tsv", "md", "json"})
EXCERPT_LINES = 12
PDF_ZOOM = 1.5
MAX_IMAGE_WIDTH = 1400
BOX_OUTLINE = (230, 73, 12, 255)
BOX_FILL = (255, 170, 0, 70)


class RenderError(ValueError):
    """The document cannot be drawn (corrupt file, a page it does not have); the message says which."""


@dataclass(frozen=True)
class Word:
    """A word of a PDF's text layer with its box in points and its line, for finding uncited text."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    line: tuple[int, int]


@dataclass(frozen=True)
class PageRaster:
    """One page drawn once: its picture (never drawn on: boxes go on a copy), its pixel size, and its
    size in the page's own units."""

    image: Image.Image
    width: int
    height: int
    unit_width: float
    unit_height: float
    page_count: int
    text: str = ""
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class RenderedPage:
    """What the page image widget shows: the picture (None for text pages), the boxes drawn, where they
    came from, and the page text cut into ``(segment, is_match)`` pieces."""

    kind: PageKind
    page: int
    page_count: int
    image: Optional[Image.Image]
    width: int
    height: int
    boxes: list[tuple[int, int, int, int]]
    box_source: Optional[BoxSource]
    marked_text: list[tuple[str, bool]]

    @property
    def png(self) -> Optional[bytes]:
        """The picture as PNG bytes (for saving or sending; the page widget hands Pillow the image)."""
        if self.image is None:
            return None
        out = io.BytesIO()
        self.image.save(out, format="PNG")
        return out.getvalue()

    @property
    def found_match(self) -> bool:
        return any(is_match for _segment, is_match in self.marked_text)


def page_kind(file_type: Optional[str], filename: Optional[str] = None) -> PageKind:
    """Which way a file's pages can be shown, from its type (``pdf``) or, failing that, its name."""
    kind = (file_type or "").lower().lstrip(".")
    if not kind and filename and "." in filename:
        kind = filename.rsplit(".", 1)[-1].lower()
    if kind == "pdf":
        return "pdf"
    return "image" if kind in IMAGE_TYPES else "text"


def rasterize(data: bytes, kind: PageKind, page: int, *, zoom: float = PDF_ZOOM) -> PageRaster:
    """Draw page ``page`` (1-based) of a PDF or an image file, without boxes."""
    if kind == "pdf":
        return _rasterize_pdf(data, page, zoom)
    if kind == "image":
        return _rasterize_image(data, page)
    raise RenderError("This kind of document has no page image; show its text instead.")


def draw_boxes(
    raster: PageRaster,
    boxes: Iterable[BoundingBox],
    page_dimensions: Optional[PageDimensions] = None,
) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """The page with ``boxes`` drawn (on a copy), and the boxes in pixels. Boxes are in the units of a page of
    ``page_dimensions`` (the citation's own; the raster's size when the citation does not say)."""
    unit_w = page_dimensions.width if page_dimensions and page_dimensions.width else raster.unit_width
    unit_h = page_dimensions.height if page_dimensions and page_dimensions.height else raster.unit_height
    sx, sy = raster.width / unit_w, raster.height / unit_h
    pixels = [_to_pixels(box, sx, sy, raster.width, raster.height) for box in boxes]
    if not pixels:
        return raster.image, []
    image = raster.image.copy()
    pen = ImageDraw.Draw(image, "RGBA")
    stroke = max(2, round(raster.width / 500))
    for x0, y0, x1, y1 in pixels:
        pen.rectangle((x0, y0, x1, y1), fill=BOX_FILL, outline=BOX_OUTLINE, width=stroke)
    return image, pixels


def render_citation(
    raster: Optional[PageRaster],
    kind: PageKind,
    page: int,
    *,
    boxes: Sequence[BoundingBox] = (),
    page_dimensions: Optional[PageDimensions] = None,
    matching_text: Optional[str] = None,
    page_text: Optional[str] = None,
) -> RenderedPage:
    """The cited page as the reviewer sees it. With no boxes on a PDF, the matching text is looked up
    on the page and its hits are drawn instead (marked as found by text search, not cited)."""
    text = page_text if page_text is not None else (raster.text if raster else "")
    marked = mark_text(text, matching_text)
    if raster is None:
        return RenderedPage(kind, page, 0, None, 0, 0, [], None, marked)
    source: Optional[BoxSource] = "citation" if boxes else None
    if not boxes and matching_text:
        boxes = find_text(raster.words, matching_text)
        source = "text search" if boxes else None
        page_dimensions = None
    image, pixels = draw_boxes(raster, boxes, page_dimensions)
    return RenderedPage(kind, page, raster.page_count, image, raster.width, raster.height, pixels, source, marked)


def mark_text(text: str, matching_text: Optional[str]) -> list[tuple[str, bool]]:
    """Cut ``text`` into pieces, marking every occurrence of ``matching_text`` (ignoring case and runs
    of whitespace, which differ between a parser's text and a citation's)."""
    if not text:
        return []
    needle = (matching_text or "").strip()
    if not needle:
        return [(text, False)]
    pattern = re.compile(r"\s+".join(re.escape(part) for part in needle.split()), re.IGNORECASE)
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for hit in pattern.finditer(text):
        if hit.start() > cursor:
            pieces.append((text[cursor : hit.start()], False))
        pieces.append((hit.group(0), True))
        cursor = hit.end()
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces


def find_text(words: Sequence[Word], needle: str) -> list[BoundingBox]:
    """Boxes of every run of page words that spells ``needle`` (case and punctuation at the edges
    ignored), one box per line the run covers."""
    target = [_norm(token) for token in needle.split() if _norm(token)]
    norms = [_norm(word.text) for word in words]
    boxes: list[BoundingBox] = []
    for start in range(len(words) - len(target) + 1 if target else 0):
        if norms[start : start + len(target)] == target:
            boxes.extend(_line_boxes(words[start : start + len(target)]))
    return boxes


def _norm(token: str) -> str:
    return token.strip(".,;:()[]{}\"'").lower()


def _line_boxes(run: Sequence[Word]) -> list[BoundingBox]:
    lines: dict[tuple[int, int], list[Word]] = {}
    for word in run:
        lines.setdefault(word.line, []).append(word)
    return [
        BoundingBox(
            x=min(w.x0 for w in group),
            y=min(w.y0 for w in group),
            w=max(w.x1 for w in group) - min(w.x0 for w in group),
            h=max(w.y1 for w in group) - min(w.y0 for w in group),
        )
        for group in lines.values()
    ]


def plain_text(data: bytes, file_type: Optional[str]) -> Optional[str]:
    """The text of a plain-text document (TXT, CSV, MD ...), which is its own page text; None for
    formats whose text needs a parser (DOCX, HTML, spreadsheets: the backend's parse job has it)."""
    if (file_type or "").lower().lstrip(".") not in PLAIN_TEXT_TYPES:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def excerpt(text: str, matching_text: Optional[str], lines: int = EXCERPT_LINES) -> tuple[str, int, int]:
    """The lines around the first match of ``matching_text`` (the whole text when it is short or
    nothing matches near the start), with the first line's number (1-based) and the line count:
    a 10,000-row CSV is one "page", and the reviewer needs the rows around the value, not all."""
    all_lines = text.splitlines()
    if len(all_lines) <= 2 * lines + 1:
        return text, 1, len(all_lines)
    pieces = mark_text(text, matching_text)
    offset = 0
    for piece, hit in pieces:
        if hit:
            break
        offset += len(piece)
    else:
        offset = 0
    centre = text.count("\n", 0, offset)
    first = max(0, centre - lines)
    return "\n".join(all_lines[first : centre + lines + 1]), first + 1, len(all_lines)


class PageCache:
    """Rasterised pages kept by (file id, page), least recently used dropped first. ``loader`` fetches
    a file's bytes by id; it is called once per file while its pages stay cached."""

    def __init__(self, loader: Callable[[str], bytes], *, max_pages: int = 48, zoom: float = PDF_ZOOM) -> None:
        self._loader = loader
        self._max_pages = max_pages
        self._zoom = zoom
        self._pages: OrderedDict[tuple[str, int], PageRaster] = OrderedDict()
        self._files: OrderedDict[str, bytes] = OrderedDict()
        self._lock = Lock()
        self.rasterized = 0

    def page(self, file_id: str, kind: PageKind, page: int) -> PageRaster:
        """The page, from the cache when it has been drawn before."""
        key = (file_id, page)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        raster = rasterize(self.file_bytes(file_id), kind, page, zoom=self._zoom)
        with self._lock:
            self.rasterized += 1
            self._pages[key] = raster
            while len(self._pages) > self._max_pages:
                self._pages.popitem(last=False)
        return raster

    def file_bytes(self, file_id: str) -> bytes:
        """A file's bytes, downloaded once while the cache holds it (a handful of files at most)."""
        with self._lock:
            if file_id in self._files:
                self._files.move_to_end(file_id)
                return self._files[file_id]
        data = self._loader(file_id)
        with self._lock:
            self._files[file_id] = data
            while len(self._files) > 4:
                self._files.popitem(last=False)
        return data


def _rasterize_pdf(data: bytes, page: int, zoom: float) -> PageRaster:
    import pymupdf  # here, not at the top: its import takes seconds, and a job of a non-PDF file never needs it

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # pymupdf raises its own FileDataError and friends
        raise RenderError(f"The PDF cannot be opened: {exc}") from exc
    with doc:
        if not 1 <= page <= doc.page_count:
            raise RenderError(f"The document has {doc.page_count} page(s); page {page} does not exist.")
        pdf_page = doc[page - 1]
        pix = pdf_page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        words = tuple(
            Word(text, x0, y0, x1, y1, (block, line))
            for x0, y0, x1, y1, text, block, line, _n in pdf_page.get_text("words")
        )
        rect = pdf_page.rect
        image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
        return PageRaster(image, pix.width, pix.height, rect.width, rect.height, doc.page_count, pdf_page.get_text(), words)


def _rasterize_image(data: bytes, page: int) -> PageRaster:
    try:
        image = Image.open(io.BytesIO(data))
        count = getattr(image, "n_frames", 1)
        if not 1 <= page <= count:
            raise RenderError(f"The image has {count} page(s); page {page} does not exist.")
        image.seek(page - 1)
        frame = image.convert("RGB")
    except RenderError:
        raise
    except Exception as exc:  # Pillow raises several unrelated types for bad images
        raise RenderError(f"The image cannot be opened: {exc}") from exc
    unit_w, unit_h = frame.size
    if frame.width > MAX_IMAGE_WIDTH:
        frame = frame.resize((MAX_IMAGE_WIDTH, round(frame.height * MAX_IMAGE_WIDTH / frame.width)))
    return PageRaster(frame, frame.width, frame.height, float(unit_w), float(unit_h), count)


def _to_pixels(box: BoundingBox, sx: float, sy: float, width: int, height: int) -> tuple[int, int, int, int]:
    x0 = min(max(round(box.x * sx), 0), width - 1)
    y0 = min(max(round(box.y * sy), 0), height - 1)
    x1 = min(max(round((box.x + box.w) * sx), x0 + 1), width - 1)
    y1 = min(max(round((box.y + box.h) * sy), y0 + 1), height - 1)
    return x0, y0, x1, y1
