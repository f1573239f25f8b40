"""Word (DOCX) journal tables: three-line rules, Times New Roman with 宋体 for Chinese, compact rows,
numbers aligned on the decimal point, A4 (or Letter) portrait, landscape only when the columns
do not fit the portrait text width.

Widths are estimated from the text (Times digits are half an em, CJK characters a full em) so
the column widths and the decimal tab of each column can be set without Word measuring them.
"""

from __future__ import annotations

import math
from typing import Literal

__all__ = ["write_docx", "Paper"]

Paper = Literal["a4", "letter"]
_PAPER_CM = {"a4": (21.0, 29.7), "letter": (21.59, 27.94)}
_MARGIN_CM = 2.5
_CELL_PAD_CM = 0.05
_LATIN, _EAST = "Times New Roman", "宋体"


def _em(text: str) -> float:
    """Approximate width of ``text`` in ems of Times New Roman (CJK characters one em)."""
    width = 0.0
    for ch in text:
        if ord(ch) > 0x2E80:
            width += 1.0
        elif ch in ".,:;()-" or ch == " ":
            width += 0.3
        elif ch.isupper():
            width += 0.7
        else:
            width += 0.5
    return width


def _split(text: str) -> tuple[str, str]:
    """A number cell split at its decimal point (left part, the rest); (text, "") without one."""
    core = text.strip("()")
    if any(c.isdigit() for c in core) and "." in text:
        at = text.index(".")
        return text[:at], text[at:]
    return text, ""


def _font(run_properties, size_pt: float) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)
    for key, name in (("w:ascii", _LATIN), ("w:hAnsi", _LATIN), ("w:cs", _LATIN), ("w:eastAsia", _EAST)):
        fonts.set(qn(key), name)
    for tag in ("w:sz", "w:szCs"):
        element = run_properties.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            run_properties.append(element)
        element.set(qn("w:val"), str(round(size_pt * 2)))


def _compact(paragraph) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = 0
    fmt.line_spacing = 1.0


def _plan(header: list[str], rows: list[list[str]], notes: tuple[str, ...], title: str, paper: Paper):
    """Font size, orientation and column widths: the largest of 10.5 / 9 / 8 pt that fits the table
    on one page, portrait before landscape (estimated from the text; Word lays it out the same way
    up to a few per cent). A table too large for one page at 8 pt keeps 8 pt and flows on."""
    short, long = _PAPER_CM[paper]
    lefts = [max([_em(_split(r[c])[0]) for r in rows] + [0]) for c in range(1, len(header))]
    rights = [max([_em(_split(r[c])[1]) for r in rows] + [0]) for c in range(1, len(header))]
    n_data = len(header) - 1
    fallback = None
    for landscape in (False, True):
        page_w, page_h = (long, short) if landscape else (short, long)
        text_w, text_h = page_w - 2 * _MARGIN_CM, page_h - 2 * _MARGIN_CM
        for size in (10.5, 9.0, 8.0):
            cm_per_em = size * 2.54 / 72
            first = min(5.0, max(1.5, max(_em(r[0]) for r in [header, *rows]) * cm_per_em + 2 * _CELL_PAD_CM))
            widths = [max(lefts[c] + rights[c], 2.0) * cm_per_em + 2 * _CELL_PAD_CM for c in range(n_data)]
            spare = text_w - first - sum(widths)
            if spare < 0:
                continue
            widths = [w + spare / max(1, n_data) * 0.5 for w in widths]
            header_lines = max([math.ceil(_em(h) * cm_per_em / max(w - 2 * _CELL_PAD_CM, 0.1))
                                for h, w in zip(header[1:], widths, strict=True)] + [1])
            note_lines = sum(math.ceil(_em(n) * (size - 1.5) * 2.54 / 72 / text_w) for n in notes)
            lines = len(rows) + header_lines + (1 if title else 0) + note_lines
            plan = (size, landscape, first, widths, lefts, rights)
            if lines * size * 1.2 * 2.54 / 72 <= text_h:
                return plan
            fallback = plan if not landscape or fallback is None else fallback  # portrait, smallest font
    if fallback is not None:
        return fallback
    size, cm_per_em = 8.0, 8.0 * 2.54 / 72  # too wide even in landscape: equal narrow columns, text wraps
    text_w = long - 2 * _MARGIN_CM
    first = min(4.0, text_w / (n_data + 1) * 2)
    return size, True, first, [(text_w - first) / max(1, n_data)] * n_data, lefts, rights


def write_docx(target, header: list[str], rows: list[list[str]], notes: tuple[str, ...], title: str,
               *, paper: Paper = "a4") -> None:
    """Save a document with one three-line table to ``target`` (a path, written as is)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Cm, Pt

    plan = _plan(header, rows, notes, title, paper)
    size, landscape, first, widths, lefts, rights = plan
    cm_per_em = size * 2.54 / 72
    short, long = _PAPER_CM[paper]
    page_w, page_h = (long, short) if landscape else (short, long)

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(page_w), Cm(page_h)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(_MARGIN_CM))
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = _LATIN, Pt(size)
    _font(normal.element.get_or_add_rPr(), size)
    _compact(normal)

    if title:
        caption = document.add_paragraph(title)
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=len(rows) + 1, cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for c, width in enumerate([first, *widths]):
        table.columns[c].width = Cm(width)
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.width = Cm(first if c == 0 else widths[c - 1])
            _cell_margins(cell)
            paragraph = cell.paragraphs[0]
            _compact(paragraph)
            left, rest = _split(value)
            if c == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
                paragraph.add_run(value)
            elif r > 0 and rest:  # a decimal stop placed so the widest number is centred
                offset = (widths[c - 1] - 2 * _CELL_PAD_CM - (lefts[c - 1] + rights[c - 1]) * cm_per_em) / 2
                stop = max(0.0, offset) + lefts[c - 1] * cm_per_em
                paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(stop), WD_TAB_ALIGNMENT.DECIMAL)
                # no tab character: Word and LibreOffice align a table cell on its lone decimal stop by
                # themselves; with a tab LibreOffice jumped past the stop and wrapped "(-0.992)" over two
                # lines, so the 4-model, 10-regressor table took two A4 pages instead of one
                paragraph.add_run(value)
            else:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.add_run(value)
    _three_line(table)
    for note in notes:
        paragraph = document.add_paragraph(note)
        for run in paragraph.runs:
            run.font.size = Pt(size - 1.5)
    document.save(str(target))


def _cell_margins(cell) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = cell._tc.get_or_add_tcPr()
    margins = OxmlElement("w:tcMar")
    for edge in ("left", "right", "top", "bottom"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(round(_CELL_PAD_CM * 567)) if edge in ("left", "right") else "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    properties.append(margins)


def _three_line(table) -> None:
    """Top rule, a rule under the header and a bottom rule; no other borders."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def border(cell, edge: str, size: int) -> None:
        properties = cell._tc.get_or_add_tcPr()
        borders = properties.find(qn("w:tcBorders"))
        if borders is None:
            borders = OxmlElement("w:tcBorders")
            margins = properties.find(qn("w:tcMar"))  # the schema orders tcBorders before tcMar
            if margins is not None:
                margins.addprevious(borders)
            else:
                properties.append(borders)
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:color"), "000000")
        borders.append(element)

    rows = table.rows
    for cell in rows[0].cells:
        border(cell, "top", 12)
        border(cell, "bottom", 6)
    for cell in rows[-1].cells:
        border(cell, "bottom", 12)
