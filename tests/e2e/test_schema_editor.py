"""The Schema page in a real browser: typing into the ace editor, a template saved as a configuration."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lib.client import ExtractClient
from lib.samples.templates import TEMPLATES
from tests.e2e.support import (
    ace_editor,
    alerts,
    key_locator,
    overflows_horizontally,
    screenshot,
    wait_for_idle,
)


def open_schema_page(page) -> None:
    page.get_by_role("link", name="Schema").first.click()
    wait_for_idle(page)
    ace_editor(page)


def backend_url(page) -> str:
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    return re.search(r"http://127\.0\.0\.1:\d+", sidebar).group(0)


def test_typing_a_syntax_error_then_fixing_it(page) -> None:
    open_schema_page(page)
    frame = ace_editor(page)
    frame.locator(".ace_content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(",")
    wait_for_idle(page)
    assert any(text.endswith("Line 17, column 2: Extra data.") for text in alerts(page)), alerts(page)
    assert frame.locator(".ace_gutter-cell.ace_error").count() == 1, "ace marks the line with the error"
    screenshot(page, "schema_editor_syntax_error")

    page.keyboard.press("Backspace")
    wait_for_idle(page)
    assert not any("Line 17" in text for text in alerts(page)), alerts(page)
    assert any("Valid schema" in text for text in alerts(page))
    assert frame.locator(".ace_gutter-cell.ace_error").count() == 0


def test_a_field_edited_in_the_builder_shows_in_the_json(page) -> None:
    open_schema_page(page)
    page.get_by_role("tab", name="Fields").click()
    wait_for_idle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    # The grid is a canvas: the first row's Description cell is one row below the header, to the right of
    # the Field and Type columns.
    page.mouse.click(grid["x"] + 400, grid["y"] + 36 + 17)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.keyboard.press("End")
    page.keyboard.type(" (legal name)", delay=20)
    # A person's Enter comes a moment after the last key. One sent in the same frame as the typing
    # commits the grid's overlay editor before it has taken the text (the edit is then never sent: a
    # property of the grid under synthetic input, seen in 4 of 5 runs without this pause, 0 of 5 with).
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    wait_for_idle(page, settle_ms=1000)
    page.get_by_role("tab", name="JSON").click()
    wait_for_idle(page)
    expect(ace_editor(page).locator(".ace_content")).to_contain_text("issued the document (legal name)")


def test_load_a_template_and_save_it_as_a_configuration(page) -> None:
    template = TEMPLATES["invoice"]
    open_schema_page(page)
    page.get_by_text("Start from a template, an example, a document or a file").click()
    key_locator(page, f"_template_{template.key}", "button").click()
    wait_for_idle(page)
    assert any(f"Loaded the {template.title} template" in text for text in alerts(page)), alerts(page)
    assert "invoice_number" in ace_editor(page).locator(".ace_content").inner_text()

    name = key_locator(page, "_config_name_input", "input")
    name.fill("Invoices from the browser")
    name.press("Enter")
    wait_for_idle(page)
    key_locator(page, "_config_save", "button").click()
    wait_for_idle(page)
    saved = [text for text in alerts(page) if "Saved 'Invoices from the browser'" in text]
    assert saved, alerts(page)
    config_id = re.search(r"cfg-[0-9a-f-]+", saved[0]).group(0)

    with ExtractClient(backend_url(page), "") as client:
        stored = client.get_configuration(config_id)
    assert stored.name == "Invoices from the browser"
    assert stored.parameters.data_schema == template.schema
    assert stored.parameters.extraction_target == template.extraction_target

    assert not overflows_horizontally(page)
    screenshot(page, "schema_editor_1280")
    page.set_viewport_size({"width": 1920, "height": 1080})
    wait_for_idle(page)
    assert not overflows_horizontally(page)
    screenshot(page, "schema_editor_1920")
