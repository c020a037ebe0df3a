"""Typed values: dates to ISO 8601, numbers in both decimal conventions, enums, booleans, IDs."""

from __future__ import annotations

import pytest

from lib.engine.values import (Conventions, detect_conventions, find_booleans, find_dates, find_numbers, find_times,
                               match_enum, string_candidates)

US = Conventions()
EU = Conventions(day_first=True, decimal_comma=True)


@pytest.mark.parametrize("text, conv, iso", [
    ("2024-03-05", US, "2024-03-05"),
    ("03/04/2024", US, "2024-03-04"),
    ("03/04/2024", EU, "2024-04-03"),
    ("13/04/2024", US, "2024-04-13"),
    ("05.03.2024", US, "2024-03-05"),
    ("5 March 2024", US, "2024-03-05"),
    ("March 5, 2024", US, "2024-03-05"),
    ("Mar 5 2024", US, "2024-03-05"),
    ("12-Mar-2024", US, "2024-03-12"),
    ("1er mars 2024", US, None),
    ("31/02/2024", US, None),
])
def test_dates_are_normalised_to_iso(text, conv, iso):
    found = find_dates(text, conv)
    assert (found[0].value if found else None) == iso


@pytest.mark.parametrize("text, conv, value, printed", [
    ("1.234,56 €", EU, 1234.56, "1.234,56 €"),
    ("1.234,56 €", US, 1234.56, "1.234,56 €"),
    ("$1,234.56", US, 1234.56, "$1,234.56"),
    ("EUR 1 234,56", EU, 1234.56, "EUR 1 234,56"),
    ("12,50 €", EU, 12.5, "12,50 €"),
    ("1,234", US, 1234.0, "1,234"),
    ("1,234", EU, 1.234, "1,234"),
    ("(45.00)", US, -45.0, "(45.00)"),
    ("-12.50", US, -12.5, "-12.50"),
    ("CA$1,234.50", US, 1234.5, "CA$1,234.50"),
])
def test_numbers_follow_the_decimal_convention(text, conv, value, printed):
    typed, _ = find_numbers(text, conv)[0]
    assert typed.value == pytest.approx(value)
    assert typed.text == printed


def test_numbers_inside_identifiers_are_not_amounts():
    assert [t.value for t, _ in find_numbers("INV-2024-001 total 300", US)] == [300.0]
    assert [a.currency for _, a in find_numbers("CA$3.00 and 12,00 €", EU)] == ["CAD", "EUR"]
    assert [a.percent for _, a in find_numbers("VAT (19%): 12.00", US)] == [True, False]


def test_conventions_are_detected_from_unambiguous_values():
    assert detect_conventions(["Total 1.234,56 €", "Date 31/12/2024"]) == Conventions(True, True)
    assert detect_conventions(["Total $1,234.56", "Date 12/31/2024"]) == Conventions(False, False)


def test_enums_match_the_allowed_spelling():
    assert match_enum("Paid by: CREDIT CARD", ["credit_card", "cash"])[0].value == "credit_card"
    assert match_enum("Card", ["Cash", "Card", "Mobile"])[0].value == "Card"
    assert match_enum("Crdit card", ["Credit card", "Cash"])[0].value == "Credit card"
    assert match_enum("Cheque", ["Cash", "Card"]) == []


def test_booleans_times_and_string_kinds():
    assert [b.value for b in find_booleans("[x] agreed   No")] == [True, False]
    assert find_times("at 2:05 PM")[0].value == "14:05"
    assert string_candidates("Email: a.b@x.com", None, "email", US)[0].value == "a.b@x.com"
    assert string_candidates("Tel +49 30 123456", None, "phone", US)[0].value == "+49 30 123456"
    assert string_candidates(" INV-2024-0042 ", None, "invoice number", US)[0].value == "INV-2024-0042"
    assert string_candidates("DE89 3704 0044 0532 0130 00", None, "account number", US)[0].value == \
        "DE89 3704 0044 0532 0130 00"
    assert string_candidates("Issue Date", None, "invoice number", US) == []
