"""Broken and malicious documents, generated, for the reliability suites (issue 8).

Each case says what it is and what a correct system does with it: ``refuse`` (the upload or the
job is refused with a message) or ``survive`` (the job may complete or fail, but with a message,
within bounded time and memory, and nothing else is harmed). Nothing here is committed as a binary:
every case is built from code on demand.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Callable, Literal

import pymupdf

Expectation = Literal["fail", "survive"]


@dataclass(frozen=True)
class HostileCase:
    name: str
    filename: str
    build: Callable[[], bytes]
    expect: Expectation  # "fail": the job must end FAILED (or the upload refused); "survive": any terminal state
    why: str


def _pdf(pages: int = 1, text: str = "Invoice Number: INV-1") -> bytes:
    doc = pymupdf.open()
    for n in range(pages):
        page = doc.new_page()
        page.insert_text((72, 72), f"{text} (page {n + 1})", fontsize=11)
    data = doc.tobytes()
    doc.close()
    return data


def truncated_pdf() -> bytes:
    return _pdf(3)[:400]


def corrupted_pdf() -> bytes:
    data = bytearray(_pdf(2))
    for i in range(200, len(data) - 100, 97):
        data[i] = (data[i] * 7 + 13) % 256
    return bytes(data)


def encrypted_pdf() -> bytes:
    doc = pymupdf.open(stream=_pdf(1), filetype="pdf")
    out = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    doc.close()
    return out


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand from numbered object bodies, with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def circular_pdf() -> bytes:
    """The page tree's node lists itself as its own kid and parent."""
    return _raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"])


def deeply_nested_pdf(depth: int = 10_000) -> bytes:
    nested = b"[" * depth + b"]" * depth
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Junk " + nested + b" >>",
        ]
    )


def thousand_page_pdf() -> bytes:
    return _pdf(1000)


def empty_file() -> bytes:
    return b""


def png_named_pdf() -> bytes:
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 20), 0)
    pix.clear_with(255)
    return pix.tobytes("png")


