"""Purchase orders: PO header, buyer and supplier blocks, a ship-to distractor, item table, total."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Optional

from .. import fake
from ..content import KV, Columns, Doc, Heading, KeyValues, Lines, Paragraph, Spacer, Table, sp
from ..conventions import CONVENTIONS, Convention
from ..templates import PO_ITEM, TEMPLATES
from .base import Built, page_size, pick_font, row_root

LABELS = {
    "po_number": ["PO Number", "PO No.", "PO #", "Purchase Order No."],
    "order_date": ["Order Date", "Date", "Date Ordered"],
    "delivery_date": ["Delivery Date", "Required By", "Deliver By"],
    "buyer": ["Buyer", "Ordered By", "Purchaser"],
    "supplier": ["Supplier", "Vendor", "Sold By"],
    "total": ["Total", "Order Total", "Grand Total"],
}


@dataclass(frozen=True)
class POLayout:
    convention: str
    meta_style: str
    sku_column: bool
    ruled: bool


LAYOUTS = [POLayout("us", "grid", True, True), POLayout("eu", "inline", False, False),
           POLayout("uk", "below", True, False), POLayout("iso_cad", "inline", True, True)]


def build_purchase_order(rng: random.Random, layout: int, *, items: Optional[int] = None, font: Optional[str] = None,
                         convention: Optional[str] = None) -> Built:
    lay = LAYOUTS[layout % len(LAYOUTS)]
    conv = CONVENTIONS[convention or lay.convention]
    n = items if items is not None else rng.randint(1, 12)
    if not 1 <= n <= 200:
        raise ValueError(f"items must be between 1 and 200, got {n}")
    ordered = fake.day(rng)
    lines = []
    for _ in range(n):
        name, low, high = rng.choice(fake.PRODUCTS)
        qty, price = rng.randint(1, 50), fake.money(rng, low, high)
        lines.append({"sku": f"SKU-{rng.randint(10000, 99999)}" if lay.sku_column else None, "description": name,
                      "quantity": qty, "unit_price": price, "amount": round(qty * price, 2)})
    has_delivery = rng.random() < 0.75
    expected: dict[str, Any] = {
        "po_number": f"PO-{ordered.year}-{rng.randint(100, 9999)}",
        "order_date": ordered.isoformat(),
        "delivery_date": (ordered + timedelta(days=rng.randint(7, 60))).isoformat() if has_delivery else None,
        "buyer": {"name": fake.company(rng), "address": fake.one_line_address(fake.address(rng, conv.region), conv.region)},
        "supplier": {"name": fake.company(rng),
                     "address": fake.one_line_address(fake.address(rng, conv.region), conv.region)},
        "currency": conv.currency,
        "items": lines,
        "total": round(sum(i["amount"] for i in lines), 2),
    }
    labels = {key: rng.choice(options) for key, options in LABELS.items()}
    ship_to = fake.one_line_address(fake.address(rng, conv.region), conv.region)
    doc = Doc(title=f"Purchase order {expected['po_number']}", font=pick_font(rng, font), page_size=page_size(conv),
              blocks=po_blocks(expected, conv, lay, labels, ship_to))
    return Built(doc, "purchase_order", TEMPLATES["purchase_order"].schema, expected,
                 row_schema=row_root("Purchase order item", PO_ITEM), expected_rows=[dict(i) for i in lines])


def po_blocks(e: dict[str, Any], conv: Convention, lay: POLayout, labels: dict[str, str], ship_to: str) -> list:
    meta = [KV(labels["po_number"], [sp(e["po_number"], "po_number")]),
            KV(labels["order_date"], [sp(conv.date(date.fromisoformat(e["order_date"])), "order_date")])]
    if e["delivery_date"]:
        meta.append(KV(labels["delivery_date"],
                       [sp(conv.date(date.fromisoformat(e["delivery_date"])), "delivery_date")]))
    meta.append(KV("Currency", [sp(e["currency"], "currency")]))

    def party(key: str) -> Lines:
        return Lines([[sp(labels[key] + ":", bold=True)], [sp(e[key]["name"], f"{key}.name")],
                      [sp(e[key]["address"], f"{key}.address")]])

    blocks: list = [Heading([sp("PURCHASE ORDER", bold=True)], 20), KeyValues(meta, lay.meta_style), Spacer(8),
                    Columns([party("buyer"), party("supplier")]), Spacer(6),
                    Lines([[sp("Ship to: ", bold=True), sp(ship_to)]]), Spacer(8)]
    rows = []
    for i, item in enumerate(e["items"]):
        p = f"items[{i}]"
        row = [sp(item["sku"], f"{p}.sku", f"@row{i}.sku")] if lay.sku_column else []
        row += [sp(item["description"], f"{p}.description", f"@row{i}.description"),
                sp(str(item["quantity"]), f"{p}.quantity", f"@row{i}.quantity", value=item["quantity"]),
                sp(conv.number(item["unit_price"]), f"{p}.unit_price", f"@row{i}.unit_price", value=item["unit_price"]),
                sp(conv.number(item["amount"]), f"{p}.amount", f"@row{i}.amount", value=item["amount"])]
        rows.append(row)
    header = (["SKU"] if lay.sku_column else []) + ["Description", "Qty", "Unit Price", "Amount"]
    numeric = ([False] if lay.sku_column else []) + [False, True, True, True]
    widths = ([0.14] if lay.sku_column else []) + [0.44, 0.1, 0.16, 0.16]
    blocks.append(Table(header, rows, numeric, [w / sum(widths) for w in widths], lay.ruled))
    blocks.append(Columns([Spacer(0), KeyValues([KV(labels["total"], [sp(conv.money(e["total"]), "total",
                                                                        value=e["total"], bold=True)])],
                                                "inline", "right")]))
    blocks += [Spacer(12), Paragraph([sp("Please confirm this order within two working days and quote the PO "
                                         "number on every delivery note and invoice.")], 9)]
    return blocks
