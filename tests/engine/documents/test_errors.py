"""Every kind of bad input ends in one of our exceptions with a plain message."""

import io
import struct
import zipfile
import zlib

import pymupdf
import pytest
from PIL import Image

from lib.engine.documents import count_pages, load_document
from lib.engine.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    UnsupportedDocument,
)
from tests.engine.documents.conftest import make_pdf


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    return make_pdf(2, lambda c, n: c.drawString(72, 700, f"Page {n} text"))


def _encrypted(pdf: bytes, user_pw: str) -> bytes:
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw=user_pw)


def test_encrypted_pdf(small_pdf):
    with pytest.raises(EncryptedDocument, match="^the PDF is password-protected; remove the password and upload it again$"):
        load_document(_encrypted(small_pdf, "secret"), "locked.pdf")
    with pytest.raises(EncryptedDocument):
        count_pages(_encrypted(small_pdf, "secret"), "locked.pdf")


def test_pdf_with_only_an_owner_password_opens(small_pdf):
    assert load_document(_encrypted(small_pdf, ""), "perm.pdf").pages[0].text == "Page 1 text"


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_pdf(small_pdf, cut):
    with pytest.raises(CorruptDocument, match="truncated"):
        load_document(small_pdf[: int(len(small_pdf) * cut)], "cut.pdf")


def test_pdf_header_then_garbage():
    with pytest.raises(CorruptDocument, match="the PDF is damaged or truncated"):
        load_document(b"%PDF-1.7\n" + bytes(range(256)) * 20, "junk.pdf")


@pytest.mark.parametrize(
    ("data", "name", "error", "message"),
    [
        (b"", "a.pdf", EmptyDocument, "a.pdf is empty (0 bytes)"),
        (b"   \n\n\t ", "notes.txt", EmptyDocument, "notes.txt contains no text"),
        (b"", "data.csv", EmptyDocument, "data.csv is empty"),
        (b"\n\n", "data.csv", EmptyDocument, "contains no text"),
        (b"<html><body><script>x()</script></body></html>", "e.html", EmptyDocument, "contains no text"),
        (b"Just some words", "scan.pdf", CorruptDocument, "scan.pdf is named like a PDF but contains plain text"),
        (b"a,b\n1,2\n", "book.xlsx", CorruptDocument, "named like an Excel workbook but contains plain text"),
        (bytes(range(256)) * 4, "blob.bin", UnsupportedDocument, "not a file type the engine reads; upload PDF"),
        (b"{\\rtf1\\ansi hello}", "letter.rtf", UnsupportedDocument, "RTF file, which is not supported"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc", UnsupportedDocument, "legacy Word .doc"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls", CorruptDocument, "old.xls is a damaged Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 600, "locked.xlsx",
         EncryptedDocument, "password-protected"),
        (b"PK\x03\x04 not really a zip", "r.docx", CorruptDocument, "r.docx is a damaged ZIP-based file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "cut.png", CorruptDocument, "cut.png is a damaged or truncated image"),
    ],
)
def test_bad_inputs(data, name, error, message):
    with pytest.raises(error) as info:
        load_document(data, name)
    assert message in str(info.value)


def test_zip_that_is_not_an_office_document():
    with pytest.raises(UnsupportedDocument, match="is a ZIP archive, not a DOCX or XLSX"):
        load_document(_zip({"readme.txt": b"hello"}), "files.zip")
    with pytest.raises(UnsupportedDocument, match="PowerPoint"):
        load_document(_zip({"ppt/presentation.xml": b"<p/>"}), "deck.pptx")


def test_broken_docx_and_xlsx_parts():
    with pytest.raises(CorruptDocument, match="damaged Word document"):
        load_document(_zip({"[Content_Types].xml": b"<bad", "word/document.xml": b"<not xml"}), "bad.docx")
    with pytest.raises(CorruptDocument, match="damaged Excel workbook"):
        load_document(_zip({"[Content_Types].xml": b"<bad", "xl/workbook.xml": b"<not xml"}), "bad.xlsx")


@pytest.mark.parametrize("part", ["word/document.xml", "xl/workbook.xml"])
def test_zip_bomb_is_refused_before_inflating(part):
    bomb = _zip({part: b"\x00" * (8 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(DocumentTooLarge, match="zip bomb"):
        load_document(bomb, "bomb.docx")


@pytest.mark.parametrize("size", [(8000, 8000), (100_000, 100_000)])
def test_decompression_bomb_images(size):
    data = _png_declaring(*size)
    with pytest.raises(DocumentTooLarge, match="too large to decode safely|megapixels"):
        load_document(data, "huge.png")


def test_empty_docx_is_empty():
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with pytest.raises(EmptyDocument, match="contains no text"):
        load_document(buf.getvalue(), "blank.docx")


def test_mislabelled_image_is_read_as_an_image():
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buf, "PNG")
    doc = load_document(buf.getvalue(), "invoice.pdf")
    assert doc.kind == "image" and (doc.pages[0].width, doc.pages[0].height) == (40, 40) and doc.pages[0].ocr


def test_scanned_pdf_page_with_a_bomb_image_is_refused_before_rendering():
    """A page whose only content is an image XObject declaring 60000 x 60000 pixels."""
    doc = pymupdf.open()
    page = doc.new_page()
    image = doc.get_new_xref()
    pixels = zlib.compress(b"\x00" * 1000)
    doc.update_object(image, f"<< /Type /XObject /Subtype /Image /Width 60000 /Height 60000 /ColorSpace /DeviceGray "
                             f"/BitsPerComponent 8 /Filter /FlateDecode /Length {len(pixels)} >>")
    doc.update_stream(image, pixels, compress=False)
    doc.xref_set_key(page.xref, "Resources", f"<< /XObject << /Im1 {image} 0 R >> >>")
    content = doc.get_new_xref()
    doc.update_object(content, "<< >>")
    doc.update_stream(content, b"q 100 0 0 100 0 0 cm /Im1 Do Q")
    doc.xref_set_key(page.xref, "Contents", f"{content} 0 R")
    with pytest.raises(DocumentTooLarge, match="page 1 holds a 60000 x 60000 pixel image"):
        load_document(doc.tobytes(), "bomb.pdf")
