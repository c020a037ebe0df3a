"""The shell (app.py) under AppTest: start-up with no configuration, the backend sidebar, switching."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from lib.ui import navigation, state
from lib.ui.connection import KIND_LABELS
from tests.support.server import start_server
from tests.ui.support import app_test, point_app_at, texts

KIND, URL, KEY, CONNECT = "_backend_kind_input", "_backend_url_input", "_backend_key_input", "_backend_connect"


def connect(at, kind: str, url: str = "", key: str = ""):
    at.sidebar.radio(key=KIND).set_value(kind).run()
    if kind != "embedded":
        at.sidebar.text_input(key=URL).set_value(url)
        at.sidebar.text_input(key=KEY).set_value(key)
    return at.sidebar.button(key=CONNECT).click().run()


def test_start_with_no_configuration_uses_the_embedded_server(monkeypatch, tmp_path: Path) -> None:
    point_app_at(monkeypatch, tmp_path / "studio", server_url=None)
    at = app_test().run()
    assert not at.exception
    backend = at.session_state[state.BACKEND]
    assert backend.kind == "embedded" and backend.base_url.startswith("http://127.0.0.1:")
    shown = texts(at.sidebar)
    assert f"**{KIND_LABELS['embedded']}**" in shown and backend.base_url in shown and "Connected" in shown
    assert httpx.get(f"{backend.base_url}/api/v1/beta/configurations", timeout=10).status_code == 200
    assert at.session_state[state.SCHEMA_TEXT] and at.session_state[state.CONFIGURATION]["extraction_target"] == "per_doc"


def test_shared_server_from_the_environment_and_the_pages_listed(monkeypatch, tmp_path: Path, local_server) -> None:
    point_app_at(monkeypatch, tmp_path / "studio", local_server.url)
    at = app_test().run()
    assert not at.exception
    assert at.session_state[state.BACKEND].base_url == local_server.url
    assert "**Shared server**" in texts(at.sidebar) and "Connected" in texts(at.sidebar)
    links = [link.proto.page for link in at.main.page_link]
    present = [Path(spec.path).stem for spec in navigation.present_pages()]
    assert links == present[:3] and links[0] == "schema_editor", "the home view links the pages that exist"
    at.switch_page("pages/schema_editor.py").run()
    assert not at.exception and at.title[0].value == "Schema"


def test_a_page_requested_first_still_opens_inside_the_shell(monkeypatch, tmp_path: Path, local_server) -> None:
    """A bookmark of a page on a fresh server: Streamlit would run the page alone (pages/ exists)."""
    point_app_at(monkeypatch, tmp_path / "studio", local_server.url)
    at = app_test()
    at.switch_page("pages/schema_editor.py").run()
    assert not at.exception and at.title[0].value == "Schema"
    assert "**Shared server**" in texts(at.sidebar), "the shell's sidebar is there"


def test_switching_backends_checks_the_key_and_never_shows_it(monkeypatch, tmp_path: Path, local_server) -> None:
    point_app_at(monkeypatch, tmp_path / "studio", local_server.url)
    at = app_test().run()
    with start_server(tmp_path / "keyed", api_key="right-key") as keyed:
        connect(at, "shared", keyed.url, "wrong-key")
        assert at.session_state[state.BACKEND].base_url == keyed.url
        assert any("refused the API key" in text for text in texts(at.sidebar))
        assert at.sidebar.text_input(key=KEY).value == "", "the key field is cleared after connecting"

        connect(at, "shared", keyed.url, "right-key")
        assert "Connected" in texts(at.sidebar)
        everything = " ".join(texts(at.sidebar) + texts(at.main)) + str([w.value for w in at.sidebar.text_input])
        assert "right-key" not in everything and "wrong-key" not in everything

    connect(at, "shared", "not a url", "")
    assert any("is not a server URL" in text for text in texts(at.sidebar))
    assert at.session_state[state.BACKEND].base_url == keyed.url, "a refused switch keeps the backend"

    connect(at, "hosted", "https://api.cloud.llamaindex.ai", "")
    assert any("LlamaCloud needs an API key" in text for text in texts(at.sidebar))

    connect(at, "shared", local_server.url, "")
    assert at.session_state[state.BACKEND].base_url == local_server.url and "Connected" in texts(at.sidebar)


def test_an_unreachable_backend_is_reported_with_its_url(monkeypatch, tmp_path: Path) -> None:
    point_app_at(monkeypatch, tmp_path / "studio", "http://127.0.0.1:9")
    at = app_test().run()
    assert not at.exception
    assert any("Nothing answers at http://127.0.0.1:9" in text for text in texts(at.sidebar))
