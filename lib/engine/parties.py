"""Parties without labels: the letterhead (who issued the document) and the addressee block.

Invoices, receipts and statements rarely print "Vendor:" before the issuer's name: the
issuer is the letterhead, the prominent name at the top of the first page, with its address
on the line below; a bank statement prints the account holder's name and address as the
first block under the letterhead. These are the fallbacks for fields that name such a party
when no label points at them; they score below any labelled candidate.
"""

from __future__ import annotations

import re
from typing import Optional

from lib.engine.locate import Candidate, IndexedLine, PageIndex, Phrase, is_label, split_name
from lib.engine.schema import Field
from lib.engine.values import Conventions, Typed, typed_candidates

ISSUER = re.compile(r"\b(vendor|seller|supplier|merchant|bank|company|issuer|store|shop|restaurant|biller|from)\b")
RECIPIENT = re.compile(r"\b(account holder|holder|customer|client|recipient|addressee|bill to|buyer)\b")
NAME = re.compile(r"\b(name|holder|company)\b")
ADDRESS = re.compile(r"\baddress\b")
TITLE_WORDS = re.compile(r"^(tax )?(invoice|receipt|statement|statement of account|purchase order|bill|quote|"
                         r"quotation|order|credit note|delivery note|bank statement|sales receipt|account statement)$")
COMPANY_SUFFIX = re.compile(r"\b(ltd|llc|inc|gmbh|ag|sa|sarl|plc|bv|co|corp|corporation|company|bank|union|"
                            r"sparkasse|group|partners|solutions|services|systems|industries|consulting|store|"
                            r"market|cafe|café|restaurant|shop|supplies)\b", re.I)
SELF_TYPED = re.compile(r"\b(email|e mail|phone|telephone|tel|fax|mobile|url|website)\b")
TITLE = re.compile(r"\b(title|heading)\b")
HEADING = 0.5
LETTERHEAD = 0.5
ADDRESSEE = 0.45


def _name_like(item: IndexedLine) -> bool:
    text = item.line.text.strip()
    letters = sum(ch.isalpha() for ch in text)
    digits = sum(ch.isdigit() for ch in text)
    return (letters >= 3 and digits <= 0.2 * letters and ":" not in text and "|" not in text and "@" not in text
            and not TITLE_WORDS.match(item.folded) and not is_label(item.folded) and len(text) <= 60)


def _labels_below(item: IndexedLine) -> bool:
    """A line that introduces the block under it ("Bill To:"), so that block is not the issuer."""
    return item.line.text.rstrip().endswith(":") or is_label(item.folded)


def letterhead(pages: list[PageIndex]) -> Optional[IndexedLine]:
    """The issuer's name: the most prominent name-like line in the top part of the first page."""
    if not pages:
        return None
    page = pages[0]
    labelled = {id(i.below) for i in page.lines if i.below is not None and _labels_below(i)}
    labelled |= {id(i.right) for i in page.lines if i.right is not None and _labels_below(i)}
    limit = min([0.4 * page.page.height] + [t.box.y for t in page.page.tables if t.box is not None and t.header])
    top = [i for i in page.lines if i.line.box.y < limit and _name_like(i) and id(i) not in labelled]
    if not top:
        return None
    return max(top, key=lambda i: (round(i.line.box.h, 0), bool(COMPANY_SUFFIX.search(i.line.text)), -i.line.box.y))


def _same_column_below(item: IndexedLine, page: PageIndex, rows: int) -> list[IndexedLine]:
    out = []
    for row in page.rows[item.row + 1 : item.row + 1 + rows]:
        box = item.line.box
        out += [o for o in row if abs(o.line.box.x - box.x) <= max(4.0, 0.5 * box.h)
                or min(o.line.box.x1, box.x1) - max(o.line.box.x, box.x) > 0.25 * min(o.line.box.w, box.w)]
    return out


def _candidate(item: IndexedLine, score: float) -> Candidate:
    text = item.line.text.strip()
    typed = Typed(text, text, item.line.text.index(text), 1.0)
    return Candidate(text, typed, item, None, score, 1.0, score=score)


def heading(pages: list[PageIndex], used: set[int] = frozenset()) -> Optional[IndexedLine]:  # type: ignore[assignment]
    """The document's title: the tallest text in the top half of the first page (not a running
    header, which carries separators like "|")."""
    if not pages:
        return None
    page = pages[0]
    top = [i for i in page.lines if i.line.box.y < 0.5 * page.page.height and "|" not in i.line.text
           and id(i) not in used
           and sum(c.isalpha() for c in i.line.text) >= 3 and not i.line.text.rstrip().endswith(":")]
    return max(top, key=lambda i: (round(i.line.box.h, 0), -i.line.box.y), default=None)


