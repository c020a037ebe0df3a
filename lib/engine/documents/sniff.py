"""What a file really is, from its first bytes; the file name is only a hint.

A mislabelled file (a PNG named ``.pdf``, a PDF named ``.docx``) is parsed as what it is.
A file whose name promises a binary format but whose bytes are plain text, or whose bytes
are a format we do not read, is refused with a message that says so.
"""

from __future__ import annotations

import io
import os
import zipfile

from lib.engine.errors import CorruptDocument, EmptyDocument, UnsupportedDocument

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")


def _is_image(head: bytes) -> bool:
    """PNG, JPEG, TIFF, GIF, WebP, or BMP (whose "BM" alone could start a text file, so its
    reserved zero bytes are checked too)."""
    return (
        head.startswith(_IMAGE_MAGIC)
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")
        or (head.startswith(b"BM") and head[6:10] == b"\x00\x00\x00\x00")
    )
_TEXT_KINDS = {".csv": "csv", ".tsv": "csv", ".md": "md", ".markdown": "md", ".htm": "html", ".html": "html", ".xhtml": "html"}
_BINARY_EXTENSIONS = {
    ".pdf": "a PDF", ".docx": "a Word document", ".xlsx": "an Excel workbook", ".xlsm": "an Excel workbook",
    ".xls": "an Excel workbook", ".png": "a PNG image", ".jpg": "a JPEG image", ".jpeg": "a JPEG image",
    ".tif": "a TIFF image", ".tiff": "a TIFF image",
}
_SUPPORTED = "PDF, PNG, JPEG, TIFF, DOCX, XLSX, XLS, CSV, HTML, TXT or Markdown"


def extension(filename: str) -> str:
    return os.path.splitext(filename or "")[1].lower()


def _zip_kind(data: bytes, filename: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError) as exc:
        raise CorruptDocument(f"{filename} is a damaged ZIP-based file (DOCX/XLSX) and cannot be opened: {exc}") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        raise UnsupportedDocument(f"{filename} is a PowerPoint file, which is not supported; export it as PDF and upload that")
    raise UnsupportedDocument(f"{filename} is a ZIP archive, not a DOCX or XLSX document; upload the document itself")


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<div", b"<p>", b"<h1")


def _looks_html(head: bytes) -> bool:
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:512].lower()
    return start.startswith(_HTML_STARTS) or (start.startswith(b"<?xml") and b"<html" in head.lower())


def sniff(data: bytes, filename: str) -> str:
    """The document kind: pdf, image, docx, xlsx, xls, csv, html, txt or md."""
    if not data:
        raise EmptyDocument(f"{filename or 'the file'} is empty (0 bytes); upload the file again")
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if _is_image(head):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, filename)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if extension(filename) == ".doc":
            raise UnsupportedDocument(f"{filename} is a legacy Word .doc file, which is not supported; save it as DOCX or PDF")
        return "xls"
    if head.startswith(b"{\\rtf"):
        raise UnsupportedDocument(f"{filename} is an RTF file, which is not supported; save it as DOCX or PDF")
    ext = extension(filename)
    if _looks_binary(head):
        raise UnsupportedDocument(f"{filename} is not a file type the engine reads; upload {_SUPPORTED}")
    if ext in _BINARY_EXTENSIONS:
        raise CorruptDocument(
            f"{filename} is named like {_BINARY_EXTENSIONS[ext]} but contains plain text; upload the real file"
        )
    if _looks_html(head):
        return "html"
    return _TEXT_KINDS.get(ext, "txt")
