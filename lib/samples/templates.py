"""Schema templates: the JSON Schemas an analyst starts from, and that the samples answer.

Written the way analysts write them (root object, typed properties with descriptions, enums,
``format: date``, nullable fields as ``anyOf`` with null, nested objects, arrays of objects for
line items, ``required``), plus one in pydantic's ``model_json_schema()`` style (``$defs`` /
``$ref``) because that is what people paste from Python code. The generators in this package
print documents whose ground truth validates against these schemas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field

Target = Literal["per_doc", "per_page", "per_table_row"]

CURRENCIES = ["USD", "EUR", "GBP", "CHF", "CAD", "AUD"]


@dataclass(frozen=True)
class Template:
    """A named starting schema for the gallery, with the extraction target it is meant for."""

    key: str
    title: str
    description: str
    schema: dict[str, Any]
    extraction_target: Target = "per_doc"


# --- small builders: keep the schemas readable and consistent -----------------------------------


def _s(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _n(description: str) -> dict[str, Any]:
    return {"type": "number", "description": description}


def _i(description: str) -> dict[str, Any]:
    return {"type": "integer", "description": description}


def _d(description: str) -> dict[str, Any]:
    return {"type": "string", "format": "date", "description": description}


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    """The analyst's way of saying "may be missing": anyOf the type and null."""
    description = prop.get("description")
    inner = {k: v for k, v in prop.items() if k != "description"}
    out: dict[str, Any] = {"anyOf": [inner, {"type": "null"}]}
    if description:
        out["description"] = description
    return out


def _obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", **extra, "properties": properties}
    if required:
        out["required"] = required
    return out


