"""The confidence scale's text: numbers shown as extracted, scores with three decimals, and the legend's
chips with their counts."""

from __future__ import annotations

import math

import pandas as pd

from lib.ui.confidence import legend_html, number_text, score_text, style_rows, style_window


def test_numbers_read_as_extracted_not_with_six_decimals() -> None:
    assert number_text(-127.59) == "-127.59"
    assert number_text(3583.55) == "3583.55"
    assert number_text(math.nan) == "" and number_text(None) == ""
    assert number_text(12) == "12"
    assert score_text(0.65234) == "0.652" and score_text(math.nan) == ""


def test_styled_tables_show_those_numbers() -> None:
    values = pd.DataFrame({"amount": [-127.59, math.nan], "name": ["a", "b"]})
    confidence = pd.DataFrame({"amount": [0.5, 0.95], "name": [0.9, 0.2]})
    html = style_window(values, confidence, 0.8).to_html()
    assert "-127.59<" in html and "-127.590000" not in html and "nan" not in html
    rows = pd.DataFrame({"value": ["x"], "confidence": [0.65234]})
    assert ">0.652<" in style_rows(rows, rows["confidence"], ["value"], 0.8).to_html()


def test_the_legend_counts_each_band_and_the_empty_values() -> None:
    counts = {"below threshold": 1200, "fair": 0, "high": 3, "no score": 4, "empty": 5}
    html = legend_html(0.8, counts)
    for text in ("below threshold < 0.80 · <b>1,200</b>", "fair 0.80–0.90 · <b>0</b>", "high ≥ 0.90 · <b>3</b>",
                 "no score no confidence given · <b>4</b>", "empty · <b>5</b>"):
        assert text in html
    assert "<b>" not in legend_html(0.8)
