"""A finished job made ready to review: fetched once, flattened, and its long table of values built.

The Results page keeps what this returns for the life of the app process (a COMPLETED job does not
change), so it is built under ``kept_for_the_process``: no collections while it is built, and none that
walk it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from lib.api.models import ExtractV2Job
from lib.gcpause import kept_for_the_process
from lib.review.cells import review_values
from lib.review.flatten import FlatJob, flatten_job


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


def load_finished(get_job: Callable[[str], ExtractV2Job], job_id: str) -> LoadedJob:
    """The job ``job_id`` ready to review, fetched with ``get_job`` (the client's, so that the fetch and
    its parse happen under the same pause while this package stays free of HTTP); :class:`NotFinished`
    when it has not COMPLETED, and the client's errors (not found, unreachable) as they are."""
    with kept_for_the_process():
        job = get_job(job_id)
        if job.status != "COMPLETED":
            raise NotFinished(job)
        flat = flatten_job(job)
        return LoadedJob(job, flat, review_values(flat))
