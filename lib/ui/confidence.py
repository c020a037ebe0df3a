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
from typing import Any, Callable, Mapping, Optional

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


def _missing(value: Any) -> bool:
    """None or NaN: how a frame says there is no score or no number."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def band_of(confidence: Optional[float], threshold: float) -> Band:
    """The band of one score: below the threshold, fair up to halfway to 1, high above."""
    if _missing(confidence):
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
    return values.style.apply(lambda _frame: styles, axis=None).format(_number_formats(values))


def style_rows(frame: pd.DataFrame, confidence: pd.Series, columns: list[str], threshold: float) -> Styler:
    """A Styler colouring ``columns`` of each row by that row's score (the long per_doc fields table,
    where each row is one value)."""
    scores = confidence.reindex(frame.index)

    def css(row: pd.Series) -> list[str]:
        style = cell_css(scores.get(row.name), threshold)
        return [style if column in columns else "" for column in row.index]

    formats = _number_formats(frame)
    if confidence.name in frame.columns:
        formats[confidence.name] = score_text
    return frame.style.apply(css, axis=1).format(formats)


def score_text(value: Any) -> str:
    """A confidence score with three decimals, as everywhere on the page; nothing when there is none."""
    return "" if _missing(value) else f"{float(value):.3f}"


def number_text(value: Any) -> str:
    """A number as it was extracted: the shortest text that reads back as the same value (``-127.59``,
    not the Styler's default ``-127.590000``), and nothing for a missing one."""
    if _missing(value):
        return ""
    return str(float(value)) if isinstance(value, float) else str(value)


def _number_formats(frame: pd.DataFrame) -> dict[str, Callable[[Any], str]]:
    """The formatter of every float column: a Styler otherwise prints six decimals and "nan"."""
    return {column: number_text for column in frame.columns if pd.api.types.is_float_dtype(frame[column])}


def legend_html(threshold: float, counts: Optional[Mapping[str, int]] = None) -> str:
    """The scale as one line of coloured chips with the threshold's numbers; with ``counts`` (from
    :func:`band_counts`) each chip also says how many values it holds, and a last chip how many are empty."""
    halfway = (1 + threshold) / 2
    ranges = {
        LOW.name: f"< {threshold:.2f}",
        FAIR.name: f"{threshold:.2f}–{halfway:.2f}",
        HIGH.name: f"≥ {halfway:.2f}",
        UNSCORED.name: "no confidence given",
    }
    chips = [(band, f"{band.name} {ranges[band.name]}" + (f" · <b>{counts[band.name]:,}</b>" if counts else "")) for band in BANDS]
    if counts:
        chips.append((Band("empty", "#495057", "#ffffff"), f"empty · <b>{counts['empty']:,}</b>"))
    return " ".join(
        f"<span style='background:{band.background};border-left:4px solid {band.colour};"
        f"padding:2px 8px;margin-right:6px;border-radius:3px;white-space:nowrap'>{text}</span>"
        for band, text in chips
    )


def legend(threshold: float, counts: Optional[Mapping[str, int]] = None) -> None:
    """Draw :func:`legend_html`."""
    st.markdown(legend_html(threshold, counts), unsafe_allow_html=True)
