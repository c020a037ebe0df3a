"""How the Results page copes with a large per_table_row job (10,000 rows x 4 fields by default).

    python bench/results_page.py [--rows 10000]

Starts the real local server, extracts a generated bank statement CSV with ``--rows`` transactions
per_table_row (with citations and confidence), then runs the Results page under Streamlit's AppTest:

- the job over HTTP: the server's answer to GET /api/v2/extract/{id} (all of ``expand``) and to a
  list page, and the client's ``get_job`` (answer + parse), against GET /health in the same run;
- the first open (fetching the job over HTTP and flattening it), then a rerun on the warm caches
  (what every click costs), an open by a new session (the job cached by the first), then turning to
  the last table page;
- a burst of 300,000 small allocations with the job alive, against the same with it frozen (why the
  page freezes what it keeps);
- the page's styling of one visible page of rows against the baseline of styling every cell of the
  result at once (what the page avoids), measured in the same run; the ratio is the saving;
- with ``--browser``: ``streamlit run app.py`` on that server and headless Chromium opening the job,
  timed until the table is on screen against the app's Home page in the same browser state: in fresh
  browser profiles (first open since the app started, then with the job cached by the app) and in a
  returning browser (scripts cached by an earlier visit; the median of several new sessions), with a
  bare Streamlit page holding one 50-row ``st.dataframe`` as the framework's floor.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamlit.testing.v1 import AppTest  # noqa: E402

from lib.client import ExtractClient  # noqa: E402
from lib.review.flatten import display_frame, flatten_job  # noqa: E402
from lib.samples import make_sample  # noqa: E402
from lib.ui.confidence import style_window  # noqa: E402
import httpx  # noqa: E402

from bench.timing import median_of  # noqa: E402
from lib.client import DEFAULT_EXPAND  # noqa: E402
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, RunningApp, start_app  # noqa: E402
from tests.support.jobs import finished_job  # noqa: E402
from tests.support.server import start_server  # noqa: E402

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "results.py")
ROWS_PER_PAGE = 50


def big_job(url: str, rows: int) -> str:
    sample = make_sample("bank_statement", fmt="csv", rows=rows)
    return finished_job(url, sample, sample.row_schema, "per_table_row", timeout=600).id


def timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:8.3f} s")
    return seconds


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


def allocate_small_objects(count: int = 300_000) -> None:
    """What a render does to the collector: many small container objects, made and dropped."""
    junk = [[index] for index in range(count)]
    del junk


def collections(url: str, job_id: str) -> None:
    """Why the page freezes a loaded job (``lib.gcpause.kept_for_the_process``): with the job and its
    flattening alive, a burst of allocation sets off collections that walk all of it; frozen, they do
    not. The process was frozen by the AppTest runs, so it is unfrozen first for the baseline."""
    with ExtractClient(url) as client:
        job = client.get_job(job_id)
    flat = flatten_job(job)
    gc.unfreeze()
    gc.collect()
    walked = timed("300,000 allocations, job alive (baseline)", allocate_small_objects)
    gc.freeze()
    frozen = timed("300,000 allocations, job frozen", allocate_small_objects)
    print(f"{'baseline / frozen':<44} {walked / frozen:8.1f} x")
    del job, flat


TABLE = '[data-testid="stDataFrame"] canvas'
FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
RETURNING_VISITS = 5


def open_and_time(page, url: str, ready: str) -> tuple[float, float]:
    """Navigate to ``url``; seconds until ``ready`` is on screen, and until the script run has finished.
    No settling pause is counted: the clock stops when the element is there."""
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator(ready).first.wait_for(timeout=300_000)
    shown = time.perf_counter() - started
    page.locator(FINISHED).wait_for(state="attached", timeout=300_000)
    return shown, time.perf_counter() - started


def report(label: str, shown: float, finished: float, baseline: Optional[float] = None, what: str = "") -> None:
    ratio = f"; {shown / baseline:.2f} x {what}" if baseline else ""
    print(f"{label:<58} {shown:8.3f} s  (run finished {finished:.3f} s{ratio})")


FLOOR_SCRIPT = """import pandas as pd
import streamlit as st

