"""Typed values: find a value of the schema's type inside a piece of text and normalise it.

Every parser here returns a ``Typed`` (the normalised value, the exact substring it came
from, and a quality in [0, 1] saying how cleanly the text fitted the type) or ``None``.
The substring matters: it becomes the citation's ``matching_text``, so it must be text that
really is on the page. The quality feeds the extraction confidence ("type validity").

Conventions that the text alone cannot settle (is 03/04/2024 March or April? is 1.234 one
thousand or one point two?) come from ``Conventions``, which the engine detects once per
document from its unambiguous values (see ``detect_conventions``) or takes from the system
prompt.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, Iterable, Optional

MONTHS = {
    "jan": 1, "january": 1, "janvier": 1, "januar": 1, "enero": 1,
    "feb": 2, "february": 2, "fevrier": 2, "février": 2, "februar": 2, "febrero": 2,
    "mar": 3, "march": 3, "mars": 3, "märz": 3, "marz": 3, "marzo": 3,
    "apr": 4, "april": 4, "avril": 4, "abril": 4,
    "may": 5, "mai": 5, "mayo": 5,
    "jun": 6, "june": 6, "juin": 6, "juni": 6, "junio": 6,
    "jul": 7, "july": 7, "juillet": 7, "juli": 7, "julio": 7,
    "aug": 8, "august": 8, "aout": 8, "août": 8, "agosto": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9, "septiembre": 9,
    "oct": 10, "october": 10, "octobre": 10, "oktober": 10, "octubre": 10,
    "nov": 11, "november": 11, "novembre": 11, "noviembre": 11,
    "dec": 12, "december": 12, "decembre": 12, "décembre": 12, "dezember": 12, "diciembre": 12,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))

CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CA$": "CAD", "C$": "CAD", "A$": "AUD",
                    "US$": "USD", "AU$": "AUD"}
CURRENCY_CODES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "INR", "SEK", "NOK", "DKK", "PLN", "CZK")
_CUR = r"(?:CA\$|C\$|A\$|US\$|AU\$|[$€£¥₹]|\b(?:" + "|".join(CURRENCY_CODES) + r")\b)"


@dataclass(frozen=True)
class Conventions:
    """How this document writes ambiguous values."""

    day_first: bool = False  # 03/04/2024 is 3 April
    decimal_comma: bool = False  # 1.234,56 and 12,50 style numbers


@dataclass(frozen=True)
class Typed:
    value: Any
    text: str  # the exact substring of the source text the value was read from
    start: int
    quality: float


# --- dates -------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?\b")
_NUM_DATE = re.compile(r"\b(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\b")
_YMD_SLASH = re.compile(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b")
_DMY_NAME = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?[ \-.]*({_MONTH_RE})\.?,?[ \-]*(\d{{4}})\b", re.I)
_MDY_NAME = re.compile(rf"\b({_MONTH_RE})\.?[ \-]*(\d{{1,2}})(?:st|nd|rd|th)?,?[ \-]+(\d{{4}})\b", re.I)
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\b")


def _mk_date(y: int, m: int, d: int) -> Optional[date]:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str, conv: Conventions) -> list[Typed]:
    """Every date in ``text``, normalised to ISO 8601 (``YYYY-MM-DD``)."""
    found: list[Typed] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], value: Optional[date], quality: float) -> None:
        span = match.span()
        if value is None or any(s < span[1] and span[0] < e for s, e in taken):
            return
        taken.append(span)
        found.append(Typed(value.isoformat(), match.group(0), span[0], quality))

    for m in _ISO_DATE.finditer(text):
        add(m, _mk_date(int(m[1]), int(m[2]), int(m[3])), 1.0)
    for m in _YMD_SLASH.finditer(text):
        add(m, _mk_date(int(m[1]), int(m[2]), int(m[3])), 1.0)
    for m in _DMY_NAME.finditer(text):
        add(m, _mk_date(int(m[3]), MONTHS[m[2].lower()], int(m[1])), 1.0)
    for m in _MDY_NAME.finditer(text):
        add(m, _mk_date(int(m[3]), MONTHS[m[1].lower()], int(m[2])), 1.0)
    for m in _NUM_DATE.finditer(text):
        a, b, y = int(m[1]), int(m[3]), int(m[4])
        if a > 12 >= b:
            add(m, _mk_date(y, b, a), 1.0)
        elif b > 12 >= a:
            add(m, _mk_date(y, a, b), 1.0)
        elif conv.day_first or m[2] == ".":
            add(m, _mk_date(y, b, a), 0.92)
        else:
            add(m, _mk_date(y, a, b), 0.92)
    found.sort(key=lambda t: t.start)
    return found


def find_datetimes(text: str, conv: Conventions) -> list[Typed]:
    """Dates with an optional time after them, as ISO 8601 ``YYYY-MM-DDTHH:MM:SS``."""
    out = []
    for d in find_dates(text, conv):
        end = d.start + len(d.text)
        iso = _ISO_DATE.match(text, d.start)
        if iso and iso[4]:
            hh, mm, ss = int(iso[4]), int(iso[5]), int(iso[6] or 0)
            out.append(Typed(f"{d.value}T{hh:02d}:{mm:02d}:{ss:02d}", d.text, d.start, 1.0))
            continue
        t = _TIME.match(text[end:].lstrip(" ,T@at"), 0)
        rest = text[end:]
        offset = len(rest) - len(rest.lstrip(" ,T@at"))
        if t and 0 <= int(t[1]) < 24 and int(t[2]) < 60:
            hh = int(t[1]) % 12 + (12 if (t[4] or "").lower() == "pm" else 0) if t[4] else int(t[1])
            stamp = datetime.fromisoformat(d.value).replace(hour=hh, minute=int(t[2]), second=int(t[3] or 0))
            matched = text[d.start : end + offset + t.end()]
            out.append(Typed(stamp.isoformat(), matched, d.start, 1.0))
        else:
            out.append(Typed(f"{d.value}T00:00:00", d.text, d.start, 0.8))
    return out


def find_times(text: str) -> list[Typed]:
    """Times of day as ``HH:MM`` (24-hour), from ``14:05``, ``2:05 PM`` or ``14:05:33``."""
    out = []
    for m in _TIME.finditer(text):
        hour, minute = int(m[1]), int(m[2])
        if m[4]:
            hour = hour % 12 + (12 if m[4].lower() == "pm" else 0)
        if hour < 24 and minute < 60:
            out.append(Typed(f"{hour:02d}:{minute:02d}", m.group(0), m.start(), 1.0))
    return out


# --- numbers and money -------------------------------------------------------------------------

_NUMBER = re.compile(
    rf"(?P<neg1>[-−–(])?\s?(?P<cur1>{_CUR})?\s?(?P<neg2>[-−–])?"
    r"(?P<num>\d{1,3}(?:[ .,'\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|[.,]\d+)"
    rf"(?!\d)(?:\s?(?P<cur2>{_CUR}))?(?P<pct>\s?%)?(?P<neg3>\))?"
)


_SEPARATORS = re.compile(r"[ .,']")
CONVENTION_SAMPLE = 3000  # lines read to detect the conventions
_DATEISH = re.compile(r"\d[./-]\d{1,2}[./-]\d|\d{4}-\d")


def _to_float(num: str, conv: Conventions) -> tuple[Optional[float], float]:
    """Turn a written number into a float, honouring thousands separators and the decimal mark.

    Returns the value and a quality: 1.0 when the separators leave no doubt, less when the
    document convention had to decide."""
    s = num.replace("\u00a0", " ").replace("\u202f", " ")
    seps = [c for c in s if c in " .,'"]
    if not seps:
        return float(s), 1.0
    last = max(s.rfind("."), s.rfind(","))
    distinct = set(seps)
    if len(distinct) > 1 or len(seps) > 1 and s[last] in ".," and s.count(s[last]) == 1:
        # e.g. 1.234,56 or 1,234.56 or 1 234,56: the last mark is the decimal mark
        dec = s[last]
        if s.count(dec) > 1:
            return None, 0.0
        whole = _SEPARATORS.sub("", s[:last])
        return float(f"{whole}.{s[last + 1:]}"), 1.0
    sep = seps[0]
    groups = _SEPARATORS.split(s)
    tail = groups[-1]
    if sep in " '":
        return float("".join(groups)), 1.0 if all(len(g) == 3 for g in groups[1:]) else 0.0
    if len(seps) > 1:  # 1,234,567 or 1.234.567
        return (float("".join(groups)), 1.0) if all(len(g) == 3 for g in groups[1:]) else (None, 0.0)
    if len(tail) != 3 or groups[0] == "" or groups[0] == "0":
        # 12,50 / 3.5 / 0.125: a decimal mark
        return float(f"{groups[0] or '0'}.{tail}"), 1.0 if (sep == ",") == conv.decimal_comma or sep == "." else 0.9
    # 1,234 or 1.234: thousands unless the document uses that mark as its decimal mark
    if (sep == ",") == conv.decimal_comma:
        return float(f"{groups[0]}.{tail}"), 0.8
    return float("".join(groups)), 0.9


@dataclass(frozen=True)
class Amount:
    value: float
    currency: Optional[str]
    percent: bool


def find_numbers(text: str, conv: Conventions) -> list[tuple[Typed, Amount]]:
    """Every number in ``text`` with its currency and percent sign, if any."""
    out = []
    for m in _NUMBER.finditer(text):
        raw = m["num"]
        value, quality = _to_float(raw, conv)
        if value is None:
            continue
        lead = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        before = text[lead - 1] if lead > 0 else " "
        if before.isalnum() or before in "-_/#" or (before == "." and lead > 1 and text[lead - 2].isalnum()):
            continue  # a number glued to letters (INV-2024) is part of an identifier
        after = text[m.end("num") : m.end("num") + 1]
        if (after.isalpha() and not m["cur2"] and not m["pct"]) or after in "-_/" and after != "" and \
                text[m.end("num") + 1 : m.end("num") + 2].isalnum() or _in_date(text, m.start("num")):
            continue
        negative = bool(m["neg2"]) or (bool(m["neg1"]) and m["neg1"] != "(") or (m["neg1"] == "(" and bool(m["neg3"]) and not m["pct"])
        cur = m["cur1"] or m["cur2"]
        currency = CURRENCY_SYMBOLS.get(cur, cur) if cur else None
        start = m.start() if negative or cur and m["cur1"] else m.start("num")
        end = m.end("cur2") if m["cur2"] else m.end("num")
        if m["pct"]:
            end = m.end("pct")
        if m["neg3"] and negative:
            end = m.end("neg3")
        matched = text[start:end].strip()
        start = text.index(matched, start)
        amount = Amount(-value if negative else value, currency, bool(m["pct"]))
        out.append((Typed(amount.value, matched, start, quality), amount))
    return out


def _in_date(text: str, pos: int) -> bool:
    return any(s <= pos < e for s, e in _date_spans(text))


@lru_cache(maxsize=4096)
def _date_spans(text: str) -> tuple[tuple[int, int], ...]:
    if not _DATEISH.search(text):
        return ()
    return tuple(m.span() for pattern in (_ISO_DATE, _NUM_DATE, _YMD_SLASH) for m in pattern.finditer(text))


# --- other scalars -----------------------------------------------------------------------------

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}(?![\w])")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;)]")
IDENT = re.compile(r"(?<![\w-])(?=[A-Za-z0-9/#._-]*\d)[A-Za-z0-9][A-Za-z0-9/#._-]*[A-Za-z0-9](?![\w-])|(?<![\w])\d(?![\w])")
TRUE_WORDS = {"yes", "y", "true", "paid", "x", "☑", "☒", "✓", "✔", "[x]", "checked", "on", "oui", "ja", "si", "sí"}
FALSE_WORDS = {"no", "n", "false", "unpaid", "☐", "[ ]", "unchecked", "off", "non", "nein", "none", "not paid", "due"}


def find_booleans(text: str) -> list[Typed]:
    words = re.finditer(r"\[[xX ]\]|[☑☒✓✔☐]|[A-Za-zÀ-ÿ]+(?: paid)?", text)
    out = []
    for m in words:
        token = m.group(0).lower()
        if token in TRUE_WORDS:
            out.append(Typed(True, m.group(0), m.start(), 1.0))
        elif token in FALSE_WORDS:
            out.append(Typed(False, m.group(0), m.start(), 1.0))
    return out


def match_enum(text: str, allowed: list[Any]) -> list[Typed]:
    """The allowed value(s) the text names, in the allowed spelling.

    Exact (case and punctuation folded) matches score 1.0; a close spelling (difflib ratio of
    at least 0.8, e.g. OCR noise or "Credit card" for "credit_card") scores the ratio."""
    strings = [a for a in allowed if isinstance(a, str)]
    folded_text = fold(text)
    out: list[Typed] = []
    for option in sorted(strings, key=len, reverse=True):
        key = fold(option)
        if not key:
            continue
        m = re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", folded_text)
        if m:
            raw = _unfold_span(text, m.start(), m.end())
            out.append(Typed(option, raw[0], raw[1], 1.0))
    if out:
        return out
    best: tuple[float, Optional[str]] = (0.0, None)
    for option in strings:
        ratio = difflib.SequenceMatcher(None, fold(option), folded_text.strip()).ratio()
        if ratio > best[0]:
            best = (ratio, option)
    if best[1] is not None and best[0] >= 0.8:
        stripped = text.strip()
        return [Typed(best[1], stripped, text.index(stripped), best[0])]
    return out


def fold(text: str) -> str:
    """Lower case, separators (``_ - . /``) as spaces, runs of spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"[_\-./]+", " ", text.lower())).strip()


