"""Finding where a field's value is printed: labels, synonyms, and the candidates they point at.

The document is indexed once (``DocIndex``): every line of every page with its row (lines
whose boxes overlap vertically), its neighbour to the right and the line below it. A field
becomes a set of weighted label phrases (``Field`` name, title, quoted words in the
description, and the synonym groups those mention). A candidate is then a label occurrence
plus the value it points at, read in one of four ways, each with a structure score:

- ``Label: value`` inside one line (1.0), ``Label value`` inside one line (0.8),
- the label alone on its line and the value in the next line on the same row (0.95),
- the value in the line just below the label (0.85).

Every candidate's evidence is ``label quality x structure x type validity``; the confidence
model compares the best candidate with the best *competing* one (a different value).
"""

from __future__ import annotations

import re
import weakref
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any, Iterable, Optional

from lib.engine.documents.model import Box, Document, Line, Page, Table
from lib.engine.schema import Field
from lib.engine.values import Conventions, Typed, typed_candidates

# Synonym groups: labels that mean the same thing on business documents. A field mentioning any
# member (in its name, title or description) is looked up under every member.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("total", "total amount", "amount due", "balance due", "grand total", "total due", "invoice total",
     "amount payable", "total payable", "total to pay", "total paid", "order total", "total incl vat",
     "total (incl. vat)", "gesamtbetrag", "montant total"),
    ("subtotal", "sub total", "net amount", "net total", "total net", "total before tax", "zwischensumme",
     "section total", "page total"),
    ("tax", "vat", "sales tax", "tax amount", "gst", "vat amount", "total tax", "mwst", "tva"),
    ("invoice number", "invoice no", "invoice #", "invoice num", "inv no", "invoice id", "invoice nr",
     "rechnungsnummer"),
    ("invoice date", "date of issue", "issue date", "date issued", "issued", "billing date", "invoice dated"),
    ("due date", "payment due", "pay by", "payment due date", "due by", "due"),
    ("vendor", "seller", "supplier", "from", "billed by", "issued by", "company", "sold by"),
    ("customer", "bill to", "billed to", "client", "buyer", "sold to", "customer name", "invoice to", "ordered by",
     "purchaser", "ship to"),
    ("account number", "account no", "account #", "acct no", "iban", "account"),
    ("account holder", "account name", "holder", "customer name", "name"),
    ("opening balance", "previous balance", "beginning balance", "balance brought forward", "brought forward",
     "start balance", "opening"),
    ("closing balance", "new balance", "ending balance", "balance carried forward", "carried forward",
     "end balance", "closing"),
    ("period start", "from", "period from", "statement period"),
    ("period end", "to", "period to", "statement period"),
    ("bank name", "bank"),
    ("po number", "purchase order", "po no", "po #", "order number", "order no", "p o number"),
    ("order date", "po date", "date of order", "ordered"),
    ("delivery date", "deliver by", "delivery", "ship date", "requested delivery", "required by", "needed by",
     "delivery required", "due for delivery"),
    ("description", "item", "details", "product", "service", "particulars", "article", "transaction",
     "payee", "narrative", "text"),
    ("quantity", "qty", "units", "hours", "count", "menge"),
    ("unit price", "price", "rate", "unit cost", "price per unit", "each", "unit"),
    ("amount", "line total", "ext price", "value", "sum", "betrag"),
    ("balance", "running balance"),
    ("sku", "item code", "code", "article no", "part number", "item no", "product code"),
    ("payment method", "paid by", "payment", "payment type", "tender", "paid with", "method"),
    ("phone", "telephone", "tel", "phone number", "mobile", "phone no"),
    ("email", "e-mail", "email address", "mail"),
    ("receipt number", "receipt no", "receipt #", "transaction id", "transaction no", "trans #", "receipt"),
    ("merchant name", "store", "shop", "merchant", "restaurant"),
    ("date of birth", "born", "birth date", "dob", "birthday"),
    ("date of expiry", "expiry date", "expires", "valid until", "expiry", "expiration date"),
    ("date of issue", "issue date", "issued on", "issued"),
    ("document number", "card number", "document no", "card no", "id number", "passport no"),
    ("surname", "last name", "family name"),
    ("given names", "first name", "given name", "forenames", "first names"),
    ("postal code", "zip", "zip code", "postcode", "post code"),
    ("street", "street address", "address line", "address"),
    ("signature date", "date signed", "signed on"),
    ("annual income", "yearly income", "gross income", "income"),
    ("employment status", "employment", "occupation status"),
    ("application type", "type of application", "application for", "applying for"),
    ("application id", "application number", "reference number", "application no", "reference", "ref"),
    ("effective date", "commencement date", "start date", "effective as of"),
    ("termination date", "end date", "expiration date", "expires on"),
    ("governing law", "jurisdiction", "applicable law", "governed by"),
    ("notice period", "notice"),
    ("payment terms", "terms", "net"),
    ("contract value", "total value", "contract amount", "fee", "fees", "annual value"),
    ("report date", "date of report", "dated"),
    ("author", "prepared by", "written by"),
    ("grand total", "total", "overall total"),
)

