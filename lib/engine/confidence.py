"""Confidence: how much to trust each value, computed from the evidence that produced it.

Three numbers per leaf, as the Extract v2 API names them:

- ``parsing_confidence``: how reliably the text itself was read: 1.0 for a born-digital
  text layer, the OCR recognition score of the cited line(s) for recognised text;
- ``extraction_confidence``: how strongly the evidence ties this value to this field:
  the candidate's own evidence (label match quality x layout structure x type validity),
  discounted by ambiguity: the closer the best *competing* value scores to the chosen one,
  the lower the confidence (two equally good "Total:" lines with different amounts give
  barely more than a coin flip);
- ``confidence``: their combination (the product: a value is only as good as both the
  reading and the matching).

A field the document does not answer has all three at 0. The weights below were tuned
with ``bench/accuracy.py`` so that higher bands are right more often.
"""

from __future__ import annotations

from typing import Optional, Sequence

# How much a rival of equal score takes away (1.0 would drive a perfect tie to 0).
AMBIGUITY_WEIGHT = 0.6
# Table cells: a cell under a well-matched header in a well-matched table is strong evidence.
CELL_FLOOR = 0.5


def ambiguity_discount(best: float, rival: Optional[float]) -> float:
    """1.0 without a competitor; falls towards ``1 - AMBIGUITY_WEIGHT`` as a rival with a
    different value approaches the best score."""
    if not rival or best <= 0:
        return 1.0
    ratio = min(1.0, rival / best)
    return 1.0 - AMBIGUITY_WEIGHT * ratio ** 2


def extraction_confidence(best_score: float, rival_scores: Sequence[float]) -> float:
    rival = max(rival_scores) if rival_scores else None
    return _clip(best_score * ambiguity_discount(best_score, rival))


def cell_confidence(column_quality: float, table_quality: float, type_quality: float) -> float:
    """A table cell: header match of its column, how well the whole table matched the item
    schema, and whether the cell text fitted the type."""
    return _clip(column_quality * (CELL_FLOOR + (1 - CELL_FLOOR) * table_quality) * type_quality)


def combine(extraction: float, parsing: float) -> float:
    return _clip(extraction * parsing)


def _clip(x: float) -> float:
    return round(max(0.0, min(1.0, x)), 4)