def _unfold_span(text: str, start: int, end: int) -> tuple[str, int]:
    """Map a span of ``fold(text)`` back onto ``text`` (folding only squeezes spaces)."""
    folded_index = []
    out = re.sub(r"[_\-./]+", " ", text.lower())
    prev_space = True
    for i, ch in enumerate(out):
        if ch.isspace():
            if prev_space:
                continue
            prev_space = True
        else:
            prev_space = False
        folded_index.append(i)
    lead = 0
    s = folded_index[min(start + lead, len(folded_index) - 1)]
    e = folded_index[min(end - 1 + lead, len(folded_index) - 1)] + 1
    return text[s:e], s


# --- dispatch by schema type -------------------------------------------------------------------


def typed_candidates(text: str, kind: str, fmt: Optional[str], enum: Optional[list[Any]], conv: Conventions,
                     hint: str = "") -> list[Typed]:
    """Values of the given schema type found in ``text``, in reading order.

    ``hint`` is the field's folded name/title; it picks among string sub-kinds (an email
    field takes the email, an ID field the identifier token)."""
    if enum:
        return match_enum(text, enum)
    if kind == "boolean":
        return find_booleans(text)
    if kind in ("number", "integer"):
        nums = find_numbers(text, conv)
        if not _RATE_HINT.search(hint):
            nums = [(t, a) for t, a in nums if not a.percent]  # "VAT (19%)" is not the VAT amount
        if kind == "integer":
            ints = [(t, a) for t, a in nums if float(a.value).is_integer()]
            return [Typed(int(t.value), t.text, t.start, t.quality) for t, _ in ints]
        return [t for t, _ in nums]
    if fmt == "date":
        return find_dates(text, conv)
    if fmt == "date-time":
        return find_datetimes(text, conv)
    return string_candidates(text, fmt, hint, conv)


