"""How the Results page copes with a large per_table_row job (10,000 rows x 4 fields by default).

    python bench/results_page.py [--rows 10000]

Starts the real local server, extracts a generated bank statement CSV with ``--rows`` transactions
per_table_row (with citations and confidence), then runs the Results page under Streamlit's AppTest:

- the job over HTTP: the server's answer to GET /api/v2/extract/{id} (all of ``expand``) and to a
  list page, and the client's ``get_job`` (answer + parse), against GET /health in the same run;
- the first open (fetching the job over HTTP and flattening it), then a rerun on the warm caches
  (what every click costs), an open by a new session (the job cached by the first), then turning to
  the last table page;
- the page's styling of one visible page of rows against the baseline of styling every cell of the
  result at once (what the page avoids), measured in the same run; the ratio is the saving;
- with ``--browser``: ``streamlit run app.py`` on that server and headless Chromium opening the job,
  timed until the table is on screen, for a first (cold) and a second (warm) browser session.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamlit.testing.v1 import AppTest  # noqa: E402

from lib.client import ExtractClient  # noqa: E402
from lib.review.flatten import display_frame, flatten_job  # noqa: E402
from lib.samples import make_sample  # noqa: E402
from lib.ui.confidence import style_window  # noqa: E402
import httpx  # noqa: E402

from lib.client import DEFAULT_EXPAND  # noqa: E402
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, start_app, wait_for_idle  # noqa: E402
from tests.support.server import start_server  # noqa: E402

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "results.py")
ROWS_PER_PAGE = 50


def big_job(url: str, rows: int) -> str:
    sample = make_sample("bank_statement", fmt="csv", rows=rows)
    with ExtractClient(url) as client:
        upload = client.upload_file(sample.data, name=sample.filename, purpose="extract")
        job = client.create_job(
            upload.id,
            configuration={"data_schema": sample.row_schema, "extraction_target": "per_table_row",
                           "cite_sources": True, "confidence_scores": True},
        )
        return client.wait(job.id, timeout=600).id


def timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:8.3f} s")
    return seconds


def median_of(repeats: int, action) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fetching(url: str, job_id: str, repeats: int = 3) -> None:
    """What one open of the job costs on the wire and in the client, medians of ``repeats``."""
    expand = [("expand", name) for name in DEFAULT_EXPAND]
    with httpx.Client(base_url=url, timeout=300) as http, ExtractClient(url) as client:
        size = len(http.get(f"/api/v2/extract/{job_id}", params=expand).content)
        health = median_of(repeats, lambda: http.get("/health"))
        rows = [
            (f"GET the job, {size / 1e6:.1f} MB (server)", lambda: http.get(f"/api/v2/extract/{job_id}", params=expand)),
            ("GET a list page of jobs (server)", lambda: http.get("/api/v2/extract", params={"page_size": 20})),
            ("client.get_job (answer + parse)", lambda: client.get_job(job_id)),
        ]
        print(f"{'GET /health (baseline)':<44} {health:8.3f} s")
        for label, action in rows:
            seconds = median_of(repeats, action)
            print(f"{label:<44} {seconds:8.3f} s {seconds / health:8.0f} x baseline")


def styling(url: str, job_id: str) -> None:
    with ExtractClient(url) as client:
        flat = flatten_job(client.get_job(job_id))
    fields = [c.name for c in flat.columns]
    shown = display_frame(flat.values, flat.columns)
    page = timed("style one page of rows (what the page does)",
                 lambda: style_window(shown.iloc[:ROWS_PER_PAGE], flat.confidence.iloc[:ROWS_PER_PAGE][fields], 0.8).to_html())
    whole = timed(f"style all {len(shown)} rows (baseline)",
                  lambda: style_window(shown, flat.confidence[fields], 0.8).to_html())
    print(f"{'baseline / page styling':<44} {whole / page:8.1f} x")


def browser(url: str, job_id: str, data_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    app = start_app(data_dir, env={"STUDIO_SERVER_URL": url})
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            for label in ("first", "second"):
                page = chromium.new_context(viewport=VIEWPORT).new_page()
                page.goto(app.url)
                wait_for_idle(page, 120_000)

                def open_job() -> None:
                    page.goto(f"{app.url}/results?job={job_id}")
                    page.get_by_test_id("stDataFrame").first.wait_for(timeout=300_000)
                    wait_for_idle(page, 300_000)

                def open_schema_page() -> None:
                    page.goto(f"{app.url}/schema_editor")
                    page.get_by_role("heading", name="Schema", exact=True).wait_for(timeout=120_000)
                    wait_for_idle(page, 120_000)

                job = timed(f"browser: open the job ({label} session)", open_job)
                baseline = timed(f"browser: open the Schema page (baseline, {label})", open_schema_page)
                print(f"{'browser: job / baseline page load':<44} {job / baseline:8.1f} x")
                page.context.close()
            chromium.close()
    finally:
        app.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--browser", action="store_true", help="also time the page in headless Chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "server", workers=1)
        try:
            started = time.perf_counter()
            job_id = big_job(server.url, args.rows)
            print(f"{'extract ' + str(args.rows) + ' rows (local engine)':<44} {time.perf_counter() - started:8.3f} s")
            fetching(server.url, job_id)
            os.environ.update({"STUDIO_SERVER_URL": server.url, "STUDIO_DATA_DIR": str(Path(tmp) / "studio")})
            at = AppTest.from_file(PAGE, default_timeout=300)
            at.session_state["selected_job_id"] = job_id
            timed("open the job (fetch + flatten + first render)", at.run)
            assert not at.exception, at.exception
            timed("rerun on warm caches", at.run)
            second = AppTest.from_file(PAGE, default_timeout=300)
            second.session_state["selected_job_id"] = job_id
            timed("open the job in a new session (warm caches)", second.run)
            last = at.number_input(key="_results_page")
            timed("turn to the last table page", lambda: last.set_value(last.max).run())
            print(f"{'rows on screen':<44} {len(at.dataframe[0].value):8d}")
            styling(server.url, job_id)
            if args.browser:
                browser(server.url, job_id, Path(tmp) / "app")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