STRUCTURE_COLON = 1.0
STRUCTURE_RIGHT = 0.95
STRUCTURE_BELOW = 0.85
STRUCTURE_INLINE = 0.8
UNLABELLED = 0.35
HEADER_BELOW = 0.3
DOCUMENT_WORDS = {"invoice", "receipt", "statement", "order", "po", "purchase", "report", "document", "bill",
                  "contract", "application", "form"}
RANGE_END = re.compile(r"\b(end|to|until|through|last|closing)\b")  # a typed value found without any label (only when it is the only one)


@dataclass(frozen=True)
class Phrase:
    text: str  # folded
    weight: float
    tokens: tuple[str, ...] = ()


_UNSET: object = object()


class IndexedLine:
    """A line of a page with its place: its row, its right neighbour and the line below it.

    ``below`` and ``list_column`` are worked out on first use, because a search reads them only
    at a label; the line reaches its page's index through a weak reference for that (the index
    holds its lines, so a strong one would make a cycle)."""

    __slots__ = ("page", "line", "folded", "row", "right", "_below", "_column", "_index")

    def __init__(self, page: Page, line: Line, folded: str, row: int, right: Optional["IndexedLine"],
                 index: "weakref.ref[PageIndex]") -> None:
        self.page = page
        self.line = line
        self.folded = folded
        self.row = row  # row index on the page
        self.right = right
        self._below: Any = _UNSET
        self._column: Optional[bool] = None
        self._index = index

    def _page_index(self) -> "PageIndex":
        index = self._index()
        if index is None:
            raise RuntimeError("an indexed line was used after its document's index was dropped")
        return index

    @property
    def below(self) -> Optional["IndexedLine"]:
        """The line just below this one (overlapping it, or starting where it starts)."""
        if self._below is _UNSET:
            index = self._page_index()
            self._below = _below(self, [index.row(r) for r in (self.row + 1, self.row + 2) if r < index.row_count])
        return self._below  # type: ignore[return-value]

    @property
    def list_column(self) -> bool:
        """Whether the line heads a table column of several values (then below it is per row)."""
        if self._column is None:
            b = self.line.box
            cx, cy = b.x + b.w / 2, b.y + b.h / 2
            self._column = any(h.x <= cx <= h.x1 and h.y <= cy <= h.y1 for h in self._page_index().heads())
        return self._column