st.dataframe(pd.DataFrame({"date": ["2023-01-01"] * 50, "description": ["a payment"] * 50,
                           "amount": [-12.5] * 50, "balance": [100.25] * 50}))
"""


def floor_app(directory: Path) -> RunningApp:
    """A Streamlit app holding nothing but one 50-row ``st.dataframe``: the framework's own floor on this
    machine, which no page with a table can go below."""
    script = directory / "floor.py"
    script.write_text(FLOOR_SCRIPT)
    return start_app(directory / "floor", script=str(script))


def browser(url: str, job_id: str, small_id: str, data_dir: Path) -> None:
    """The job page in headless Chromium, timed until the table is on screen, against a 10-row job of the
    same kind in the same browser state (what the 10,000 rows add) and the app's Home page:

    - a fresh browser profile that has only seen the Home page, opening the job first after the app
      started (nothing cached anywhere); then fresh profiles with the app warm, the big and the small job;
    - a returning browser (the app's scripts cached by an earlier visit, as on every visit after the
      first), each visit a new app session: medians of several, with a bare page holding one 50-row
      ``st.dataframe`` as the framework's floor.
    """
    from playwright.sync_api import sync_playwright

    data_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        floor = floor_app(data_dir)
        stack.callback(floor.stop)
        floor_url = floor.url
        app = start_app(data_dir, env={"STUDIO_SERVER_URL": url})
        stack.callback(app.stop)
        job_url, small_url, home_url = (f"{app.url}/results?job={job_id}", f"{app.url}/results?job={small_id}", app.url)
        home_ready = '[data-testid="stHeading"]'
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

            def fresh(target: str) -> tuple[float, float]:
                page = chromium.new_context(viewport=VIEWPORT).new_page()
                open_and_time(page, home_url, home_ready)
                timing = open_and_time(page, target, TABLE)
                page.context.close()
                return timing

            report("browser, fresh profile, first open since the app started", *fresh(job_url))
            small = fresh(small_url)
            report("browser, fresh profile, the 10-row job", *small)
            report("browser, fresh profile, the big job", *fresh(job_url), small[0], "the 10-row job")
            context = chromium.new_context(viewport=VIEWPORT)
            page = context.new_page()
            open_and_time(page, job_url, TABLE)
            open_and_time(page, floor_url, TABLE)
            homes, bigs, smalls, floors = [], [], [], []
            for _ in range(RETURNING_VISITS):
                floors.append(open_and_time(page, floor_url, TABLE)[0])
                homes.append(open_and_time(page, home_url, home_ready)[0])
                smalls.append(open_and_time(page, small_url, TABLE))
                bigs.append(open_and_time(page, job_url, TABLE))
            floor = statistics.median(floors)
            print(f"{'browser, returning: one bare st.dataframe (the floor)':<58} {floor:8.3f} s")
            home = statistics.median(homes)
            small_shown = statistics.median(seconds for seconds, _ in smalls)
            print(f"{'browser, returning: the Home page (median)':<58} {home:8.3f} s")
            report(f"browser, returning: the 10-row job (median of {RETURNING_VISITS})", small_shown,
                   statistics.median(seconds for _, seconds in smalls), home, "the Home page")
            report(f"browser, returning: the big job (median of {RETURNING_VISITS})",
                   statistics.median(seconds for seconds, _ in bigs), statistics.median(seconds for _, seconds in bigs),
                   small_shown, "the 10-row job")
            big = statistics.median(seconds for seconds, _ in bigs)
            print(f"{'browser, returning: the big job / the floor':<58} {big / floor:8.2f} x")
            print(f"{'browser, returning: the big job, slowest visit':<58} {max(seconds for seconds, _ in bigs):8.3f} s")
            context.close()
            chromium.close()


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
            small_id = big_job(server.url, 10)
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
            collections(server.url, job_id)
            styling(server.url, job_id)
            if args.browser:
                browser(server.url, job_id, small_id, Path(tmp) / "app")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
