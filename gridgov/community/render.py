"""A grid's 公示牌 (A4 or A3, one page) and its 温馨提示卡 (10 business-card-sized cards on an A4 page) as PDF.

reportlab with its built-in CID font STSong-Light (as ``gridgov.briefs.render``: nothing installed, nothing embedded);
the QR code (segno) is drawn as vector squares, and its address is printed under it as text, so whoever cannot scan
can type it — and a test can read it. The A3 board is the A4 layout scaled by √2 (the same page, larger).
"""

import io
from xml.sax.saxutils import escape

from gridgov.briefs.render import PDF_FONT

from .services import Board

RED = (0.72, 0.0, 0.0)
GREY = (0.55, 0.55, 0.55)
MAX_PEOPLE = 5  # what fits on one board; more people are named as a count


def _font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))


def _qr(c, url: str, x: float, y: float, size: float) -> None:
    """The QR code of ``url`` as black squares, its lower left corner at (x, y), ``size`` wide with its quiet zone."""
    import segno

    matrix = segno.make(url, error="m").matrix
    n = len(matrix) + 8  # 4 modules of quiet zone each side
    m = size / n
    c.setFillColorRGB(1, 1, 1)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + (col + 4) * m, y + size - (r + 5) * m, m, m, stroke=0, fill=1)


def _silhouette(c, x: float, y: float, w: float, h: float) -> None:
    """The placeholder of a photo: a grey figure on a light ground (no 公示照片 kept of this person)."""
    c.setFillColorRGB(0.92, 0.92, 0.92)
    c.setStrokeColorRGB(*GREY)
    c.rect(x, y, w, h, stroke=1, fill=1)
    c.setFillColorRGB(0.7, 0.7, 0.7)
    c.circle(x + w / 2, y + h * 0.62, w * 0.2, stroke=0, fill=1)
    c.ellipse(x + w * 0.15, y - h * 0.12, x + w * 0.85, y + h * 0.42, stroke=0, fill=1)
    c.setFillColorRGB(0.92, 0.92, 0.92)
    c.rect(x + 0.5, y - h * 0.13, w - 1, h * 0.13, stroke=0, fill=1)  # the shoulders end at the frame


def _portrait(c, p, x: float, y: float, w: float, h: float) -> None:
    """The person's 公示照片 (3:4) in the frame, or the silhouette when none is kept."""
    if not p.photo:
        _silhouette(c, x, y, w, h)
        return
    from reportlab.lib.utils import ImageReader

    from gridgov.cases.storage import photo_store

    c.drawImage(ImageReader(io.BytesIO(photo_store().open(p.photo))), x, y, w, h)
    c.setStrokeColorRGB(*GREY)
    c.rect(x, y, w, h, stroke=1, fill=0)


