"""Running the app's scripts under Streamlit's AppTest against a real local server.

``AppTest`` cannot drive custom components, so these runs set ``STUDIO_PLAIN_EDITOR=1`` (the schema
editor becomes an ``st.text_area``); the browser tests in ``tests/e2e`` drive the real ace editor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 30


def point_app_at(monkeypatch: pytest.MonkeyPatch, data_dir: Path, server_url: Optional[str]) -> None:
    """The environment of one app run: a shared server (or none: the embedded one), a private data
    directory, the plain editor, and no hosted key leaking in from the developer's shell."""
    monkeypatch.setenv("STUDIO_PLAIN_EDITOR", "1")
    monkeypatch.setenv("STUDIO_DATA_DIR", str(data_dir))
    for name in ("LLAMA_CLOUD_API_KEY", "LLAMA_CLOUD_BASE_URL", "STUDIO_SERVER_API_KEY", "STUDIO_DB"):
        monkeypatch.delenv(name, raising=False)
    if server_url:
        monkeypatch.setenv("STUDIO_SERVER_URL", server_url)
    else:
        monkeypatch.delenv("STUDIO_SERVER_URL", raising=False)


def app_test(script: str = "app.py") -> AppTest:
    """An AppTest of a script of the repository (``app.py`` or ``pages/<name>.py``)."""
    return AppTest.from_file(str(REPO_ROOT / script), default_timeout=TIMEOUT_S)


def texts(block) -> list[str]:
    """Every message shown in a block (errors, warnings, successes, infos, markdown, captions)."""
    found = []
    for kind in ("error", "warning", "success", "info", "markdown", "caption"):
        found += [str(element.value) for element in getattr(block, kind)]
    return found
