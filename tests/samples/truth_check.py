"""Reading printed text back into typed values, independently of the generators' formatting code.

Tests use it to confirm that what a sample says it printed really means the value in its
ground truth (a date printed "5 March 2024" is "2024-03-05"; "1.234,56 €" is 1234.56).
"""

from __future__ import annotations

import re
from typing import Any

from dateutil import parser as dateparser

TRUE_TEXTS = {"[X]", "Yes", "shall renew automatically"}
FALSE_TEXTS = {"[ ]", "No", "shall not renew automatically"}
_EU = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{2}$")


def parse_number(text: str) -> float:
    core = re.sub(r"[^\d.,\-]", "", text)
    if _EU.match(core):
        core = core.replace(".", "").replace(",", ".")
    else:
        core = core.replace(",", "")
    return float(core)


def parse_date(text: str) -> str:
    return dateparser.parse(text, dayfirst="." in text).date().isoformat()


def reads_as(printed: str, expected: Any) -> bool:
    """Whether ``printed`` denotes ``expected`` (the truth's own type decides how to read it)."""
    if isinstance(expected, bool):
        return printed.strip() in (TRUE_TEXTS if expected else FALSE_TEXTS)
    if isinstance(expected, (int, float)):
        return abs(parse_number(printed) - expected) < 1e-9
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(expected)):
        return parse_date(printed) == expected
    return printed.strip().lower() == str(expected).lower() or str(expected).lower() in printed.lower()
