"""Several jobs of the same file side by side, value by value.

Two tiers, or two versions of a schema, run on one document: the analyst wants to see where they
disagree, not read two tables. Values are matched by (row, path) of the flattening's long table, so a
field missing from one job shows as empty there rather than shifting the rows.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from lib.review.cells import review_values
from lib.review.flatten import FlatJob, display_text

DIFFERS = "differs"


def diff_values(flats: Mapping[str, FlatJob]) -> pd.DataFrame:
    """One row per (row, path) found in any job; one value column and one confidence column per job
    label, and ``differs`` when the jobs do not all give the same value."""
    merged: pd.DataFrame | None = None
    labels = list(flats)
    for label, flat in flats.items():
        long = review_values(flat)[["row", "path", "value", "confidence"]]
        long = long.assign(value=[display_text(v) for v in long["value"].tolist()])
        long = long.rename(columns={"value": label, "confidence": f"{label} confidence"})
        merged = long if merged is None else merged.merge(long, on=["row", "path"], how="outer", sort=False)
    if merged is None:
        return pd.DataFrame(columns=["row", "path", DIFFERS])
    shown = merged[labels].map(_comparable)
    merged[DIFFERS] = shown.nunique(axis=1, dropna=False) > 1
    return merged[["row", "path", *labels, DIFFERS, *[f"{label} confidence" for label in labels]]]


def _comparable(value: object) -> object:
    """Values as compared: empty is empty whatever its spelling, and 12 equals 12.0."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value