def random_bytes_named_pdf() -> bytes:
    return bytes((i * 131 + 7) % 256 for i in range(4096))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_pixel_bomb(side: int = 50_000) -> bytes:
    """A tiny PNG whose header declares side x side pixels (2.5 gigapixels at 50,000)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def _zip_bomb(members: dict[str, bytes], bomb_name: str, inflated_mb: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
        chunk = b"\x00" * (1 << 20)
        with archive.open(bomb_name, "w", force_zip64=True) as member:
            for _ in range(inflated_mb):
                member.write(chunk)
    return buffer.getvalue()


_DOCX_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
    b'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
    b'main+xml"/></Types>'
)


def docx_zip_bomb(inflated_mb: int = 300) -> bytes:
    return _zip_bomb({"[Content_Types].xml": _DOCX_TYPES}, "word/document.xml", inflated_mb)


_XLSX_TYPES = (
    _DOCX_TYPES.replace(b"word/document", b"xl/workbook")
    .replace(b"wordprocessingml.document.main", b"spreadsheetml.sheet.main")
)


def xlsx_zip_bomb(inflated_mb: int = 300) -> bytes:
    """Declares itself a workbook (so it is opened as one) with a worksheet that inflates to 300 MB."""
    workbook = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>')
    return _zip_bomb({"[Content_Types].xml": _XLSX_TYPES, "xl/workbook.xml": workbook}, "xl/worksheets/sheet1.xml",
                     inflated_mb)


def long_single_line(chars: int = 5_000_000) -> bytes:
    return (b"Total: 12.50 " * (chars // 13 + 1))[:chars]


def rtl_and_cjk_text() -> bytes:
    lines = [
        "Invoice Number: INV-77",
        "\u0631\u0642\u0645 \u0627\u0644\u0641\u0627\u062a\u0648\u0631\u0629: 77",
        "\u05de\u05e1\u05e4\u05e8 \u05d7\u05e9\u05d1\u05d5\u05e0\u05d9\u05ea: 77",
        "\u767a\u884c\u65e5: 2024\u5e743\u67085\u65e5",
        "\u5408\u8ba1: \u00a51,234",
    ]
    return "\n".join(lines).encode("utf-8")


def html_with_script() -> bytes:
    return (
        b"<html><body><h1>Invoice</h1><p>Invoice Number: <script>alert('x')</script>INV-9</p>"
        b"<p>Vendor: <img src=x onerror=alert(1)>ACME</p></body></html>"
    )


CASES: tuple[HostileCase, ...] = (
    HostileCase("truncated_pdf", "truncated.pdf", truncated_pdf, "fail", "a PDF cut off after 400 bytes"),
    HostileCase("corrupted_pdf", "corrupted.pdf", corrupted_pdf, "survive", "a PDF with bytes overwritten"),
    HostileCase("encrypted_pdf", "locked.pdf", encrypted_pdf, "fail", "a password-protected PDF"),
    HostileCase("circular_pdf", "circular.pdf", circular_pdf, "fail", "a page tree that contains itself"),
    HostileCase("deeply_nested_pdf", "nested.pdf", deeply_nested_pdf, "survive", "10,000 nested arrays"),
    HostileCase("thousand_pages", "thousand.pdf", thousand_page_pdf, "survive", "a 1,000-page PDF"),
    HostileCase("empty_file", "empty.pdf", empty_file, "fail", "a 0-byte file"),
    HostileCase("png_named_pdf", "image.pdf", png_named_pdf, "survive", "a PNG whose name says PDF"),
    HostileCase("random_named_pdf", "noise.pdf", random_bytes_named_pdf, "fail", "random bytes named .pdf"),
    HostileCase("png_pixel_bomb", "bomb.png", png_pixel_bomb, "fail", "a PNG declaring 50,000 x 50,000 pixels"),
    HostileCase("docx_zip_bomb", "bomb.docx", docx_zip_bomb, "fail", "a DOCX inflating to 300 MB"),
    HostileCase("xlsx_zip_bomb", "bomb.xlsx", xlsx_zip_bomb, "fail", "an XLSX inflating to 300 MB"),
    HostileCase("long_line", "long.txt", long_single_line, "survive", "one 5,000,000-character line"),
    HostileCase("rtl_cjk", "scripts.txt", rtl_and_cjk_text, "survive", "Arabic, Hebrew, Japanese, Chinese"),
    HostileCase("html_script", "script.html", html_with_script, "survive", "HTML with script and onerror"),
)


def _deep_schema_json(depth: int) -> str:
    """Written as text: past a few hundred levels Python's own json module cannot encode it."""
    return '{"type": "object", "properties": {"l": ' * depth + '{"type": "string"}' + "}}" * depth


def _json(value: object) -> str:
    return json.dumps(value)


HOSTILE_SCHEMAS: dict[str, str] = {
    "deep_nesting_50": _deep_schema_json(50),
    "deep_nesting_5000": _deep_schema_json(5000),
    "ten_thousand_properties": _json(
        {"type": "object", "properties": {f"f{i}": {"type": "string"} for i in range(10_000)}}
    ),
    "huge_enum": _json({"type": "object", "properties": {"code": {"type": "string", "enum": [f"v{i}" for i in range(200_000)]}}}),
    "ref_cycle": _json(
        {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}, "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}}
    ),
    "ref_self_recursive": _json(
        {"type": "object", "properties": {"node": {"$ref": "#/$defs/N"}},
         "$defs": {"N": {"type": "object", "properties": {"child": {"$ref": "#/$defs/N"}}}}}
    ),
    "ref_missing": _json({"type": "object", "properties": {"a": {"$ref": "#/$defs/Nowhere"}}}),
    "ref_remote": _json({"type": "object", "properties": {"a": {"$ref": "http://169.254.169.254/latest/meta-data"}}}),
    "array_root": _json({"type": "array", "items": {"type": "string"}}),
    "string_root": _json("not a schema"),
    "list_root": _json([1, 2, 3]),
    "nonsense_keyword": _json({"type": "object", "properties": {"a": {"type": "string", "frobnicate": True}}}),
    "bad_type": _json({"type": "object", "properties": {"a": {"type": "strnig"}}}),
    "properties_not_object": _json({"type": "object", "properties": ["a", "b"]}),
}