class PageIndex:
    """A page's lines in rows (by vertical overlap, each row left to right).

    The rows are sorted when the page is indexed, but a row's ``IndexedLine``s are made when
    something first reads that row: a label search reads the page's folded text (``folded_text``)
    and then only the rows its matches fall in. ``lines`` and ``rows`` make them all."""

    __slots__ = ("page", "_line_rows", "_rows", "_all_rows", "_lines", "_folded", "_where", "_heads", "_ref",
                 "__weakref__")

    def __init__(self, page: Page, line_rows: list[list[Line]]) -> None:
        self.page = page
        self._line_rows = line_rows
        self._rows: list[Optional[list[IndexedLine]]] = [None] * len(line_rows)
        self._all_rows: Optional[list[list[IndexedLine]]] = None
        self._lines: Optional[list[IndexedLine]] = None
        self._folded: Optional[tuple[str, list[int]]] = None
        self._where: list[tuple[int, int]] = []
        self._heads: Optional[list[Box]] = None
        self._ref = weakref.ref(self)

    @property
    def row_count(self) -> int:
        return len(self._line_rows)

    def row(self, r: int) -> list[IndexedLine]:
        """Row ``r``'s lines, made right to left so each knows its right neighbour."""
        items = self._rows[r]
        if items is None:
            items = []
            right: Optional[IndexedLine] = None
            page, ref = self.page, self._ref
            for line in reversed(self._line_rows[r]):
                right = IndexedLine(page, line, fold_label(line.text), r, right, ref)
                items.append(right)
            items.reverse()
            self._rows[r] = items
        return items

    @property
    def rows(self) -> list[list[IndexedLine]]:
        if self._all_rows is None:
            self._all_rows = [self.row(r) for r in range(len(self._line_rows))]
        return self._all_rows

    @property
    def lines(self) -> list[IndexedLine]:
        """Every line in reading order (row by row)."""
        if self._lines is None:
            self._lines = [item for row in self.rows for item in row]
        return self._lines

    def folded_text(self) -> tuple[str, list[int]]:
        """Every line's folded text joined by newlines, and where each line starts in it: one
        regex scan of this finds a field's labels on the whole page (no phrase spans a newline);
        ``item`` turns a line's position in it into its ``IndexedLine``."""
        if self._folded is None:
            folded = [fold_label(line.text) for row in self._line_rows for line in row]
            self._where = [(r, k) for r, row in enumerate(self._line_rows) for k in range(len(row))]
            starts = list(accumulate([len(text) + 1 for text in folded], initial=0))
            self._folded = ("\n".join(folded), starts[:-1])
        return self._folded

    def item(self, n: int) -> IndexedLine:
        """The ``n``-th line in reading order (``folded_text`` must have been read)."""
        r, k = self._where[n]
        return self.row(r)[k]

    def heads(self) -> list[Box]:
        """The header cells of the page's tables that head a column of values, found the first
        time a line asks (``IndexedLine.list_column``): only a label with a value below it needs
        them, and a PDF page's tables are only detected when something reads them."""
        if self._heads is None:
            self._heads = [c.box for t in self.page.tables for i, c in enumerate(t.header)
                           if c.box is not None and _filled(t, i) >= 2]
        return self._heads


@dataclass
class Candidate:
    """A value for a field and the evidence behind it."""

    value: object
    typed: Typed
    source: IndexedLine  # the line the value text is in
    label: Optional[IndexedLine]
    label_quality: float
    structure: float
    score: float = 0.0
    key: str = ""  # the label text as printed, for sibling comparison

    @property
    def parsing_confidence(self) -> float:
        conf = self.source.line.confidence
        if self.label is not None and self.label is not self.source:
            conf = min(conf, 1.0 if self.label.line.confidence is None else self.label.line.confidence) ** 0.5 * conf ** 0.5
        return max(0.0, min(1.0, conf))


@dataclass
class DocIndex:
    document: Document
    pages: list[PageIndex]
    conventions: Conventions
    by_number: dict[int, PageIndex] = field(default_factory=dict)

    def scope(self, pages: Optional[Iterable[int]]) -> list[PageIndex]:
        if pages is None:
            return self.pages
        return [self.by_number[n] for n in pages if n in self.by_number]


def index_document(document: Document, conventions: Conventions) -> DocIndex:
    pages = [index_page(p) for p in document.pages]
    return DocIndex(document, pages, conventions, {p.page.number: p for p in pages})


def index_page(page: Page) -> PageIndex:
    """Rows by vertical overlap, each row left to right (its lines are indexed when read).
    It runs once per line of every page, so the loop keeps to local arithmetic."""
    lines = page.lines
    keyed = sorted([(b.y + b.h / 2, b.x, i) for i, b in enumerate([line.box for line in lines])])
    rows: list[list[Line]] = []
    row: list[Line] = []
    centre = -1e9
    row_h = 0.0
    follow = page.ocr  # a scan is often skewed: follow the row as it drifts
    for mid, _, i in keyed:
        line = lines[i]
        h = line.box.h
        if rows and abs(mid - centre) <= max(2.0, 0.5 * (h if h < row_h else row_h)):
            row.append(line)
            if follow:
                centre = mid
        else:
            row = [line]
            rows.append(row)
            centre, row_h = mid, h
    for row in rows:
        if len(row) > 1:
            row.sort(key=_left)
    return PageIndex(page, rows)


def _left(line: Line) -> float:
    return line.box.x


def _filled(table: Table, column: int) -> int:
    return sum(1 for row in table.rows if column < len(row) and row[column].text.strip())


