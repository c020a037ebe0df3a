"""Bank statements: account header, balance summary and a long transaction table.

The builder decides the page breaks itself (a fixed number of rows per page), so it knows
what each page prints: the account number in the running header, the balance brought
forward at the top and carried forward at the bottom. That is the per_page truth; the PDF
renderer confirms every ``@p<N>.`` span landed on page N+1.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Optional

from .. import fake
from ..content import KV, Columns, Doc, Heading, KeyValues, Lines, PageBreak, Rule, Spacer, Table, sp
from ..conventions import CONVENTIONS, Convention
from ..templates import TEMPLATES
from .base import Built, page_size, pick_font

BANKS = ["First Harbor Bank", "Cedar Savings Bank", "Meridian Credit Union", "Atlas Commerce Bank",
         "Northwind Sparkasse", "Kestrel Bank plc"]
OPENING = ["Opening balance", "Beginning balance", "Previous balance"]
CLOSING = ["Closing balance", "Ending balance", "New balance"]
HEADERS = [["Date", "Description", "Amount", "Balance"], ["Booking date", "Details", "Amount", "Balance"],
           ["Date", "Transaction", "Amount", "Running balance"]]

FIRST_PAGE_ROWS = 16
PAGE_ROWS = 30


@dataclass(frozen=True)
class StatementLayout:
    convention: str
    kv_style: str
    ruled: bool
    balance_column: bool


LAYOUTS = [
    StatementLayout("us", "inline", True, True),
    StatementLayout("eu", "grid", False, True),
    StatementLayout("uk", "below", True, False),
    StatementLayout("iso_chf", "inline", False, True),
]


def make_transactions(rng: random.Random, n: int, start: date, end: date, opening: float) -> list[dict[str, Any]]:
    days = sorted(start + timedelta(days=rng.randrange((end - start).days + 1)) for _ in range(n))
    balance, rows = opening, []
    for k, d in enumerate(days):
        payee = rng.choice(fake.PAYEES)
        credit = payee.startswith(("Salary", "Refund", "Interest", "Transfer from"))
        amount = fake.money(rng, 800, 3500) if payee.startswith("Salary") else fake.money(rng, 3, 240)
        amount = amount if credit else -amount
        balance = round(balance + amount, 2)
        rows.append({"date": d.isoformat(), "description": f"{payee} REF {rng.randint(10000, 99999)}{k % 10}",
                     "amount": amount, "balance": balance})
    return rows


def build_statement(rng: random.Random, layout: int, *, rows: Optional[int] = None, font: Optional[str] = None,
                    convention: Optional[str] = None, first_page_rows: int = FIRST_PAGE_ROWS,
                    page_rows: int = PAGE_ROWS) -> Built:
    """A statement with ``rows`` transactions, ``first_page_rows`` on page 1 and ``page_rows`` after."""
    lay = LAYOUTS[layout % len(LAYOUTS)]
    conv = CONVENTIONS[convention or lay.convention]
    n = rows if rows is not None else rng.choice([5, 8, 12, 20, 30, 45, 60])
    if not 1 <= n <= 20000:
        raise ValueError(f"rows must be between 1 and 20000, got {n}")
    months = min(12, 1 + n // 80)
    start = date(rng.choice([2023, 2024]), rng.randint(1, 12 - months + 1), 1)
    end_month = start.month + months - 1
    end = date(start.year, end_month, calendar.monthrange(start.year, end_month)[1])
    opening = fake.money(rng, 300, 6000)
    tx = make_transactions(rng, n, start, end, opening)
    first, last = fake.person(rng)
    expected: dict[str, Any] = {
        "bank_name": rng.choice(BANKS),
        "account_holder": f"{first} {last}",
        "account_number": account_number(rng, conv),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "opening_balance": opening,
        "closing_balance": tx[-1]["balance"],
        "transactions": [dict(t, balance=t["balance"] if lay.balance_column else None) for t in tx],
    }
    chunks = [tx[:first_page_rows]] + [tx[i:i + page_rows] for i in range(first_page_rows, n, page_rows)]
    pages = page_truth(expected["account_number"], opening, chunks)
    doc = Doc(
        title=f"Statement {expected['account_number']}",
        font=pick_font(rng, font),
        page_size=page_size(conv),
        running_header=f"{expected['bank_name']}  |  Account {expected['account_number']}  |  "
                       f"{conv.date(start)} - {conv.date(end)}",
        blocks=statement_blocks(expected, conv, lay, chunks, pages, rng),
    )
    rows_truth = [dict(t) for t in expected["transactions"]]
    return Built(doc, "bank_statement", TEMPLATES["bank_statement"].schema, expected,
                 row_schema=TEMPLATES["bank_statement_rows"].schema, expected_rows=rows_truth,
                 page_schema=TEMPLATES["bank_statement_page"].schema, expected_pages=pages)


def account_number(rng: random.Random, conv: Convention) -> str:
    if conv.region in ("eu", "ch"):
        digits = "".join(str(rng.randint(0, 9)) for _ in range(18))
        return f"DE{digits[:2]} {digits[2:6]} {digits[6:10]} {digits[10:14]} {digits[14:18]}"
    return "".join(str(rng.randint(0, 9)) for _ in range(10))


def page_truth(account: str, opening: float, chunks: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    pages, balance = [], opening
    for chunk in chunks:
        end = chunk[-1]["balance"]
        pages.append({"account_number": account, "page_opening_balance": balance, "page_closing_balance": end})
        balance = end
    return pages


def statement_blocks(e: dict[str, Any], conv: Convention, lay: StatementLayout, chunks: list[list[dict[str, Any]]],
                     pages: list[dict[str, Any]], rng: random.Random) -> list:
    holder_address = fake.address(rng, conv.region)
    opening_label, closing_label = rng.choice(OPENING), rng.choice(CLOSING)
    money_in = round(sum(t["amount"] for t in e["transactions"] if t["amount"] > 0), 2)
    money_out = round(-sum(t["amount"] for t in e["transactions"] if t["amount"] < 0), 2)
    labelled_holder = rng.random() < 0.5
    account = KeyValues([
        *([KV(rng.choice(["Account holder", "Account name", "Customer"]),
              [sp(e["account_holder"], "account_holder")])] if labelled_holder else []),
        KV(rng.choice(["Account Number", "Account No.", "IBAN"] if conv.region in ("eu", "ch")
                      else ["Account Number", "Account No."]),
           [sp(e["account_number"], "account_number", "@p0.account_number")]),
        KV("Statement period", [sp(conv.date(date.fromisoformat(e["period_start"])), "period_start"), sp(" - "),
                                sp(conv.date(date.fromisoformat(e["period_end"])), "period_end")]),
    ], lay.kv_style)
    holder = Lines([[sp(e["account_holder"], *(() if labelled_holder else ("account_holder",)), bold=True)],
                    [sp(holder_address[0])],
                    [sp(fake.city_line(holder_address, conv.region))]])
    summary = KeyValues([
        KV(opening_label, [sp(conv.money(e["opening_balance"]), "opening_balance", value=e["opening_balance"])]),
        KV("Money in", [sp(conv.money(money_in), value=money_in)]),
        KV("Money out", [sp(conv.money(money_out), value=money_out)]),
        KV(closing_label, [sp(conv.money(e["closing_balance"]), "closing_balance", value=e["closing_balance"])]),
    ], "grid" if lay.kv_style == "grid" else "inline")
    blocks: list = [Heading([sp(e["bank_name"], "bank_name", bold=True)], 18), Lines([[sp("Statement of account")]]),
                    Spacer(6)]
    blocks += [holder, Spacer(6), account]
    blocks += [Spacer(6), Columns([summary, Spacer(0)]), Rule()]
    headers = rng.choice(HEADERS)
    if not lay.balance_column:
        headers = headers[:3]
    index = 0
    for p, chunk in enumerate(chunks):
        if p:
            blocks.append(PageBreak())
        label = opening_label if p == 0 else "Balance brought forward"
        blocks.append(Lines([[sp(f"{label}: ", bold=True),
                              sp(conv.number(pages[p]["page_opening_balance"]), f"@p{p}.page_opening_balance")]],
                            furniture=p > 0))
        if p:
            blocks[-1].lines.append([sp("Account "), sp(e["account_number"], f"@p{p}.account_number")])
        rows = []
        for t in chunk:
            path = f"transactions[{index}]"
            row = [sp(conv.date(date.fromisoformat(t["date"])), f"{path}.date", f"@row{index}.date"),
                   sp(t["description"], f"{path}.description", f"@row{index}.description"),
                   sp(conv.number(t["amount"]), f"{path}.amount", f"@row{index}.amount", value=t["amount"])]
            if lay.balance_column:
                row.append(sp(conv.number(t["balance"]), f"{path}.balance", f"@row{index}.balance", value=t["balance"]))
            rows.append(row)
            index += 1
        widths = [0.19, 0.43, 0.17, 0.21] if lay.balance_column else [0.2, 0.58, 0.22]
        blocks.append(Table(headers, rows, [False, False, True, True][:len(headers)], widths, lay.ruled,
                            continues=p > 0))
        last = p == len(chunks) - 1
        label = closing_label if last else "Balance carried forward"
        blocks.append(Lines([[sp(f"{label}: ", bold=True),
                              sp(conv.number(pages[p]["page_closing_balance"]), f"@p{p}.page_closing_balance")]],
                            furniture=not last))
    return blocks
