"""The demo's 弄虚作假核查 (called by ``gridgov.demo.build``): the four latest cases of 东华门街道 reported by grid
workers get a photo each — one taken 3 km from the case (its EXIF position), the same picture on two cases, one
taken three days before its report (left pending) — then the scan runs over the
last 35 days; the 值班长 confirms the far-away photo (案件数量 that month → 0) and clears the reused picture (the
same problem reported twice); the administrator enters one 督查 finding by hand, left pending with whatever else
the scan found. Synthetic and deterministic; both scales (a handful of rows).
"""

import datetime as dt
import io
import random

from django.utils import timezone
from PIL import Image

from gridgov.accounts.models import User
from gridgov.cases.models import Case
from gridgov.cases.services.photos import store_photos

from . import services
from .models import Flag, Status

STREET, OTHER_STREET = "110101001", "110101002"


def picture(seed: int, lon: float | None = None, lat: float | None = None, taken: str = "") -> bytes:
    """A picture of its own (9 × 8 random grey blocks from ``seed``, so its perceptual hash is its own)."""
    rng = random.Random(seed)
    img = Image.new("L", (9, 8))
    img.putdata([rng.randrange(256) for _ in range(72)])
    img = img.resize((90, 80), Image.Resampling.NEAREST).convert("RGB")
    exif = Image.Exif()
    if lon is not None:
        def dms(v):
            d = int(v)
            m = int((v - d) * 60)
            return (d, m, round(((v - d) * 60 - m) * 60, 2))
        exif[34853] = {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}
    if taken:
        exif[306] = taken
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def build(stdout=print, scale: str = "demo") -> None:
    Flag.objects.all().delete()  # a rebuild: the demo's flags are remade from the cases as they are now
    cases = list(Case.objects.filter(scope_key__startswith=STREET, reporter__role="grid_worker")
                 .exclude(status__in=["declined", "voided", "merged"]).select_related("reporter")
                 .order_by("-reported_at", "id")[:4])
    if len(cases) == 4:
        far, reused, again, old = cases
        three_days = timezone.localtime(old.reported_at) - dt.timedelta(days=3)
        store_photos(old, [("现场.jpg", picture(20261203, taken=three_days.strftime("%Y:%m:%d %H:%M:%S")))],
                     "report", old.reporter)
        taken = timezone.localtime(far.reported_at).strftime("%Y:%m:%d %H:%M:%S")
        store_photos(far, [("现场.jpg", picture(20261201, far.lon + 0.035, far.lat, taken))], "report",
                     far.reporter)
        same = picture(20261202)
        store_photos(reused, [("现场.jpg", same)], "report", reused.reporter)
        store_photos(again, [("现场.jpg", same)], "report", again.reporter)
    services.scan()
    shift = User.objects.get(username="shift")
    for f in Flag.objects.filter(kind="photo_place", case__in=cases[:1], status=Status.PENDING):
        services.decide(shift, f.pk, "confirm", "现场核实：照片为他处所摄，该案件不计入案件数量")
    for f in Flag.objects.filter(kind="photo_reuse", case__in=cases[1:], status=Status.PENDING):
        services.decide(shift, f.pk, "clear", "同一问题两次上报，已合并处理，不属弄虚作假")
    admin = User.objects.get(username="admin")
    services.create(admin, unit=OTHER_STREET, item="training", period=timezone.localdate().strftime("%Y-%m"),
                    reason="区督查组抽查：培训签到表有代签现象")
    counts = dict.fromkeys(Status.values, 0)
    for s in Flag.objects.values_list("status", flat=True):
        counts[s] += 1
    stdout(f"弄虚作假核查：{sum(counts.values())} 条线索（确认 {counts['confirmed']}，排除 {counts['cleared']}，"
           f"待核 {counts['pending']}）")