def _below(item: IndexedLine, rows: list[list[IndexedLine]]) -> Optional[IndexedLine]:
    box = item.line.box
    for row in rows:
        for other in row:
            ob = other.line.box
            if ob.y - box.y1 > 2.5 * max(box.h, 1.0):
                return None
            overlap = min(box.x1, ob.x1) - max(box.x, ob.x)
            if overlap > 0.3 * min(box.w, ob.w) or abs(ob.x - box.x) < 0.5 * box.h:
                return other
    return None


_PUNCT = re.compile(r"[_\-./()\[\],;|+=*]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def fold_label(text: str) -> str:
    """Fold a label for comparison: lower case, ``#``/``No.`` kept as words, punctuation spaced.
    Cached: table cells and headers repeat on every page of a long statement."""
    t = text.lower().replace("#", " # ").replace("&", " and ")
    return _SPACES.sub(" ", _PUNCT.sub(" ", t)).strip()


# --- field phrases ------------------------------------------------------------------------------


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@lru_cache(maxsize=4096)
def split_name(name: str) -> str:
    """``invoiceNumber`` / ``invoice_number`` / ``Invoice-Number`` -> ``invoice number``.
    Cached: every page of a ``per_page`` job asks again for the same fields."""
    return fold_label(_CAMEL.sub(" ", name))


def field_phrases(f: Field, parent: Optional[Field] = None, hints: Iterable[str] = ()) -> tuple[Phrase, ...]:
    return _field_phrases(split_name(f.name), f.title, f.description, split_name(parent.name) if parent else "",
                          tuple(hints))


@lru_cache(maxsize=4096)
def _field_phrases(name: str, title: str, description: str, parent: str, hints: tuple[str, ...]) -> tuple[Phrase, ...]:
    weights: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        key = fold_label(text)
        if key and weight > weights.get(key, 0.0):
            weights[key] = weight

    add(name, 1.0)
    if parent:
        add(f"{parent} {name}", 1.0)
        if name in ("title", "name", "heading", "label"):
            add(parent[:-1] if parent.endswith("s") else parent, 0.8)  # "Section 2: Southern Region"
    if title:
        add(title, 1.0)
    for quoted in re.findall(r"['\"“‘(]([^'\"”’()]{1,40})['\"”’)]", description):
        for part in re.split(r",|/|\bor\b", quoted):
            add(part, 0.95)
    for hint in hints:
        add(hint, 1.0)
    short = re.sub(r"\(.*?\)", "", description).strip(" .")
    if short and len(short.split()) <= 3 and not re.search(r"[,;:]", short):
        add(short, 0.85)  # a description as short as a label usually is the label ("Section total")
    sources = [(name, 0.9), (fold_label(title), 0.9)]
    if parent:
        sources.append((f"{parent} {name}", 0.85))
    for text, weight in sources:
        padded = f" {text} "
        for group in SYNONYMS:
            if any(_triggers(fold_label(member), text, padded) for member in group):
                for member in group:
                    add(member, weight * (0.95 if fold_label(member) in (name, parent) else 0.9))
    name_tokens = name.split()
    if len(name_tokens) > 1 and name_tokens[-1] not in ("number", "no", "name", "id", "balance", "amount"):
        # the bare head word ("Date"): on an invoice, "Date" is the invoice date, not the due date
        generic = all(t in DOCUMENT_WORDS for t in name_tokens[:-1])
        add(name_tokens[-1], 0.8 if generic else 0.6)
    return tuple(Phrase(text, weight, tuple(text.split())) for text, weight in weights.items())


def _triggers(member: str, text: str, padded: str) -> bool:
    """A synonym group applies when one of its members is the field's whole name, or a
    multi-word member appears in it ("invoice number" in "invoice number"), never because a
    single common word appears ("account" in "account holder")."""
    return member == text or (" " in member and f" {member} " in padded)


LABEL_WORDS = {fold_label(m) for group in SYNONYMS for m in group} | {"name", "address", "date", "page"}


def is_label(folded: str, extra: Iterable[str] = ()) -> bool:
    """Whether a whole line is just a label (so it cannot be another label's value)."""
    text = folded.rstrip(" :")
    return text in LABEL_WORDS or text in extra


@lru_cache(maxsize=4096)
def phrase_regex(phrases: tuple[Phrase, ...]) -> re.Pattern[str]:
    """One pattern for all of a field's phrases, longest first; the space between two words
    is optional because OCR often drops it ("AmountDue"). A phrase starts where no letter or
    digit precedes it; that test sits after each phrase's first character (looking back two),
    so every alternative begins with a literal and the regex engine skips positions whose
    character starts no phrase instead of trying each one."""
    ordered = sorted((p.text for p in phrases), key=len, reverse=True)
    alternatives = "|".join(re.escape(p[0]) + "(?<![a-z0-9].)" + re.escape(p[1:]).replace(r"\ ", " ?") for p in ordered)
    return re.compile(r"(?:" + alternatives + r")(?![a-z0-9])")


def label_quality(key: str, phrase: Phrase, own: frozenset[str] = frozenset()) -> float:
    """How well a printed label (folded) names the field: 1.0 for the phrase itself, less for
    each extra word the label carries ("total tax" is a weaker label for "total" than "total"),
    except words of the field's own name ("Balance carried forward" for ``closing_balance``)."""
    key_tokens = [t for t in key.split() if t not in (":", "#") and not t.isdigit() and t != "%"]
    if not key_tokens:
        return 0.0
    extra_tokens = [t for t in key_tokens if t not in phrase.tokens]
    extra = max(0, len(key_tokens) - len(phrase.tokens) - sum(1 for t in extra_tokens if t in own))
    return phrase.weight * (0.55 ** extra)


# --- candidates ---------------------------------------------------------------------------------

_COLON = re.compile(r":(?!\d)|\t|(?<=\S)\s+\|\s*(?=\S)")  # "Label: v", tabs, "| Label | v |" (text tables)


def find_candidates(f: Field, phrases: tuple[Phrase, ...], pages: list[PageIndex], conv: Conventions,
                    hint: str, wide: bool = False, labels: frozenset[str] = frozenset()) -> list[Candidate]:
    """Every labelled candidate for field ``f`` on the given pages."""
    pattern = phrase_regex(phrases)
    out: list[Candidate] = []
    for page in pages:
        text, starts = page.folded_text()
        for match in pattern.finditer(text):
            n = bisect_right(starts, match.start()) - 1
            offset = starts[n]
            out.extend(_candidates_at(f, page.item(n), match.start() - offset, match.end() - offset, phrases, conv,
                                      hint, wide, labels))
    return out


def _best_quality(key: str, phrases: tuple[Phrase, ...], own: frozenset[str]) -> float:
    """The best label quality over every phrase printed in the key ("balance carried forward"
    holds both that synonym and the description's "carried forward")."""
    padded = f" {key} "
    return max((label_quality(key, p, own) for p in phrases
                if f" {p.text} " in padded or " " in p.text and f" {p.text.replace(' ', '')} " in padded), default=0.0)


def _candidates_at(f: Field, item: IndexedLine, match_start: int, match_end: int, phrases: tuple[Phrase, ...],
                   conv: Conventions, hint: str, wide: bool, labels: frozenset[str]) -> list[Candidate]:
    """The candidates of the label matched at ``match_start:match_end`` of ``item.folded``."""
    text = item.line.text
    lead = len(text) - len(text.lstrip("| "))
    start, end = _raw_start(text, match_start), _raw_offset(text, match_end)
    out: list[Candidate] = []
    sep = _COLON.search(text, end)
    between = text[end : sep.start()] if sep is not None else ""
    earlier = [m for m in _COLON.finditer(text, lead, start)]
    numbered = _NUMBERED.fullmatch(between) is not None  # "Section 2: ..."
    if sep is not None and len(fold_label(between).split()) <= 3 and (numbered or not any(c.isdigit() for c in between)):
        # "Label: value", possibly one of several pairs on the line ("Signature: ___ Date: 28.09.2023")
        key_start = earlier[-1].end() if earlier else lead
        key = fold_label(text[key_start : sep.start()])
        value_end = _next_label(text, sep.end())
        value_text, value_start = text[sep.end() : value_end], sep.end()
        structure = STRUCTURE_COLON
    else:
        before = fold_label(text[lead:start])
        follows = any(ch.isalnum() for ch in text[end:])
        if earlier or (len(before.split()) >= 2 and not follows):
            return out  # inside a value, or a name that merely contains a label word ("First Harbor Bank")
        key = item.folded
        value_text, value_start = "", len(text)
        if follows and (not before or _caps_title(text[lead:start])):
            value_text, value_start = text[end:], end  # "Invoice No INV-1", "IDENTITY CARD Card No. X1"
        structure = STRUCTURE_INLINE * (0.85 if before else 1.0)
        if f.kind == "string" and len(value_text.split()) > 5:
            structure *= 0.5  # prose that starts with a label word, not a "Label value" pair
    own = _own_words(f.name)
    quality = _best_quality(key, phrases, own)
    inline_quality = _best_quality(fold_label(text[start:end]), phrases, own) if structure != STRUCTURE_COLON else quality
    if max(quality, inline_quality) <= 0.3:
        return out
    if not any(ch.isalnum() for ch in value_text):
        value_text = ""
    if value_text:
        out += _typed_from(f, item, value_text, value_start, item, inline_quality, structure, conv, hint, key)
    if value_text and structure == STRUCTURE_COLON or quality <= 0.3:
        return out
    look_below = not out or wide
    right = item.right
    if right is not None and _may_be_value(right, labels):
        out += _typed_from(f, right, right.line.text, 0, item, quality, STRUCTURE_RIGHT, conv, hint, key)
    below = item.below if look_below else None
    if below is not None and _may_be_value(below, labels):
        found = _typed_from(f, below, below.line.text, 0, item, quality, STRUCTURE_BELOW, conv, hint, key)
        if found and (item.list_column or _heads_column(f, item, conv, hint)):
            # a column header: the value below is one row's, not the document's (asked only
            # when there is a value below, so a page's tables are detected only if it matters)
            found = _typed_from(f, below, below.line.text, 0, item, quality, STRUCTURE_BELOW * HEADER_BELOW, conv,
                                hint, key)
        out += found
    return out


def _may_be_value(neighbour: IndexedLine, labels: frozenset[str]) -> bool:
    """A neighbouring line can hold a label's value unless it is a label itself."""
    return not is_label(neighbour.folded, labels) and not _looks_like_label(neighbour.line.text)


_NUMBERED = re.compile(r"\s*\d{1,3}[a-z]?\.?\s*")


@lru_cache(maxsize=4096)
def _own_words(name: str) -> frozenset[str]:
    """The words of a field's own name (a label may carry them without losing quality)."""
    return frozenset(split_name(name).split())


def _caps_title(text: str) -> bool:
    """An upper-case heading printed before a label on the same line ("IDENTITY CARD Card No.")."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


_NEXT_LABEL = re.compile(r"(?<=\s)(?:[^\W\d_][\w.#'/-]*\s){0,2}[^\W\d_][\w.#'/-]*\s*:(?!\d)")


def _next_label(text: str, start: int) -> int:
    """Where the next "Label:" on the same line begins (or the end of the line)."""
    m = _NEXT_LABEL.search(text, start)
    return m.start() if m else len(text)


@lru_cache(maxsize=4096)
def _alnum_positions(text: str) -> tuple[int, ...]:
    """Where the letters and digits of ``text`` are (running headers repeat on every page)."""
    return tuple([i for i, ch in enumerate(text) if ch.isalnum()])


def _raw_start(text: str, folded_start: int) -> int:
    """Map a start offset in ``fold_label(text)`` back to ``text``: the position of the
    alphanumeric that starts there (counted in both)."""
    target = sum(map(str.isalnum, fold_label(text)[:folded_start]))
    positions = _alnum_positions(text)
    return positions[target] if target < len(positions) else len(text)


def _heads_column(f: Field, item: IndexedLine, conv: Conventions, hint: str) -> bool:
    """The label sits on top of a column of values of the field's type (a table header the
    parser did not detect): the line below it is the first row, not the document's value."""
    first = item.below
    second = first.below if first is not None else None
    if first is None or second is None or abs(second.line.box.x1 - first.line.box.x1) > 2 * first.line.box.h \
            and abs(second.line.box.x - first.line.box.x) > 2 * first.line.box.h:
        return False
    return bool(typed_candidates(second.line.text, f.kind, f.format, f.enum, conv, hint))


