"""The running server's parts, wired together: store, worker pool, webhooks, and the job lifecycle.

Every status change of a job goes through here, so the store's transition, the webhook event and
the worker bookkeeping never drift apart: PENDING (``*.pending`` event) -> RUNNING -> COMPLETED
(``*.success``) / FAILED with ``error_message`` (``*.error``) / CANCELLED (``*.cancelled``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from fastapi import Request

from lib.server.errors import BadRequest
from lib.server.settings import ServerSettings
from lib.server.store import Store
from lib.server.webhooks import WebhookDispatcher
from lib.server.workers import RunResult, Slot, WorkerPool

log = logging.getLogger("lib.server")

_EVENT_SUFFIX = {"PENDING": "pending", "COMPLETED": "success", "FAILED": "error", "CANCELLED": "cancelled"}


class ServerContext:
    """One per app: owns the store, the worker pool and the webhook sender, and starts/stops them."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.store = Store(settings.data_dir)
        self.webhooks = WebhookDispatcher(settings, self.store)
        self.pool = WorkerPool(settings, self.store, self._run_job)

    # lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Recover from a previous stop, then start sending webhooks and running jobs."""
        threading.Thread(target=_warm_engine, name="warm-engine", daemon=True).start()
        requeued, failed = self.store.recover_interrupted()
        if requeued or failed:
            log.warning("recovered %d interrupted jobs (%d re-queued, %d failed)", len(requeued) + len(failed), len(requeued), len(failed))
        for job in failed:
            self.emit(job)
        self.webhooks.start()
        self.pool.start()

    def stop(self) -> None:
        self.pool.stop()
        self.webhooks.stop()
        self.store.close()

    # events -----------------------------------------------------------------------------------

    def emit(self, job: dict[str, Any]) -> None:
        """Send the webhook event for the job's current status (RUNNING has none for extract jobs)."""
        suffix = _EVENT_SUFFIX.get(job["status"])
        if suffix is None or not job.get("webhooks"):
            return
        data = {
            "job_id": job["id"],
            "status": job["status"],
            "project_id": self.store.project_id,
            "file_input": job["file_input"],
            "configuration_id": job["configuration_id"],
            "error_message": job["error_message"],
        }
        try:
            self.webhooks.emit(job, f"{job['kind']}.{suffix}", data)
        except Exception:  # a webhook problem never fails the job or the request
            log.exception("could not queue webhook for %s", job["id"])

    def queued(self, job: dict[str, Any]) -> None:
        """A job was just created: tell its webhooks, and wake a worker."""
        self.emit(job)
        self.pool.wake()

    def cancel(self, job_id: str, kind: str) -> dict[str, Any]:
        job = self.store.cancel_job(job_id, kind)
        self.pool.cancel(job_id)
        self.emit(job)
        return job

    def delete(self, job_id: str, kind: str, force: bool) -> dict[str, Any]:
        job = self.store.delete_job(job_id, kind, force=force)
        self.pool.cancel(job_id)
        return job

    # running one job (called by a supervisor thread) --------------------------------------------

    def _task_for(self, job: dict[str, Any]) -> dict[str, Any]:
        file_row = self.store.get_file(job["file_id"])
        task: dict[str, Any] = {
            "kind": job["kind"],
            "job_id": job["id"],
            "file_path": str(self.store.file_path(job["file_id"])),
            "filename": file_row["name"],
        }
        if job["kind"] == "extract":
            task["configuration"] = job["configuration"]
            if job["parse_job_id"]:
                path = self.store.parse_result_path(job["parse_job_id"])
                if not path.exists():
                    raise LookupError(f"the parse job {job['parse_job_id']} it reads from was deleted")
                task["parse_path"] = str(path)
        else:
            task["options"] = job["options"] or {}
        return task

    def _run_job(self, slot: Slot, job: dict[str, Any], should_stop: Callable[[], Optional[str]]) -> None:
        try:
            task = self._task_for(job)
        except Exception as error:
            self._finish(job["id"], "FAILED", error_message=f"The job cannot run: {_plain(error)}. Upload the file again and resubmit.")
            return
        try:
            result = slot.run(task, timeout_s=self.settings.job_timeout_s, should_stop=should_stop)
            self._record(job, result)
        except Exception as error:  # no worker could start, or the result could not be stored: never leave it RUNNING
            log.exception("job %s could not be run or recorded", job["id"])
            self._finish(job["id"], "FAILED", error_message=f"The server could not run this job ({_plain(error)}); try again.")

    def _record(self, job: dict[str, Any], result: RunResult) -> None:
        if result.how == "cancelled":
            return  # the store already says CANCELLED (or the job was deleted)
        if result.how == "stopping":
            self.store.requeue(job["id"])  # runs again, from the start, when the server is back
            return
        if result.how != "done":
            self._finish(job["id"], "FAILED", error_message=self.limit_message(result))
            return
        status, value = result.outcome
        if status != "ok":
            self._finish(job["id"], "FAILED", error_message=str(value))
        elif job["kind"] == "parse":
            self.store.write_parse_result(job["id"], value)
            self._finish(job["id"], "COMPLETED")
        else:
            self._finish(
                job["id"],
                "COMPLETED",
                extract_result=value["extract_result"],
                extract_metadata=value["extract_metadata"],
                usage=value["usage"],
            )

    def limit_message(self, result: RunResult) -> str:
        s = self.settings
        if result.how == "timeout":
            return (
                f"The job took longer than {s.job_timeout_s:g} s and was stopped. Try fewer pages "
                "(target_pages / max_pages), or raise EXTRACT_SERVER_JOB_TIMEOUT_S."
            )
        if result.how == "memory":
            return (
                f"The job used more than {s.worker_memory_mb} MB of memory ({result.detail}) and was stopped. "
                "The document may be a decompression bomb or very large; try fewer pages, or raise "
                "EXTRACT_SERVER_WORKER_MEMORY_MB."
            )
        return f"The worker process running this job stopped unexpectedly ({result.detail}); the document may be malformed."

    def _finish(self, job_id: str, status: str, **fields: Any) -> None:
        job = self.store.finish_job(job_id, status, **fields)
        if job is not None:
            self.emit(job)

    # signed content URLs ------------------------------------------------------------------------

    def content_token(self, file_id: str, expires_at: int) -> str:
        message = f"{file_id}.{expires_at}".encode()
        signature = hmac.new(self.store.signing_key, message, hashlib.sha256).digest()
        return f"{file_id}.{expires_at}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"

    def check_content_token(self, token: str) -> Optional[str]:
        """The file ID a token grants, or None when it is forged, altered or expired."""
        parts = token.split(".")
        if len(parts) != 3 or not re.fullmatch(r"[0-9]{1,12}", parts[1]):
            return None
        file_id, expires_at = parts[0], int(parts[1])
        if not hmac.compare_digest(self.content_token(file_id, expires_at).encode(), token.encode()):  # bytes: any text
            return None
        if expires_at < time.time():
            return None
        return file_id

    def content_url(self, request: Request, file_id: str, ttl_s: Optional[int]) -> dict[str, Any]:
        ttl = self.settings.content_url_ttl_s if ttl_s is None else ttl_s
        if not 1 <= ttl <= 7 * 24 * 3600:
            raise BadRequest("expires_at_seconds must be between 1 and 604800 (7 days).")
        expires_at = int(time.time()) + ttl
        base = self.settings.public_url or str(request.base_url).rstrip("/")
        return {
            "url": f"{base}/content/{self.content_token(file_id, expires_at)}",
            "expires_at": datetime.fromtimestamp(expires_at, timezone.utc).isoformat(),
        }


def _warm_engine() -> None:
    """Import the engine's schema checks now, so the first request is not the one that pays for it
    and a broken engine shows in the log at start."""
    try:
        import lib.engine.schema  # noqa: F401
    except Exception:
        log.exception("the engine cannot be imported; schema checks and jobs will fail until it is fixed")


def _plain(error: Exception) -> str:
    return str(error).strip("'\"").rstrip(".") or type(error).__name__


def get_ctx(request: Request) -> ServerContext:
    """FastAPI dependency: the app's context."""
    return request.app.state.ctx
