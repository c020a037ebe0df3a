"""How dates and amounts are printed: the regional conventions a document can follow.

A ``Convention`` fixes the date style, the number style (``1,234.56`` vs ``1.234,56``) and how
a currency is shown; builders print every value through it, and the ground truth keeps the
typed value, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

DateStyle = Literal["iso", "us", "long", "us_long", "eu"]
NumberStyle = Literal["us", "eu", "plain"]

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CHF": "CHF ", "CAD": "CA$", "AUD": "A$"}


@dataclass(frozen=True)
class Convention:
    name: str
    date_style: DateStyle
    number_style: NumberStyle
    currency: str
    region: str = "us"
    symbol_after: bool = False
    a4: bool = False

    def date(self, d: date) -> str:
        return format_date(d, self.date_style)

    def number(self, x: float, decimals: int = 2) -> str:
        return format_number(x, self.number_style, decimals)

    def money(self, x: float) -> str:
        """An amount with its currency sign as this convention writes it."""
        num = self.number(x)
        symbol = SYMBOLS[self.currency]
        if self.symbol_after:
            return f"{num} {symbol.strip()}"
        if num.startswith("-"):
            return f"-{symbol}{num[1:]}"
        return f"{symbol}{num}"


def format_date(d: date, style: DateStyle) -> str:
    if style == "iso":
        return d.isoformat()
    if style == "us":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "eu":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "long":
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def format_number(x: float, style: NumberStyle, decimals: int = 2) -> str:
    text = f"{x:,.{decimals}f}"
    if style == "plain":
        return text.replace(",", "")
    if style == "eu":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


CONVENTIONS: dict[str, Convention] = {
    c.name: c
    for c in [
        Convention("us", "us", "us", "USD", "us"),
        Convention("us_long", "us_long", "us", "USD", "us"),
        Convention("eu", "eu", "eu", "EUR", "eu", symbol_after=True, a4=True),
        Convention("uk", "long", "us", "GBP", "uk", a4=True),
        Convention("iso_chf", "iso", "plain", "CHF", "ch", a4=True),
        Convention("iso_cad", "iso", "us", "CAD", "ca"),
    ]
}
