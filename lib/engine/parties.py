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

from lib.engine.locate import Candidate, IndexedLine, PageIndex, is_label
from lib.engine.values import Typed

ISSUER = re.compile(r"\b(vendor|seller|supplier|merchant|bank|company|issuer|store|shop|restaurant|biller|from)\b")
RECIPIENT = re.compile(r"\b(account holder|holder|customer|client|recipient|addressee|bill to|buyer)\b")
NAME = re.compile(r"\b(name|holder)\b")
ADDRESS = re.compile(r"\baddress\b")
TITLE_WORDS = re.compile(r"^(tax )?(invoice|receipt|statement|statement of account|purchase order|bill|quote|"
                         r"quotation|order|credit note|delivery note|bank statement|sales receipt|account statement)$")
COMPANY_SUFFIX = re.compile(r"\b(ltd|llc|inc|gmbh|ag|sa|sarl|plc|bv|co|corp|corporation|company|bank|union|"
                            r"sparkasse|group|partners|solutions|services|systems|industries|consulting|store|"
                            r"market|cafe|café|restaurant|shop|supplies)\b", re.I)
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


def party_candidates(hint: str, pages: list[PageIndex]) -> list[Candidate]:
    """Fallback candidates for a party's name or address (see the module docstring)."""
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
