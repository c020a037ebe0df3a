"""The Results page in headless Chromium: a finished job, the threshold, a low-confidence value with its cited
page and box, a correction that survives a reload, and the CSV download that carries it."""

from __future__ import annotations

import csv
import io
import re

import httpx
from PIL import Image

from lib.review.render import BOX_OUTLINE
from lib.review.validation import field_schema_at
from lib.samples import make_sample
from tests.e2e.support import screenshot, wait_for_idle
from tests.support.jobs import finished_job

REVIEWER = "E2E Reviewer"


def correction_for(schema: dict) -> str:
    """A value of the field's type that the engine did not extract."""
    if schema.get("enum"):
        return str(schema["enum"][-1])
    if schema.get("format") == "date":
        return "2031-01-31"
    return {"number": "987.65", "integer": "4321"}.get(schema.get("type"), "CORRECTED BY E2E")


def backend_url(page) -> str:
    """The embedded server the app started, as its sidebar shows it."""
    text = page.get_by_test_id("stSidebar").inner_text()
    return re.search(r"http://127\.0\.0\.1:\d+", text).group(0)


def finished_invoice(url: str):
    sample = make_sample("invoice", fmt="pdf", seed=7)
    return sample, finished_job(url, sample, sample.schema)


def set_threshold(page, value: float) -> None:
    """Click the threshold slider's track where ``value`` lies, as a person would, then nudge it with the
    arrow keys to the exact step."""
    thumb = page.get_by_role("slider", name="Confidence threshold")
    track = page.get_by_test_id("stSlider").get_by_role("group").locator("div").first
    area = track.bounding_box()
    track.click(position={"x": area["width"] * value, "y": area["height"] / 2})
    wait_for_idle(page)
    for _ in range(3):
        current = float(thumb.input_value())
        if abs(current - value) < 0.005:
            break
        thumb.focus()
        page.keyboard.press("ArrowRight" if value > current else "ArrowLeft")
        wait_for_idle(page)
    assert abs(float(thumb.input_value()) - value) < 0.005


def selected_field(page) -> str:
    return page.get_by_role("combobox", name="Field").input_value()


def pick_field(page, path: str) -> None:
    box = page.get_by_role("combobox", name="Field")
    box.click()
    box.fill(path)
    page.get_by_role("option", name=path, exact=True).click()
    wait_for_idle(page)
    assert selected_field(page) == path


def cited_image_has_box(page, studio_url: str, citation: dict) -> bool:
    """Fetch the page image the browser shows and look for the box outline where the citation puts it
    (scaled from the citation's page size to the image's size)."""
    src = page.get_by_test_id("stImage").locator("img").first.get_attribute("src")
    data = httpx.get(src if src.startswith("http") else studio_url + src, timeout=10).content
    image = Image.open(io.BytesIO(data)).convert("RGB")
    box, scale = citation["bounding_boxes"][0], image.width / citation["page_dimensions"]["width"]
    x, y = round(box["x"] * scale), round((box["y"] + box["h"] / 2) * scale)
    return any(all(abs(a - b) < 60 for a, b in zip(image.getpixel((x + dx, y)), BOX_OUTLINE[:3])) for dx in range(-2, 3))


def test_review_a_low_confidence_value_and_export_it(page, studio):
    sample, job = finished_invoice(backend_url(page))
    page.goto(f"{studio.url}/results?job={job.id}")
    wait_for_idle(page)
    page.get_by_label("Your name, for the audit trail").fill(REVIEWER)
    page.get_by_role("button", name="Start reviewing").click()
    wait_for_idle(page)
    set_threshold(page, 0.95)

    page.get_by_role("button", name="Next flagged value").click()
    wait_for_idle(page)
    path = selected_field(page)
    metadata = job.extract_metadata.field_metadata.document_metadata
    entry = metadata[path] if "." not in path else None
    assert entry is not None and entry["confidence"] < 0.95, f"{path} is a low-confidence top-level value"
    page.get_by_test_id("stImage").wait_for()
    assert "cited box" in page.get_by_test_id("stImage").inner_text()
    assert cited_image_has_box(page, studio.url, entry["citation"][0])
    page.get_by_test_id("stImage").scroll_into_view_if_needed()
    screenshot(page, "results-cited-page")

    schema = field_schema_at(sample.schema, path) or {}
    corrected = correction_for(schema)
    assert corrected != str(job.extract_result[path])
    page.get_by_role("textbox", name="Corrected value").fill(corrected)
    page.get_by_role("button", name="Save correction").click()
    wait_for_idle(page)
    page.get_by_text("Saved: corrected").wait_for()

    page.reload()
    wait_for_idle(page)
    pick_field(page, path)
    page.get_by_text(f"corrected by {REVIEWER}").first.wait_for()
    assert corrected in page.get_by_text(f"corrected by {REVIEWER}").first.inner_text()
    page.get_by_text(f"corrected by {REVIEWER}").first.scroll_into_view_if_needed()
    screenshot(page, "results-after-reload")

    page.get_by_role("radio", name="Export").click()
    wait_for_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    screenshot(page, "results-export")
    column = path if path in rows[0] else next(name for name in rows[0] if name.endswith(path))
    if schema.get("type") in ("number", "integer"):
        assert float(rows[0][column]) == float(corrected)
    else:
        assert rows[0][column] == corrected
