"""Review progress: how many values are reviewed, how many flagged values are left, and which is next.

A reviewer of a long result needs two things the tables do not show by themselves: how far along the
review is, and where the next value that needs a human is. Flagged means below the analyst's threshold;
a value counts as reviewed once it was confirmed, corrected or cleared, or its row (or the document) was
approved or rejected. Everything here works on the long table of reviewable values of
:func:`lib.review.cells.review_values` and the store's current state, without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

import numpy as np
import pandas as pd

from lib.review.store import VALUE_ACTIONS, Item, ReviewEvent


@dataclass(frozen=True)
class Progress:
    """Counts for one job (or a batch, summed)."""

    total: int
    reviewed: int
    flagged: int
    flagged_left: int

    @property
    def fraction(self) -> float:
        return self.reviewed / self.total if self.total else 1.0

    def __add__(self, other: "Progress") -> "Progress":
        return Progress(
            self.total + other.total,
            self.reviewed + other.reviewed,
            self.flagged + other.flagged,
            self.flagged_left + other.flagged_left,
        )


EMPTY = Progress(0, 0, 0, 0)


def reviewed_mask(values: pd.DataFrame, reviews: Mapping[Item, ReviewEvent]) -> pd.Series:
    """Per reviewable value (rows of ``values``: columns ``row`` and ``path``), whether it has been
    reviewed, directly or through a decision on its row or on the document."""
    if values.empty or not reviews:
        return pd.Series(False, index=values.index, dtype=bool)
    if any(not item.is_value and item.row is None for item in reviews):
        return pd.Series(True, index=values.index, dtype=bool)
    touched = [(item.row, item.path) for item, event in reviews.items() if item.is_value and event.action in VALUE_ACTIONS]
    decided_rows = [item.row for item in reviews if not item.is_value]
    keys = pd.MultiIndex.from_arrays([values["row"].to_numpy(), values["path"].to_numpy()])
    mask = keys.isin(touched) if touched else np.zeros(len(values), dtype=bool)
    return pd.Series(mask, index=values.index) | values["row"].isin(decided_rows)


def flagged_mask(values: pd.DataFrame, threshold: float) -> pd.Series:
    """Values whose confidence is below the threshold (a value with no score is not flagged: there is
    no evidence either way, and the band summary counts those on their own)."""
    return values["confidence"].lt(threshold).fillna(False).astype(bool)


def progress(values: pd.DataFrame, reviews: Mapping[Item, ReviewEvent], threshold: float) -> Progress:
    """The review progress of one job."""
    reviewed = reviewed_mask(values, reviews)
    flagged = flagged_mask(values, threshold)
    return Progress(len(values), int(reviewed.sum()), int(flagged.sum()), int((flagged & ~reviewed).sum()))


def batch_progress(parts: Iterable[Progress]) -> Progress:
    """The progress of several jobs reviewed together."""
    return sum(parts, EMPTY)


def next_flagged(
    values: pd.DataFrame,
    reviews: Mapping[Item, ReviewEvent],
    threshold: float,
    after: Optional[Item] = None,
) -> Optional[Item]:
    """The next flagged value not yet reviewed, in table order (row, then field), after ``after``;
    wraps around to the start; None when no flagged value is left."""
    left = values[flagged_mask(values, threshold) & ~reviewed_mask(values, reviews)]
    if left.empty:
        return None
    if after is not None:
        position = _position(values, after)
        later = left[left.index > position] if position is not None else left
        if not later.empty:
            left = later
    first = left.iloc[0]
    return Item(int(first["row"]), str(first["path"]))


def _position(values: pd.DataFrame, item: Item) -> Optional[int]:
    hits = values.index[(values["row"] == item.row) & (values["path"] == item.path)]
    return int(hits[0]) if len(hits) else None