def _looks_like_label(text: str) -> bool:
    return text.rstrip().endswith(":") and len(text) < 40


def _raw_offset(text: str, folded_end: int) -> int:
    """Map an offset in ``fold_label(text)`` back to ``text`` by counting alphanumerics."""
    target = sum(map(str.isalnum, fold_label(text)[:folded_end]))
    positions = _alnum_positions(text)
    if not 1 <= target <= len(positions):
        return len(text)
    i = positions[target - 1]
    tail = _MARK_TAIL.match(text, i + 1)  # "No." / "Invoice #"
    return i + 1 + (tail.end() - (i + 1) if tail else 0)


_MARK_TAIL = re.compile(r"\s*[.#]+")


def _typed_from(f: Field, source: IndexedLine, value_text: str, offset: int, label: IndexedLine, quality: float,
                structure: float, conv: Conventions, hint: str, key: str) -> list[Candidate]:
    hits = typed_candidates(value_text, f.kind, f.format, f.enum, conv, hint)
    from_end = bool(RANGE_END.search(hint))
    if from_end:
        hits = hits[::-1]  # "period 01/10 - 31/10": the end of a range is its last value
    out = []
    for rank, hit in enumerate(hits[:3]):
        lead = (value_text[hit.start + len(hit.text):] if from_end else value_text[: hit.start]).strip(" :#-–\t")
        position = 1.0 if not lead else 0.75 if len(lead) < 6 else 0.5
        position *= 0.85 ** rank
        typed = Typed(hit.value, hit.text, offset + hit.start, hit.quality)
        out.append(Candidate(hit.value, typed, source, label, quality, structure * position, key=key))
    return out


