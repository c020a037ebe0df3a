"""App safety in headless Chromium: document text and extracted values that contain HTML and
script are shown as text, never run; an API key typed into the sidebar's switch-backend form is
never shown back (not in the DOM, not in any input after Connect) and never logged by the app."""

from __future__ import annotations

import re

import pytest

from lib.client import ExtractClient
from tests.e2e.support import screenshot, wait_for_idle
from tests.support.server import start_server

PAYLOAD_VENDOR = '<img src=x onerror="window.__xss=1">ACME'
DOCUMENT = ("Invoice Number: INV-9<script>window.__xss=2</script>\n"
            f"Vendor: {PAYLOAD_VENDOR}\n"
            "Notes: <b onmouseover=\"window.__xss=3\">bold</b> <svg onload=\"window.__xss=4\"></svg>\n").encode()
SCHEMA = {"type": "object", "properties": {"vendor": {"type": "string"}, "notes": {"type": "string"},
                                           "invoice_number": {"type": "string"}}}
KEY = "e2e-sidebar-key-Qm7Rt2Vx9"


def backend_url(page) -> str:
    text = page.get_by_test_id("stSidebar").inner_text()
    return re.search(r"http://127\.0\.0\.1:\d+", text).group(0)


def no_script_ran(page) -> bool:
    return page.evaluate("() => window.__xss === undefined")


def test_extracted_html_is_shown_as_text_never_run(page, studio) -> None:
    with ExtractClient(backend_url(page)) as client:
        upload = client.upload_file(DOCUMENT, name="hostile.txt", purpose="extract")
        job = client.wait(client.create_job(upload.id, configuration={
            "data_schema": SCHEMA, "cite_sources": True, "confidence_scores": True}).id, timeout=120)
    assert job.extract_result["vendor"] == PAYLOAD_VENDOR  # the engine kept the markup as the value's text
    page.goto(f"{studio.url}/results?job={job.id}")
    wait_for_idle(page)
    page.get_by_label("Your name, for the audit trail").fill("Safety Reviewer")
    page.get_by_role("button", name="Start reviewing").click()
    wait_for_idle(page)
    field = page.get_by_role("combobox", name="Field")
    field.click()
    field.fill("vendor")
    page.get_by_role("option", name="vendor", exact=True).click()
    wait_for_idle(page)
    page.mouse.move(10, 10)
    main = page.get_by_test_id("stMain")
    shown = main.get_by_text(PAYLOAD_VENDOR, exact=False).filter(visible=True)
    shown.first.wait_for()  # the literal markup, as text: in the value header, the citation and the page text
    assert shown.count() >= 3, shown.all_inner_texts()
    assert "&lt;" not in main.inner_text()  # shown as itself, not double-escaped
    screenshot(page, "safety-results-html-value")
    assert no_script_ran(page)
    assert main.locator("img[src='x']").count() == 0 and main.locator("svg[onload]").count() == 0
    assert main.locator("script").filter(has_text="__xss").count() == 0


def test_sidebar_api_key_is_never_shown_back_or_logged(page, studio, tmp_path) -> None:
    with start_server(tmp_path / "secured", api_key=KEY) as server:
        sidebar = page.get_by_test_id("stSidebar")
        if not sidebar.get_by_role("radio", name="Shared server").is_visible():
            sidebar.get_by_text("Switch backend").click()
        sidebar.get_by_text("Shared server").click()
        wait_for_idle(page)
        sidebar.get_by_role("textbox", name="URL").fill(server.url)
        sidebar.get_by_role("textbox", name="API key").fill(KEY)
        wait_for_idle(page)
        sidebar.get_by_role("button", name="Connect").click()
        wait_for_idle(page)
        sidebar.get_by_text("Connected").wait_for()
        assert server.url in sidebar.inner_text()  # switched to the secured server, and the key worked
        values = page.evaluate("() => [...document.querySelectorAll('input, textarea')].map(e => e.value)")
        assert all(KEY not in value for value in values), values
        assert KEY not in page.content()
        page.reload()
        wait_for_idle(page)
        assert KEY not in page.content()
        screenshot(page, "safety-sidebar-after-connect")
        assert KEY not in studio.log()
        assert KEY not in server.log_path.read_text(errors="replace").replace(f"--api-key {KEY}", "")
