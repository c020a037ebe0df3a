"""The schema walk: fill every field of a compiled schema from evidence in an indexed document.

Objects are walked property by property; scalar siblings are located together so that a
label can be claimed by the field it names best ("Total Tax: 5.00" belongs to ``tax``, not to
``total``). Arrays of objects come from the best-matching table; arrays of scalars from a
labelled list ("Skills: Python, SQL") or a matching table column. A field without evidence
is ``None`` with every confidence 0, and the walk records a ``Leaf`` for each value so the
metadata can follow the result's nesting.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from lib.engine import confidence
from lib.engine.documents.model import Cell, Page
from lib.engine.locate import (
    UNLABELLED,
    Candidate,
    checkbox_candidates,
    DocIndex,
    PageIndex,
    field_phrases,
    find_candidates,
    label_seen,
    fold_label,
    span_box,
    split_name,
    unlabelled_candidates,
)
from lib.engine.parties import block_candidates, party_candidates
from lib.engine.schema import Field
from lib.engine.tables import TableMatch, best_table, cell_at, layout_tables
from lib.engine.values import Conventions, Typed, find_numbers, satisfies, typed_candidates

TIME_HINT = re.compile(r"\b(time|hour)\b")
SELF_EVIDENT = re.compile(r"\b(email|e mail|url|website|phone|telephone|iban)\b")
CURRENCY_HINT = re.compile(r"\bcurrency\b")
CLAIM_PENALTY = 0.4
CORROBORATION = 0.3
MAX_CITATIONS = 3


@dataclass
class Leaf:
    """One extracted leaf value with its evidence."""

    value: Any = None
    extraction: float = 0.0
    parsing: float = 0.0
    citations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Options:
    wide: bool = False  # tier "agentic": look right/below even after an inline value, unlabelled fallback
    labels: frozenset[str] = frozenset()  # every label phrase of the schema: such a line is never a value
    hints: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field name -> extra label phrases


def citation(page: Page, text: str, box: Any) -> dict[str, Any]:
    return {
        "page": page.number,
        "matching_text": text,
        "bounding_boxes": [box.as_dict()] if box is not None else [],
        "page_dimensions": {"width": round(page.width, 2), "height": round(page.height, 2)},
    }


def hint_of(f: Field, parent: Optional[Field]) -> str:
    """The folded words describing what a field holds (for picking string sub-kinds)."""
    parts = [split_name(f.name), fold_label(f.title)]
    if parent is not None and parent.name:
        parts.insert(0, split_name(parent.name))
    return " ".join(p for p in parts if p)


class Walker:
    def __init__(self, index: DocIndex, options: Options) -> None:
        self.index = index
        self.options = options
        self.conv: Conventions = index.conventions
        self._layout: dict[int, list] = {}
        self._pending: dict[tuple[str, ...], tuple[Field, Optional[Field], bool]] = {}
        self._used: set[int] = set()  # lines already chosen as a value (a heading serves one field)
        self._hints: dict[tuple[str, ...], str] = {}  # property path -> its folded hint
        self._cells: dict[tuple[tuple[str, ...], str], list[Typed]] = {}  # (property path, cell text) -> values

    # --- objects ------------------------------------------------------------------------------

    def object(self, node: Field, pages: list[PageIndex]) -> tuple[dict, dict]:
        """Fill an object: locate every scalar below it (through nested objects) first, so a
        label is claimed by the field anywhere in the object that names it best."""
        found: dict[tuple[str, ...], list[Candidate]] = {}
        self.collect(node, pages, found)
        _claim_labels(found)
        for path, (child, parent, sole_date) in self._pending.items():
            if not found.get(path):  # every label it had was claimed by a sibling: try the fallbacks
                hint = hint_of(child, parent)
                phrases = field_phrases(child, parent, self.options.hints.get(child.name, ()))
                if not label_seen(phrases, pages):
                    found[path] = self.fallback(child, pages, hint, sole_date)
        self._pending = {}
        return self.build(node, pages, found)

    def collect(self, node: Field, pages: list[PageIndex], found: dict[tuple[str, ...], list[Candidate]]) -> None:
        context = node if node.name else None
        dates = [c for c in node.children if c.is_scalar and c.format in ("date", "date-time")]
        for child in node.children:
            if child.is_scalar:
                found[child.path] = self.candidates(child, pages, context, sole_date=len(dates) == 1)
                if found[child.path] and found[child.path][0].label is not None:
                    self._pending[child.path] = (child, context, len(dates) == 1)
            elif child.kind == "object":
                self.collect(child, pages, found)
                scalars = [c for c in child.children if c.is_scalar]
                hints = {c.path: hint_of(c, child) for c in scalars}
                blocks = block_candidates(scalars, field_phrases(child, None, self.options.hints.get(child.name, ())),
                                          pages, self.conv, self.options.labels, hints)
                for path, cands in blocks.items():
                    found.setdefault(path, []).extend(c for c in cands if satisfies(c.value, _field_at(child, path).constraints))

    def build(self, node: Field, pages: list[PageIndex], found: dict[tuple[str, ...], list[Candidate]]) -> tuple[dict, dict]:
        values: dict[str, Any] = {}
        metas: dict[str, Any] = {}
        for child in node.children:
            if child.is_scalar:
                leaf = self.choose(child, found.get(child.path, []))
                values[child.name], metas[child.name] = leaf.value, leaf
            elif child.kind == "object":
                values[child.name], metas[child.name] = self.build(child, pages, found)
            else:
                values[child.name], metas[child.name] = self.array(child, pages)
        return values, metas

    def candidates(self, f: Field, pages: list[PageIndex], parent: Optional[Field],
                   sole_date: bool = False) -> list[Candidate]:
        phrases = field_phrases(f, parent, self.options.hints.get(f.name, ()))
        hint = hint_of(f, parent)
        found = find_candidates(f, phrases, pages, self.conv, hint, self.options.wide, self.options.labels)
        where = _position_prior(f.description)
        for cand in found:
            cand.score = cand.label_quality * cand.structure * cand.typed.quality * where(cand)
        found = [c for c in found if satisfies(c.value, f.constraints)]
        if not found and not label_seen(phrases, pages):
            found = self.fallback(f, pages, hint, sole_date)
        return found

    def fallback(self, f: Field, pages: list[PageIndex], hint: str, sole_date: bool) -> list[Candidate]:
        """Values recognisable without a label: an email or phone number, a currency from the
        amounts' symbols, an enum value printed on its own, a ticked box, the date (or time) of
        an object that has only one; the letterhead for the issuer; with tier "agentic", any
        typed value when it is the only one of its kind."""
        if CURRENCY_HINT.search(hint):
            return self.currency(f, pages)
        if f.kind == "boolean":
            return checkbox_candidates(f, pages)
        if (sole_date and f.format in ("date", "date-time")) or (f.kind == "string" and TIME_HINT.search(hint)):
            found = unlabelled_candidates(f, pages, self.conv, hint)
            for cand in found:
                cand.score = UNLABELLED * cand.typed.quality
            return found if len({repr(c.value) for c in found}) == 1 else []  # only when there is no choice
        if f.kind == "string" and not f.enum and not f.format:
            party = party_candidates(hint, pages, self._used)
            if party:
                return party
        if not (SELF_EVIDENT.search(hint) or f.format in ("email", "uri") or f.enum or self.options.wide):
            return []
        found = [c for c in unlabelled_candidates(f, pages, self.conv, hint) if satisfies(c.value, f.constraints)]
        for cand in found:
            cand.score = UNLABELLED * cand.typed.quality
        if not (SELF_EVIDENT.search(hint) or f.format in ("email", "uri") or f.enum):
            distinct = {repr(c.value) for c in found}
            return found if len(distinct) == 1 else []
        return found

    def currency(self, f: Field, pages: list[PageIndex]) -> list[Candidate]:
        """The currency of the document's amounts, when they agree on one."""
        found: list[Candidate] = []
        for page in pages:
            for item in page.lines:
                for typed, amount in find_numbers(item.line.text, self.conv):
                    if amount.currency and (not f.enum or amount.currency in f.enum):
                        found.append(Candidate(amount.currency, typed, item, None, 0.8, 1.0, score=0.8))
        counts = Counter(c.value for c in found)
        if not counts:
            return []
        top, n = counts.most_common(1)[0]
        share = n / sum(counts.values())
        for cand in found:
            cand.score = 0.8 * share if cand.value == top else 0.8 * (1 - share)
        return found

    def choose(self, f: Field, found: list[Candidate]) -> Leaf:
        if not found:
            return Leaf()
        found.sort(key=lambda c: (-c.score, c.source.page.number, c.source.line.box.y))
        scores = _value_scores(found)
        best = max(found, key=lambda c: (scores[repr(c.value)], c.score))
        if best.score <= 0:
            return Leaf()
        rivals = [score for value, score in scores.items() if value != repr(best.value)]
        extraction = confidence.extraction_confidence(scores[repr(best.value)], rivals)
        self._used.add(id(best.source))
        return Leaf(best.value, extraction, best.parsing_confidence, _citations(best, found))

    # --- arrays -------------------------------------------------------------------------------

    def array(self, node: Field, pages: list[PageIndex]) -> tuple[list, list]:
        assert node.items is not None
        if node.items.kind == "object":
            values, metas = self.table_items(node, pages)
        elif node.items.is_scalar:
            values, metas = self.scalar_list(node, pages)
        else:
            values, metas = [], []
        if node.max_items is not None:
            values, metas = values[: node.max_items], metas[: node.max_items]
        return values, metas

    def best_table(self, item: Field, pages: list[PageIndex], phrases: tuple = ()) -> Optional[TableMatch]:
        """The parser's best-matching table, or one read from column alignment when that
        matches clearly better (receipts, scans and text files often have no detected table)."""
        parsed = best_table(item, [t for p in pages for t in p.page.tables], self.options.hints, phrases)
        if parsed is not None and parsed.score >= 0.75:
            return parsed
        aligned = best_table(item, [t for p in pages for t in self.layout(p)], self.options.hints, phrases)
        if aligned is not None and (parsed is None or aligned.score > parsed.score + 0.05):
            return aligned
        return parsed

    def layout(self, page: PageIndex) -> list:
        key = page.page.number
        if key not in self._layout:
            self._layout[key] = layout_tables(page)
        return self._layout[key]

    def table_items(self, node: Field, pages: list[PageIndex]) -> tuple[list, list]:
        assert node.items is not None
        return self.items(node.items, pages, field_phrases(node))

    def items(self, item: Field, pages: list[PageIndex], phrases: tuple = ()) -> tuple[list, list]:
        """Objects of type ``item``: the rows of the best-matching table, else one per page, else
        repeated labelled groups (a list printed without a table)."""
        match = self.best_table(item, pages, phrases)
        if match is not None:
            return self.rows(item, match)
        if len(pages) > 1:
            values, metas = self.page_items(item, pages)
            if values:
                return values, metas
        return self.sequence_items(item, pages)

    def sequence_items(self, item: Field, pages: list[PageIndex]) -> tuple[list, list]:
        """No table holds the items: read repeated labelled groups in reading order ("Section 1:
        ..., Date: ..., Section total: ..." again and again); a field seen again starts the next
        item. Needs at least two groups, each answering most of the item's fields."""
        scalars = [c for c in item.children if c.is_scalar]
        best_on_line: dict[int, tuple[Field, Candidate]] = {}
        for child in scalars:
            for cand in self.candidates(child, pages, item):
                if cand.label is None or cand.score < 0.3 or cand.label_quality < 0.5:
                    continue
                line = id(cand.label)
                held = best_on_line.get(line)
                if held is None or (cand.label_quality, cand.score) > (held[1].label_quality, held[1].score):
                    best_on_line[line] = (child, cand)  # a label line serves one field
        events = sorted(best_on_line.values(), key=lambda e: _reading_order(e[1]))
        counts = Counter(child.name for child, _ in events)
        if not counts or max(counts.values()) < 2:
            return [], []
        most = max(counts.values())
        anchor = next(child.name for child, _ in events if counts[child.name] == most)
        groups: list[dict[str, Candidate]] = []
        for child, cand in events:
            if child.name == anchor:
                groups.append({})
            if groups and (child.name not in groups[-1] or cand.score > groups[-1][child.name].score):
                groups[-1][child.name] = cand
        groups = [g for g in groups if len(g) * 2 > len(scalars)]
        if len(groups) < 2:
            return [], []
        values, metas = [], []
        for group in groups:
            value, meta = {}, {}
            for child in item.children:
                cand = group.get(child.name)
                if cand is None:
                    value[child.name], meta[child.name] = _empty(child)
                    continue
                leaf = self.choose(child, [cand])
                value[child.name], meta[child.name] = leaf.value, leaf
            values.append(value)
            metas.append(meta)
        return values, metas

    def page_items(self, item: Field, pages: list[PageIndex]) -> tuple[list, list]:
        """No table holds the items: try one item per page (a report whose sections each fill a
        page), keeping the pages where most of the item's fields are found."""
        scalars = [c for c in item.children if c.is_scalar]
        values, metas = [], []
        for page in pages:
            value, meta = self.object(item, [page])
            answered = sum(1 for c in scalars if value.get(c.name) is not None)
            if scalars and answered * 2 > len(scalars):
                values.append(value)
                metas.append(meta)
        return (values, metas) if len(values) > 1 else ([], [])

    def rows(self, item: Field, match: TableMatch) -> tuple[list, list]:
        pages = {p.page.number: p.page for p in self.index.pages}
        values, metas = [], []
        for row in match.rows:
            value, meta = {}, {}
            for prop in item.children:
                if prop.is_scalar and prop.name in match.columns:
                    column = match.columns[prop.name]
                    leaf = self.cell(prop, cell_at(row, column), column.quality, match.score, pages[row.page])
                elif prop.is_scalar:
                    leaf = Leaf()
                else:
                    value[prop.name], meta[prop.name] = _empty(prop)
                    continue
                value[prop.name], meta[prop.name] = leaf.value, leaf
            if any(v is not None for v in value.values()):
                values.append(value)
                metas.append(meta)
        return values, metas

    def cell(self, prop: Field, cell: Optional[Cell], column_quality: float, table_quality: float, page: Page) -> Leaf:
        if cell is None:
            return Leaf()
        hits = self.cell_values(prop, cell.text)
        if not hits:
            return Leaf()
        hit = hits[0]
        quality = hit.quality * (0.8 if len(hits) > 1 and prop.kind != "string" else 1.0)
        extraction = confidence.cell_confidence(column_quality, table_quality, quality)
        box = cell.box
        return Leaf(hit.value, extraction, cell.confidence, [citation(page, hit.text, box)])

    def cell_values(self, prop: Field, text: str) -> list[Typed]:
        """The values of ``prop``'s type in a cell's text that meet its constraints; kept per
        property and text, because a long table repeats its dates, names and categories."""
        key = (prop.path, text)
        hits = self._cells.get(key)
        if hits is None:
            hint = self._hints.get(prop.path)
            if hint is None:
                hint = self._hints[prop.path] = hint_of(prop, None)
            found = typed_candidates(text, prop.kind, prop.format, prop.enum, self.conv, hint)
            hits = self._cells[key] = [h for h in found if satisfies(h.value, prop.constraints)]
        return hits

    def scalar_list(self, node: Field, pages: list[PageIndex]) -> tuple[list, list]:
        """``Skills: Python, SQL, Go`` -> three strings, each cited; or a matching table column."""
        item = node.items
        assert item is not None
        probe = Field(name=node.name, kind="string", title=node.title, description=node.description)
        found = self.candidates(probe, pages, None)
        found = [c for c in found if c.label is not None]
        if not found:
            return [], []
        found.sort(key=lambda c: -c.score)
        best = found[0]
        text = best.source.line.text[best.typed.start :]
        values, metas = [], []
        cursor = best.typed.start
        for part in re.split(r"[,;•|]|\band\b", text):
            stripped = part.strip()
            start = best.source.line.text.find(stripped, cursor) if stripped else -1
            if start < 0:
                continue
            cursor = start + len(stripped)
            hits = typed_candidates(stripped, item.kind, item.format, item.enum, self.conv, hint_of(item, None))
            if not hits:
                continue
            hit = hits[0]
            box = span_box(best.source, start + hit.start, len(hit.text))
            extraction = confidence.extraction_confidence(best.score * hit.quality, [])
            values.append(hit.value)
            metas.append(Leaf(hit.value, extraction, best.parsing_confidence,
                              [citation(best.source.page, hit.text, box)]))
        return values, metas


