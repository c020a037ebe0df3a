"""Rendering cited pages: boxes land where the citation says, on PDFs and images, and text pages mark text."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image

from lib.api.models import BoundingBox, PageDimensions
from lib.review.render import (
    BOX_OUTLINE,
    PageCache,
    RenderError,
    excerpt,
    find_text,
    mark_text,
    page_kind,
    plain_text,
    rasterize,
    render_citation,
)

WHITE = (255, 255, 255)


def make_pdf(pages: int = 2) -> bytes:
    """A letter-size PDF whose page N says 'Total due N' at a known place (72, 100) in points."""
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 100), f"Total due {number}", fontsize=14)
        page.insert_text((72, 400), "Invoice footer", fontsize=10)
    data = doc.tobytes()
    doc.close()
    return data


def make_png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), WHITE).save(out, format="PNG")
    return out.getvalue()


def pixel(png: bytes, x: int, y: int) -> tuple[int, int, int]:
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel((x, y))


def is_outline(rgb: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(rgb, BOX_OUTLINE[:3]))


def test_pdf_box_in_points_is_drawn_at_the_scaled_place():
    raster = rasterize(make_pdf(), "pdf", 2, zoom=2.0)
    assert (raster.width, raster.height) == (1224, 1584)
    assert raster.page_count == 2 and "Total due 2" in raster.text
    box = BoundingBox(x=100, y=200, w=50, h=20)
    page = render_citation(raster, "pdf", 2, boxes=[box], page_dimensions=PageDimensions(width=612, height=792))
    assert page.box_source == "citation"
    assert page.boxes == [(200, 400, 300, 440)]
    assert is_outline(pixel(page.png, 200, 420))
    assert pixel(page.png, 250, 420) != WHITE  # tinted inside
    assert pixel(page.png, 180, 420) == WHITE  # untouched outside
    assert raster.image.getpixel((200, 420)) == WHITE, "the cached page is never drawn on"


def test_box_units_follow_the_citations_page_dimensions():
    """A citation measured on a page of half the size lands at twice the place."""
    raster = rasterize(make_png(800, 600), "image", 1)
    page = render_citation(
        raster, "image", 1, boxes=[BoundingBox(x=100, y=100, w=50, h=50)], page_dimensions=PageDimensions(width=400, height=300)
    )
    assert page.boxes == [(200, 200, 300, 300)]
    assert is_outline(pixel(page.png, 200, 250))


def test_image_box_in_pixels_without_dimensions():
    raster = rasterize(make_png(640, 480), "image", 1)
    page = render_citation(raster, "image", 1, boxes=[BoundingBox(x=10, y=20, w=30, h=40)])
    assert page.boxes == [(10, 20, 40, 60)]
    assert is_outline(pixel(page.png, 10, 40)) and pixel(page.png, 100, 100) == WHITE


def test_large_images_are_drawn_smaller_and_boxes_follow():
    raster = rasterize(make_png(2800, 1000), "image", 1)
    assert raster.width == 1400 and raster.unit_width == 2800
    page = render_citation(raster, "image", 1, boxes=[BoundingBox(x=1000, y=400, w=200, h=100)])
    assert page.boxes == [(500, 200, 600, 250)]


def test_pdf_without_boxes_finds_the_matching_text_on_the_page():
    raster = rasterize(make_pdf(), "pdf", 1, zoom=1.0)
    page = render_citation(raster, "pdf", 1, matching_text="total DUE 1")
    assert page.box_source == "text search"
    [(x0, y0, x1, y1)] = page.boxes
    assert 70 <= x0 <= 74 and 85 <= y0 <= 100 and y1 <= 106 and x1 > x0 + 50
    assert [seg for seg, hit in page.marked_text if hit] == ["Total due 1"]


def test_text_that_is_not_on_the_page_draws_nothing():
    raster = rasterize(make_pdf(), "pdf", 1)
    page = render_citation(raster, "pdf", 1, matching_text="Total due 2")
    assert page.boxes == [] and page.box_source is None and not page.found_match


def test_text_pages_mark_the_matching_text():
    text = "Invoice INV-7\nTotal   due: 1,250.00 USD\nThanks"
    page = render_citation(None, "text", 1, matching_text="total due: 1,250.00", page_text=text)
    assert page.png is None
    assert page.marked_text == [("Invoice INV-7\n", False), ("Total   due: 1,250.00", True), (" USD\nThanks", False)]
    assert mark_text("a b a", "a") == [("a", True), (" b ", False), ("a", True)]
    assert mark_text("abc", None) == [("abc", False)]


def test_find_text_spans_lines_with_one_box_per_line():
    raster = rasterize(make_pdf(), "pdf", 1)
    assert len(find_text(raster.words, "Invoice footer")) == 1
    assert find_text(raster.words, "") == []


def test_page_kinds():
    assert page_kind("pdf") == "pdf"
    assert page_kind("PNG") == "image"
    assert page_kind(None, "scan.jpeg") == "image"
    assert page_kind("docx") == page_kind(None, "rows.csv") == "text"


def test_missing_pages_and_broken_files_say_what_is_wrong():
    with pytest.raises(RenderError, match="has 2 page"):
        rasterize(make_pdf(), "pdf", 3)
    with pytest.raises(RenderError, match="cannot be opened"):
        rasterize(b"%PDF-1.7 broken", "pdf", 1)
    with pytest.raises(RenderError, match="cannot be opened"):
        rasterize(b"not an image", "image", 1)


def test_cache_downloads_once_and_draws_each_page_once():
    calls: list[str] = []
    data = make_pdf(3)

    def loader(file_id: str) -> bytes:
        calls.append(file_id)
        return data

    cache = PageCache(loader, max_pages=2)
    first = cache.page("dfl-a", "pdf", 1)
    assert cache.page("dfl-a", "pdf", 1) is first
    cache.page("dfl-a", "pdf", 2)
    cache.page("dfl-a", "pdf", 3)  # evicts page 1
    cache.page("dfl-a", "pdf", 1)
    assert calls == ["dfl-a"]
    assert cache.rasterized == 4


def test_plain_text_documents_are_their_own_page_text():
    assert plain_text("Datum;Betrag\n01.02.2024;12,50\n".encode("utf-8"), "csv").startswith("Datum;Betrag")
    assert plain_text("café".encode("cp1252"), "txt") == "café"
    assert plain_text(b"PK\x03\x04", "docx") is None


def test_excerpt_keeps_the_lines_around_the_match():
    text = "\n".join(f"row {n}" for n in range(1, 1001))
    shown, first, total = excerpt(text, "row 500", lines=2)
    assert (shown, first, total) == ("row 498\nrow 499\nrow 500\nrow 501\nrow 502", 498, 1000)
    assert excerpt("short\ntext", "nothing") == ("short\ntext", 1, 2)
    assert excerpt(text, "absent", lines=1)[1] == 1
