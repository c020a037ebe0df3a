"""Flowing formats: DOCX, XLSX, CSV, HTML, TXT and Markdown versions of the same content.

These formats have no fixed pages, so every value is on page 1 and page breaks become a
separator. Side-by-side columns are written one after the other (TXT keeps them side by
side). DOCX and XLSX are zip files whose entries carry timestamps; they are rewritten with a
fixed timestamp so the bytes depend only on the content.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import datetime
from typing import Any, Iterator, Union

import docx
import openpyxl
from docx.shared import Pt

from ..content import (
    Block, Columns, Doc, Heading, KeyValues, Lines, PageBreak, Paragraph, Rule, Spacer, Span, Table, TextLine,
    line_text, unpaginate, wrap_tokens,
)

FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)
DOCX_FONTS = {"Helvetica": "Arial", "Times-Roman": "Times New Roman", "Courier": "Courier New"}
Cell = Union[str, float, int]


def _flat(blocks: list[Block]) -> Iterator[Block]:
    """Blocks in reading order with columns unfolded and page furniture dropped."""
    for block in unpaginate(blocks):
        if isinstance(block, Columns):
            yield from _flat(block.blocks)
        else:
            yield block


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every timestamp fixed (entries, and the core properties that openpyxl
    stamps with the save time), so output is byte-for-byte reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\2", body)
            dst.writestr(fixed, body)
    return out.getvalue()


# --- DOCX ----------------------------------------------------------------------------------------


def render_docx(doc: Doc) -> bytes:
    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = DOCX_FONTS[doc.font]
    style.font.size = Pt(10)
    d.core_properties.title = doc.title
    d.core_properties.author = "lib.samples"
    d.core_properties.created = FIXED_TIME
    d.core_properties.modified = FIXED_TIME
    d.core_properties.revision = 1
    for block in _flat(doc.blocks):
        _docx_block(d, block)
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip(buf.getvalue())


def _runs(par, line: TextLine, bold: bool = False, size: float | None = None) -> None:
    for s in line:
        run = par.add_run(s.text)
        run.bold = bold or s.bold
        if size:
            run.font.size = Pt(size)


def _docx_block(d, block: Block) -> None:
    if isinstance(block, Heading):
        _runs(d.add_paragraph(), block.text, bold=True, size=block.size)
    elif isinstance(block, Lines):
        for line in block.lines:
            _runs(d.add_paragraph(), line)
    elif isinstance(block, Paragraph):
        _runs(d.add_paragraph(), block.text)
    elif isinstance(block, KeyValues) and block.style == "grid":
        table = d.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for item in block.items:
            cells = table.add_row().cells
            _runs(cells[0].paragraphs[0], [Span(item.label)], bold=True)
            _runs(cells[1].paragraphs[0], item.value)
    elif isinstance(block, KeyValues):
        for item in block.items:
            if block.style == "below":
                _runs(d.add_paragraph(), [Span(item.label)], bold=True)
                _runs(d.add_paragraph(), item.value)
            else:
                par = d.add_paragraph()
                _runs(par, [Span(item.label + ": ")], bold=True)
                _runs(par, item.value)
    elif isinstance(block, Table):
        table = d.add_table(rows=1, cols=len(block.header))
        if block.ruled:
            table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, block.header):
            _runs(cell.paragraphs[0], [Span(text)], bold=True)
        for row in block.rows:
            for cell, span in zip(table.add_row().cells, row):
                _runs(cell.paragraphs[0], [span])
    elif isinstance(block, PageBreak):
        d.add_paragraph()


# --- spreadsheets and CSV ------------------------------------------------------------------------


def _cell(line: TextLine, typed: bool) -> Cell:
    """A typed value when the line is one numeric span (spreadsheets), else the printed text."""
    if typed and len(line) == 1 and isinstance(line[0].value, (int, float)) and not isinstance(line[0].value, bool):
        return line[0].value
    return line_text(line)


def sheet_rows(doc: Doc, typed: bool) -> list[list[Cell]]:
    """The content as spreadsheet rows: key/value pairs as two cells, tables as header + rows."""
    rows: list[list[Cell]] = []

    def gap() -> None:
        if rows and rows[-1]:
            rows.append([])

    for block in _flat(doc.blocks):
        if isinstance(block, (Heading, Paragraph)):
            rows.append([line_text(block.text)])
        elif isinstance(block, Lines):
            rows.extend([line_text(line)] for line in block.lines)
        elif isinstance(block, KeyValues):
            rows.extend([item.label, _cell(item.value, typed)] for item in block.items)
        elif isinstance(block, Table):
            gap()
            rows.append(list(block.header))
            rows.extend([_cell([span], typed) for span in row] for row in block.rows)
        gap()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def render_xlsx(doc: Doc) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = doc.title[:31].replace("/", "-")
    wb.properties.creator = "lib.samples"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    for row in sheet_rows(doc, typed=True):
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue())


def render_csv(doc: Doc) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in sheet_rows(doc, typed=False):
        writer.writerow(row)
    return buf.getvalue().encode("utf-8")


# --- HTML ----------------------------------------------------------------------------------------


def _h(line: TextLine) -> str:
    return "".join(f"<b>{html.escape(s.text)}</b>" if s.bold else html.escape(s.text) for s in line)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h1>{_h(block.text)}</h1>"
    if isinstance(block, Lines):
        return "<p>" + "<br>".join(_h(line) for line in block.lines) + "</p>"
    if isinstance(block, Paragraph):
        return f"<p>{_h(block.text)}</p>"
    if isinstance(block, KeyValues):
        if block.style == "grid":
            rows = "".join(f"<tr><th>{html.escape(i.label)}</th><td>{_h(i.value)}</td></tr>" for i in block.items)
            return f'<table class="kv">{rows}</table>'
        if block.style == "below":
            cells = "".join(f'<div class="field"><div class="label">{html.escape(i.label)}</div>'
                            f"<div>{_h(i.value)}</div></div>" for i in block.items)
            return f'<div class="fields">{cells}</div>'
        return "".join(f"<p><b>{html.escape(i.label)}:</b> {_h(i.value)}</p>" for i in block.items)
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in block.header)
        body = "".join("<tr>" + "".join(
            f'<td class="num">{_h([c])}</td>' if block.numeric[k] else f"<td>{_h([c])}</td>"
            for k, c in enumerate(row)) + "</tr>" for row in block.rows)
        cls = "ruled" if block.ruled else "plain"
        return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    if isinstance(block, Columns):
        return '<div class="columns">' + "".join(f"<div>{_html_block(b)}</div>" for b in block.blocks) + "</div>"
    if isinstance(block, (Rule, PageBreak)):
        return "<hr>"
    return ""


CSS = {
    "Helvetica": "Helvetica, Arial, sans-serif", "Times-Roman": "'Times New Roman', serif",
    "Courier": "'Courier New', monospace",
}


def render_html(doc: Doc) -> bytes:
    style = (f"body{{font-family:{CSS[doc.font]};max-width:50em;margin:2em auto}}"
             ".columns,.fields{display:flex;gap:2em}.label{font-weight:bold;font-size:85%}"
             "table.ruled td,table.ruled th,table.kv td,table.kv th{border:1px solid #999}"
             "table{border-collapse:collapse;margin:1em 0}td,th{padding:2px 8px;text-align:left}td.num{text-align:right}")
    body = "\n".join(_html_block(b) for b in unpaginate(doc.blocks))
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(doc.title)}</title>'
            f"<style>{style}</style></head>\n<body>\n{body}\n</body></html>\n")
    return page.encode("utf-8")


# --- plain text and Markdown ---------------------------------------------------------------------

TXT_WIDTH = 96


def _wrap(line: TextLine, width: int) -> list[str]:
    """Word-wrap keeping value spans whole and the original spacing."""
    out, cur = [], ""
    for tok, spaced in wrap_tokens(line):
        if cur and spaced and len(cur) + 1 + len(tok.text) > width:
            out.append(cur)
            cur = tok.text
        else:
            cur = f"{cur} {tok.text}" if cur and spaced else cur + tok.text
    return out + ([cur] if cur else [])


def _text_table(header: list[str], rows: list[list[str]], numeric: list[bool], ruled: bool) -> list[str]:
    widths = [max(len(r[k]) for r in [header] + rows) for k in range(len(header))]

    def fmt(row: list[str]) -> str:
        cells = [c.rjust(w) if numeric[k] else c.ljust(w) for k, (c, w) in enumerate(zip(row, widths))]
        return ("| " + " | ".join(cells) + " |") if ruled else "  ".join(cells).rstrip()

    bar = ("+-" + "-+-".join("-" * w for w in widths) + "-+") if ruled else "  ".join("-" * w for w in widths)
    lines = ([bar] if ruled else []) + [fmt(header), bar] + [fmt(r) for r in rows]
    return lines + ([bar] if ruled else [])


def _txt_block(block: Block, width: int) -> list[str]:
    if isinstance(block, Heading):
        text = line_text(block.text)
        return [text.rjust(width) if block.align == "right" else text]
    if isinstance(block, Lines):
        return [line_text(line).rjust(width) if block.align == "right" else line_text(line) for line in block.lines]
    if isinstance(block, Paragraph):
        return _wrap(block.text, width)
    if isinstance(block, KeyValues):
        labels = [i.label for i in block.items]
        values = [line_text(i.value) for i in block.items]
        if block.style == "grid":
            return _text_table(["Field", "Value"], [[a, b] for a, b in zip(labels, values)], [False, False], True)[2:]
        if block.style == "below":
            cw = max(len(x) for x in labels + values) + 3
            return ["".join(x.ljust(cw) for x in labels).rstrip(), "".join(x.ljust(cw) for x in values).rstrip()]
        lw = max(len(x) for x in labels) + 2
        if block.align == "right":
            vw = max(len(v) for v in values)
            return [(f"{label + ':':<{lw}}{v:>{vw}}").rjust(width) for label, v in zip(labels, values)]
        return [f"{label + ':':<{lw}}{v}" for label, v in zip(labels, values)]
    if isinstance(block, Table):
        return _text_table(block.header, [[c.text for c in r] for r in block.rows], block.numeric, block.ruled)
    if isinstance(block, Columns):
        cw = (width - 4 * (len(block.blocks) - 1)) // len(block.blocks)
        parts = [_txt_block(b, cw) for b in block.blocks]
        height = max(len(p) for p in parts)
        col_w = [max([len(x) for x in p] + [0]) for p in parts]
        return ["    ".join((p[i] if i < len(p) else "").ljust(w) for p, w in zip(parts, col_w)).rstrip()
                for i in range(height)]
    if isinstance(block, Rule):
        return ["-" * width]
    if isinstance(block, PageBreak):
        return ["", "=" * width, ""]
    return [""]


def render_txt(doc: Doc) -> bytes:
    out: list[str] = []
    for block in unpaginate(doc.blocks):
        out.extend(_txt_block(block, TXT_WIDTH))
        if not isinstance(block, (Spacer, Rule)):
            out.append("")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


def _md_bold(text: str) -> str:
    """``**text**`` with surrounding spaces kept outside the markers (Markdown needs that)."""
    core = text.strip()
    if not core:
        return text
    start = text.index(core)
    return f"{text[:start]}**{core}**{text[start + len(core):]}"


def _md_line(line: TextLine) -> str:
    return "".join(_md_bold(s.text) if s.bold else s.text for s in line)


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["# " + line_text(block.text), ""]
    if isinstance(block, Lines):
        return [_md_line(line) + "  " for line in block.lines] + [""]
    if isinstance(block, Paragraph):
        return [_md_line(block.text), ""]
    if isinstance(block, KeyValues):
        return [f"- **{i.label}:** {_md_line(i.value)}" for i in block.items] + [""]
    if isinstance(block, Table):
        head = "| " + " | ".join(block.header) + " |"
        bar = "| " + " | ".join("---:" if n else "---" for n in block.numeric) + " |"
        return [head, bar] + ["| " + " | ".join(c.text for c in r) + " |" for r in block.rows] + [""]
    if isinstance(block, Columns):
        return [x for b in block.blocks for x in _md_block(b)]
    if isinstance(block, (Rule, PageBreak)):
        return ["---", ""]
    return []


def render_md(doc: Doc) -> bytes:
    out = [x for b in unpaginate(doc.blocks) for x in _md_block(b)]
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


RENDERERS: dict[str, Any] = {
    "docx": render_docx, "xlsx": render_xlsx, "csv": render_csv, "html": render_html, "txt": render_txt,
    "md": render_md,
}
