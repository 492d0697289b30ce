"""A brief as Word (.docx, python-docx) and PDF (reportlab), from one plain description ``doc``:

    {"title", "subtitle", "red_header", "issuer", "number", "date_words",
     "sections": [{"heading", "text", "table": {"header": [...], "rows": [[...]]} | None,
                   "chart": {"title", "labels": [...], "values": [...]} | None}]}

Word: the text is set in 仿宋_GB2312 (East Asian font, with FangSong as the Latin name) and the title in
方正小标宋简体 — named, not embedded (they are not free): Word shows them where installed and substitutes otherwise.
PDF: reportlab's built-in CID font STSong-Light (Adobe's Asian font pack, which every PDF reader has) — nothing to
install, nothing embedded; the chart is drawn as vector graphics in the same font. The Word chart is a PNG drawn
with Pillow (``logic/charts.py``).
"""

import io

from .logic import charts, layout

BODY_FONT = "仿宋_GB2312"
BODY_FONT_LATIN = "FangSong"
TITLE_FONT = "方正小标宋简体"
RED = (0xC0, 0x00, 0x00)


def _east_asian(run, name: str, latin: str | None = None) -> None:
    from docx.oxml.ns import qn

    run.font.name = latin or name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _red_line(paragraph) -> None:
    """The red rule under a 简报's header (版头分隔线): a bottom border on the paragraph."""
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    border = ppr.makeelement(qn("w:pBdr"), {})
    bottom = border.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "18", qn("w:space"): "1",
                                                 qn("w:color"): "C00000"})
    border.append(bottom)
    ppr.append(border)


