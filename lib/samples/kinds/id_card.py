"""Identity cards: a card-sized page with bilingual-style labels above values and an MRZ strip."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Optional

from .. import fake
from ..content import KV, Doc, Heading, KeyValues, Lines, Rule, sp
from ..conventions import CONVENTIONS
from ..templates import TEMPLATES
from .base import Built, pick_font

CARD = (486.0, 306.0)  # an ID-1 card at twice its size, so a 150 dpi scan stays legible
NATIONS = {"eu": ("FEDERAL REPUBLIC OF UTOPIA", "UTOPIAN"), "uk": ("UNITED KINGDOM OF ALBION", "ALBIONIAN"),
           "us": ("STATE OF COLUMBIA", "COLUMBIAN"), "ch": ("CONFEDERATION OF HELVETIA", "HELVETIAN")}


@dataclass(frozen=True)
class CardLayout:
    convention: str
    style: str


LAYOUTS = [CardLayout("eu", "below"), CardLayout("uk", "inline"), CardLayout("us", "below"),
           CardLayout("iso_chf", "inline")]


def build_id_card(rng: random.Random, layout: int, *, font: Optional[str] = None,
                  convention: Optional[str] = None) -> Built:
    lay = LAYOUTS[layout % len(LAYOUTS)]
    conv = CONVENTIONS[convention or lay.convention]
    country, nationality = NATIONS.get(conv.region, NATIONS["eu"])
    first, last = fake.person(rng)
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
    issued = fake.day(rng, start=date(2018, 1, 1), span_days=2000)
    number = "".join(rng.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(9))
    expected: dict[str, Any] = {
        "document_number": number,
        "surname": last.upper(),
        "given_names": first.upper(),
        "date_of_birth": born.isoformat(),
        "sex": rng.choice(["F", "M"]),
        "nationality": nationality,
        "date_of_issue": issued.isoformat(),
        "date_of_expiry": date(issued.year + 10, issued.month, min(issued.day, 28)).isoformat(),
        "place_of_birth": rng.choice(fake.CITIES[conv.region if conv.region in fake.CITIES else "eu"])[0].upper(),
    }
    doc = Doc(title="Identity card", font=pick_font(rng, font), page_size=CARD, margin=20, page_footer=False,
              blocks=card_blocks(expected, conv, lay, country))
    return Built(doc, "id_card", TEMPLATES["id_card"].schema, expected)


def card_blocks(e: dict[str, Any], conv, lay: CardLayout, country: str) -> list:
    d = date.fromisoformat
    fields = [
        KV("Surname", [sp(e["surname"], "surname")]),
        KV("Given names", [sp(e["given_names"], "given_names")]),
        KV("Date of birth", [sp(conv.date(d(e["date_of_birth"])), "date_of_birth")]),
        KV("Sex", [sp(e["sex"], "sex")]),
        KV("Nationality", [sp(e["nationality"], "nationality")]),
        KV("Place of birth", [sp(e["place_of_birth"], "place_of_birth")]),
        KV("Date of issue", [sp(conv.date(d(e["date_of_issue"])), "date_of_issue")]),
        KV("Date of expiry", [sp(conv.date(d(e["date_of_expiry"])), "date_of_expiry")]),
    ]
    mrz = f"IDUTO{e['document_number']}<<<<<<<<<<<<<<<"
    names = f"{e['surname']}<<{e['given_names']}".replace(" ", "<")
    return [
        Heading([sp(country, bold=True)], 12, "center"),
        Lines([[sp("IDENTITY CARD   Card No. "), sp(e["document_number"], "document_number", bold=True)]], 9),
        Rule(),
        KeyValues(fields, lay.style, size=9),
        Lines([[sp(mrz[:30])], [sp((names + "<" * 30)[:30])]], 9),
    ]