@lru_cache(maxsize=1024)
def _position_prior(description: str):
    """A description that says where the value sits ("at the bottom of this page", "in the page
    header") nudges candidates towards that part of the page."""
    text = description.lower()
    if re.search(r"\b(bottom|footer|foot)\b", text):
        return lambda c: 0.9 + 0.1 * min(1.0, c.source.line.box.y / max(c.source.page.height, 1.0))
    if re.search(r"\b(top|header|heading)\b", text):
        return lambda c: 1.0 - 0.1 * min(1.0, c.source.line.box.y / max(c.source.page.height, 1.0))
    return lambda c: 1.0


def _citations(best: Candidate, found: list[Candidate]) -> list[dict[str, Any]]:
    """The chosen candidate's place first, then (up to two) other places printing the same value."""
    out, seen = [], set()
    for cand in [best] + [c for c in found if c is not best and c.value == best.value]:
        where = (cand.source.page.number, id(cand.source), cand.typed.start)
        if where in seen:
            continue
        seen.add(where)
        box = span_box(cand.source, cand.typed.start, len(cand.typed.text))
        out.append(citation(cand.source.page, cand.typed.text, box))
        if len(out) == MAX_CITATIONS:
            break
    return out


def _reading_order(cand: Candidate) -> tuple[int, float, float]:
    return cand.source.page.number, cand.source.line.box.y, cand.source.line.box.x