def docx(doc: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    d = Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)  # A4, GB/T 9704 margins
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    style = d.styles["Normal"]
    style.font.size = Pt(16)  # 三号
    style.font.name = BODY_FONT_LATIN
    style.element.get_or_add_rPr()
    _east_asian_style(style, BODY_FONT)

    def para(text, size=16, bold=False, center=False, red=False, font=BODY_FONT, latin=BODY_FONT_LATIN):
        p = d.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(text)
        r.font.size, r.font.bold = Pt(size), bold
        if red:
            r.font.color.rgb = RGBColor(*RED)
        _east_asian(r, font, latin)
        return p

    if doc.get("red_header"):
        para(doc["title"], size=26, center=True, red=True, font=TITLE_FONT, latin=TITLE_FONT)
        if doc.get("subtitle"):
            para(doc["subtitle"], size=16, center=True, red=True)
        head = para(f"{doc['issuer']}　　　　　　{doc['date_words']}", size=14, center=True)
        if doc.get("number"):
            para(doc["number"], size=14, center=True)
        _red_line(head if not doc.get("number") else d.paragraphs[-1])
    else:
        if doc.get("number"):
            para(doc["number"], size=16, center=True)
        para(doc["title"], size=22, center=True, font=TITLE_FONT, latin=TITLE_FONT)
        if doc.get("subtitle"):
            para(doc["subtitle"], size=16, center=True)
    for i, s in enumerate(doc["sections"], 1):
        para(f"{layout.section_numeral(i)}{s['heading']}", bold=True, font="黑体", latin="SimHei")
        for line in (s.get("text") or "").split("\n"):
            if line.strip():
                p = para(line)
                p.paragraph_format.first_line_indent = Pt(32)
        if s.get("chart") and s["chart"]["values"]:
            png = charts.bar_png(s["chart"]["labels"], s["chart"]["values"], s["chart"].get("title", ""))
            d.add_picture(io.BytesIO(png), width=Cm(15))
        if s.get("table"):
            t = s["table"]
            table = d.add_table(rows=1, cols=len(t["header"]))
            table.style = "Table Grid"
            for cell, h in zip(table.rows[0].cells, t["header"], strict=True):
                cell.text = str(h)
            for row in t["rows"]:
                cells = table.add_row().cells
                for cell, v in zip(cells, row, strict=True):
                    cell.text = str(v)
            for row in table.rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        for r in p.runs:
                            r.font.size = Pt(12)
                            _east_asian(r, BODY_FONT, BODY_FONT_LATIN)
    if not doc.get("red_header"):
        para(doc["issuer"], center=False).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para(doc["date_words"]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    d.core_properties.title = doc["title"]
    d.save(buf)
    return buf.getvalue()


def _east_asian_style(style, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


PDF_FONT = "STSong-Light"


def pdf(doc: dict) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=14, leading=24, firstLineIndent=28, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, firstLineIndent=0, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=22, leading=32, alignment=TA_CENTER, firstLineIndent=0)
    centre = ParagraphStyle("centre", parent=body, alignment=TA_CENTER, firstLineIndent=0)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=10, leading=13, wordWrap="CJK")
    red = colors.Color(*(c / 255 for c in RED))
    story = []
    if doc.get("red_header"):
        story.append(Paragraph(escape(doc["title"]), ParagraphStyle("rt", parent=title, textColor=red, fontSize=26,
                                                                    leading=36)))
        if doc.get("subtitle"):
            story.append(Paragraph(escape(doc["subtitle"]), ParagraphStyle("rs", parent=centre, textColor=red)))
        if doc.get("number"):
            story.append(Paragraph(escape(doc["number"]), centre))
        story.append(Paragraph(escape(f"{doc['issuer']}　　　　{doc['date_words']}"), centre))
        story.append(HRFlowable(width="100%", thickness=2, color=red, spaceBefore=4, spaceAfter=10))
    else:
        if doc.get("number"):
            story.append(Paragraph(escape(doc["number"]), centre))
        story.append(Paragraph(escape(doc["title"]), title))
        if doc.get("subtitle"):
            story.append(Paragraph(escape(doc["subtitle"]), centre))
        story.append(Spacer(1, 10))
    for i, s in enumerate(doc["sections"], 1):
        story.append(Paragraph(escape(f"{layout.section_numeral(i)}{s['heading']}"), head))
        for line in (s.get("text") or "").split("\n"):
            if line.strip():
                story.append(Paragraph(escape(line), body))
        if s.get("chart") and s["chart"]["values"]:
            c = s["chart"]
            dr = Drawing(15 * cm, 7 * cm)
            bc = VerticalBarChart()
            bc.x, bc.y, bc.width, bc.height = 40, 40, 15 * cm - 60, 7 * cm - 70
            bc.data = [[float(v) for v in c["values"]]]
            bc.categoryAxis.categoryNames = [lab if len(lab) <= 6 else lab[:5] + "…" for lab in c["labels"]]
            bc.categoryAxis.labels.fontName = PDF_FONT
            bc.categoryAxis.labels.fontSize = 8
            bc.valueAxis.labels.fontName = PDF_FONT
            bc.valueAxis.valueMin = 0
            bc.bars[0].fillColor = red
            dr.add(bc)
            if c.get("title"):
                dr.add(String(15 * cm / 2, 7 * cm - 14, c["title"], fontName=PDF_FONT, fontSize=11, textAnchor="middle"))
            story.append(dr)
        if s.get("table"):
            t = s["table"]
            data = [[Paragraph(escape(str(v)), cell) for v in t["header"]]]
            data += [[Paragraph(escape(str(v)), cell) for v in row] for row in t["rows"]]
            tbl = Table(data, repeatRows=1)
            tbl.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                     ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93))]))
            story += [Spacer(1, 4), tbl, Spacer(1, 6)]
    if not doc.get("red_header"):
        story += [Spacer(1, 16), Paragraph(escape(doc["issuer"]), right), Paragraph(escape(doc["date_words"]), right)]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=doc["title"], leftMargin=2.8 * cm, rightMargin=2.6 * cm,
                      topMargin=3.7 * cm, bottomMargin=3.5 * cm).build(story)
    return buf.getvalue()
