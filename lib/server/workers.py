"""The worker pool: jobs run in separate processes so that extraction never blocks the API and a
runaway document costs only its own job.

Each of ``workers`` slots owns one long-lived worker process (started from a forkserver that has
already imported the engine, so a replacement starts in milliseconds) and one supervisor thread
in the server. The supervisor claims the oldest PENDING job from the store, hands it to its
worker over a pipe and watches it: a cancel, the job timeout or the memory limit (resident set
size, read from /proc) kills the worker, which is then replaced; a worker that dies on its own
fails only the job it was running. A worker also dies with the server (parent-death signal via
the forkserver, plus a watchdog thread), so a SIGKILLed server leaves no orphans behind.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Optional

from lib.server.settings import ServerSettings
from lib.server.store import Store

log = logging.getLogger("lib.server.workers")

POLL_S = 0.05
INTERACTIVE_WAIT_S = 5.0
_PR_SET_PDEATHSIG = 1
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _context() -> multiprocessing.context.BaseContext:
    """A forkserver that preloads the engine: forking from the threaded server itself is unsafe."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["lib.server.preload"])
    return ctx


def _watch_server(server_pid: int) -> None:
    """Exit the worker when the server that started it is gone (its pipe may never close)."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            os._exit(3)
        except PermissionError:
            pass


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when its parent (the forkserver, which exits with the server)
    goes, even in the middle of a C call that never returns to Python."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def worker_main(conn: Connection, server_pid: int) -> None:
    """The worker process: run tasks from the pipe until it closes."""
    from lib.server.tasks import run_task

    _die_with_parent()
    threading.Thread(target=_watch_server, args=(server_pid,), daemon=True).start()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        outcome = run_task(task)
        try:
            conn.send(outcome)
        except (BrokenPipeError, OSError):
            return


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE_SIZE / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclass
class RunResult:
    """How one task ended: ``done`` (with the worker's outcome), or why the worker was stopped."""

    how: str  # done | cancelled | timeout | memory | crashed | stopping
    outcome: Any = None
    detail: str = ""


class Slot:
    """One worker process and the pipe to it; used by one thread at a time."""

    def __init__(self, ctx: multiprocessing.context.BaseContext, memory_mb: int) -> None:
        self.ctx = ctx
        self.memory_mb = memory_mb
        self.proc: Optional[multiprocessing.process.BaseProcess] = None
        self.conn: Optional[Connection] = None

    def ensure(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            return
        self.kill()
        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=worker_main, args=(child, os.getpid()), daemon=True, name="extract-worker")
        self.proc.start()
        child.close()
        self.conn = parent

    def kill(self) -> None:
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.proc, self.conn = None, None

    def run(self, task: dict[str, Any], *, timeout_s: float, should_stop: Callable[[], Optional[str]]) -> RunResult:
        """Run one task, watching it; kills the worker on cancel, timeout or memory."""
        self.ensure()
        assert self.proc is not None and self.conn is not None
        try:
            self.conn.send(task)
        except (BrokenPipeError, OSError):
            self.kill()
            self.ensure()
            self.conn.send(task)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.conn.poll(POLL_S):
                try:
                    return RunResult("done", self.conn.recv())
                except (EOFError, OSError):
                    return self._crashed()
            if not self.proc.is_alive():
                return self._crashed()
            reason = should_stop()
            if reason:
                self.kill()
                return RunResult(reason)
            if time.monotonic() > deadline:
                self.kill()
                return RunResult("timeout")
            used = rss_mb(self.proc.pid or 0)
            if used > self.memory_mb:
                self.kill()
                return RunResult("memory", detail=f"{used:.0f} MB")

    def _crashed(self) -> RunResult:
        code = self.proc.exitcode if self.proc is not None else None
        self.kill()
        if code is not None and code < 0:
            detail = f"killed by signal {-code}"
        else:
            detail = f"exit code {code}"
        return RunResult("crashed", detail=detail)


JobRunner = Callable[[Slot, dict[str, Any], Callable[[], Optional[str]]], None]


class WorkerPool:
    """``settings.workers`` slots with a supervisor thread each, plus one slot for interactive tasks
    (schema proposal from a file) so that those never wait behind queued jobs."""

    def __init__(self, settings: ServerSettings, store: Store, run_job: JobRunner) -> None:
        self.settings = settings
        self.store = store
        self.run_job = run_job
        self._ctx = _context()
        self._slots = [Slot(self._ctx, settings.worker_memory_mb) for _ in range(settings.workers)]
        self._interactive = Slot(self._ctx, settings.worker_memory_mb)
        self._interactive_lock = threading.Lock()
        self._wake = threading.Condition()
        self._cancelled: set[str] = set()
        self._cancel_lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for index, slot in enumerate(self._slots):
            thread = threading.Thread(target=self._supervise, args=(slot,), name=f"supervisor-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """A job was queued: let an idle supervisor claim it now rather than at its next poll."""
        with self._wake:
            self._wake.notify_all()

    def cancel(self, job_id: str) -> None:
        """Stop the job's worker if one is running it (the store already says CANCELLED)."""
        with self._cancel_lock:
            self._cancelled.add(job_id)

    def stop_reason(self, job_id: str) -> Optional[str]:
        if self._stopping.is_set():
            return "stopping"
        with self._cancel_lock:
            return "cancelled" if job_id in self._cancelled else None

    def forget(self, job_id: str) -> None:
        with self._cancel_lock:
            self._cancelled.discard(job_id)

    def run_interactive(self, task: dict[str, Any], timeout_s: float) -> Optional[RunResult]:
        """Run a short task for a waiting request, in a worker process with the same limits as jobs;
        None when another such task keeps the slot busy (so waiting requests never pile up and
        exhaust the API's threads)."""
        if not self._interactive_lock.acquire(timeout=INTERACTIVE_WAIT_S):
            return None
        try:
            return self._interactive.run(
                task, timeout_s=timeout_s, should_stop=lambda: "stopping" if self._stopping.is_set() else None
            )
        finally:
            self._interactive_lock.release()

    def _supervise(self, slot: Slot) -> None:
        """Start the slot's worker (off the API's startup path: the forkserver's first start imports
        the engine), then claim and run jobs until stopped."""
        try:
            slot.ensure()
        except Exception:
            log.exception("could not start a worker process; retrying when a job arrives")
        while not self._stopping.is_set():
            try:
                job = self.store.claim_next_job()
            except Exception:  # a locked or vanished database must not kill the supervisor
                log.exception("could not claim a job")
                job = None
            if job is None:
                with self._wake:
                    self._wake.wait(timeout=0.5)
                continue
            try:
                self.run_job(slot, job, lambda job_id=job["id"]: self.stop_reason(job_id))
            except Exception:
                log.exception("supervisor failed while running %s", job["id"])
            finally:
                self.forget(job["id"])

    def stop(self) -> None:
        """Stop supervisors and kill workers; jobs they were running stay RUNNING and are recovered at start."""
        self._stopping.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=10)
        for slot in [*self._slots, self._interactive]:
            slot.kill()
