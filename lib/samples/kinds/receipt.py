"""Till receipts: a narrow roll, merchant header, item lines, totals and the payment line."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from .. import fake
from ..content import KV, Doc, Heading, KeyValues, Lines, Rule, Spacer, Table, sp
from ..conventions import CONVENTIONS
from ..templates import RECEIPT_ITEM, TEMPLATES
from .base import Built, row_root

SHOPS = ["Corner Cafe", "Lumen Bakery", "Harbor Deli", "Green Leaf Bistro", "Cedar Coffee House", "Atlas Canteen"]
PAYMENT_TEXT = {"Cash": ["Cash", "CASH"], "Card": ["Card", "CARD", "Credit Card"], "Mobile": ["Mobile", "MOBILE PAY"]}
ROLL = (226.0, None)


@dataclass(frozen=True)
class ReceiptLayout:
    convention: str
    qty_column: bool
    upper: bool
    date_time_line: bool  # date and time on one unlabelled line, else labelled fields


LAYOUTS = [
    ReceiptLayout("us", True, False, True),
    ReceiptLayout("eu", False, False, False),
    ReceiptLayout("uk", True, True, False),
    ReceiptLayout("iso_cad", False, True, True),
]


def build_receipt(rng: random.Random, layout: int, *, items: Optional[int] = None, font: Optional[str] = None,
                  convention: Optional[str] = None) -> Built:
    lay = LAYOUTS[layout % len(LAYOUTS)]
    conv = CONVENTIONS[convention or lay.convention]
    n = items if items is not None else rng.randint(1, 8)
    if not 1 <= n <= 60:
        raise ValueError(f"items must be between 1 and 60, got {n}")
    lines = []
    for _ in range(n):
        name, low, high = rng.choice(fake.SHOP_ITEMS)
        qty = rng.randint(1, 3) if lay.qty_column else 1
        lines.append({"description": name.upper() if lay.upper else name,
                      "quantity": qty if lay.qty_column else None, "amount": round(qty * fake.money(rng, low, high), 2)})
    subtotal = round(sum(i["amount"] for i in lines), 2)
    rate = rng.choice([0.07, 0.0825, 0.1, 0.2])
    tax = round(subtotal * rate, 2)
    payment = rng.choice(sorted(PAYMENT_TEXT))
    shop = rng.choice(SHOPS)
    expected: dict[str, Any] = {
        "merchant_name": shop.upper() if lay.upper else shop,
        "merchant_address": fake.one_line_address(fake.address(rng, conv.region), conv.region),
        "receipt_number": f"{rng.randint(1, 99):02d}-{rng.randint(1000, 99999)}",
        "date": fake.day(rng).isoformat(),
        "time": f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}",
        "items": lines,
        "subtotal": subtotal,
        "tax": tax,
        "total": round(subtotal + tax, 2),
        "payment_method": payment,
    }
    doc = Doc(title=f"Receipt {expected['receipt_number']}", font=font or rng.choice(["Courier", "Courier", "Helvetica"]),
              page_size=ROLL, margin=14, page_footer=False,
              blocks=receipt_blocks(expected, conv, lay, rate, rng.choice(PAYMENT_TEXT[payment]), rng))
    return Built(doc, "receipt", TEMPLATES["receipt"].schema, expected,
                 row_schema=row_root("Receipt item", RECEIPT_ITEM), expected_rows=[dict(i) for i in lines])


def receipt_blocks(e: dict[str, Any], conv, lay: ReceiptLayout, rate: float, paid_text: str,
                   rng: random.Random) -> list:
    up = (lambda s: s.upper()) if lay.upper else (lambda s: s)
    day = conv.date(date.fromisoformat(e["date"]))
    blocks: list = [
        Heading([sp(e["merchant_name"], "merchant_name", bold=True)], 13, "center"),
        Lines([[sp(e["merchant_address"], "merchant_address")],
               [sp(f"Tel. {rng.randint(200, 989)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}")]], 8),
        Rule(),
    ]
    if lay.date_time_line:
        blocks.append(Lines([[sp(day, "date"), sp("  "), sp(e["time"], "time")],
                             [sp(up("Receipt #") + " "), sp(e["receipt_number"], "receipt_number")]], 8))
    else:
        blocks.append(KeyValues([KV(up("Receipt No."), [sp(e["receipt_number"], "receipt_number")]),
                                 KV(up("Date"), [sp(day, "date")]), KV(up("Time"), [sp(e["time"], "time")])],
                                "inline", size=8))
    rows = []
    for i, item in enumerate(e["items"]):
        row = [sp(item["description"], f"items[{i}].description", f"@row{i}.description")]
        if lay.qty_column:
            row.append(sp(str(item["quantity"]), f"items[{i}].quantity", f"@row{i}.quantity", value=item["quantity"]))
        row.append(sp(conv.number(item["amount"]), f"items[{i}].amount", f"@row{i}.amount", value=item["amount"]))
        rows.append(row)
    header = [up("Item"), up("Qty"), up("Amount")] if lay.qty_column else [up("Item"), up("Price")]
    numeric = [False, True, True] if lay.qty_column else [False, True]
    widths = [0.6, 0.12, 0.28] if lay.qty_column else [0.7, 0.3]
    blocks += [Table(header, rows, numeric, widths, ruled=False, size=8), Rule()]
    tax_label = up(rng.choice(["Tax", "Sales tax", "VAT"]) + f" {rate * 100:g}%")
    blocks.append(KeyValues([
        KV(up("Subtotal"), [sp(conv.number(e["subtotal"]), "subtotal", value=e["subtotal"])]),
        KV(tax_label, [sp(conv.number(e["tax"]), "tax", value=e["tax"])]),
        KV(up("Total"), [sp(conv.money(e["total"]), "total", value=e["total"], bold=True)]),
    ], "inline", "right", size=9))
    blocks += [Spacer(4), Lines([[sp(up("Paid by") + ": "), sp(paid_text, "payment_method")]], 8), Spacer(6),
               Heading([sp(up("Thank you for your visit!"))], 8, "center")]
    return blocks
