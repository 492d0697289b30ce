"""Demo (called by ``gridgov.demo.build``): the district's 工作简报 of the last weeks issued by the 值班长 (the
latest week left as a draft for the 信息员 to finish), last month's 月报 and 情况通报, yesterday's 值班日报, last
month's 大数据分析报告 with its mining run, and the leader's subscription to the weekly brief.

Deterministic (times relative to now, like the cases' demo). Scale "test": the subscription and one issued weekly
brief only (each document renders Word and PDF: about a second). Idempotent: a period that has a brief is skipped.
"""

import datetime as dt
import time

from django.utils import timezone

from gridgov.accounts.models import User

from . import services
from .logic import layout
from .models import Brief

DISTRICT = "110101"


def _one(stdout, user, issuer, kind: str, span: layout.Span, now: dt.datetime, issue: bool) -> Brief | None:
    if Brief.objects.filter(kind=kind, scope_key=DISTRICT, period=span.label).exists():
        return None
    b = services.draft(user, kind, span.label, DISTRICT, now=now, queue=False)
    services.generate(b.pk)
    b.refresh_from_db()
    if b.status != "draft":
        stdout(f"简报：{b.title} 生成失败（{b.error}）")
        return None
    if issue:
        b = services.issue(issuer, b.pk, now=now + dt.timedelta(hours=1))
    return b


def build(stdout=print, scale: str = "demo") -> None:
    t0 = time.perf_counter()
    now = timezone.now()
    today = services.local_today(now)
    by = {u.username: u for u in User.objects.filter(username__in=["shift", "clerk", "leader"])}
    shift, clerk, leader = by["shift"], by["clerk"], by["leader"]
    services.subscribe(leader, "weekly", DISTRICT, now=now)
    made = []
    weeks = [layout.week(today - dt.timedelta(days=7 * k)) for k in (1,)] if scale != "demo" else \
        [layout.week(today - dt.timedelta(days=7 * k)) for k in (4, 3, 2, 1)]
    for i, span in enumerate(weeks):
        last = i == len(weeks) - 1 and scale == "demo"
        made.append(_one(stdout, clerk if last else shift, shift, "weekly", span,
                         now - dt.timedelta(days=7 * (len(weeks) - 1 - i)), issue=not last))
    if scale == "demo":
        month = layout.previous("monthly", today)
        made.append(_one(stdout, shift, shift, "monthly", month, now, issue=True))
        made.append(_one(stdout, shift, shift, "notice", month, now, issue=False))
        made.append(_one(stdout, shift, shift, "duty", layout.previous("duty", today), now, issue=True))
        made.append(_one(stdout, shift, shift, "analysis", month, now, issue=True))
        from gridgov.mining import services as mining

        t1 = time.perf_counter()
        run = mining.request(leader, DISTRICT, month.first, month.last, now=now, queue=False)
        mining.compute(run.pk)
        run.refresh_from_db()
        res = run.result
        stdout(f"数据挖掘：{month.words} {res.get('cases', 0)} 件，热点 {len(res.get('hotspots', []))} 处，"
               f"屡禁不止 {len(res.get('repeats', []))} 处（{time.perf_counter() - t1:.1f} 秒）")
    made = [b for b in made if b]
    stdout(f"简报：{len(made)} 份（{sum(b.status == 'issued' for b in made)} 份已签发），领导订阅周报"
           f"（{time.perf_counter() - t0:.1f} 秒，含 Word 与 PDF 生成）")