def party_candidates(hint: str, pages: list[PageIndex], used: set[int]) -> list[Candidate]:
    """Fallback candidates for a party's name or address, or the document's title (see the
    module docstring)."""
    if TITLE.search(hint) and not NAME.search(hint):
        head = heading(pages, used)
        return [_candidate(head, HEADING)] if head is not None else []
    head = letterhead(pages)
    if head is None:
        return []
    page = pages[0]
    if ISSUER.search(hint) and not RECIPIENT.search(hint):
        if ADDRESS.search(hint):
            below = _same_column_below(head, page, 2)
            address = next((b for b in below if any(ch.isdigit() for ch in b.line.text) and "@" not in b.line.text
                            and not is_label(b.folded)), None)
            return [_candidate(address, LETTERHEAD)] if address is not None else []
        if NAME.search(hint) or hint.strip() in ("vendor", "seller", "supplier", "merchant", "bank", "company"):
            bonus = 0.1 if COMPANY_SUFFIX.search(head.line.text) else 0.0
            return [_candidate(head, LETTERHEAD + bonus)]
        return []
    if RECIPIENT.search(hint) and (NAME.search(hint) or "holder" in hint):
        block = [b for b in _same_column_below(head, page, 4) if _name_like(b)]
        people = [b for b in block if not COMPANY_SUFFIX.search(b.line.text) and 2 <= len(b.line.text.split()) <= 4]
        return [_candidate(people[0], ADDRESSEE)] if people else []
    return []


BLOCK = 0.9  # a value read from the block under its object's label ("Buyer:" then name, address)


def _block_under(anchor: IndexedLine, page: PageIndex, labels: frozenset[str]) -> list[IndexedLine]:
    """The lines stacked under a label like "Buyer:", in the same column, until a gap or a label."""
    out: list[IndexedLine] = []
    last = anchor
    for row in page.rows[anchor.row + 1 : anchor.row + 7]:
        below = [o for o in row if abs(o.line.box.x - anchor.line.box.x) <= max(4.0, 0.5 * anchor.line.box.h)]
        if not below:
            break
        item = below[0]
        if item.line.box.y - last.line.box.y1 > 1.5 * max(last.line.box.h, 1.0):
            break
        if item.line.text.rstrip().endswith(":") or is_label(item.folded, labels):
            break
        out.append(item)
        last = item
    return out


def block_candidates(children: list[Field], phrases: tuple[Phrase, ...], pages: list[PageIndex],
                     conv: Conventions, labels: frozenset[str], hints: dict[tuple[str, ...], str]
                     ) -> dict[tuple[str, ...], list[Candidate]]:
    """Candidates for an object's scalar children from the block under the object's own label:
    the first name-like line is the name, the next line with a digit the address, and typed
    children (email, phone, dates) are looked for in the block's lines."""
    wanted = {p.text: p.weight for p in phrases if p.weight >= 0.8}
    out: dict[tuple[str, ...], list[Candidate]] = {}
    for page in pages:
        for anchor in page.lines:
            key = anchor.folded.rstrip(" :")
            if key not in wanted or len(anchor.line.text) > 40:
                continue
            block = _block_under(anchor, page, labels)
            if not block:
                continue
            score = wanted[key] * BLOCK
            name_line = next((b for b in block if _name_like(b)), None)
            for child in children:
                hint = hints[child.path]
                found = _from_block(child, hint, block, name_line, conv)
                if found is not None:
                    line, typed = found
                    out.setdefault(child.path, []).append(
                        Candidate(typed.value, typed, line, anchor, score, 1.0, score=score * typed.quality,
                                  key=key))
    return out


def _from_block(child: Field, hint: str, block: list[IndexedLine], name_line: Optional[IndexedLine],
                conv: Conventions) -> Optional[tuple[IndexedLine, Typed]]:
    own = split_name(child.name)
    block = [b for b in block if ":" not in b.line.text]  # "Street: 6 Park Lane" is a labelled pair of its own
    if name_line not in block:
        name_line = None
    if child.kind == "string" and not child.enum and not child.format and NAME.fullmatch(own) and name_line is not None:
        text = name_line.line.text.strip()
        return name_line, Typed(text, text, name_line.line.text.index(text), 1.0)
    if child.kind == "string" and not child.enum and ADDRESS.fullmatch(own):
        start = block.index(name_line) + 1 if name_line in block else 0
        for line in block[start:]:
            if any(ch.isdigit() for ch in line.line.text) and "@" not in line.line.text:
                text = line.line.text.strip()
                return line, Typed(text, text, line.line.text.index(text), 1.0)
        return None
    if NAME.search(own) or child.kind == "string" and not (child.format or SELF_TYPED.search(own)):
        return None
    for line in block:
        hits = typed_candidates(line.line.text, child.kind, child.format, child.enum, conv, hint)
        if hits:
            return line, hits[0]
    return None
