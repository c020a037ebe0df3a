"""The load run shared by the load suite and ``bench/reliability.py``: N concurrent clients on
loopback, each creating extract jobs and polling them until a deadline, then a drain in which
every created job must reach a terminal state. Only a 429 (queue full, the documented refusal)
is an acceptable non-200 answer; anything else is recorded as an error."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

import httpx

TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")
POLL_S = 0.05


@dataclass
class LoadReport:
    clients: int
    seconds: float
    created: list[str] = field(default_factory=list)
    refused_429: int = 0
    refusals_well_formed: bool = True  # every 429 said "queue is full" and sent Retry-After
    errors: list[str] = field(default_factory=list)
    final: dict[str, str] = field(default_factory=dict)  # job id -> status after the drain
    poll_ms: list[float] = field(default_factory=list)

    @property
    def lost(self) -> list[str]:
        return [job_id for job_id in self.created if self.final.get(job_id) not in TERMINAL]

    def count(self, status: str) -> int:
        return sum(1 for value in self.final.values() if value == status)

    def percentile(self, q: float) -> Optional[float]:
        if len(self.poll_ms) < 2:
            return self.poll_ms[0] if self.poll_ms else None
        return statistics.quantiles(self.poll_ms, n=100, method="inclusive")[int(q) - 1]

    def summary(self) -> str:
        p50, p99 = self.percentile(50), self.percentile(99)
        return (f"{self.clients} clients for {self.seconds:g} s: {len(self.created)} jobs created, "
                f"{self.refused_429} refused with 429, {self.count('COMPLETED')} completed, "
                f"{self.count('FAILED')} failed, {len(self.lost)} lost, {len(self.errors)} errors; "
                f"{len(self.poll_ms)} polls, p50 {p50 or 0:.1f} ms, p99 {p99 or 0:.1f} ms")


def _client_loop(base_url: str, headers: dict[str, str], body: dict, deadline: float, report: LoadReport,
                 lock: threading.Lock) -> None:
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
        while time.monotonic() < deadline:
            try:
                response = http.post("/api/v2/extract", json=body)
            except httpx.HTTPError as error:
                with lock:
                    report.errors.append(f"create: {type(error).__name__}: {error}")
                continue
            if response.status_code == 429:
                well_formed = "queue is full" in response.json().get("detail", "") and "retry-after" in response.headers
                with lock:
                    report.refused_429 += 1
                    report.refusals_well_formed &= well_formed
                time.sleep(0.2)
                continue
            if response.status_code != 200:
                with lock:
                    report.errors.append(f"create: {response.status_code} {response.text[:200]}")
                continue
            job_id = response.json()["id"]
            with lock:
                report.created.append(job_id)
            _poll(http, job_id, deadline, report, lock)


def _poll(http: httpx.Client, job_id: str, deadline: float, report: LoadReport, lock: threading.Lock) -> None:
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            response = http.get(f"/api/v2/extract/{job_id}")
        except httpx.HTTPError as error:
            with lock:
                report.errors.append(f"poll: {type(error).__name__}: {error}")
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        with lock:
            report.poll_ms.append(elapsed_ms)
        if response.status_code != 200:
            with lock:
                report.errors.append(f"poll: {response.status_code} {response.text[:200]}")
            return
        if response.json()["status"] in TERMINAL:
            return
        time.sleep(POLL_S)


def _drain(base_url: str, headers: dict[str, str], report: LoadReport, timeout_s: float) -> None:
    """After the clients stop: wait (bounded) for every created job, recording its final status."""
    deadline = time.monotonic() + timeout_s
    pending = list(report.created)
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
        while pending and time.monotonic() < deadline:
            still = []
            for job_id in pending:
                response = http.get(f"/api/v2/extract/{job_id}")
                status = response.json().get("status") if response.status_code == 200 else f"HTTP {response.status_code}"
                report.final[job_id] = status
                if status not in TERMINAL:
                    still.append(job_id)
            pending = still
            if pending:
                time.sleep(0.2)


def run_load(base_url: str, file_id: str, schema: dict, *, clients: int = 50, seconds: float = 20.0,
             headers: Optional[dict[str, str]] = None, drain_s: float = 120.0) -> LoadReport:
    """Run ``clients`` threads for ``seconds``, then drain; returns what happened."""
    report = LoadReport(clients=clients, seconds=seconds)
    lock = threading.Lock()
    body = {"file_input": file_id, "configuration": {"data_schema": schema}}
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=_client_loop, args=(base_url, headers or {}, body, deadline, report, lock),
                                daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    _drain(base_url, headers or {}, report, drain_s)
    return report
