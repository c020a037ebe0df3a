"""Submit 100 small documents through the client's batch path to a local server, and count the cost.

Starts ``python -m lib.server`` on a free loopback port with a temporary data directory, warms its
workers up with one job each, and runs two rounds of N one-page invoices (a known invoice number on
each; different documents in each round):

- batch: ``ExtractClient.submit_batch`` (bounded concurrency) then ``wait_all``, which polls every
  unfinished job with one list request (``job_ids`` filter) per round;
- baseline, in the same run: the same N documents submitted the same way, then one ``wait()`` per
  job in a thread pool, each polling its own job, as a page without the batch path would.

Prints wall time, jobs per second, HTTP requests per job spent polling (status requests only; the
one final fetch of each finished result is counted apart), the ratio of the two, and how many
results carry the right invoice number (so a fast wrong answer does not look good).

Usage: python bench/submit_batch.py [--jobs 100] [--concurrency 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import httpx
import pymupdf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.client import BatchItem, ExtractClient, JobError  # noqa: E402

SCHEMA = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "Invoice number"},
        "total": {"type": "number", "description": "Total amount due"},
    },
}
_JOB_PATH = re.compile(r"^/api/v2/extract(/ext-[^/]+)?$")


class RequestCounter:
    """Counts the client's requests by phase and kind (retries included: each is a request sent)."""

    def __init__(self) -> None:
        self.phase = "setup"
        self.counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def count(self, request: httpx.Request) -> None:
        with self._lock:
            self.counts[(self.phase, _kind(request))] += 1

    def get(self, phase: str, kind: str) -> int:
        return self.counts[(phase, kind)]

    def total(self, phase: str) -> int:
        return sum(count for (seen, _), count in self.counts.items() if seen == phase)


def _kind(request: httpx.Request) -> str:
    """'poll' for a status request, 'result' for the one request that fetches a finished job expanded."""
    path = request.url.path
    if request.method == "GET" and _JOB_PATH.match(path):
        return "result" if request.url.params.get_list("expand") not in ([], ["usage"]) else "poll"
    return f"{request.method} {path}"


class CountingTransport(httpx.HTTPTransport):
    """``ExtractClient`` takes an httpx transport (it has no event-hook parameter), so the count is
    taken here: every request the client sends passes through ``handle_request``."""

    def __init__(self, counter: RequestCounter) -> None:
        super().__init__()
        self.counter = counter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.counter.count(request)
        return super().handle_request(request)


def invoice(number: int) -> bytes:
    """A one-page invoice whose invoice number and total are known."""
    document = pymupdf.open()
    page = document.new_page()
    lines = [
        "ACME Supplies Ltd.",
        f"Invoice Number: INV-{number:05d}",
        "Date: 2026-01-15",
        f"Total: ${100 + number}.50",
    ]
    for index, line in enumerate(lines):
        page.insert_text((72, 90 + 22 * index), line, fontsize=12)
    data = document.tobytes()
    document.close()
    return data


def documents(numbers: list[int]) -> list[tuple[str, bytes]]:
    """Distinct documents per round, so no round profits from work the server did for another."""
    return [(f"invoice-{number:05d}.pdf", invoice(number)) for number in numbers]


def warm_up(client: ExtractClient, workers: int) -> None:
    """One job per worker first, so neither round pays for starting the worker processes."""
    docs = [(f"warm-{n}.pdf", invoice(90_000 + n)) for n in range(workers)]
    client.wait_all(client.submit_batch(docs, configuration={"data_schema": SCHEMA}), timeout=300)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "lib.server", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir), "--workers", str(workers)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not answer /health within 60 s")


def correct(items: list[BatchItem], numbers: list[int]) -> int:
    """How many results carry the invoice number printed on their document."""
    right = 0
    for item, number in zip(items, numbers):
        result = item.job.extract_result if item.job is not None else None
        if isinstance(result, dict) and result.get("invoice_number") == f"INV-{number:05d}":
            right += 1
    return right


def run_batch(client: ExtractClient, counter: RequestCounter, docs: list[tuple[str, bytes]], concurrency: int) -> tuple[list[BatchItem], float, float]:
    counter.phase = "batch-submit"
    started = time.perf_counter()
    items = client.submit_batch(docs, configuration={"data_schema": SCHEMA}, concurrency=concurrency)
    submitted = time.perf_counter()
    counter.phase = "batch-wait"
    items = client.wait_all(items, timeout=600)
    return items, submitted - started, time.perf_counter() - started


def run_baseline(client: ExtractClient, counter: RequestCounter, docs: list[tuple[str, bytes]], concurrency: int) -> tuple[list[BatchItem], float, float]:
    counter.phase = "baseline-submit"
    started = time.perf_counter()
    items = client.submit_batch(docs, configuration={"data_schema": SCHEMA}, concurrency=concurrency)
    submitted = time.perf_counter()
    counter.phase = "baseline-wait"

    def wait_one(item: BatchItem) -> BatchItem:
        if item.job is None:
            return item
        try:
            item.job = client.wait(item.job.id, timeout=600)
        except JobError as exc:
            item.job, item.error = exc.job, exc
        return item

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        items = list(pool.map(wait_one, items))
    return items, submitted - started, time.perf_counter() - started


def report(name: str, counter: RequestCounter, items: list[BatchItem], numbers: list[int], submit_s: float, wall_s: float) -> float:
    """Print one round's figures; returns its polling requests per job."""
    jobs = len(items)
    completed = sum(1 for item in items if item.job is not None and item.job.status == "COMPLETED")
    polls = counter.get(f"{name}-wait", "poll") / jobs
    results = counter.get(f"{name}-wait", "result") / jobs
    print(
        f"{name:<9} wall {wall_s:6.2f} s (submit {submit_s:5.2f} s, wait {wall_s - submit_s:5.2f} s) | {jobs / wall_s:6.2f} jobs/s | "
        f"completed {completed}/{jobs}, right invoice number {correct(items, numbers)}/{jobs} | "
        f"submit requests/job {counter.total(f'{name}-submit') / jobs:.2f} | polling requests/job {polls:.2f} "
        f"(+{results:.2f} result fetch)"
    )
    return polls


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    batch_numbers = list(range(1, args.jobs + 1))
    baseline_numbers = list(range(args.jobs + 1, 2 * args.jobs + 1))
    with tempfile.TemporaryDirectory(prefix="submit-bench-") as tmp:
        process, url = start_server(Path(tmp), args.workers)
        counter = RequestCounter()
        try:
            with ExtractClient(url, transport=CountingTransport(counter)) as client:
                print(f"{args.jobs} one-page invoices -> {url} (server workers {args.workers}, client concurrency {args.concurrency})")
                warm_up(client, args.workers)
                items, submit_s, wall_s = run_batch(client, counter, documents(batch_numbers), args.concurrency)
                batch = report("batch", counter, items, batch_numbers, submit_s, wall_s)
                items, submit_s, wall_s = run_baseline(client, counter, documents(baseline_numbers), args.concurrency)
                baseline = report("baseline", counter, items, baseline_numbers, submit_s, wall_s)
                if batch:
                    print(
                        f"polling requests per job: batch wait_all {batch:.2f} vs one wait() per job {baseline:.2f}"
                        f" -> {baseline / batch:.1f}x fewer"
                    )
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