def label_seen(phrases: tuple[Phrase, ...], pages: list[PageIndex]) -> bool:
    """Whether the field's label is printed at all, even with nothing after it ("Date: ____"):
    then the document has answered "blank", and no unlabelled value may stand in."""
    wanted = {p.text for p in phrases if p.weight >= 0.5}
    for page in pages:
        for item in page.lines:
            if ":" in item.folded and any(part.strip(" #") in wanted for part in item.folded.split(":")):
                return True
    return False


def unlabelled_candidates(f: Field, pages: list[PageIndex], conv: Conventions, hint: str) -> list[Candidate]:
    """Typed values found anywhere (an email address, a currency code) when no label names the
    field: used only for types that are recognisable on their own."""
    out = []
    for page in pages:
        for item in page.lines:
            for hit in typed_candidates(item.line.text, f.kind, f.format, f.enum, conv, hint)[:2]:
                out.append(Candidate(hit.value, hit, item, None, UNLABELLED, 1.0))
    return out


CHECKBOX = re.compile(r"^\s*(\[[xX✓✔ ]?\]|[☑☒✓✔☐■□])\s*")
CHECKED = re.compile(r"\[[xX✓✔]\]|[☑☒✓✔■]")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{3,}", text.lower())} - {"the", "and", "that", "this", "with", "for"}


