"""What the local engine takes from ``system_prompt``: label hints and reading conventions.

There is no language model here, so the prompt is read for the few instructions a rule-based
extractor can honour, and everything else in it is ignored:

- a sentence that names a field and quotes a phrase ("The invoice number is labelled
  'Ref.'") adds the quoted phrase as a label for that field;
- "day first" / "DD/MM" / "European dates" reads ambiguous numeric dates day-first,
  "month first" / "MM/DD" / "US dates" month-first;
- "decimal comma" / "European numbers" reads ``1.234`` as one point two three four and
  ``12,50`` as twelve and a half; "decimal point" the other way round.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Optional

from lib.engine.locate import fold_label, split_name
from lib.engine.values import Conventions

_DAY_FIRST = re.compile(r"day[- ]first|dd[/.]mm|european dates|\bdmy\b", re.I)
_MONTH_FIRST = re.compile(r"month[- ]first|mm[/.]dd|us dates|american dates|\bmdy\b", re.I)
_DECIMAL_COMMA = re.compile(r"decimal comma|european (numbers|amounts)|comma as (the )?decimal", re.I)
_DECIMAL_POINT = re.compile(r"decimal point|point as (the )?decimal|us (numbers|amounts)", re.I)
_QUOTED = re.compile(r"['\"“‘]([^'\"”’]{1,40})['\"”’]")


def label_hints(prompt: Optional[str], field_names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Field name -> extra label phrases quoted next to it in the prompt."""
    if not prompt:
        return {}
    out: dict[str, list[str]] = {}
    names = {name: split_name(name) for name in field_names}
    for sentence in re.split(r"(?<=[.!?;])\s+|\n", prompt):
        folded = f" {fold_label(sentence)} "
        quoted = _QUOTED.findall(sentence)
        if not quoted:
            continue
        for name, spoken in names.items():
            if spoken and f" {spoken} " in folded:
                out.setdefault(name, []).extend(q for q in quoted if fold_label(q) != spoken)
    return {k: tuple(v) for k, v in out.items() if v}


def prompt_conventions(prompt: Optional[str], detected: Conventions) -> Conventions:
    """The document's detected conventions, overridden where the prompt says otherwise."""
    if not prompt:
        return detected
    out = detected
    if _DAY_FIRST.search(prompt):
        out = replace(out, day_first=True)
    elif _MONTH_FIRST.search(prompt):
        out = replace(out, day_first=False)
    if _DECIMAL_COMMA.search(prompt):
        out = replace(out, decimal_comma=True)
    elif _DECIMAL_POINT.search(prompt):
        out = replace(out, decimal_comma=False)
    return out
