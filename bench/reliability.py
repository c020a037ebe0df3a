"""The reliability figures of issue 8, in one table.

Runs the reliability suites (``tests/reliability``, and the browser safety tests in
``tests/e2e/test_safety.py`` unless ``--no-browser``) through ``pytest.main`` with a small plugin that
counts, per suite, the cases tried and passed and names what failed; then a load run larger than
the CI one (``--clients`` clients for ``--seconds`` against a server whose queue holds ``--queue``
jobs), next to a baseline measured in the same run: one client alone on the same server, so the
poll latency under load is also given as a ratio of the unloaded one. The crash-recovery outcome is
what the crash suite recorded (statuses at each SIGKILL, and after the restart).

Usage: python bench/reliability.py [--clients 50] [--seconds 30] [--queue 20] [--no-browser]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reliability.load import LoadReport, run_load  # noqa: E402
from tests.server.helpers import TEXT_DOC, TEXT_SCHEMA, upload  # noqa: E402
from tests.support.server import start_server  # noqa: E402

SUITES = {
    "test_fuzz": "API fuzzing (schemathesis)",
    "test_hostile_documents": "Hostile documents",
    "test_hostile_schemas": "Hostile schemas",
    "test_crash_recovery": "Crash recovery",
    "test_load": "Load (CI size)",
    "test_webhooks": "Webhooks",
    "test_access": "Access",
    "test_safety": "App safety (browser)",
}


@dataclass
class SuiteResult:
    tried: int = 0
    passed: int = 0
    failed: list[str] = field(default_factory=list)


class Collector:
    """A pytest plugin: outcome of every test (and schemathesis subtest) by suite, and what tests recorded."""

    def __init__(self) -> None:
        self.suites: dict[str, SuiteResult] = defaultdict(SuiteResult)
        self.properties: dict[str, Any] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        module = Path(report.nodeid.split("::")[0]).stem
        suite = self.suites[module]
        self.properties.update(dict(report.user_properties))
        if report.when == "call" or (report.when == "setup" and not report.passed):
            suite.tried += 1
            if report.passed:
                suite.passed += 1
            elif not report.skipped:
                suite.failed.append(report.nodeid.split("::", 1)[1][:70])


def run_suites(browser: bool) -> Collector:
    collector = Collector()
    paths = [str(ROOT / "tests" / "reliability")]
    if browser:
        paths.append(str(ROOT / "tests" / "e2e" / "test_safety.py"))
    pytest.main(["-q", "-p", "no:cacheprovider", "--no-header", "-rN", *paths], plugins=[collector])
    return collector


def run_load_figures(clients: int, seconds: float, queue: int) -> tuple[LoadReport, LoadReport]:
    """(one client alone, ``clients`` clients) on one fresh server with a queue of ``queue``."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"EXTRACT_SERVER_MAX_QUEUE": str(queue)}
        with start_server(Path(tmp) / "data", workers=2, extra_env=env) as server:
            with server.client() as http:
                file_id = upload(http, TEXT_DOC, "bench-load.txt")["id"]
            baseline = run_load(server.url, file_id, TEXT_SCHEMA, clients=1, seconds=min(seconds, 10.0))
            loaded = run_load(server.url, file_id, TEXT_SCHEMA, clients=clients, seconds=seconds)
    return baseline, loaded


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _crash_outcome(collector: Collector) -> str:
    recorded = collector.properties.get("crash_recovery")
    suite = collector.suites.get("test_crash_recovery", SuiteResult())
    if not recorded:
        return "not run (the crash suite recorded nothing)"
    kills = "; ".join(f"kill {n}: {at['RUNNING']} running, {at['PENDING']} pending, {at['COMPLETED']} done"
                      for n, at in enumerate(recorded["at_kills"], start=1))
    final = ", ".join(f"{count} {status}" for status, count in recorded["final"].items())
    checks = "all checks passed" if not suite.failed and suite.tried else f"FAILED: {', '.join(suite.failed)}"
    return (f"{recorded['jobs']} jobs, SIGKILL twice ({kills}); after restart: {final}; "
            f"bytes identical, integrity_check ok, no leftovers: {checks}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--queue", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true", help="leave out tests/e2e/test_safety.py")
    args = parser.parse_args()

    collector = run_suites(browser=not args.no_browser)
    baseline, loaded = run_load_figures(args.clients, args.seconds, args.queue)

    rows = [("suite", "tried", "passed", "failed")]
    for module, title in SUITES.items():
        if module in collector.suites:
            result = collector.suites[module]
            rows.append((title, str(result.tried), str(result.passed), ", ".join(result.failed) or "-"))
    total_tried = sum(r.tried for r in collector.suites.values())
    total_passed = sum(r.passed for r in collector.suites.values())
    rows.append(("all suites", str(total_tried), str(total_passed), str(total_tried - total_passed)))
    print("\nReliability suites (cases tried: tests, schemathesis operations and parametrised cases)")
    print(_table(rows))

    print(f"\nLoad ({args.clients} clients, {args.seconds:g} s, queue {args.queue}, 2 workers, loopback)")
    load_rows = [("run", "jobs created", "429s", "completed", "lost", "errors", "poll p50 ms", "poll p99 ms")]
    for name, report in (("1 client (baseline)", baseline), (f"{args.clients} clients", loaded)):
        load_rows.append((name, str(len(report.created)), str(report.refused_429), str(report.count("COMPLETED")),
                          str(len(report.lost)), str(len(report.errors)), f"{report.percentile(50) or 0:.1f}",
                          f"{report.percentile(99) or 0:.1f}"))
    print(_table(load_rows))
    if baseline.percentile(99) and loaded.percentile(99):
        print(f"poll p99 under load / alone: {loaded.percentile(99) / baseline.percentile(99):.1f}x")
    if "load" in collector.properties:
        print(f"CI-size load run: {collector.properties['load']}")

    print(f"\nCrash recovery: {_crash_outcome(collector)}")


if __name__ == "__main__":
    main()