def _fitted(text: str, size: float, width: float) -> float:
    """The font size (at most ``size``) at which ``text`` fits in ``width`` (long grid and community names)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return min(size, size * width / max(stringWidth(text, PDF_FONT, size), 1))


def _para(c, text: str, x: float, y_top: float, width: float, size: float, colour=(0, 0, 0)) -> float:
    """A wrapped paragraph whose top is at ``y_top``; returns its height."""
    from reportlab.lib.colors import Color
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    style = ParagraphStyle("p", fontName=PDF_FONT, fontSize=size, leading=size * 1.35, wordWrap="CJK",
                           textColor=Color(*colour))
    p = Paragraph(escape(text), style)
    _, h = p.wrap(width, 1000)
    p.drawOn(c, x, y_top - h)
    return h


def board_pdf(b: Board, url: str, size: str = "A4") -> bytes:
    from reportlab.lib.pagesizes import A3, A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    _font()
    buf = io.BytesIO()
    page = A3 if size == "A3" else A4
    c = canvas.Canvas(buf, pagesize=page)
    c.setTitle(f"{b.community}{b.name}公示牌")
    c.scale(page[0] / A4[0], page[1] / A4[1])
    W, H = A4
    c.setFillColorRGB(*RED)
    c.rect(0, H - 38 * mm, W, 38 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(PDF_FONT, 30)
    c.drawCentredString(W / 2, H - 20 * mm, "网格公示牌")
    heading = f"{b.street}　{b.community}　{b.name}（网格编码 {b.code}）"
    c.setFont(PDF_FONT, _fitted(heading, 13, W - 20 * mm))
    c.drawCentredString(W / 2, H - 31 * mm, heading)
    c.setFillColorRGB(0, 0, 0)
    y = H - 48 * mm
    c.setFont(PDF_FONT, 12)
    c.drawString(18 * mm, y, "网格工作人员")
    y -= 4 * mm
    row_h = 29 * mm
    for p in b.people[:MAX_PEOPLE]:
        c.setStrokeColorRGB(*GREY)
        c.line(18 * mm, y, W - 18 * mm, y)
        _portrait(c, p, 20 * mm, y - 26 * mm, 20 * mm, 24 * mm)
        c.setFont(PDF_FONT, 15)
        c.drawString(45 * mm, y - 8 * mm, p.name)
        c.setFont(PDF_FONT, 11)
        c.setFillColorRGB(*RED)
        c.drawString(75 * mm, y - 8 * mm, p.post)
        c.setFillColorRGB(0, 0, 0)
        c.drawString(120 * mm, y - 8 * mm, f"联系电话：{p.phone or '—'}")
        h = _para(c, f"职责：{p.duties}", 45 * mm, y - 11 * mm, W - 63 * mm, 10)
        c.setFont(PDF_FONT, 9)
        c.drawString(45 * mm, y - 13 * mm - h, f"在岗时间：{p.hours}")
        c.setFillColorRGB(0, 0, 0)
        y -= row_h
    if len(b.people) > MAX_PEOPLE:
        c.setFont(PDF_FONT, 10)
        c.drawString(45 * mm, y - 5 * mm, f"另有 {len(b.people) - MAX_PEOPLE} 名工作人员，见社区公示名录")
    if not b.people:
        c.setFont(PDF_FONT, 12)
        c.drawString(45 * mm, y - 10 * mm, "本网格人员调整中，请拨打服务热线")
    # the numbers, and the QR code with its address under it
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(1.5)
    c.line(18 * mm, 78 * mm, W - 18 * mm, 78 * mm)
    c.setFont(PDF_FONT, 16)
    c.drawString(18 * mm, 64 * mm, f"服务热线：{b.hotline or '—'}")
    c.drawString(18 * mm, 52 * mm, f"监督电话：{b.supervision or '—'}")
    _para(c, "有问题请联系网格工作人员；对网格工作人员的服务有意见，请拨打监督电话。", 18 * mm, 44 * mm, 110 * mm, 11)
    _qr(c, url, W - 66 * mm, 24 * mm, 48 * mm)
    c.setFont(PDF_FONT, 11)
    c.drawCentredString(W - 42 * mm, 73 * mm, "扫码反映问题（自动定位到本网格）")
    c.setFont("Helvetica", 7)
    c.drawCentredString(W - 42 * mm, 20 * mm, url)
    c.setFont(PDF_FONT, 9)
    c.setFillColorRGB(*GREY)
    c.drawString(18 * mm, 12 * mm, "网格化管理 · 统一公开身份（公示牌）")
    c.showPage()
    c.save()
    return buf.getvalue()


CARD_W, CARD_H = 85, 54  # mm: a business card
CARDS_X, CARDS_Y = 2, 5  # cards per A4 page


def cards_pdf(b: Board, url: str) -> bytes:
    """One A4 page of 10 identical 温馨提示卡 of a grid, with thin cutting frames."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"{b.community}{b.name}温馨提示卡")
    W, H = A4
    left = (W - CARDS_X * CARD_W * mm) / 2
    bottom = (H - CARDS_Y * CARD_H * mm) / 2
    leader = next((p.name for p in b.people if p.post == "网格长"), "")
    workers = "、".join(p.name for p in b.people if "网格员" in p.post)
    for i in range(CARDS_X):
        for j in range(CARDS_Y):
            x, y = left + i * CARD_W * mm, bottom + j * CARD_H * mm
            c.setStrokeColorRGB(*GREY)
            c.setLineWidth(0.3)
            c.rect(x, y, CARD_W * mm, CARD_H * mm, stroke=1, fill=0)
            c.setFillColorRGB(*RED)
            c.setFont(PDF_FONT, 12)
            c.drawString(x + 4 * mm, y + 47 * mm, "温馨提示卡")
            c.setFillColorRGB(0, 0, 0)
            c.setFont(PDF_FONT, _fitted(f"{b.community} {b.name}", 8, CARD_W * mm - 8 * mm))
            c.drawString(x + 4 * mm, y + 41 * mm, f"{b.community} {b.name}")
            c.drawString(x + 4 * mm, y + 35 * mm, f"网格长：{leader or '—'}")
            _para(c, f"网格员：{workers or '—'}", x + 4 * mm, y + 33 * mm, 52 * mm, 8)
            c.setFont(PDF_FONT, 9)
            c.drawString(x + 4 * mm, y + 16 * mm, f"服务热线：{b.hotline or '—'}")
            c.drawString(x + 4 * mm, y + 9 * mm, f"监督电话：{b.supervision or '—'}")
            c.setFont(PDF_FONT, 6)
            c.drawString(x + 4 * mm, y + 3.5 * mm, "有事找网格，扫码可直接反映问题")
            _qr(c, url, x + CARD_W * mm - 27 * mm, y + 14 * mm, 25 * mm)
            c.setFont("Helvetica", 4.5)
            c.drawRightString(x + CARD_W * mm - 3 * mm, y + 2 * mm, url)
    c.showPage()
    c.save()
    return buf.getvalue()
