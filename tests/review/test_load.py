"""Loading a finished job for review, against the real local server: the three parts agree, an
unfinished or unknown job is refused as the page expects, what is kept for the process can be
dropped without leaving cyclic garbage behind (which is what makes freezing it safe), and the cache
loads each job once, keeps no failure and drops the least recently used."""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor

import pytest

from lib.client import ExtractClient, JobFailedError, NotFoundError
from lib.review.load import JobCache, NotFinished, load_finished
from lib.samples import make_sample
from tests.support.jobs import finished_job


@pytest.fixture(scope="module")
def statement_job(local_server) -> str:
    sample = make_sample("bank_statement", fmt="csv", rows=300)
    return finished_job(local_server.url, sample, sample.row_schema, "per_table_row").id


def test_a_finished_job_loads_with_its_table_and_values(local_server, statement_job) -> None:
    with ExtractClient(local_server.url) as client:
        loaded = load_finished(client.get_job, statement_job)
    assert loaded.job.id == statement_job and loaded.job.status == "COMPLETED"
    assert len(loaded.flat.values) == 300
    fields = [c.name for c in loaded.flat.columns if c.kind == "scalar"]
    assert len(loaded.values) == 300 * len(fields)
    assert loaded.values["confidence"].notna().all()


def test_a_job_that_did_not_complete_is_not_finished(local_server) -> None:
    with ExtractClient(local_server.url) as client:
        upload = client.upload_file(b"%PDF-1.4 this is not a PDF", name="broken.pdf", purpose="extract")
        job = client.create_job(upload.id, configuration={"data_schema": {"type": "object", "properties": {"a": {"type": "string"}}}})
        with pytest.raises(JobFailedError):
            client.wait(job.id, timeout=120)
        with pytest.raises(NotFinished, match="FAILED"):
            load_finished(client.get_job, job.id)


def test_an_unknown_job_is_the_clients_not_found(local_server) -> None:
    with ExtractClient(local_server.url) as client, pytest.raises(NotFoundError):
        load_finished(client.get_job, "ext-00000000-0000-0000-0000-000000000000")


def _tracked_from(root: object) -> set[int]:
    """The ids of every object the collector tracks that ``root`` reaches."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or not gc.is_tracked(item):
            continue
        seen.add(id(item))
        stack.extend(gc.get_referents(item))
    return seen


def test_a_loaded_job_forms_no_reference_cycles(local_server, statement_job) -> None:
    """Loading freezes what it built; dropped, all of it must be freed by reference counting, leaving the
    collector nothing of it to find. Only the loaded objects are looked at: other threads of the test
    process may make cyclic garbage of their own meanwhile."""
    with ExtractClient(local_server.url) as client:
        loaded = load_finished(client.get_job, statement_job)
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    gc.collect()
    reached = _tracked_from(loaded)
    assert len(reached) > 1000, "the walk reached the job's contents"
    del loaded
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        left = [type(item).__name__ for item in gc.garbage if id(item) in reached]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []


class CountingGet:
    """The client's get_job, counting the calls (the cache's whole point is to make fewer)."""

    def __init__(self, client: ExtractClient) -> None:
        self.client = client
        self.calls: list[str] = []

    def __call__(self, job_id: str):
        self.calls.append(job_id)
        return self.client.get_job(job_id)


def test_the_cache_loads_a_job_once_however_many_ask_at_once(local_server, statement_job) -> None:
    cache = JobCache()
    with ExtractClient(local_server.url) as client:
        get = CountingGet(client)
        with ThreadPoolExecutor(max_workers=4) as pool:
            loaded = list(pool.map(lambda _: cache.get(("b", statement_job), get, statement_job), range(4)))
        assert get.calls == [statement_job]
        assert all(item is loaded[0] for item in loaded)
        assert cache.get(("b", statement_job), get, statement_job) is loaded[0] and len(get.calls) == 1


def test_a_failed_load_is_not_kept(local_server) -> None:
    cache = JobCache()
    missing = "ext-00000000-0000-0000-0000-000000000000"
    with ExtractClient(local_server.url) as client:
        get = CountingGet(client)
        for _ in range(2):
            with pytest.raises(NotFoundError):
                cache.get(("b", missing), get, missing)
        assert get.calls == [missing, missing] and ("b", missing) not in cache


def test_the_least_recently_used_job_is_dropped_first(local_server, statement_job) -> None:
    cache = JobCache(size=2)
    with ExtractClient(local_server.url) as client:
        get = CountingGet(client)
        for key in ("a", "b", "a", "c"):
            cache.get(key, get, statement_job)
        assert "a" in cache and "c" in cache and "b" not in cache
        assert len(get.calls) == 3


def test_a_prefetched_job_opens_without_another_fetch(local_server, statement_job) -> None:
    cache = JobCache()
    with ExtractClient(local_server.url) as client:
        get = CountingGet(client)
        cache.prefetch("k", get, statement_job)
        cache.prefetch("k", get, statement_job)
        loaded = cache.get("k", get, statement_job)
        assert loaded.job.id == statement_job and get.calls == [statement_job]
        cache.prefetch("missing", get, "ext-00000000-0000-0000-0000-000000000000")
        cache._background.submit(lambda: None).result(timeout=60)
        assert "missing" not in cache, "a prefetch that fails is quietly not kept"
