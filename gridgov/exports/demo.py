"""The exports helper's demo (called by ``gridgov.demo.build``): a handful of reports made this morning (so the big
screen 指挥大屏 shows today's flow, lights and map), a shared column set 「日报导出」 and the 值班长's finished export of
the closed cases with one sheet per matter class. The public pages /open/ show the demo's closed cases as they are.
Deterministic and synthetic (no real people). At scale "test": the column set only (the tests make their own)."""

import datetime as dt
import random

from django.utils import timezone

from gridgov.accounts.models import User

DAILY = ["number", "reported_at", "matter", "matter_class", "street", "community", "department", "status",
         "stage_due_at", "overdue", "closed_on_time", "handle_hours", "satisfaction"]
TODAY = [("06010", "路边暴露垃圾，已堆放半天"), ("07001", "电线杆上张贴小广告"), ("06036", "楼道口乱堆杂物"),
         ("06010", "垃圾桶满溢无人清运"), ("06042", "垃圾站满溢，气味较大"), ("07001", "公交站牌小广告")]


def build(stdout=print, scale: str = "demo") -> None:
    from gridgov.exports import services
    from gridgov.exports.models import ColumnSet, Export

    users = {u.username: u for u in User.objects.filter(username__in=["shift", "intake", "inspector"])}
    shift = users["shift"]
    ColumnSet.objects.filter(user=shift, name="日报导出").delete()
    services.save_column_set(shift, "日报导出", DAILY, shared=True)
    if scale != "demo":
        return
    made = _today(users)
    Export.objects.filter(user=shift).delete()
    e = services.start(shift, "status=closed&status=archived", DAILY, "xlsx", by_class=True)
    e.refresh_from_db()  # (the demo runs its jobs as each step commits: built by now)
    stdout(f"案件导出：共享模板「日报导出」，值班长的导出 #{e.pk}（{e.total} 件已结案案件，按事项大类分表，{e.get_status_display()}）；"
           f"今日新上报 {made} 件（指挥大屏 /screen/），公开信息 /open/")


def _today(users) -> int:
    """A few reports of this morning at grid centres of the district (some registered), for the big screen."""
    from shapely import from_geojson

    from gridgov.cases import services
    from gridgov.errors import DomainError
    from gridgov.geo.models import Grid

    rng = random.Random(20261203)
    grids = list(Grid.objects.filter(layer__code="unit", community__code__startswith="110101")
                 .order_by("code").values_list("geometry", flat=True)[:4000])
    if not grids:
        return 0
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    made = 0
    for i, (matter, text) in enumerate(TODAY * 2):
        p = from_geojson(rng.choice(grids)).representative_point()
        at = max(midnight + dt.timedelta(minutes=1), now - dt.timedelta(minutes=20 * (len(TODAY) * 2 - i)))
        try:
            r = services.intake(users["intake"], source="hotline", lon=p.x, lat=p.y, description=text, matter=matter,
                                reporter_name="王女士", reporter_phone=f"138{rng.randrange(10**8):08d}", now=at,
                                find_duplicates=False)
            if i % 2 == 0:
                services.transition(users["intake"], r.case.number, "assign_verify", {}, now=at)
            made += 1
        except DomainError:
            continue
    return made