def checkbox_candidates(f: Field, pages: list[PageIndex]) -> list[Candidate]:
    """A boolean answered by a tick box: a line starting with ``[X]`` / ``[ ]`` / ``☒`` whose
    words share the field's (name, title, description) word stems; checked means true."""
    wanted = _stems(" ".join([split_name(f.name), f.title, f.description]))
    out = []
    for page in pages:
        for item in page.lines:
            box = CHECKBOX.match(item.line.text)
            if not box or not wanted:
                continue
            overlap = len(wanted & _stems(item.line.text[box.end():])) / len(_stems(split_name(f.name)) or wanted)
            if overlap < 0.5:
                continue
            value = bool(CHECKED.match(box.group(1)))
            quality = min(1.0, overlap) * 0.9
            typed = Typed(value, box.group(1), box.start(1), 1.0)
            out.append(Candidate(value, typed, item, item, quality, 1.0, score=quality))
    return out


def span_box(item: IndexedLine, start: int, length: int) -> Box:
    """The box of ``line.text[start:start+length]`` from its words (or a proportional slice)."""
    line = item.line
    if line.words:
        boxes = []
        cursor = 0
        end = start + length
        for word in line.words:
            pos = line.text.find(word.text, cursor)
            if pos < 0:
                boxes = []
                break
            cursor = pos + len(word.text)
            if pos < end and cursor > start:
                boxes.append(word.box)
        if boxes:
            out = boxes[0]
            for b in boxes[1:]:
                out = out.union(b)
            return out
    n = max(1, len(line.text))
    box = line.box
    return Box(box.x + box.w * start / n, box.y, box.w * length / n, box.h)
