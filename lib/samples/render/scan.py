""""Scanned" variants: the born-digital PDF rasterised, tilted and speckled like a scan.

Pages are rendered with pymupdf at ~150 dpi in grey, rotated by under a degree, given a
little blur and dust, then saved as an image-only PDF (no text layer), PNG, JPEG or a
multi-page TIFF. The ground truth is the born-digital one; the pages stay the same.
"""

from __future__ import annotations

import io
import random

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

DPI = 150


class SinglePageFormatError(ValueError):
    """PNG and JPEG hold one page; the content came out longer."""


def scan_images(pdf: bytes, rng: random.Random, dpi: int = DPI) -> list[Image.Image]:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return [_degrade(_raster(page, dpi), rng) for page in doc]


def _raster(page: pymupdf.Page, dpi: int) -> Image.Image:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    return Image.frombytes("L", (pix.width, pix.height), pix.samples)


def _degrade(img: Image.Image, rng: random.Random) -> Image.Image:
    """Mild, seeded scan artefacts: tilt <= 1 degree, a soft blur, a grey cast and dust specks."""
    img = img.rotate(rng.uniform(-1.0, 1.0), resample=Image.Resampling.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(radius=0.5))
    pixels = np.asarray(img, dtype=np.int16)
    noise = np.random.default_rng(rng.randrange(2**32))
    pixels = pixels - 10
    dust = noise.random(pixels.shape) < 0.0004
    pixels[dust] = noise.integers(40, 140, int(dust.sum()))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")


def to_scanned_pdf(images: list[Image.Image], dpi: int = DPI) -> bytes:
    out = pymupdf.open()
    for img in images:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=80)
        page = out.new_page(width=img.width * 72 / dpi, height=img.height * 72 / dpi)
        page.insert_image(page.rect, stream=buf.getvalue())
    data = out.tobytes(garbage=3, deflate=True, no_new_id=True)
    out.close()
    return data


def to_image(images: list[Image.Image], fmt: str, dpi: int = DPI) -> bytes:
    """PNG / JPEG (one page only) or TIFF (all pages)."""
    buf = io.BytesIO()
    if fmt == "tiff":
        images[0].save(buf, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate",
                       dpi=(dpi, dpi))
        return buf.getvalue()
    if len(images) != 1:
        raise SinglePageFormatError(
            f"{fmt} holds one page but this document has {len(images)}; use tiff or scanned_pdf, or fewer rows/items")
    if fmt == "png":
        images[0].save(buf, format="PNG", optimize=True, dpi=(dpi, dpi))
    else:
        images[0].save(buf, format="JPEG", quality=85, dpi=(dpi, dpi))
    return buf.getvalue()
