"""The 培训合格证书 of a passed attempt: one A4 page (landscape), reportlab with the CID font STSong-Light that every
PDF reader has (as the briefs' PDFs, ``gridgov/briefs/render.py``)."""

import io
from xml.sax.saxutils import escape

from django.utils import timezone

from gridgov.briefs.render import PDF_FONT

from .models import Attempt


def render(a: Attempt) -> bytes:
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    title = ParagraphStyle("t", fontName=PDF_FONT, fontSize=30, leading=44, alignment=TA_CENTER)
    body = ParagraphStyle("b", fontName=PDF_FONT, fontSize=16, leading=30, firstLineIndent=32, wordWrap="CJK")
    right = ParagraphStyle("r", parent=body, alignment=TA_RIGHT, firstLineIndent=0)
    small = ParagraphStyle("s", parent=body, fontSize=11, leading=16, firstLineIndent=0)
    person = a.user.display_name or a.user.username
    day = timezone.localtime(a.finished_at).date()
    lines = [f"{person}（{a.user.role_label}）", f"参加「{a.exam.course.title}」课程的考试「{a.exam.title}」，",
             f"成绩 {a.score} 分（满分 {a.max_score} 分，合格分数 {a.exam.pass_mark} 分），考试合格，特发此证。"]
    story = [Paragraph("培训合格证书", title), Spacer(1, 24), *[Paragraph(escape(t), body) for t in lines],
             Spacer(1, 36),
             Paragraph("网格化管理平台 · 培训考试", right),
             Paragraph(f"{day.year} 年 {day.month} 月 {day.day} 日", right), Spacer(1, 24),
             Paragraph(escape(f"证书编号：{a.certificate_number}"), small)]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4), title="培训合格证书", leftMargin=3 * cm, rightMargin=3 * cm,
                      topMargin=3 * cm, bottomMargin=2.5 * cm).build(story)
    return buf.getvalue()
