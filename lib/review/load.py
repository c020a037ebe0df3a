"""Finished jobs made ready to review: fetched once, flattened, their long table of values built, and
kept for the process in a small cache that the Results page reads and the job table fills ahead.

A COMPLETED job does not change, so it is loaded once per app process. Loading a 10,000-row job (an
11 MB answer) takes about half a second; the live job table therefore asks for the newest finished
jobs as soon as it sees them finish (``JOBS.prefetch``), so that opening one is immediate. What is
kept is built under ``kept_for_the_process``: no collections while it is built, none that walk it
afterwards.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Hashable

import pandas as pd

from lib.api.models import ExtractV2Job
from lib.gcpause import kept_for_the_process
from lib.review.cells import review_values
from lib.review.flatten import FlatJob, flatten_job

GetJob = Callable[[str], ExtractV2Job]


class NotFinished(Exception):
    """The job has no result to review yet (or never will: FAILED, CANCELLED)."""

    def __init__(self, job: ExtractV2Job) -> None:
        self.job = job
        super().__init__(f"Job {job.id} is {job.status}" + (f": {job.error_message}" if job.error_message else "."))


@dataclass(frozen=True)
class LoadedJob:
    """The job as the API returned it, its flattening, and one row per reviewable value."""

    job: ExtractV2Job
    flat: FlatJob
    values: pd.DataFrame


def load_finished(get_job: GetJob, job_id: str) -> LoadedJob:
    """The job ``job_id`` ready to review, fetched with ``get_job`` (the client's, so that the fetch and
    its parse happen under the same pause while this package stays free of HTTP); :class:`NotFinished`
    when it has not COMPLETED, and the client's errors (not found, unreachable) as they are."""
    with kept_for_the_process():
        job = get_job(job_id)
        if job.status != "COMPLETED":
            raise NotFinished(job)
        flat = flatten_job(job)
        return LoadedJob(job, flat, review_values(flat))


class JobCache:
    """At most ``size`` loaded jobs, the least recently used dropped first. Each job is loaded once at
    a time: whoever asks while it loads waits for that load. A failed load (not finished, not found,
    unreachable) is not kept, so the next ask tries again."""

    def __init__(self, size: int = 6) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Future[LoadedJob]] = OrderedDict()
        self._lock = threading.Lock()
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-prefetch")

    def get(self, key: Hashable, get_job: GetJob, job_id: str) -> LoadedJob:
        """The loaded job under ``key`` (say, backend and job ID), loading it here if nobody has."""
        with self._lock:
            future = self._entries.get(key)
            loads_here = future is None
            if future is None:
                future = self._entries[key] = Future()
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(key)
        if loads_here:
            self._load(key, future, get_job, job_id)
        return future.result()

    def prefetch(self, key: Hashable, get_job: GetJob, job_id: str) -> None:
        """Load the job in the background unless it is loaded or loading; its errors are kept quiet
        (the page meets them, with its message, if the job is opened)."""
        with self._lock:
            if key in self._entries:
                return
        self._background.submit(self._quietly, key, get_job, job_id)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            future = self._entries.get(key)
        return future is not None and future.done() and future.exception() is None

    def _load(self, key: Hashable, future: Future[LoadedJob], get_job: GetJob, job_id: str) -> None:
        try:
            future.set_result(load_finished(get_job, job_id))
        except BaseException as error:
            with self._lock:
                if self._entries.get(key) is future:
                    del self._entries[key]
            future.set_exception(error)

    def _quietly(self, key: Hashable, get_job: GetJob, job_id: str) -> None:
        try:
            self.get(key, get_job, job_id)
        except Exception:  # noqa: BLE001 - a prefetch that fails is simply not kept (see prefetch)
            pass


JOBS = JobCache()
"""The app process's cache of loaded jobs."""
