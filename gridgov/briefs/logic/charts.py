"""Bar charts as PNG for the Word file, drawn with Pillow (already a dependency) — no matplotlib, no system font
required. Labels in Chinese need a CJK font: the first of ``FONT_CANDIDATES`` found is used; on a machine without
any, the bars are labelled 1, 2, 3 … and the document's table beside the chart (same order) names them."""

import io
from pathlib import Path

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)


def cjk_font() -> str | None:
    return next((p for p in FONT_CANDIDATES if Path(p).exists()), None)


def bar_png(labels: list[str], values: list[float], title: str = "", width: int = 1200, height: int = 560,
            font_path: str | None = "auto") -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    path = cjk_font() if font_path == "auto" else font_path
    try:
        font = ImageFont.truetype(path, 22) if path else None
        big = ImageFont.truetype(path, 28) if path else None
    except OSError:
        font = big = None
    if font is None:  # no CJK font on this machine: digits only
        font = big = ImageFont.load_default(size=22)
        labels = [str(i + 1) for i in range(len(labels))]
        title = ""
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    left, right, top, bottom = 70, 20, 60 if title else 20, 90
    if title:
        d.text((width / 2, 18), title, fill="black", font=big, anchor="mt")
    top_value = max([float(v) for v in values] + [1.0])
    plot_h = height - top - bottom
    d.line([(left, top), (left, height - bottom), (width - right, height - bottom)], fill="black", width=2)
    n = max(len(values), 1)
    slot = (width - left - right) / n
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * float(v) / top_value
        x0 = left + i * slot + slot * 0.15
        x1 = left + (i + 1) * slot - slot * 0.15
        d.rectangle([x0, height - bottom - h, x1, height - bottom], fill="#c0392b")
        d.text(((x0 + x1) / 2, height - bottom - h - 4), f"{v:g}", fill="black", font=font, anchor="md")
        text = lab if len(lab) <= 6 else lab[:5] + "…"
        d.text(((x0 + x1) / 2, height - bottom + 8), text, fill="black", font=font, anchor="ma")
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()
