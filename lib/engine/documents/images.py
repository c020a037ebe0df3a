"""Images (PNG, JPEG, TIFF incl. multi-page, GIF, BMP, WebP): OCR'd page by page.

Page dimensions and boxes are in the image's pixels. The declared size is checked before any
pixel is decoded, so a decompression bomb (a tiny file declaring a gigapixel canvas) is
refused instead of exhausting memory.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from lib.engine.documents.model import Document, Page
from lib.engine.documents.selection import page_selection
from lib.engine.errors import CorruptDocument, DocumentTooLarge

# 50 megapixels: an A4 page scanned at 600 dpi is 35 MP. Anything larger is refused.
MAX_PIXELS = 50_000_000
# Images are shrunk to about this many pixels before OCR (a letter page at 144 dpi, the
# resolution at which the recogniser reads best; see ocr.RENDER_DPI); smaller ones are kept.
OCR_PIXELS = 2_000_000


def _open(data: bytes, filename: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentTooLarge(f"{filename} declares an image too large to decode safely; scan it at a lower resolution") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CorruptDocument(f"{filename} is a damaged or truncated image and cannot be read; export it again") from exc
    return image


def _check_size(image: Image.Image, filename: str, frame: int) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        where = f" (page {frame})" if getattr(image, "n_frames", 1) > 1 else ""
        raise DocumentTooLarge(
            f"{filename}{where} is {width} x {height} pixels, more than the {MAX_PIXELS // 1_000_000} megapixels "
            "the engine decodes safely; scan it at a lower resolution"
        )
    if width < 1 or height < 1:
        raise CorruptDocument(f"{filename} is an image with no pixels")


def count_image_pages(data: bytes, filename: str) -> int:
    return int(getattr(_open(data, filename), "n_frames", 1))


def _rgb(image: Image.Image, filename: str, frame: int) -> tuple[np.ndarray, float]:
    """The frame decoded as RGB, upright (EXIF orientation applied) and shrunk to at most
    about ``OCR_PIXELS``; and the factor that maps its pixels back to the original's."""
    _check_size(image, filename, frame)
    long_side = max(image.size)
    width, height = image.size
    shrink = min(1.0, (OCR_PIXELS / (width * height)) ** 0.5)
    target = (max(1, round(width * shrink)), max(1, round(height * shrink)))
    try:
        if image.format == "JPEG":
            image.draft("RGB", target)
        image = ImageOps.exif_transpose(image)
        if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            image = image.convert("F").point(lambda v: v / 256).convert("L")
        image = image.convert("RGB")
        if shrink < 1.0:
            image.thumbnail((max(target), max(target)), Image.Resampling.LANCZOS)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise CorruptDocument(f"{filename} is a damaged or truncated image and cannot be decoded ({exc})") from exc
    return np.asarray(image), long_side / max(image.size)


def parse_image(data: bytes, filename: str, target_pages: str | None, max_pages: int | None) -> Document:
    """OCR each selected frame; only those frames are decoded."""
    from lib.engine.documents.ocr import ocr_page

    image = _open(data, filename)
    total = int(getattr(image, "n_frames", 1))
    pages: list[Page] = []
    for number in page_selection(target_pages, max_pages, total):
        try:
            image.seek(number - 1)
        except (EOFError, OSError) as exc:
            raise CorruptDocument(f"page {number} of {filename} is damaged and cannot be read") from exc
        pixels, scale = _rgb(image, filename, number)
        page_w, page_h = pixels.shape[1] * scale, pixels.shape[0] * scale
        pages.append(ocr_page(pixels, number, round(page_w), round(page_h), scale))
    return Document(filename=filename, kind="image", pages=pages, total_pages=total)