# An identifier field: its name ends in an ID word ("invoice number", "iban"); "account holder" is a name.
_ID_HINT = re.compile(r"\b(number|no|num|nr|id|ref|reference|iban|account|invoice|order|po|vat|sku|tracking)$")
_PHONE_HINT = re.compile(r"\b(phone|tel|telephone|mobile|fax|cell)\b")
_EMAIL_HINT = re.compile(r"\b(email|e mail|mail)\b")
_URL_HINT = re.compile(r"\b(url|website|web|site|link|homepage)\b")
_RATE_HINT = re.compile(r"\b(rate|percent|percentage|pct|ratio|share|discount)\b")
_TIME_HINT = re.compile(r"\b(time|hour|clock)\b")
_DATE_HINT = re.compile(r"\b(date|day|dated|issued|due|period)\b")
_MONEY_HINT = re.compile(r"\b(amount|total|price|cost|balance|fee|tax|subtotal|sum)\b")


def string_candidates(text: str, fmt: Optional[str], hint: str, conv: Conventions) -> list[Typed]:
    """Candidates for a string field, shaped by its format or by what its name says it holds."""
    def regex_hits(pattern: re.Pattern[str]) -> list[Typed]:
        return [Typed(m.group(0), m.group(0), m.start(), 1.0) for m in pattern.finditer(text)]

    if fmt == "email" or _EMAIL_HINT.search(hint):
        return regex_hits(EMAIL)
    if fmt in ("uri", "url") or _URL_HINT.search(hint):
        return regex_hits(URL)
    if _PHONE_HINT.search(hint):
        return [t for t in regex_hits(PHONE) if sum(c.isdigit() for c in t.text) >= 7]
    if _TIME_HINT.search(hint) and not _DATE_HINT.search(hint):
        return find_times(text)
    if _DATE_HINT.search(hint) and not _ID_HINT.search(hint):
        dates = find_dates(text, conv)
        if dates:
            return dates
    if _ID_HINT.search(hint) and not _MONEY_HINT.search(hint):
        ids = regex_hits(IDENT)
        return [_widen_ident(text, ids[0])] + ids[1:] if ids else []
    stripped = text.strip(" :|\t")
    if not stripped:
        return []
    return [Typed(stripped, stripped, text.index(stripped), 0.9)]


