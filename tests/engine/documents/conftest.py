"""Small generated inputs for the parser tests: every fixture is built from code with the
text it contains known, so assertions compare against ground truth."""

from __future__ import annotations

import io
from collections.abc import Callable

import pymupdf
import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

DrawFn = Callable[[canvas.Canvas, int], None]


def make_pdf(pages: int, draw: DrawFn, pagesize: tuple[float, float] = letter) -> bytes:
    """A born-digital PDF whose page ``i`` (1-based) is drawn by ``draw(canvas, i)``."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=pagesize)
    for number in range(1, pages + 1):
        draw(c, number)
        c.showPage()
    c.save()
    return buf.getvalue()


def rasterise(pdf: bytes, dpi: int = 200) -> bytes:
    """The PDF with every page replaced by a picture of itself: a "scanned" PDF without a
    text layer."""
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for page in src:
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=pix.tobytes("png"))
    return out.tobytes()


def page_png(pdf: bytes, page: int = 0, dpi: int = 150) -> bytes:
    return pymupdf.open(stream=pdf, filetype="pdf")[page].get_pixmap(dpi=dpi).tobytes("png")


def draw_invoice(c: canvas.Canvas, number: int) -> None:
    """An invoice page: header fields, an unruled line-item table and a total."""
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 720, "INVOICE")
    c.setFont("Helvetica", 10)
    c.drawString(72, 700, "Invoice Number:")
    c.drawString(160, 700, f"INV-{number:04d}")
    c.drawString(400, 700, "Date: 2024-03-15")
    y = 650.0
    rows = [["Description", "Qty", "Unit price", "Amount"], ["Widget", "2", "10.00", "20.00"],
            ["Gadget large", "1", "5.50", "5.50"], ["Cable", "3", "1.25", "3.75"]]
    for row in rows:
        for x, text in zip((72, 250, 320, 420), row):
            c.drawString(x, y, text)
        y -= 16
    c.drawString(320, y - 10, "Total")
    c.drawString(420, y - 10, "29.25")


@pytest.fixture(scope="session")
def invoice_pdf() -> bytes:
    return make_pdf(1, draw_invoice)


@pytest.fixture(scope="session")
def scanned_invoice_pdf(invoice_pdf: bytes) -> bytes:
    return rasterise(invoice_pdf)
