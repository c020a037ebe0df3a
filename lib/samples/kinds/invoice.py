"""Invoices: header fields, vendor and customer blocks, a line-item table, a totals block.

Layouts differ in regional convention (dates, number style, currency), where the header
fields sit and how (label: value, value below label, a key/value grid), ruled or unruled
tables and totals; label wording is drawn from synonyms per document.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Optional

from .. import fake
from ..content import KV, Columns, Doc, Heading, KeyValues, Lines, Paragraph, Rule, Spacer, Table, sp
from ..conventions import CONVENTIONS, Convention
from ..templates import LINE_ITEM, TEMPLATES
from .base import Built, page_size, pick_font, row_root

LABELS = {
    "invoice_number": ["Invoice No.", "Invoice #", "Invoice Number"],
    "invoice_date": ["Invoice Date", "Date", "Date of Issue", "Issue Date"],
    "due_date": ["Due Date", "Payment Due", "Due"],
    "currency": ["Currency", "Currency Code"],
    "subtotal": ["Subtotal", "Sub-total", "Net Total"],
    "total": ["Total", "Amount Due", "Balance Due", "Total Due"],
    "bill_to": ["Bill To", "Billed To", "Customer", "Invoice To"],
}
ITEM_HEADERS = [
    ["Description", "Qty", "Unit Price", "Amount"],
    ["Item", "Quantity", "Price", "Total"],
    ["Product / Service", "Units", "Rate", "Line Total"],
]
TAX_RATES = [0.05, 0.08, 0.1, 0.19, 0.2]


@dataclass(frozen=True)
class InvoiceLayout:
    convention: str
    meta_style: str  # inline | below | grid
    vendor_right: bool
    ruled: bool
    totals_style: str  # inline | grid


LAYOUTS = [
    InvoiceLayout("us", "inline", False, True, "inline"),
    InvoiceLayout("eu", "grid", True, False, "grid"),
    InvoiceLayout("uk", "below", False, True, "inline"),
    InvoiceLayout("iso_chf", "inline", True, False, "inline"),
    InvoiceLayout("us_long", "grid", False, False, "grid"),
    InvoiceLayout("iso_cad", "below", True, True, "inline"),
]


def invoice_number(rng: random.Random, year: int) -> str:
    return rng.choice([f"INV-{year}-{rng.randint(1, 9999):04d}", f"{year}/{rng.randint(100, 999)}",
                       f"A-{rng.randint(10000, 99999)}"])


def make_items(rng: random.Random, n: int) -> list[dict[str, Any]]:
    items = []
    for _ in range(n):
        name, low, high = rng.choice(fake.PRODUCTS)
        qty = rng.randint(1, 12)
        price = fake.money(rng, low, high)
        items.append({"description": name, "quantity": qty, "unit_price": price, "amount": round(qty * price, 2)})
    return items


def build_invoice(rng: random.Random, layout: int, *, items: Optional[int] = None, font: Optional[str] = None,
                  convention: Optional[str] = None, due_date: Optional[bool] = None,
                  tax: Optional[bool] = None) -> Built:
    """An invoice; options fix what the seed would otherwise choose (item count, font, ...)."""
    lay = LAYOUTS[layout % len(LAYOUTS)]
    conv = CONVENTIONS[convention or lay.convention]
    n_items = items if items is not None else rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15])
    if not 1 <= n_items <= 200:
        raise ValueError(f"items must be between 1 and 200, got {n_items}")
    issued = fake.day(rng)
    terms = rng.choice([14, 30, 45, 60])
    has_due = rng.random() < 0.8 if due_date is None else due_date
    has_tax = rng.random() < 0.85 if tax is None else tax
    line_items = make_items(rng, n_items)
    subtotal = round(sum(i["amount"] for i in line_items), 2)
    rate = rng.choice(TAX_RATES)
    tax_amount = round(subtotal * rate, 2) if has_tax else None
    vendor_addr = fake.address(rng, conv.region)
    first, last = fake.person(rng)
    expected: dict[str, Any] = {
        "invoice_number": invoice_number(rng, issued.year),
        "invoice_date": issued.isoformat(),
        "due_date": (issued + timedelta(days=terms)).isoformat() if has_due else None,
        "vendor": {"name": fake.company(rng), "address": fake.one_line_address(vendor_addr, conv.region)},
        "customer_name": rng.choice([f"{first} {last}", fake.company(rng)]),
        "currency": conv.currency,
        "subtotal": subtotal if has_tax else None,
        "tax": tax_amount,
        "total": round(subtotal + (tax_amount or 0.0), 2),
        "line_items": line_items,
    }
    labels = {key: rng.choice(options) for key, options in LABELS.items()}
    tax_label = rng.choice(["Tax", f"VAT {int(rate * 100)}%", f"Sales Tax ({rate * 100:g}%)"])
    customer_addr = fake.one_line_address(fake.address(rng, conv.region), conv.region)
    doc = Doc(
        title=f"Invoice {expected['invoice_number']}",
        font=pick_font(rng, font),
        page_size=page_size(conv),
        blocks=invoice_blocks(expected, conv, lay, labels, tax_label, customer_addr, rng.choice(ITEM_HEADERS), terms, rng),
    )
    return Built(
        doc, "invoice", TEMPLATES["invoice"].schema, expected,
        row_schema=row_root("Invoice line item", LINE_ITEM), expected_rows=[dict(i) for i in line_items],
    )


def invoice_blocks(e: dict[str, Any], conv: Convention, lay: InvoiceLayout, labels: dict[str, str],
                   tax_label: str, customer_addr: str, headers: list[str], terms: int,
                   rng: random.Random) -> list:
    vendor = Lines([
        [sp(e["vendor"]["name"], "vendor.name", bold=True)],
        [sp(e["vendor"]["address"], "vendor.address")],
        [sp(f"Phone {rng.randint(200, 989)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}")],
        [sp(f"billing@{e['vendor']['name'].split()[0].lower()}.example")],
    ])
    meta_items = [KV(labels["invoice_number"], [sp(e["invoice_number"], "invoice_number")]),
                  KV(labels["invoice_date"], [sp(conv.date(_d(e["invoice_date"])), "invoice_date")])]
    if e["due_date"]:
        meta_items.append(KV(labels["due_date"], [sp(conv.date(_d(e["due_date"])), "due_date")]))
    if rng.random() < 0.4:
        meta_items.append(KV(rng.choice(["PO Number", "Order No.", "Reference"]), [sp(f"PO-{rng.randint(10000, 99999)}")]))
    meta_items.append(KV(labels["currency"], [sp(e["currency"], "currency")]))
    title = Heading([sp("INVOICE", bold=True)], 22, "right" if not lay.vendor_right else "left")
    blocks: list = []
    if lay.meta_style == "below":
        top = [title, vendor] if lay.vendor_right else [vendor, title]
        blocks += [Columns(top), Spacer(8), KeyValues(meta_items, "below"), Rule()]
    else:
        meta = KeyValues(meta_items, lay.meta_style)
        top = [meta, vendor] if lay.vendor_right else [vendor, meta]
        blocks += [title, Columns(top), Spacer(10)]
    bill_to = Lines([[sp(labels["bill_to"] + ":", bold=True)], [sp(e["customer_name"], "customer_name")],
                     [sp(customer_addr)]])
    if rng.random() < 0.35:
        ship_to = Lines([[sp("Ship To:", bold=True)], [sp(f"Receiving Dock, {fake.company(rng)}")],
                         [sp(fake.one_line_address(fake.address(rng, conv.region), conv.region))]])
        blocks.append(Columns([bill_to, ship_to]))
    else:
        blocks.append(bill_to)
    blocks.append(Spacer(10))
    rows = []
    for i, item in enumerate(e["line_items"]):
        p = f"line_items[{i}]"
        rows.append([sp(item["description"], f"{p}.description", f"@row{i}.description"),
                     sp(str(item["quantity"]), f"{p}.quantity", f"@row{i}.quantity", value=item["quantity"]),
                     sp(conv.number(item["unit_price"]), f"{p}.unit_price", f"@row{i}.unit_price", value=item["unit_price"]),
                     sp(conv.number(item["amount"]), f"{p}.amount", f"@row{i}.amount", value=item["amount"])])
    blocks.append(Table(headers, rows, [False, True, True, True], [0.5, 0.12, 0.19, 0.19], lay.ruled))
    totals = []
    if e["tax"] is not None:
        totals.append(KV(labels["subtotal"], [sp(conv.money(e["subtotal"]), "subtotal", value=e["subtotal"])]))
        totals.append(KV(tax_label, [sp(conv.money(e["tax"]), "tax", value=e["tax"])]))
    totals.append(KV(labels["total"], [sp(conv.money(e["total"]), "total", value=e["total"], bold=True)]))
    blocks.append(Columns([Spacer(0), KeyValues(totals, lay.totals_style, "right" if lay.totals_style == "inline" else "left")]))
    blocks.append(Spacer(14))
    blocks.append(Paragraph([sp(f"Payment terms: net {terms} days. Please quote the invoice number with your "
                                f"payment. Thank you for your business!")], 9))
    return blocks


def _d(iso: str) -> date:
    return date.fromisoformat(iso)
