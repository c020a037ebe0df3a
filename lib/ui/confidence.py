"""The confidence scale: bands around the analyst's threshold, their colours, and cell styling.

One scale for every table, chart and legend, so "red" means the same thing everywhere: below the
threshold the engine is unsure and a person should look; between the threshold and halfway to 1 it
is fair; above that, high. A value without a score is grey, never guessed.

Styling goes through pandas' Styler and is applied only to the rows on screen (a page of a large
result), because styling 100,000 cells costs seconds while styling one page costs milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler


@dataclass(frozen=True)
class Band:
    name: str
    colour: str
    background: str


LOW = Band("below threshold", "#d9480f", "#ffd8cc")
FAIR = Band("fair", "#e8a200", "#fff1c2")
HIGH = Band("high", "#2b8a3e", "#d3f0d9")
UNSCORED = Band("no score", "#868e96", "#eceff1")
BANDS: tuple[Band, ...] = (LOW, FAIR, HIGH, UNSCORED)


def band_of(confidence: Optional[float], threshold: float) -> Band:
    """The band of one score: below the threshold, fair up to halfway to 1, high above."""
    if confidence is None or (isinstance(confidence, float) and math.isnan(confidence)):
        return UNSCORED
    if confidence < threshold:
        return LOW
    return FAIR if confidence < (1 + threshold) / 2 else HIGH


def band_names(confidence: pd.Series, threshold: float) -> pd.Series:
    """The band name of every score of a column, vectorised (used for counts and charts)."""
    names = pd.Series(UNSCORED.name, index=confidence.index, dtype=object)
    scored = confidence.notna()
    names[scored & (confidence < threshold)] = LOW.name
    names[scored & (confidence >= threshold) & (confidence < (1 + threshold) / 2)] = FAIR.name
    names[scored & (confidence >= (1 + threshold) / 2)] = HIGH.name
    return names


def band_counts(confidence: pd.Series, empty: pd.Series, threshold: float) -> dict[str, int]:
    """How many values fall in each band, plus how many are empty (no value extracted at all)."""
    counts = band_names(confidence, threshold).value_counts()
    summary = {band.name: int(counts.get(band.name, 0)) for band in BANDS}
    summary["empty"] = int(empty.sum())
    return summary


def distribution_by_field(fields: pd.Series, confidence: pd.Series, threshold: float) -> pd.DataFrame:
    """Per field, how many of its values fall in each band: the chart of which fields the engine is
    unsure of. One row per field, one column per band, fields with the most low values first."""
    table = pd.crosstab(fields.rename("field"), band_names(confidence, threshold).rename("band"))
    table = table.reindex(columns=[band.name for band in BANDS], fill_value=0)
    return table.sort_values([LOW.name, FAIR.name], ascending=False).rename_axis(columns=None)


def cell_css(confidence: Optional[float], threshold: float) -> str:
    band = band_of(confidence, threshold)
    return f"background-color: {band.background}"


def style_window(values: pd.DataFrame, confidence: pd.DataFrame, threshold: float) -> Styler:
    """A Styler colouring each value cell of ``values`` by the score at the same place in
    ``confidence``. Pass only the visible window: the cost is per cell styled. Columns without a
    score column stay unstyled."""
    scored = [column for column in values.columns if column in confidence.columns]
    scores = confidence.reindex(index=values.index, columns=scored)
    styles = pd.DataFrame("", index=values.index, columns=values.columns)
    for column in scored:
        styles[column] = [cell_css(None if pd.isna(s) else float(s), threshold) for s in scores[column]]
    return values.style.apply(lambda _frame: styles, axis=None)


def style_rows(frame: pd.DataFrame, confidence: pd.Series, columns: list[str], threshold: float) -> Styler:
    """A Styler colouring ``columns`` of each row by that row's score (the long per_doc fields table,
    where each row is one value)."""
    scores = confidence.reindex(frame.index)

    def css(row: pd.Series) -> list[str]:
        style = cell_css(scores.get(row.name), threshold)
        return [style if column in columns else "" for column in row.index]

    return frame.style.apply(css, axis=1)


def legend(threshold: float) -> None:
    """The scale, in one line of coloured chips, with the threshold's numbers."""
    halfway = (1 + threshold) / 2
    ranges = {
        LOW.name: f"< {threshold:.2f}",
        FAIR.name: f"{threshold:.2f}–{halfway:.2f}",
        HIGH.name: f"≥ {halfway:.2f}",
        UNSCORED.name: "no confidence given",
    }
    chips = " ".join(
        f"<span style='background:{band.background};border-left:4px solid {band.colour};"
        f"padding:2px 8px;margin-right:6px;border-radius:3px'>{band.name} {ranges[band.name]}</span>"
        for band in BANDS
    )
    st.markdown(chips, unsafe_allow_html=True)
