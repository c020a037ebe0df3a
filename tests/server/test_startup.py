"""How the server starts: settings from env and flags, the embedded starter, OpenAPI and docs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from lib.server.settings import ServerSettings, SettingsError, parse_args, settings_from_env
from tests.support.server import REPO_ROOT


def test_settings_from_env_and_flags(tmp_path: Path) -> None:
    env = {"EXTRACT_SERVER_PORT": "9001", "EXTRACT_SERVER_WORKERS": "3", "EXTRACT_SERVER_MAX_FILE_MB": "2.5",
           "EXTRACT_SERVER_ALLOW_PRIVATE_WEBHOOKS": "yes", "EXTRACT_SERVER_DATA_DIR": str(tmp_path),
           "EXTRACT_SERVER_PUBLIC_URL": "https://extract.example.org/"}
    settings = settings_from_env(env)
    assert (settings.port, settings.workers, settings.max_file_bytes) == (9001, 3, int(2.5 * 1024 * 1024))
    assert settings.allow_private_webhooks and settings.data_dir == tmp_path
    assert settings.public_url == "https://extract.example.org"
    flagged = parse_args(["--port", "0", "--workers", "1", "--api-key", "k", "--host", "0.0.0.0"], settings)
    assert (flagged.port, flagged.workers, flagged.api_key, flagged.host) == (0, 1, "k", "0.0.0.0")
    assert settings_from_env({}) == ServerSettings()


@pytest.mark.parametrize("name, value, words", [
    ("EXTRACT_SERVER_PORT", "eighty", "whole number"),
    ("EXTRACT_SERVER_WORKERS", "0", "at least 1"),
    ("EXTRACT_SERVER_ALLOW_PRIVATE_WEBHOOKS", "maybe", "true or false"),
    ("EXTRACT_SERVER_HOST", "0.0.0.0", "API key"),
    ("EXTRACT_SERVER_JOB_TIMEOUT_S", "-1", "positive"),
])
def test_bad_settings_name_the_variable(name: str, value: str, words: str) -> None:
    with pytest.raises(SettingsError, match=words) as error:
        settings_from_env({name: value})
    assert name.replace("EXTRACT_SERVER_", "") in str(error.value) or "API key" in str(error.value)


def test_cli_refuses_bad_settings_with_a_message(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "lib.server", "--host", "0.0.0.0", "--data-dir", str(tmp_path)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "without an API key" in result.stderr


def test_embedded_starts_once_and_stops_with_the_process(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import httpx
        from lib.server.embedded import start_embedded
        url = start_embedded({str(tmp_path / "data")!r}, workers=1)
        assert start_embedded() == url
        assert httpx.get(url + "/health").json() == {{"status": "ok"}}
        print(url, flush=True)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith("http://127.0.0.1:")
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/health", timeout=2)
    assert (tmp_path / "data" / "server.db").exists()


def test_openapi_and_docs(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/beta/files", "/api/v2/extract", "/api/v2/extract/{job_id}", "/api/v2/extract/schema/validation",
                 "/api/v2/extract/schema/generate", "/api/v1/beta/configurations", "/api/v2/parse"):
        assert path in spec["paths"], path
    assert client.get("/docs").status_code == 200
    assert client.get("/api/health").json() == {"status": "ok"}
