"""Browser-test fixtures: one running app and one headless Chromium per session, a fresh page per test.

Tests here are marked ``e2e``; they skip (with the reason) only when ``/usr/bin/chromium`` is absent,
which ``.ci/run`` prevents by installing it.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, RunningApp, start_app, wait_for_app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an e2e test, and skips only without Chromium."""
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)"))


@pytest.fixture(scope="session")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """``streamlit run app.py`` with a temporary data directory (so its embedded server starts empty)."""
    app = start_app(tmp_path_factory.mktemp("studio-e2e"))
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, studio: RunningApp) -> Iterator[object]:
    """A fresh browser context (its own Streamlit session) on the app's home page, at 1280 px wide."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(studio.url)
    wait_for_app(page)
    try:
        yield page
    finally:
        context.close()
