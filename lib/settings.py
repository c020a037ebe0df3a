"""The app's configuration, read from environment variables (documented in README.md).

Kept free of Streamlit so that the shell, the pages' logic and the tests read the same values.
The hosted service's variables are the official SDK's own (``LLAMA_CLOUD_API_KEY``,
``LLAMA_CLOUD_BASE_URL``); everything of ours starts with ``STUDIO_``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, Optional

HOSTED_BASE_URL = "https://api.cloud.llamaindex.ai"

BackendKind = Literal["embedded", "shared", "hosted"]


@dataclass(frozen=True)
class StudioSettings:
    """Everything the app reads from its environment, resolved once."""

    hosted_api_key: Optional[str]
    hosted_base_url: str
    server_url: Optional[str]
    server_api_key: Optional[str]
    data_dir: Path
    db_path: Path
    confidence_threshold: float

    @property
    def default_backend(self) -> BackendKind:
        """A shared server wins over the hosted service when both are set: naming a server
        is the more specific choice. With neither, the embedded local server is used."""
        if self.server_url:
            return "shared"
        if self.hosted_api_key:
            return "hosted"
        return "embedded"


def load_settings(environ: Mapping[str, str] | None = None) -> StudioSettings:
    """Read the settings from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("STUDIO_DATA_DIR") or Path.cwd() / ".studio").expanduser()
    return StudioSettings(
        hosted_api_key=env.get("LLAMA_CLOUD_API_KEY") or None,
        hosted_base_url=(env.get("LLAMA_CLOUD_BASE_URL") or HOSTED_BASE_URL).rstrip("/"),
        server_url=(env.get("STUDIO_SERVER_URL") or "").rstrip("/") or None,
        server_api_key=env.get("STUDIO_SERVER_API_KEY") or None,
        data_dir=data_dir,
        db_path=Path(env.get("STUDIO_DB") or data_dir / "studio.db").expanduser(),
        confidence_threshold=_threshold(env.get("STUDIO_CONFIDENCE_THRESHOLD")),
    )


def _threshold(raw: str | None) -> float:
    """A confidence threshold in [0, 1]; a bad value falls back to 0.8 rather than stopping the app."""
    try:
        value = float(raw) if raw not in (None, "") else 0.8
    except ValueError:
        return 0.8
    return min(max(value, 0.0), 1.0)