def _arr(items: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": items}


def _root(title: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **_obj(properties, required),
    }


# --- the templates -------------------------------------------------------------------------------

LINE_ITEM = _obj(
    {
        "description": _s("What was sold: product or service name"),
        "quantity": _n("Number of units"),
        "unit_price": _n("Price of one unit"),
        "amount": _n("Line total (quantity times unit price)"),
    },
    ["description", "amount"],
)

INVOICE = _root(
    "Invoice",
    {
        "invoice_number": _s("The invoice's identifier (Invoice No., Invoice #)"),
        "invoice_date": _d("Date the invoice was issued"),
        "due_date": _nullable(_d("Date payment is due")),
        "vendor": _obj(
            {
                "name": _s("Company that issued the invoice"),
                "address": _nullable(_s("Vendor's postal address")),
            },
            ["name"],
            description="The seller",
        ),
        "customer_name": _nullable(_s("Who is billed (Bill To)")),
        "currency": _nullable({"type": "string", "enum": CURRENCIES, "description": "ISO 4217 currency code"}),
        "subtotal": _nullable(_n("Sum of line items before tax")),
        "tax": _nullable(_n("Tax / VAT amount")),
        "total": _n("Total amount due (Total, Amount Due, Balance Due)"),
        "line_items": _arr(LINE_ITEM, "The invoice's line items"),
    },
    ["invoice_number", "invoice_date", "total", "line_items"],
)

RECEIPT_ITEM = _obj(
    {
        "description": _s("Item bought"),
        "quantity": _nullable(_n("Units bought")),
        "amount": _n("Price paid for the line"),
    },
    ["description", "amount"],
)

RECEIPT = _root(
    "Receipt",
    {
        "merchant_name": _s("Shop or restaurant name"),
        "merchant_address": _nullable(_s("Shop address")),
        "receipt_number": _nullable(_s("Receipt / transaction number")),
        "date": _d("Date of purchase"),
        "time": _nullable(_s("Time of purchase, HH:MM")),
        "items": _arr(RECEIPT_ITEM, "Items on the receipt"),
        "subtotal": _nullable(_n("Sum before tax")),
        "tax": _nullable(_n("Tax amount")),
        "total": _n("Total paid"),
        "payment_method": _nullable(
            {"type": "string", "enum": ["Cash", "Card", "Mobile"], "description": "How it was paid"}
        ),
    },
    ["merchant_name", "date", "total"],
)

TRANSACTION = _obj(
    {
        "date": _d("Booking date of the transaction"),
        "description": _s("Transaction text / payee"),
        "amount": _n("Signed amount: negative for money out, positive for money in"),
        "balance": _nullable(_n("Running balance after the transaction")),
    },
    ["date", "description", "amount"],
)

BANK_STATEMENT_ROWS = _root(
    "Bank statement transaction",
    dict(TRANSACTION["properties"]),
    ["date", "description", "amount"],
)

BANK_STATEMENT = _root(
    "Bank statement",
    {
        "bank_name": _nullable(_s("Name of the bank")),
        "account_holder": _s("Name of the account holder"),
        "account_number": _s("Account number or IBAN"),
        "period_start": _d("First day of the statement period"),
        "period_end": _d("Last day of the statement period"),
        "opening_balance": _n("Balance at the start of the period"),
        "closing_balance": _n("Balance at the end of the period"),
        "transactions": _arr(TRANSACTION, "Every transaction in the period"),
    },
    ["account_holder", "account_number", "opening_balance", "closing_balance", "transactions"],
)

STATEMENT_PAGE = _root(
    "Bank statement page",
    {
        "account_number": _s("Account number shown in the page header"),
        "page_opening_balance": _n("Balance at the top of this page (opening balance or brought forward)"),
        "page_closing_balance": _n("Balance at the bottom of this page (carried forward or closing balance)"),
    },
    ["account_number"],
)

PO_ITEM = _obj(
    {
        "sku": _nullable(_s("Item code / SKU")),
        "description": _s("Item ordered"),
        "quantity": _n("Units ordered"),
        "unit_price": _n("Price per unit"),
        "amount": _n("Line total"),
    },
    ["description", "quantity"],
)

PURCHASE_ORDER = _root(
    "Purchase order",
    {
        "po_number": _s("Purchase order number (PO No., PO #)"),
        "order_date": _d("Date of the order"),
        "delivery_date": _nullable(_d("Requested delivery date")),
        "buyer": _obj({"name": _s("Ordering company"), "address": _nullable(_s("Buyer address"))}, ["name"]),
        "supplier": _obj({"name": _s("Supplier company"), "address": _nullable(_s("Supplier address"))}, ["name"]),
        "currency": _nullable({"type": "string", "enum": CURRENCIES, "description": "ISO 4217 currency code"}),
        "items": _arr(PO_ITEM, "Ordered items"),
        "total": _n("Order total"),
    },
    ["po_number", "order_date", "supplier", "items", "total"],
)

RESUME = _root(
    "Resume",
    {
        "name": _s("Candidate's full name"),
        "email": _nullable(_s("Email address", format="email")),
        "phone": _nullable(_s("Phone number")),
        "location": _nullable(_s("City / country")),
        "summary": _nullable(_s("Profile or summary paragraph")),
        "skills": {"type": "array", "items": {"type": "string"}, "description": "Listed skills"},
        "experience": _arr(
            _obj(
                {
                    "employer": _s("Company"),
                    "title": _s("Job title"),
                    "start": _nullable(_s("Start, month and year as printed (e.g. March 2019)")),
                    "end": _nullable(_s("End, month and year as printed; null if current")),
                },
                ["employer", "title"],
            ),
            "Work history, most recent first",
        ),
        "education": _arr(
            _obj(
                {
                    "institution": _s("School or university"),
                    "degree": _nullable(_s("Degree obtained")),
                    "graduation_year": _nullable(_i("Year of graduation")),
                },
                ["institution"],
            ),
            "Education",
        ),
    },
    ["name"],
)

CONTRACT_TERMS = _root(
    "Contract key terms",
    {
        "contract_title": _s("Title of the agreement"),
        "parties": {"type": "array", "items": {"type": "string"}, "description": "Names of the contracting parties"},
        "effective_date": _d("Date the agreement takes effect"),
        "termination_date": _nullable(_d("Date the agreement ends, if fixed")),
        "term_months": _nullable(_i("Initial term in months")),
        "contract_value": _nullable(_n("Total or annual contract value")),
        "currency": _nullable({"type": "string", "enum": CURRENCIES, "description": "ISO 4217 currency code"}),
        "payment_terms_days": _nullable(_i("Days to pay an invoice (net N)")),
        "notice_period_days": _nullable(_i("Notice period for termination, in days")),
        "governing_law": _nullable(_s("Jurisdiction whose law governs the contract")),
        "auto_renewal": _nullable({"type": "boolean", "description": "Renews automatically unless terminated"}),
    },
    ["contract_title", "parties", "effective_date"],
)

ID_CARD = _root(
    "Identity card",
    {
        "document_number": _s("Card / document number"),
        "surname": _s("Family name"),
        "given_names": _s("Given names"),
        "date_of_birth": _d("Date of birth"),
        "sex": _nullable({"type": "string", "enum": ["F", "M", "X"], "description": "Sex as printed"}),
        "nationality": _nullable(_s("Nationality")),
        "date_of_issue": _nullable(_d("Date of issue")),
        "date_of_expiry": _d("Date of expiry"),
        "place_of_birth": _nullable(_s("Place of birth")),
    },
    ["document_number", "surname", "given_names", "date_of_birth", "date_of_expiry"],
)

FORM = _root(
    "Application form",
    {
        "application_id": _nullable(_s("Reference number of the application")),
        "application_type": {
            "type": "string",
            "enum": ["New account", "Renewal", "Change of details"],
            "description": "What is being applied for",
        },
        "applicant": _obj(
            {
                "first_name": _s("Given name"),
                "last_name": _s("Family name"),
                "date_of_birth": _d("Date of birth"),
                "email": _nullable(_s("Email address", format="email")),
                "phone": _nullable(_s("Phone number")),
            },
            ["first_name", "last_name"],
        ),
        "address": _obj(
            {
                "street": _s("Street and number"),
                "city": _s("City"),
                "postal_code": _s("Postal / ZIP code"),
                "country": _s("Country"),
            },
            ["street", "city"],
        ),
        "employment_status": _nullable(
            {
                "type": "string",
                "enum": ["Employed", "Self-employed", "Student", "Retired", "Unemployed"],
                "description": "Current employment",
            }
        ),
        "annual_income": _nullable(_n("Gross yearly income")),
        "agrees_to_terms": {"type": "boolean", "description": "The terms-and-conditions box is ticked"},
        "signature_date": _nullable(_d("Date next to the signature")),
    },
    ["application_type", "applicant", "agrees_to_terms"],
)


# --- pydantic-style template: $defs / $ref as model_json_schema() writes them ---------------------


class ReportSection(BaseModel):
    """One section of a report; each section fills one page."""

    title: str = Field(description="Section heading")
    section_date: date = Field(description="Date printed in the section header")
    subtotal: float = Field(description="Section total")


class Report(BaseModel):
    """A multi-page business report."""

    title: str = Field(description="Report title on the first page")
    company: str = Field(description="Company the report is about")
    report_date: date = Field(description="Date of the report")
    author: Optional[str] = Field(default=None, description="Prepared by")
    grand_total: float = Field(description="Grand total across all sections")
    sections: list[ReportSection] = Field(description="The report's sections, in order")


class ReportPage(BaseModel):
    """What each page of a report shows in its own header and footer."""

    section_title: str = Field(description="Heading of the section on this page")
    section_date: date = Field(description="Date in this page's header")
    subtotal: float = Field(description="Section total at the bottom of this page")


REPORT = Report.model_json_schema()
REPORT_PAGE = ReportPage.model_json_schema()


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in [
        Template("invoice", "Invoice with line items", "Header fields, vendor, totals and every line item.", INVOICE),
        Template("receipt", "Receipt", "Merchant, date, items, tax, total and payment method.", RECEIPT),
        Template(
            "bank_statement_rows",
            "Bank statement rows",
            "One object per transaction row (date, description, amount, balance), every row on every page.",
            BANK_STATEMENT_ROWS,
            "per_table_row",
        ),
        Template(
            "bank_statement",
            "Bank statement",
            "Account holder, account, period, opening and closing balances and the transactions.",
            BANK_STATEMENT,
        ),
        Template(
            "bank_statement_page",
            "Bank statement page header",
            "Per page: the account number and the balances brought and carried forward.",
            STATEMENT_PAGE,
            "per_page",
        ),
        Template("purchase_order", "Purchase order", "PO number, buyer, supplier, items and total.", PURCHASE_ORDER),
        Template("resume", "Resume / CV", "Contact details, skills, work history and education.", RESUME),
        Template(
            "contract_terms",
            "Contract key terms",
            "Parties, dates, term, value, payment and notice terms, governing law.",
            CONTRACT_TERMS,
        ),
        Template("id_card", "ID card", "Identity document fields: names, dates, number.", ID_CARD),
        Template("form", "Application form", "A filled application form: applicant, address, choices.", FORM),
        Template(
            "report",
            "Multi-page report (pydantic)",
            "Title, company, date and one entry per section; written by pydantic (uses $defs / $ref).",
            REPORT,
        ),
        Template(
            "report_page",
            "Report page header (pydantic)",
            "Per page: the section title, date and subtotal printed on that page.",
            REPORT_PAGE,
            "per_page",
        ),
    ]
}
