"""Load on the local server: N concurrent clients creating extract jobs and polling them, on loopback.

Starts its own server (``python -m lib.server``) on a temporary data directory, then runs two
phases against it, bounded in job count and in time:

1. baseline: one client, jobs one after another;
2. load: ``--clients`` clients at once, each creating ``--jobs`` jobs and polling each to the end,
   with a small ``--max-queue`` so that the documented 429 (queue full) happens and is retried.

Prints job throughput, status-poll latency p50 / p99 and the queue-full behaviour per phase, and
the load phase's figures as ratios of the baseline's. Any status other than 200 / 429 counts as
an error, and every created job must reach a terminal state (else it is reported as lost).

    python bench/server_load.py [--clients 20] [--jobs 5] [--workers 2] [--max-queue 4] [--time-limit 120]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.server import start_server  # noqa: E402  (the same starter the tests use)

TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}
DOCUMENT = b"Invoice Number: INV-1001\nDate: 2024-03-01\nTotal: 1,234.50\n"
SCHEMA = {"type": "object", "properties": {"invoice_number": {"type": "string"}, "date": {"type": "string"},
                                           "total": {"type": "number"}}}


@dataclass
class Figures:
    created: int = 0
    finished: dict[str, int] = field(default_factory=dict)
    queue_full: int = 0
    errors: list[str] = field(default_factory=list)
    poll_ms: list[float] = field(default_factory=list)
    lost: int = 0
    seconds: float = 0.0

    def throughput(self) -> float:
        return sum(self.finished.values()) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.poll_ms:
            return float("nan")
        ordered = sorted(self.poll_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def one_job(http: httpx.AsyncClient, file_id: str, figures: Figures, deadline: float) -> None:
    """Create a job (retrying while the queue is full) and poll it to a terminal state."""
    while True:
        response = await http.post("/api/v2/extract", json={"file_input": file_id, "configuration": {"data_schema": SCHEMA}})
        if response.status_code == 429:
            figures.queue_full += 1
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.1)
            continue
        if response.status_code != 200:
            figures.errors.append(f"create {response.status_code}: {response.text[:120]}")
            return
        break
    figures.created += 1
    job_id = response.json()["id"]
    while time.monotonic() < deadline:
        started = time.perf_counter()
        polled = await http.get(f"/api/v2/extract/{job_id}")
        figures.poll_ms.append((time.perf_counter() - started) * 1000)
        if polled.status_code != 200:
            figures.errors.append(f"poll {polled.status_code}")
            return
        status = polled.json()["status"]
        if status in TERMINAL:
            figures.finished[status] = figures.finished.get(status, 0) + 1
            return
        await asyncio.sleep(0.05)
    figures.lost += 1


async def client_loop(url: str, jobs: int, figures: Figures, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        upload = await http.post("/api/v1/beta/files", files={"file": ("load.txt", DOCUMENT)}, data={"purpose": "extract"})
        if upload.status_code != 200:
            figures.errors.append(f"upload {upload.status_code}")
            return
        for _ in range(jobs):
            if time.monotonic() > deadline:
                return
            await one_job(http, upload.json()["id"], figures, deadline)


async def phase(url: str, clients: int, jobs: int, time_limit: float) -> Figures:
    figures = Figures()
    deadline = time.monotonic() + time_limit
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(url, jobs, figures, deadline) for _ in range(clients)))
    figures.seconds = time.perf_counter() - started
    return figures


def report(name: str, f: Figures) -> None:
    done = sum(f.finished.values())
    print(f"{name:<9} {f.created:>7} {done:>8} {f.throughput():>9.2f} {f.percentile(0.5):>9.1f} {f.percentile(0.99):>9.1f}"
          f" {f.queue_full:>7} {len(f.errors):>6} {f.lost:>5}   {dict(sorted(f.finished.items()))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=5, help="jobs per client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-queue", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per phase, at most")
    args = parser.parse_args()
    if not (1 <= args.clients <= 200 and 1 <= args.jobs <= 100 and args.time_limit <= 600):
        parser.error("keep the load bounded: 1-200 clients, 1-100 jobs each, at most 600 s per phase")

    with tempfile.TemporaryDirectory() as tmp:
        env = {"EXTRACT_SERVER_MAX_QUEUE": str(args.max_queue)}
        with start_server(Path(tmp) / "data", workers=args.workers, extra_env=env) as server:
            asyncio.run(phase(server.url, 1, 2, args.time_limit))  # warm the workers' first imports
            baseline = asyncio.run(phase(server.url, 1, args.jobs, args.time_limit))
            load = asyncio.run(phase(server.url, args.clients, args.jobs, args.time_limit))

    print(f"server: {args.workers} workers, queue limit {args.max_queue}; load: {args.clients} clients x {args.jobs} jobs")
    print(f"{'phase':<9} {'created':>7} {'finished':>8} {'jobs/s':>9} {'poll p50':>9} {'poll p99':>9} {'429s':>7}"
          f" {'errors':>6} {'lost':>5}   statuses")
    report("baseline", baseline)
    report("load", load)
    ratio = load.throughput() / baseline.throughput() if baseline.throughput() else float("nan")
    print(f"load / baseline: throughput x{ratio:.2f}, poll p50 x{load.percentile(0.5) / baseline.percentile(0.5):.2f},"
          f" poll p99 x{load.percentile(0.99) / baseline.percentile(0.99):.2f} (poll latencies in ms)")
    for error in (baseline.errors + load.errors)[:10]:
        print("error:", error)
    return 1 if (baseline.errors or load.errors or baseline.lost or load.lost) else 0


if __name__ == "__main__":
    sys.exit(main())
