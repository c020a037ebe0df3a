"""OCR with RapidOCR (ONNX models shipped in the wheel): text, boxes and a recognition score.

The engine is created once per process, on first use, because loading its three models
takes about a second; nothing else is kept between calls, so this is safe in a worker.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import numpy as np
import pymupdf

from lib.engine.documents.layout import Segment, build_lines, words_in_box
from lib.engine.documents.model import Box, Line, Page
from lib.engine.documents.tables import aligned_tables
from lib.engine.errors import DocumentTooLarge

# Scanned pages are rendered at this resolution. Measured on generated pages of 7-20 pt
# text, RapidOCR's recogniser keeps the spaces between words best when body text is
# 10-20 px tall: 100 dpi found 78% of words exactly, 150-200 dpi only 40-55% (it runs
# words together), and it is also the fastest.
RENDER_DPI = 100
MAX_RENDER_PIXELS = 40_000_000
# The recogniser drops spaces after a label's colon ("Date:2024-01-05"); put them back
# where a letter precedes the colon (so times such as 12:30 stay intact).
_COLON = re.compile(r"(?<=[^\W\d_]):(?=[^\s/])")

_engine: Any = None
_engine_lock = threading.Lock()


def engine() -> Any:
    """The process's RapidOCR instance, created on first use."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
        return _engine


def _segments(result: list | None, scale: float) -> list[Segment]:
    """RapidOCR detections ``[points, text, score]`` as segments in page units."""
    segments: list[Segment] = []
    for points, text, score in result or []:
        text = " ".join(_COLON.sub(": ", str(text)).split())
        if not text:
            continue
        xs = [p[0] * scale for p in points]
        ys = [p[1] * scale for p in points]
        box = Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        conf = round(float(score), 4)
        segments.append(Segment(box.x, box.y, box.x1, box.y1, words_in_box(text, box, conf), conf))
    return segments


def recognise(image: np.ndarray, scale: float = 1.0) -> list[Line]:
    """Lines of an RGB image; boxes are multiplied by ``scale`` to reach page units.

    Word boxes are split from the detected line in proportion to character offsets; the
    line keeps the recognition score as its parsing confidence."""
    if image.ndim == 3 and image.shape[2] == 3:
        image = image[:, :, ::-1]  # RapidOCR expects OpenCV's BGR order for arrays
    result, _ = engine()(np.ascontiguousarray(image), use_cls=False)
    return build_lines(_segments(result, scale))


def ocr_page(image: np.ndarray, number: int, width: float, height: float, scale: float) -> Page:
    """A page from an image: lines, and tables found from column alignment."""
    lines = recognise(image, scale)
    return Page(number=number, width=width, height=height, lines=lines, tables=aligned_tables(lines, number), ocr=True)


def ocr_pdf_page(page: pymupdf.Page, number: int) -> Page:
    """A PDF page without a usable text layer: render, recognise, map boxes back to points."""
    rect = page.rect
    dpi = RENDER_DPI
    pixels = rect.width * rect.height * (dpi / 72) ** 2
    if pixels > MAX_RENDER_PIXELS:
        dpi = int(dpi * (MAX_RENDER_PIXELS / pixels) ** 0.5)
        if dpi < 36:
            raise DocumentTooLarge(f"page {number} is {rect.width:.0f} x {rect.height:.0f} points, too large to OCR")
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    image = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
    return ocr_page(image, number, rect.width, rect.height, rect.width / pix.width)
