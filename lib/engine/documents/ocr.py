"""OCR with RapidOCR (ONNX models shipped in the wheel): text, boxes and a recognition score.

RapidOCR's recogniser is a Chinese+English model that often runs English words together
("Totalamountdue"). So the pipeline is: RapidOCR's detector finds text lines, each line
image is cut into words at the blank columns between them, and the recogniser reads each
word on its own. Spaces then come from the ink, word boxes are real, and a word's score is
the recogniser's own confidence in it.

The engine is created once per process, on first use, because loading its three models
takes about a second; nothing else is kept between calls, so this is safe in a worker.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

import cv2
import numpy as np
import pymupdf

from lib.engine.documents.layout import Segment, build_lines, words_in_box
from lib.engine.documents.model import Box, Line, Page, Word
from lib.engine.documents.tables import aligned_tables
from lib.engine.errors import DocumentTooLarge

# Scanned pages are rendered at this resolution (10 pt text is ~20 px tall: enough for
# the recogniser, and a letter page stays under the detector's 2000 px working size).
RENDER_DPI = 144
MAX_RENDER_PIXELS = 40_000_000
MAX_EMBEDDED_PIXELS = 100_000_000  # an image in a scanned PDF page (a 600 dpi A4 scan is 35 MP)
MAX_SIDE = 2000  # RapidOCR's own working limit; larger images are shrunk to it
# A blank run of pixel columns at least this fraction of the line image's height separates
# two words (the detected box is ~1.5x the text height; letter gaps are a few pixels).
SPACE_GAP = 0.25
MONO_FACTOR = 2.2
MIN_SCORE = 0.5  # RapidOCR's own cut-off for a recognition worth keeping
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


def word_spans(line_image: np.ndarray) -> list[tuple[int, int]]:
    """Column ranges ``[start, end)`` of the words in a line image, split at blank runs of at
    least ``SPACE_GAP`` of its height; each range keeps a margin of background (which the
    recogniser expects) that never reaches into the neighbouring word's ink."""
    gray = line_image.mean(axis=2) if line_image.ndim == 3 else line_image
    if gray.size == 0:
        return []
    low, high = float(gray.min()), float(gray.max())
    if high - low < 40:  # no contrast: no text
        return []
    inked = (gray < (low + high) / 2).any(axis=0)
    columns = np.flatnonzero(inked)
    if columns.size == 0:
        return []
    height, width = gray.shape
    steps = np.diff(columns)
    blanks = steps[steps > 1]
    # a monospaced font's letter gaps are wide too: a word gap is also well above the line's usual gap
    usual = float(np.median(blanks)) if blanks.size else 0.0
    gaps = np.flatnonzero(steps > max(2.0, SPACE_GAP * height, MONO_FACTOR * usual))
    starts = [int(columns[0])] + [int(c) for c in columns[gaps + 1]]
    ends = [int(c) + 1 for c in columns[gaps]] + [int(columns[-1]) + 1]
    pad = max(2, height // 6)
    spans = []
    for i, (a, b) in enumerate(zip(starts, ends)):
        left = min(pad, (a - ends[i - 1]) // 2) if i else pad
        right = min(pad, (starts[i + 1] - b) // 2) if i + 1 < len(starts) else pad
        spans.append((max(a - left, 0), min(b + right, width)))
    return spans


_NUMERIC = re.compile(r"[\d.,/:$€£%+-]+")
_PUNCTUATION = re.compile(r"[.,:;!?%)]+")


def _belongs_to_previous(previous: str, text: str, gap: float, height: float) -> bool:
    """Whether a piece was cut off the word before it: a lone stop or colon ("No" + "."), or
    part of a number, cut where a "1" (wide side bearings) or a separator left a gap
    ("1" + "31.70", "$3,794." + "13", "18" + ":37")."""
    if gap >= 0.5 * height or " " in previous + text:
        return False
    if _PUNCTUATION.fullmatch(text):
        return True
    if not (_NUMERIC.fullmatch(previous) and _NUMERIC.fullmatch(text)):
        return False
    return previous[-1] in "1.,:/-" or text[0] in "1.,:/%"


def _joined(pieces: list[tuple[int, int, str, float]], height: float) -> list[tuple[int, int, str, float]]:
    """Recognised pieces with the fragments of one word put back together."""
    out: list[tuple[int, int, str, float]] = []
    for start, end, text, score in pieces:
        if out and _belongs_to_previous(out[-1][2], text, start - out[-1][1], height):
            p_start, _, p_text, p_score = out[-1]
            n = len(p_text) + len(text)
            out[-1] = (p_start, end, p_text + text, (p_score * len(p_text) + score * len(text)) / n)
        else:
            out.append((start, end, text, score))
    return out


def _fit(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The image within the detector's working size, and the factor back to the input's pixels."""
    height, width = image.shape[:2]
    factor = 1.0
    if max(height, width) > MAX_SIDE:
        factor = max(height, width) / MAX_SIDE
        image = cv2.resize(image, (round(width / factor), round(height / factor)), interpolation=cv2.INTER_AREA)
    if min(image.shape[:2]) < 32:
        pad_y, pad_x = max(0, 32 - image.shape[0]), max(0, 32 - image.shape[1])
        image = cv2.copyMakeBorder(image, 0, pad_y, 0, pad_x, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    return image, factor


def _line_segment(box: Box, spans: list[tuple[int, int]], crop: np.ndarray, reads: list, scale: float) -> Segment | None:
    """A detected line from its words' recognitions; ``box`` is in image pixels."""
    per_pixel = box.w / max(crop.shape[1], 1)
    pieces = []
    for (start, end), (text, score) in zip(spans, reads):
        text = " ".join(unicodedata.normalize("NFKC", str(text)).split())  # "，" -> ","
        if text and float(score) >= MIN_SCORE:
            pieces.append((start, end, text, float(score)))
    words: list[Word] = []
    chars = weighted = 0.0
    for start, end, text, score in _joined(pieces, crop.shape[0]):
        text = _COLON.sub(": ", text)
        score = round(score, 4)
        wbox = Box((box.x + start * per_pixel) * scale, box.y * scale, (end - start) * per_pixel * scale, box.h * scale)
        words.extend(words_in_box(text, wbox, score))
        chars += len(text)
        weighted += len(text) * score
    if not words:
        return None
    x0, x1 = words[0].box.x, words[-1].box.x1
    return Segment(x0, box.y * scale, x1, box.y1 * scale, words, round(weighted / chars, 4))


def recognise(image: np.ndarray, scale: float = 1.0) -> list[Line]:
    """Lines of an RGB image; boxes are multiplied by ``scale`` to reach page units. Each
    word carries its recognition score and each line the character-weighted mean of its
    words' scores, as their parsing confidence."""
    ocr = engine()
    bgr, factor = _fit(np.ascontiguousarray(image[:, :, ::-1]) if image.ndim == 3 else image)
    boxes, _ = ocr.auto_text_det(bgr)
    if boxes is None or len(boxes) == 0:
        return []
    crops = ocr.get_crop_img_list(bgr, boxes)
    pieces: list[np.ndarray] = []
    per_line: list[list[tuple[int, int]]] = []
    for crop in crops:
        spans = word_spans(crop)
        per_line.append(spans)
        pieces.extend(crop[:, a:b] for a, b in spans)
    reads, _ = ocr.text_rec(pieces) if pieces else ([], 0.0)
    segments: list[Segment] = []
    offset = 0
    for points, crop, spans in zip(boxes, crops, per_line):
        xs, ys = points[:, 0], points[:, 1]
        box = Box(float(xs.min()), float(ys.min()), float(xs.max() - xs.min()), float(ys.max() - ys.min()))
        segment = _line_segment(box, spans, crop, reads[offset : offset + len(spans)], scale * factor)
        offset += len(spans)
        if segment is not None:
            segments.append(segment)
    return build_lines(segments)


def ocr_page(image: np.ndarray, number: int, width: float, height: float, scale: float) -> Page:
    """A page from an image: lines, and tables found from column alignment."""
    lines = recognise(image, scale)
    return Page(number=number, width=width, height=height, lines=lines, tables=aligned_tables(lines, number), ocr=True)


def ocr_pdf_page(page: pymupdf.Page, number: int) -> Page:
    """A PDF page without a usable text layer: render, recognise, map boxes back to points."""
    for image in page.get_images(full=True):
        width, height = image[2], image[3]
        if width * height > MAX_EMBEDDED_PIXELS:
            raise DocumentTooLarge(
                f"page {number} holds a {width} x {height} pixel image, too large to decode safely; "
                "scan it at a lower resolution"
            )
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
