"""Small helpers the server tests share: upload, create a job, wait for a status."""

from __future__ import annotations

import time
from typing import Any, Iterable, Optional

import httpx

FAST_ENV = {"EXTRACT_SERVER_ALLOW_PRIVATE_WEBHOOKS": "1", "EXTRACT_SERVER_WEBHOOK_BACKOFF_S": "0.2",
            "EXTRACT_SERVER_WEBHOOK_TIMEOUT_S": "2"}
TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")
TEXT_SCHEMA = {"type": "object", "properties": {"invoice_number": {"type": "string"}, "total": {"type": "number"}}}
TEXT_DOC = b"Invoice Number: INV-77\nTotal: 12.50\n"


def upload(http: httpx.Client, data: bytes, name: str, purpose: str = "extract", **form: str) -> dict[str, Any]:
    response = http.post("/api/v1/beta/files", files={"file": (name, data)}, data={"purpose": purpose, **form})
    assert response.status_code == 200, response.text
    return response.json()


def create_job(http: httpx.Client, file_id: str, schema: Optional[dict] = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"file_input": file_id, **extra}
    if "configuration_id" not in extra:
        body.setdefault("configuration", {"data_schema": schema or TEXT_SCHEMA})
    response = http.post("/api/v2/extract", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def wait_status(http: httpx.Client, path: str, statuses: Iterable[str] = TERMINAL, timeout: float = 120.0,
                params: Optional[dict] = None) -> dict[str, Any]:
    """Poll ``path`` until its ``status`` (or ``job.status``) is one of ``statuses``."""
    wanted = set(statuses)
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        body = http.get(path, params=params).json()
        status = body.get("status") or body.get("job", {}).get("status")
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in wanted:
            return body
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached {sorted(wanted)}; statuses seen: {seen}")


def wait_job(http: httpx.Client, job_id: str, statuses: Iterable[str] = TERMINAL, **kwargs: Any) -> dict[str, Any]:
    return wait_status(http, f"/api/v2/extract/{job_id}", statuses, **kwargs)
