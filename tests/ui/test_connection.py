"""Choosing a backend from the sidebar's inputs, without Streamlit running."""

from __future__ import annotations

import pytest

from lib.settings import load_settings
from lib.ui.connection import Backend, backend_from_inputs, default_backend


def test_environment_names_the_default_backend() -> None:
    shared = default_backend(load_settings({"STUDIO_SERVER_URL": "http://srv:8000/", "STUDIO_SERVER_API_KEY": "k"}))
    assert shared == Backend("shared", "http://srv:8000", "k")
    hosted = default_backend(load_settings({"LLAMA_CLOUD_API_KEY": "llx-1"}))
    assert hosted.kind == "hosted" and hosted.base_url == "https://api.cloud.llamaindex.ai"


def test_keys_stay_out_of_repr_and_ids() -> None:
    backend = Backend("hosted", "https://api.cloud.llamaindex.ai", "llx-secret")
    assert "llx-secret" not in repr(backend) and "llx-secret" not in backend.id


def test_a_server_of_ours_never_gets_the_hosted_key() -> None:
    """The client falls back to LLAMA_CLOUD_API_KEY when given None; our backends hand it "" instead."""
    assert Backend("shared", "http://srv:8000").client_key == ""


def test_sidebar_inputs_are_checked() -> None:
    settings = load_settings({"LLAMA_CLOUD_API_KEY": "llx-env"})
    with pytest.raises(ValueError, match="not a server URL"):
        backend_from_inputs("shared", "srv:8000", "", settings)
    assert backend_from_inputs("shared", " http://srv:8000/ ", " k ", settings) == Backend("shared", "http://srv:8000", "k")
    assert backend_from_inputs("hosted", "https://api.cloud.llamaindex.ai", "", settings).api_key == "llx-env"
    with pytest.raises(ValueError, match="needs an API key"):
        backend_from_inputs("hosted", "https://api.cloud.llamaindex.ai", "", load_settings({}))


def test_embedded_backends_are_named_by_their_data_directory() -> None:
    first = Backend("embedded", "http://127.0.0.1:4000", data_dir="/data/a")
    restarted = Backend("embedded", "http://127.0.0.1:5000", data_dir="/data/a")
    assert first.id == restarted.id == "embedded:/data/a"
