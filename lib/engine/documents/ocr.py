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
from lib.engine.documents.model import Box, Line, Page, Word
from lib.engine.documents.tables import aligned_tables
from lib.engine.errors import DocumentTooLarge

# Scanned pages are rendered at this resolution. RapidOCR's recogniser (a Chinese+English
# model) often runs English words together; ``_respace`` puts the spaces back from the gaps
# in the ink. Measured on generated pages of 7-20 pt text, 144 dpi with respacing found 84%
# of words exactly, against 72% at 144 dpi and 52-69% at 100 dpi.
RENDER_DPI = 144
MAX_RENDER_PIXELS = 40_000_000
# A blank run of pixel columns at least this fraction of the detected line's height is a
# word space (letter gaps are a few pixels; the detected box is ~1.5x the text height).
SPACE_GAP = 0.33
# No space is put next to these: "9895.60", "$ 12", "(a)" stay whole.
_NO_SPACE_BEFORE = set(".,:;%)]")
_NO_SPACE_AFTER = set("([$€£#/-.,")
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


def _ink_gaps(gray: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> list[float]:
    """Centres (image x) of the blank column runs inside a line box that are wide enough
    to be word spaces."""
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0:
        return []
    threshold = (float(crop.max()) + float(crop.min())) / 2
    inked = (crop < threshold).any(axis=0)
    min_gap = max(2.0, SPACE_GAP * (y1 - y0))
    gaps: list[float] = []
    start = None
    for i, ink in enumerate(inked.tolist()):
        if not ink and start is None:
            start = i
        elif ink and start is not None:
            if start > 0 and i - start >= min_gap:
                gaps.append(x0 + (start + i) / 2)
            start = None
    return gaps


def _respace(gray: np.ndarray, box: Box, chars: list[str], char_boxes: list) -> list[tuple[str, float, float]]:
    """The recognised characters with their x extents, with a space inserted wherever the
    ink shows a word gap between two characters the recogniser ran together."""
    spans = [(ch, float(min(p[0] for p in pts)), float(max(p[0] for p in pts))) for ch, pts in zip(chars, char_boxes)]
    h, w = gray.shape
    x0, x1 = max(int(box.x), 0), min(int(box.x1 + 1), w)
    y0, y1 = max(int(box.y), 0), min(int(box.y1 + 1), h)
    out = list(spans)
    for gap in reversed(_ink_gaps(gray, x0, y0, x1, y1)):
        for j in range(len(out) - 1, 0, -1):
            left, right = out[j - 1], out[j]
            if (left[1] + left[2]) / 2 < gap < (right[1] + right[2]) / 2:
                if not (left[0] == " " or right[0] == " " or right[0] in _NO_SPACE_BEFORE or left[0] in _NO_SPACE_AFTER):
                    out.insert(j, (" ", gap, gap))
                break
    return out


def _words(spans: list[tuple[str, float, float]], box: Box, conf: float, scale: float) -> list[Word]:
    """Words with the x extent of their own characters, in page units."""
    words: list[Word] = []
    current: list[tuple[str, float, float]] = []
    for span in spans + [(" ", 0.0, 0.0)]:
        if span[0].isspace():
            if current:
                text = "".join(c[0] for c in current)
                wx0 = max(min(c[1] for c in current), box.x)
                wx1 = min(max(c[2] for c in current), box.x1)
                words.append(Word(text, Box(wx0 * scale, box.y * scale, max(wx1 - wx0, 0.0) * scale, box.h * scale), conf))
            current = []
        else:
            current.append(span)
    return words


def _segment(item: list, gray: np.ndarray, scale: float) -> Segment | None:
    """One RapidOCR detection ``[points, text, score, char_boxes, chars, char_scores]``."""
    points, text, score = item[0], str(item[1]), float(item[2])
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    box = Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    conf = round(score, 4)
    if len(item) >= 5 and item[3] and len(item[3]) == len(item[4]):
        words = _words(_respace(gray, box, list(item[4]), item[3]), box, conf, scale)
    else:
        words = words_in_box(" ".join(text.split()), Box(box.x * scale, box.y * scale, box.w * scale, box.h * scale), conf)
    words = [w for w in words if w.text]
    if not words:
        return None
    joined = _COLON.sub(": ", " ".join(w.text for w in words))
    if joined != " ".join(w.text for w in words):  # a colon got its space back: re-split that word
        words = [piece for w in words for piece in words_in_box(_COLON.sub(": ", w.text), w.box, conf)]
    return Segment(box.x * scale, box.y * scale, box.x1 * scale, box.y1 * scale, words, conf)


def recognise(image: np.ndarray, scale: float = 1.0) -> list[Line]:
    """Lines of an RGB image; boxes are multiplied by ``scale`` to reach page units. Each
    line and its words carry the recognition score as their parsing confidence."""
    bgr = np.ascontiguousarray(image[:, :, ::-1]) if image.ndim == 3 else image  # RapidOCR takes OpenCV's BGR
    result, _ = engine()(bgr, use_cls=False, return_word_box=True)
    gray = image.mean(axis=2) if image.ndim == 3 else image
    segments = [seg for item in result or [] if (seg := _segment(item, gray, scale)) is not None]
    return build_lines(segments)


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