def _widen_ident(text: str, hit: Typed) -> Typed:
    """Identifiers written with inner spaces (``DE89 3704 0044``) stay one value."""
    m = re.match(r"(?:[A-Z0-9]{2,6} )+[A-Z0-9]{1,6}\b", text[hit.start:])
    if m and len(m.group(0)) > len(hit.text) and all(any(c.isdigit() for c in p) for p in m.group(0).split()[1:]):
        return Typed(m.group(0), m.group(0), hit.start, 1.0)
    return hit


_CHECKS: dict[str, Callable[[Any, Any], bool]] = {
    "minimum": lambda v, c: v >= c,
    "maximum": lambda v, c: v <= c,
    "exclusiveMinimum": lambda v, c: v > c,
    "exclusiveMaximum": lambda v, c: v < c,
    "minLength": lambda v, c: len(v) >= c,
    "maxLength": lambda v, c: len(v) <= c,
    "pattern": lambda v, c: re.search(c, v) is not None,
}


def satisfies(value: Any, constraints: dict[str, Any]) -> bool:
    """Whether a typed value meets the schema's constraints (minimum, pattern, ...)."""
    for key, limit in constraints.items():
        check = _CHECKS.get(key)
        try:
            if check is not None and not check(value, limit):
                return False
        except (TypeError, re.error):
            return False
    return True


_DECIMAL = re.compile(r"(?<![\d.,])\d{1,3}(?:([.,' ])\d{3})*([.,])(\d{1,2})(?![\d.,])")  # "1,234.56", "12,50"


def detect_conventions(texts: Iterable[str]) -> Conventions:
    """Read the document's own habits from its unambiguous values.

    A numeric date whose first part exceeds 12 says day-first; numbers like ``1.234,56`` or
    ``12,50`` say decimal comma, ``1,234.56`` or ``12.50`` say decimal point. Majority wins."""
    day_votes = month_votes = comma_votes = point_votes = 0
    for seen, text in enumerate(texts):
        if seen >= CONVENTION_SAMPLE:
            break  # a long statement says the same thing on page 100 as on page 1
        for m in _NUM_DATE.finditer(text):
            a, b = int(m[1]), int(m[3])
            if a > 12 >= b or m[2] == ".":
                day_votes += 1
            elif b > 12 >= a:
                month_votes += 1
        for m in _DECIMAL.finditer(text):
            if _in_date(text, m.start()):
                continue
            if m[2] == ",":
                comma_votes += 1
            else:
                point_votes += 1
    return Conventions(day_first=day_votes > month_votes, decimal_comma=comma_votes > point_votes)
