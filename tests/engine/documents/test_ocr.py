"""OCR: a rasterised PDF page and images. OCR costs about a second per page, so each
document here is small and recognised once per session."""

import io

import pytest
from PIL import Image

from lib.engine.documents import images, load_document
from tests.engine.documents.conftest import make_pdf, rasterise

SMALL = (360, 220)


def _draw_receipt(c, number):
    c.setFont("Helvetica", 11)
    c.drawString(20, 190, f"Receipt R-{number}05")
    c.drawString(20, 165, "Date: 2024-05-01")
    for i, (item, price) in enumerate([("Item", "Price"), ("Tea", "3.10"), ("Cake", "4.00"), ("Soup", "6.25")]):
        c.drawString(20, 130 - 18 * i, item)
        c.drawString(200, 130 - 18 * i, price)


@pytest.fixture(scope="session")
def born_digital() -> bytes:
    return make_pdf(1, _draw_receipt, pagesize=SMALL)


@pytest.fixture(scope="session")
def scanned(born_digital):
    return load_document(rasterise(born_digital, dpi=200), "scan.pdf")


def test_scanned_pdf_page_is_ocrd_in_pdf_points(scanned, born_digital):
    page = scanned.pages[0]
    assert page.ocr and (page.width, page.height) == SMALL
    texts = [line.text for line in page.lines]
    assert texts[:2] == ["Receipt R-105", "Date: 2024-05-01"]
    truth = {line.text: line.box for line in load_document(born_digital, "r.pdf").pages[0].lines}
    for line in page.lines:
        # each word has its own recognition score; the line's is their character-weighted mean
        scores = [w.confidence for w in line.words]
        assert all(0.5 <= c <= 1.0 for c in scores)
        assert min(scores) - 1e-3 <= line.confidence <= max(scores) + 1e-3
        if line.text in truth:  # the OCR box lands where the text layer put the same text
            expected = truth[line.text]
            assert abs(line.box.x - expected.x) < 4 and abs(line.box.y - expected.y) < 5
            assert abs(line.box.x1 - expected.x1) < 6
    assert sum(text in truth for text in texts) >= 8


def test_table_found_on_an_ocrd_page(scanned):
    table = scanned.pages[0].tables[0]
    assert [c.text for c in table.header] == ["Item", "Price"]
    assert [[c.text for c in row] for row in table.rows] == [["Tea", "3.10"], ["Cake", "4.00"], ["Soup", "6.25"]]


def test_words_have_their_own_boxes_inside_the_line(scanned):
    line = scanned.pages[0].lines[1]
    assert [w.text for w in line.words] == ["Date:", "2024-05-01"]
    first, second = line.words
    assert line.box.x <= first.box.x < first.box.x1 < second.box.x < second.box.x1 <= line.box.x1
    # "Date:" is 5 of the line's 16 characters: its box is a fraction of the line's, not all of it
    assert 0.2 < first.box.w / line.box.w < 0.45


def test_multipage_tiff_ocrs_only_the_selected_frame(born_digital, monkeypatch):
    import pymupdf

    frames = []
    for number in (1, 2):
        pdf = make_pdf(1, lambda c, n, number=number: _draw_receipt(c, number), pagesize=SMALL)
        pix = pymupdf.open(stream=pdf, filetype="pdf")[0].get_pixmap(dpi=100)
        frames.append(Image.open(io.BytesIO(pix.tobytes("png"))).convert("RGB"))
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    decoded = []
    real = images._rgb
    monkeypatch.setattr(images, "_rgb", lambda image, name, frame: decoded.append(frame) or real(image, name, frame))
    doc = load_document(buf.getvalue(), "scan.tiff", target_pages="2")
    assert decoded == [2]
    assert doc.kind == "image" and doc.total_pages == 2 and [p.number for p in doc.pages] == [2]
    page = doc.pages[0]
    assert (page.width, page.height) == frames[1].size and page.ocr
    assert page.lines[0].text == "Receipt R-205"


def test_only_the_page_without_a_text_layer_is_ocrd(born_digital):
    import pymupdf

    mixed = pymupdf.open()
    mixed.insert_pdf(pymupdf.open(stream=make_pdf(1, lambda c, n: c.drawString(20, 190, "Typed cover page"),
                                                  pagesize=SMALL), filetype="pdf"))
    mixed.insert_pdf(pymupdf.open(stream=rasterise(born_digital, dpi=200), filetype="pdf"))
    doc = load_document(mixed.tobytes(), "mixed.pdf")
    assert [p.ocr for p in doc.pages] == [False, True]
    assert doc.pages[0].text == "Typed cover page" and doc.pages[0].lines[0].confidence == 1.0
    assert doc.pages[1].lines[0].text == "Receipt R-105"
