"""What every browser test needs: starting the real app, waiting for Streamlit, screenshots, and the
ace editor inside its component iframe.

The app runs as ``streamlit run app.py`` in a subprocess with its own temporary data directory (so the
embedded server and the app's store start empty), on a free loopback port; it is ready when
``/_stcore/health`` answers. Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
ACE_FRAME = 'iframe[title="streamlit_ace.streamlit_ace"]'
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningApp:
    """A ``streamlit run app.py`` subprocess and where it answers."""

    url: str
    process: subprocess.Popen
    data_dir: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_app(data_dir: Path, env: Optional[Mapping[str, str]] = None, script: str = "app.py") -> RunningApp:
    """Start the app (or another Streamlit ``script``) on a free port with ``data_dir`` as
    STUDIO_DATA_DIR and wait until it is healthy. The hosted and shared-server variables are removed
    unless ``env`` sets them, so the app uses its embedded server."""
    port = free_port()
    child_env = {k: v for k, v in os.environ.items()
                 if k not in ("LLAMA_CLOUD_API_KEY", "STUDIO_SERVER_URL", "STUDIO_SERVER_API_KEY", "STUDIO_PLAIN_EDITOR")}
    child_env.update({"STUDIO_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **(env or {})})
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT)
    app = RunningApp(f"http://127.0.0.1:{port}", process, data_dir, log_path)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{app.log()}")
        try:
            if httpx.get(f"{app.url}/_stcore/health", timeout=2).text.strip() == "ok":
                return app
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    app.stop()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {START_TIMEOUT_S:.0f} s:\n{app.log()}")


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page under ``artifacts/`` (git-ignored) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "page"
    path = ARTIFACTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_for_app(page, timeout_ms: float = 30_000) -> None:
    """Wait until Streamlit has rendered and finished the current script run."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=timeout_ms)
    wait_for_idle(page, timeout_ms)


def wait_for_idle(page, timeout_ms: float = 30_000, settle_ms: int = 400) -> None:
    """Wait until no script run is in progress. Streamlit marks its root with ``data-test-script-state``;
    ``settle_ms`` first lets a just-triggered rerun start (ace sends its text 200 ms after typing)."""
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)


def ace_editor(page):
    """The ace editor's frame (streamlit-ace renders inside a component iframe)."""
    page.wait_for_selector(ACE_FRAME, timeout=30_000)
    frame = page.frame_locator(ACE_FRAME).first
    frame.locator(".ace_editor").wait_for(timeout=30_000)
    return frame


def ace_replace_text(page, text: str) -> None:
    """Select everything in the ace editor and type ``text`` over it, like a person would."""
    frame = ace_editor(page)
    frame.locator(".ace_content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    frame.locator(".ace_text-input").type(text, delay=5)


def key_locator(page, key: str, inner: str = ""):
    """The element of the widget with Streamlit key ``key`` (Streamlit adds ``st-key-<key>`` to its
    container), optionally narrowed to a child selector such as ``button`` or ``input``."""
    selector = f".st-key-{key}"
    return page.locator(f"{selector} {inner}".strip())


def alerts(page) -> list[str]:
    """The text of every alert (st.error / warning / success / info) on the page."""
    return [text.strip() for text in page.locator('[data-testid="stAlert"]').all_inner_texts()]


def overflows_horizontally(page) -> bool:
    """Whether the page is wider than the window (a layout that does not fit)."""
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")


def save_docs_screenshot(target: Path) -> Path:
    """The README's picture: the Schema page with the invoice template loaded and its field table open.
    Run ``python -m tests.e2e.support docs/screenshot.png`` (it starts its own app on a scratch directory)."""
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        app = start_app(Path(scratch) / "studio")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(f"{app.url}/schema_editor")
                wait_for_app(page)
                page.get_by_text("Start from a template, an example, a document or a file").click()
                key_locator(page, "_template_invoice", "button").click()
                wait_for_idle(page)
                page.get_by_text("Start from a template, an example, a document or a file").click()
                page.get_by_role("tab", name="Fields").click()
                wait_for_idle(page)
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target))
                browser.close()
        finally:
            app.stop()
    return target


if __name__ == "__main__":
    print(save_docs_screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png")))
