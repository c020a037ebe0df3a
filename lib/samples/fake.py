"""Plausible names, addresses and products, drawn from a seeded ``random.Random``.

Kept small and hand-written so the samples need no extra dependency and stay deterministic.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

COMPANY_WORDS = ["Northwind", "Bluebird", "Harbor", "Summit", "Cedar", "Ironwood", "Lumen", "Atlas",
                 "Brightline", "Redstone", "Silverleaf", "Granite", "Kestrel", "Meridian", "Oakridge",
                 "Pioneer", "Quartz", "Riverside", "Sterling", "Willow"]
COMPANY_SUFFIX = ["Supplies Inc.", "Consulting LLC", "Trading Ltd", "Systems GmbH", "Logistics Co.",
                  "Design Studio", "Office Solutions", "Industries AG", "Services Ltd", "Labs Inc."]
FIRST = ["Anna", "Ben", "Clara", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
         "Liam", "Maria", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Samir", "Tara"]
LAST = ["Schmidt", "Johnson", "Moreau", "Rossi", "Novak", "Tanaka", "Okafor", "Larsen", "Silva",
        "Fischer", "Brown", "Dubois", "Kowalski", "Nguyen", "Garcia", "Weber", "Ahmed", "Keller"]
STREETS = ["Main Street", "Oak Avenue", "Market Street", "Elm Road", "Station Road", "High Street",
           "Park Lane", "Mill Road", "Church Street", "Harbour Way", "Bahnhofstrasse", "Lindenweg"]
CITIES = {
    "us": [("Springfield", "IL 62704"), ("Portland", "OR 97205"), ("Austin", "TX 78701"),
           ("Denver", "CO 80202"), ("Madison", "WI 53703")],
    "eu": [("Berlin", "10115"), ("Hamburg", "20095"), ("Vienna", "1010"), ("Lyon", "69002"),
           ("Rotterdam", "3011"), ("Milan", "20121")],
    "uk": [("Leeds", "LS1 4AP"), ("Bristol", "BS1 5TR"), ("York", "YO1 7HH"), ("Oxford", "OX1 2JD")],
    "ch": [("Zurich", "8001"), ("Basel", "4051"), ("Bern", "3011"), ("Lausanne", "1003")],
    "ca": [("Toronto", "ON M5H 2N2"), ("Ottawa", "ON K1P 5J2"), ("Calgary", "AB T2P 1J9")],
}
COUNTRY = {"us": "USA", "eu": "Germany", "uk": "United Kingdom", "ch": "Switzerland", "ca": "Canada"}
PRODUCTS = [("Consulting hours", 80, 180), ("Printer paper A4 (box)", 18, 40), ("Laptop stand", 25, 70),
            ("USB-C cable 2m", 6, 19), ("Software licence (annual)", 120, 900), ("Office chair", 140, 420),
            ("Website maintenance", 200, 800), ("Toner cartridge", 45, 110), ("Desk lamp", 20, 65),
            ("Cloud hosting (monthly)", 30, 300), ("Training workshop", 300, 1500), ("Network switch", 90, 350),
            ("Whiteboard markers", 4, 12), ("Monitor 27 inch", 180, 450), ("Design review", 150, 600),
            ("Shipping and handling", 10, 60), ("Support plan", 50, 250), ("Notebooks (pack of 5)", 7, 20),
            ("Keyboard", 25, 120), ("Data migration", 400, 2000)]
SHOP_ITEMS = [("Coffee", 2.5, 4.8), ("Croissant", 1.8, 3.5), ("Sandwich", 4.5, 8.9), ("Orange juice", 2.2, 4.5),
              ("Bagel", 1.9, 3.9), ("Salad bowl", 6.5, 11.0), ("Sparkling water", 1.2, 2.9), ("Muffin", 2.0, 3.8),
              ("Tea", 1.8, 3.6), ("Soup of the day", 4.0, 7.5), ("Cookie", 1.0, 2.5), ("Pasta", 7.5, 13.9)]
PAYEES = ["Grocery Market", "Card payment Coffee Corner", "Salary ACME Corp", "Rent Harbor Flats",
          "Electricity Citypower", "Mobile phone Telco", "Transfer to savings", "ATM withdrawal",
          "Online order Bookshop", "Restaurant Lumen", "Fuel station Atlas", "Gym membership",
          "Insurance premium", "Refund Online Store", "Interest credit", "Pharmacy", "Train tickets",
          "Streaming service", "Hardware store", "Transfer from J. Novak"]


def company(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIX)}"


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def address(rng: random.Random, region: str) -> tuple[str, str, str, str]:
    """(street, city, postal code, country) for a region key of ``CITIES``."""
    city, postal = rng.choice(CITIES[region])
    return f"{rng.randint(1, 240)} {rng.choice(STREETS)}", city, postal, COUNTRY[region]


def one_line_address(parts: tuple[str, str, str, str], region: str) -> str:
    street, city, postal, _ = parts
    if region in ("us", "ca"):
        return f"{street}, {city}, {postal}"
    if region == "uk":
        return f"{street}, {city} {postal}"
    return f"{street}, {postal} {city}"


def city_line(parts: tuple[str, str, str, str], region: str) -> str:
    """The town line of a postal address, in the region's order."""
    _, city, postal, _ = parts
    if region in ("us", "ca"):
        return f"{city}, {postal}"
    if region == "uk":
        return f"{city} {postal}"
    return f"{postal} {city}"


def day(rng: random.Random, start: date = date(2023, 1, 1), span_days: int = 700) -> date:
    return start + timedelta(days=rng.randrange(span_days))


def money(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high), 2)
