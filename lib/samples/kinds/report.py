"""Multi-page reports: one section per page, each page with its own title, date and subtotal.

The schema is the pydantic-written ``report`` template ($defs / $ref); the per_page truth is
each page's section header and subtotal, the per_table_row truth every row of the section
tables (they share one header, like a table continued across pages).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Optional

from .. import fake
from ..content import KV, Doc, Heading, KeyValues, Lines, PageBreak, Paragraph, Rule, Spacer, Table, sp
from ..conventions import CONVENTIONS
from ..templates import TEMPLATES
from .base import Built, page_size, pick_font, row_root

REGIONS = ["Northern Region", "Southern Region", "Eastern Region", "Western Region", "Central Region",
           "Coastal Division", "Mountain Division", "Online Sales", "Wholesale", "Export Markets"]
TITLES = ["Quarterly Sales Report", "Regional Performance Review", "Annual Revenue Summary", "Monthly Business Report"]
ROW_SCHEMA = row_root("Report table row", {
    "type": "object",
    "properties": {
        "product": {"type": "string", "description": "Product line"},
        "units": {"type": "integer", "description": "Units sold"},
        "revenue": {"type": "number", "description": "Revenue of the line"},
    },
    "required": ["product", "revenue"],
})
PROSE = ["Demand stayed firm through the period, with repeat orders from established customers.",
         "Margins narrowed slightly as freight costs rose; pricing was adjusted late in the period.",
         "Two new distribution partners were signed and began ordering in the final weeks.",
         "Returns were below the company average and no major quality issues were reported."]


@dataclass(frozen=True)
class ReportLayout:
    convention: str
    ruled: bool
    style: str


LAYOUTS = [ReportLayout("us", True, "inline"), ReportLayout("eu", False, "grid"), ReportLayout("uk", True, "below")]


def build_report(rng: random.Random, layout: int, *, pages: Optional[int] = None, font: Optional[str] = None,
                 convention: Optional[str] = None) -> Built:
    lay = LAYOUTS[layout % len(LAYOUTS)]
    conv = CONVENTIONS[convention or lay.convention]
    n = pages if pages is not None else rng.randint(2, 5)
    if not 1 <= n <= 1000:
        raise ValueError(f"pages must be between 1 and 1000, got {n}")
    report_date = fake.day(rng)
    sections, rows = [], []
    for k in range(n):
        section_rows = [{"product": name, "units": rng.randint(5, 900), "revenue": fake.money(rng, 200, 40000)}
                        for name, _, _ in rng.sample(fake.PRODUCTS, rng.randint(4, 9))]
        rows.append(section_rows)
        title = REGIONS[k % len(REGIONS)] + (f" ({k // len(REGIONS) + 1})" if k >= len(REGIONS) else "")
        sections.append({"title": title,
                         "section_date": (report_date - timedelta(days=7 * (n - k))).isoformat(),
                         "subtotal": round(sum(r["revenue"] for r in section_rows), 2)})
    first, last = fake.person(rng)
    expected: dict[str, Any] = {
        "title": rng.choice(TITLES),
        "company": fake.company(rng),
        "report_date": report_date.isoformat(),
        "author": f"{first} {last}" if rng.random() < 0.7 else None,
        "grand_total": round(sum(s["subtotal"] for s in sections), 2),
        "sections": sections,
    }
    page_truth = [{"section_title": s["title"], "section_date": s["section_date"], "subtotal": s["subtotal"]}
                  for s in sections]
    doc = Doc(title=expected["title"], font=pick_font(rng, font), page_size=page_size(conv),
              running_header=f"{expected['company']} - {expected['title']}",
              blocks=report_blocks(expected, rows, conv, lay, rng))
    return Built(doc, "report", TEMPLATES["report"].schema, expected,
                 row_schema=ROW_SCHEMA, expected_rows=[dict(r) for section in rows for r in section],
                 page_schema=TEMPLATES["report_page"].schema, expected_pages=page_truth)


def report_blocks(e: dict[str, Any], rows: list[list[dict[str, Any]]], conv, lay: ReportLayout,
                  rng: random.Random) -> list:
    d = date.fromisoformat
    summary = [KV("Company", [sp(e["company"], "company")]),
               KV("Report date", [sp(conv.date(d(e["report_date"])), "report_date")])]
    if e["author"]:
        summary.append(KV("Prepared by", [sp(e["author"], "author")]))
    summary.append(KV("Grand total", [sp(conv.money(e["grand_total"]), "grand_total", value=e["grand_total"])]))
    blocks: list = [Heading([sp(e["title"], "title", bold=True)], 20), KeyValues(summary, lay.style), Rule()]
    index = 0
    for k, (section, section_rows) in enumerate(zip(e["sections"], rows)):
        if k:
            blocks.append(PageBreak())
        p = f"sections[{k}]"
        blocks += [
            Heading([sp(section["title"], f"{p}.title", f"@p{k}.section_title")], 15),
            Lines([[sp("Date: "), sp(conv.date(d(section["section_date"])), f"{p}.section_date",
                                        f"@p{k}.section_date")]]),
            Spacer(4),
            Paragraph([sp(" ".join(rng.sample(PROSE, 2)))]),
            Spacer(4),
        ]
        table_rows = []
        for r in section_rows:
            table_rows.append([sp(r["product"], f"@row{index}.product"),
                               sp(str(r["units"]), f"@row{index}.units", value=r["units"]),
                               sp(conv.number(r["revenue"]), f"@row{index}.revenue", value=r["revenue"])])
            index += 1
        blocks.append(Table(["Product line", "Units", "Revenue"], table_rows, [False, True, True], [0.6, 0.15, 0.25],
                            lay.ruled))
        blocks.append(Lines([[sp("Section total: ", bold=True),
                              sp(conv.money(section["subtotal"]), f"{p}.subtotal", f"@p{k}.subtotal",
                                 value=section["subtotal"])]]))
    return blocks