def _field_at(node: Field, path: tuple[str, ...]) -> Field:
    return next(c for c in node.children if c.path == path)


def _empty(node: Field) -> tuple[Any, Any]:
    """The unanswered shape of a field: null leaves, empty arrays, objects of those."""
    if node.is_scalar:
        return None, Leaf()
    if node.kind == "array":
        return [], []
    values, metas = {}, {}
    for child in node.children:
        values[child.name], metas[child.name] = _empty(child)
    return values, metas


def _value_scores(found: list[Candidate]) -> dict[str, float]:
    """Each distinct value's score: its best candidate, raised a little by every other label
    that independently points at the same value ("New balance" twice, "Total" and "Amount due").
    Several readings of one label (its right and its lower neighbour) count once."""
    by_value: dict[str, dict[int, float]] = {}
    for cand in found:
        labels = by_value.setdefault(repr(cand.value), {})
        key = id(cand.label) if cand.label is not None else id(cand.source)
        labels[key] = max(labels.get(key, 0.0), cand.score)
    out = {}
    for value, per_label in by_value.items():
        scores = sorted(per_label.values(), reverse=True)
        top = scores[0]
        out[value] = min(1.0, top + CORROBORATION * sum(scores[1:3]) * (1 - top))
    return out


def _claim_labels(found: dict[tuple[str, ...], list[Candidate]]) -> None:
    """A label line serves the sibling it names best: other fields' candidates that rely on
    the same label with a weaker match are discounted."""
    best_on: dict[int, float] = {}
    for cands in found.values():
        for cand in cands:
            if cand.label is not None:
                key = id(cand.label)
                best_on[key] = max(best_on.get(key, 0.0), cand.label_quality)
    for name, cands in found.items():
        kept = []
        for cand in cands:
            top = best_on[id(cand.label)] if cand.label is not None else 0.0
            if cand.label is not None and cand.label_quality + 0.05 < top:
                continue  # a sibling names this label far better ("Issue Date" is not the due date)
            if cand.label is not None and cand.label_quality + 1e-9 < top:
                cand.score *= CLAIM_PENALTY
            kept.append(cand)
        found[name] = kept
