"""Contracts: numbered clauses of prose with the key terms embedded in sentences, and signatures."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Optional

from .. import fake
from ..content import Doc, Heading, Lines, Paragraph, Spacer, sp
from ..conventions import CONVENTIONS
from ..templates import TEMPLATES
from .base import Built, page_size, pick_font

TITLES = ["Master Services Agreement", "Software License Agreement", "Consulting Agreement", "Supply Agreement"]
LAWS = {"us": "the State of New York", "eu": "Germany", "uk": "England and Wales", "ch": "Switzerland",
        "ca": "the Province of Ontario"}
RENEWS = "shall renew automatically"
NO_RENEW = "shall not renew automatically"
CONVENTION_BY_LAYOUT = ["us", "uk", "eu", "iso_chf"]


def build_contract(rng: random.Random, layout: int, *, font: Optional[str] = None,
                   convention: Optional[str] = None) -> Built:
    conv = CONVENTIONS[convention or CONVENTION_BY_LAYOUT[layout % len(CONVENTION_BY_LAYOUT)]]
    effective = fake.day(rng)
    months = rng.choice([12, 24, 36])
    fixed_end = rng.random() < 0.7
    expected: dict[str, Any] = {
        "contract_title": rng.choice(TITLES),
        "parties": [fake.company(rng), fake.company(rng)],
        "effective_date": effective.isoformat(),
        "termination_date": (effective + timedelta(days=months * 365 // 12 * 1)).isoformat() if fixed_end else None,
        "term_months": months,
        "contract_value": float(rng.randrange(12, 480) * 1000),
        "currency": conv.currency,
        "payment_terms_days": rng.choice([15, 30, 45, 60]),
        "notice_period_days": rng.choice([30, 60, 90]),
        "governing_law": LAWS[conv.region],
        "auto_renewal": rng.random() < 0.5,
    }
    if expected["parties"][0] == expected["parties"][1]:
        expected["parties"][1] = "Sterling " + expected["parties"][1].split(" ", 1)[1]
    doc = Doc(title=expected["contract_title"], font=pick_font(rng, font), page_size=page_size(conv),
              blocks=contract_blocks(expected, conv, fake.day(rng)))
    return Built(doc, "contract_terms", TEMPLATES["contract_terms"].schema, expected)


def contract_blocks(e: dict[str, Any], conv, signed: date) -> list:
    d = date.fromisoformat
    a, b = e["parties"]
    clauses = [
        ("1. Parties and effective date", [
            sp("This " + e["contract_title"] + " (the \"Agreement\") is entered into as of "),
            sp(conv.date(d(e["effective_date"])), "effective_date"), sp(" (the \"Effective Date\") by and between "),
            sp(a, "parties[0]"), sp(" (\"Client\") and "), sp(b, "parties[1]"), sp(" (\"Provider\").")]),
        ("2. Term", [sp("The initial term of this Agreement is "), sp(str(e["term_months"]), "term_months",
                                                                     value=e["term_months"]),
                     sp(" months")]
         + ([sp(", ending on "), sp(conv.date(d(e["termination_date"])), "termination_date")]
            if e["termination_date"] else [sp(" from the Effective Date")])
         + [sp(". The Agreement "), sp(RENEWS if e["auto_renewal"] else NO_RENEW, "auto_renewal"),
            sp(" for successive periods of twelve months.")]),
        ("3. Fees and payment", [
            sp("Client shall pay Provider fees of "), sp(e["currency"], "currency"), sp(" "),
            sp(conv.number(e["contract_value"]), "contract_value", value=e["contract_value"]),
            sp(" per year. Invoices are payable within "),
            sp(str(e["payment_terms_days"]), "payment_terms_days", value=e["payment_terms_days"]),
            sp(" days of receipt; late payments bear interest at 1.5 percent per month.")]),
        ("4. Termination", [
            sp("Either party may terminate this Agreement by giving "),
            sp(str(e["notice_period_days"]), "notice_period_days", value=e["notice_period_days"]),
            sp(" days' written notice to the other party. Sections 5 and 6 survive termination.")]),
        ("5. Confidentiality", [sp("Each party shall keep confidential all non-public information received from the "
                                   "other party and use it only to perform this Agreement, for five years after "
                                   "its end.")]),
        ("6. Governing law", [sp("This Agreement is governed by the laws of "),
                              sp(e["governing_law"], "governing_law"),
                              sp(", and the courts there have exclusive jurisdiction.")]),
    ]
    blocks: list = [Heading([sp(e["contract_title"], "contract_title", bold=True)], 18, "center"), Spacer(8)]
    for title, text in clauses:
        blocks += [Heading([sp(title, bold=True)], 11), Paragraph(text), Spacer(4)]
    blocks += [Spacer(24), Lines([[sp(f"For {a}: ____________________")], [sp(f"For {b}: ____________________")],
                                  [sp("Signed on " + conv.date(signed))]])]
    return blocks
