"""A filled application form: numbered sections of labelled fields, a ticked box, a signature line."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from .. import fake
from ..content import KV, Doc, Heading, KeyValues, Lines, Paragraph, Rule, Spacer, sp
from ..conventions import CONVENTIONS
from ..templates import TEMPLATES
from .base import Built, page_size, pick_font

TYPES = ["New account", "Renewal", "Change of details"]
EMPLOYMENT = ["Employed", "Self-employed", "Student", "Retired", "Unemployed"]


@dataclass(frozen=True)
class FormLayout:
    convention: str
    style: str  # how the fields are laid out: inline | below | grid


LAYOUTS = [FormLayout("us", "grid"), FormLayout("eu", "below"), FormLayout("uk", "inline"),
           FormLayout("iso_chf", "grid")]


def build_form(rng: random.Random, layout: int, *, font: Optional[str] = None, convention: Optional[str] = None,
               ticked: Optional[bool] = None) -> Built:
    lay = LAYOUTS[layout % len(LAYOUTS)]
    conv = CONVENTIONS[convention or lay.convention]
    first, last = fake.person(rng)
    street, city, postal, country = fake.address(rng, conv.region)
    employment = rng.choice(EMPLOYMENT)
    agrees = rng.random() < 0.8 if ticked is None else ticked
    born = fake.day(rng, start=date(1950, 1, 1), span_days=18000)
    expected: dict[str, Any] = {
        "application_id": f"APP-{rng.randint(100000, 999999)}",
        "application_type": rng.choice(TYPES),
        "applicant": {
            "first_name": first,
            "last_name": last,
            "date_of_birth": born.isoformat(),
            "email": f"{first.lower()}.{last.lower()}@mail.example",
            "phone": f"+{rng.randint(1, 49)} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        },
        "address": {"street": street, "city": city, "postal_code": postal, "country": country},
        "employment_status": employment,
        "annual_income": None if employment in ("Student", "Unemployed") else float(rng.randrange(18, 180) * 1000),
        "agrees_to_terms": agrees,
        "signature_date": fake.day(rng).isoformat() if agrees else None,
    }
    doc = Doc(title="Application form", font=pick_font(rng, font), page_size=page_size(conv),
              blocks=form_blocks(expected, conv, lay.style))
    return Built(doc, "form", TEMPLATES["form"].schema, expected)


def form_blocks(e: dict[str, Any], conv, style: str) -> list:
    a, ad = e["applicant"], e["address"]
    d = date.fromisoformat
    blocks: list = [
        Heading([sp("Account Application Form", bold=True)], 18),
        Lines([[sp("Reference: "), sp(e["application_id"], "application_id")],
               [sp("Please complete all sections in block capitals.")]], 9),
        Rule(),
        Heading([sp("1. Application")], 12),
        KeyValues([KV("Type of application", [sp(e["application_type"], "application_type")])], style),
        Heading([sp("2. Applicant details")], 12),
        KeyValues([
            KV("First name", [sp(a["first_name"], "applicant.first_name")]),
            KV("Last name", [sp(a["last_name"], "applicant.last_name")]),
            KV("Date of birth", [sp(conv.date(d(a["date_of_birth"])), "applicant.date_of_birth")]),
            KV("Email address", [sp(a["email"], "applicant.email")]),
            KV("Phone", [sp(a["phone"], "applicant.phone")]),
        ], style),
        Heading([sp("3. Address")], 12),
        KeyValues([
            KV("Street", [sp(ad["street"], "address.street")]),
            KV("City", [sp(ad["city"], "address.city")]),
            KV("Postal code", [sp(ad["postal_code"], "address.postal_code")]),
            KV("Country", [sp(ad["country"], "address.country")]),
        ], style),
        Heading([sp("4. Employment")], 12),
    ]
    employment = [KV("Employment status", [sp(e["employment_status"], "employment_status")])]
    if e["annual_income"] is not None:
        employment.append(KV("Annual income", [sp(conv.money(e["annual_income"]), "annual_income",
                                                  value=e["annual_income"])]))
    blocks.append(KeyValues(employment, style))
    box = "[X]" if e["agrees_to_terms"] else "[ ]"
    blocks += [
        Heading([sp("5. Declaration")], 12),
        Paragraph([sp(box, "agrees_to_terms"), sp(" I have read and agree to the terms and conditions and confirm "
                                                 "that the information given is correct.")]),
        Spacer(18),
    ]
    signed = [sp("Signature: ____________________    Date: ")]
    if e["signature_date"]:
        signed.append(sp(conv.date(d(e["signature_date"])), "signature_date"))
    else:
        signed.append(sp("__________"))
    blocks.append(Lines([signed]))
    return blocks
