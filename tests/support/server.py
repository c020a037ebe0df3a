"""Run the real local server (``python -m lib.server``) as a subprocess on a free loopback port.

Used by every area's tests: ``with start_server(tmp_path) as srv: httpx.get(srv.url + "/health")``.
The server's output goes to ``<data_dir>/../<name>.log`` so a failing test can show it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"Extract server listening on (http://\S+)")
START_TIMEOUT_S = 60.0


class ServerStartError(RuntimeError):
    """The server did not come up; the message carries the end of its log."""


class RunningServer:
    """A ``python -m lib.server`` subprocess. Restarting keeps the data directory and the port."""

    def __init__(
        self,
        data_dir: Path,
        *,
        api_key: Optional[str] = None,
        workers: int = 1,
        extra_env: Optional[dict[str, str]] = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.api_key = api_key
        self.workers = workers
        self.extra_env = dict(extra_env or {})
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.server.log"
        self.url = ""
        self.port = 0
        self.proc: Optional[subprocess.Popen[bytes]] = None

    # lifecycle --------------------------------------------------------------------------------

    def start(self) -> "RunningServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.extra_env, "PYTHONUNBUFFERED": "1"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        cmd = [sys.executable, "-m", "lib.server", "--host", "127.0.0.1", "--port", str(self.port),
               "--data-dir", str(self.data_dir), "--workers", str(self.workers)]
        if self.api_key:
            cmd += ["--api-key", self.api_key]
        log = open(self.log_path, "ab")
        offset = log.tell()
        self.proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.url = self._wait_for_url(offset)
        self.port = int(self.url.rsplit(":", 1)[1])
        self._wait_healthy()
        return self

    def _log_tail(self, offset: int = 0) -> str:
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(offset)
                return handle.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def _wait_for_url(self, offset: int) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            match = _LISTENING.search(self._log_tail(offset))
            if match:
                return match.group(1)
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerStartError(f"server exited with {self.proc.returncode}:\n{self._log_tail(offset)}")
            time.sleep(0.05)
        raise ServerStartError(f"server did not start within {START_TIMEOUT_S:g} s:\n{self._log_tail(offset)}")

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerStartError(f"server exited with {self.proc.returncode}:\n{self._log_tail()}")
            time.sleep(0.05)
        raise ServerStartError(f"server never answered /health:\n{self._log_tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM and wait (graceful); whatever of its process group is left is then killed."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._reap_group()
        self.proc = None

    def kill(self) -> bool:
        """SIGKILL the server process alone, as a crash would; its workers notice and exit by themselves.
        True when every process of the server's group is gone within 10 s (no orphan left running)."""
        if self.proc is None:
            return True
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        gone = self._wait_group_gone(timeout=10)
        self.proc = None
        return gone

    def restart(self) -> "RunningServer":
        """Stop (if running) and start again on the same data directory and port."""
        self.stop()
        return self.start()

    def _group_alive(self) -> bool:
        """Whether any process of the server's process group still runs (zombies do not count)."""
        assert self.proc is not None
        for fields in _proc_stats():
            if fields[2] == str(self.proc.pid) and fields[0] != "Z":
                return True
        return False

    def _wait_group_gone(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._group_alive():
                return True
            time.sleep(0.05)
        return False

    def _reap_group(self) -> None:
        """Kill anything still in the server's own process group (started by us, found by its id)."""
        assert self.proc is not None
        if not self._wait_group_gone(timeout=5):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # conveniences -----------------------------------------------------------------------------

    def descendants(self) -> set[int]:
        """PIDs of every live process below the server (its forkserver and worker processes)."""
        if self.proc is None:
            return set()
        children: dict[int, list[int]] = {}
        for fields in _proc_stats():
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(fields[-1]))
        found: set[int] = set()
        todo = [self.proc.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def client(self, **kwargs: object) -> httpx.Client:
        """An httpx client on the server's URL, with the key when there is one."""
        return httpx.Client(base_url=self.url, headers=self.headers, timeout=30, **kwargs)  # type: ignore[arg-type]

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _proc_stats() -> list[list[str]]:
    """``/proc/<pid>/stat`` fields after the command name (state, ppid, pgrp, ...), with the pid appended."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            out.append([*stat.rsplit(")", 1)[1].split(), entry.name])
    return out


def start_server(
    data_dir: Path,
    *,
    api_key: Optional[str] = None,
    workers: int = 1,
    extra_env: Optional[dict[str, str]] = None,
) -> RunningServer:
    """Start a server and return it once ``/health`` answers; use it as a context manager."""
    return RunningServer(data_dir, api_key=api_key, workers=workers, extra_env=extra_env).start()
