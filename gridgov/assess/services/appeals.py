"""申诉: filed within the window, ruled by a reviewer; an upheld appeal recomputes the month; files of evidence and appeals."""

import datetime as dt
import json
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.scope import require
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, NotFound

from ..logic import scheme as scheme_logic
from ..models import Appeal, AppealStatus, Item, Judgement, Result, Run
from .common import REVIEW, SUBMIT, _own_unit, _store_files, _units_rows
from .judging import evidence
from .runs import _run, current_run

# ---------------------------------------------------------------- appeals (申诉)


def appeal_deadlines(runs) -> dict[int, dt.datetime]:
    """run id → the end of its month's appeal window (the scheme's working days after the month was FIRST published),
    for the published ones among ``runs`` — two queries for a whole page of runs (their facts may be deferred)."""
    from gridgov.worktime import services as worktime

    runs = [r for r in runs if r.published_at]
    if not runs:
        return {}
    months = {(r.district_code, r.period) for r in runs}
    first: dict[tuple[str, str], dt.datetime] = {}
    for district, period, at in (Run.objects.filter(published_at__isnull=False,
                                                    district_code__in={d for d, _ in months},
                                                    period__in={p for _, p in months})
                                 .values_list("district_code", "period", "published_at")):
        if (district, period) in months and ((district, period) not in first or at < first[(district, period)]):
            first[(district, period)] = at
    days = dict(Run.objects.filter(pk__in=[r.pk for r in runs])
                .values_list("pk", "facts__scheme__params__appeal_window_days"))
    return {r.pk: worktime.due(first[(r.district_code, r.period)], int(days.get(r.pk) or 5), "work_days")
            for r in runs}


def appeal_deadline(run: Run) -> dt.datetime | None:
    """The end of one run's appeal window (None before its month is published)."""
    return appeal_deadlines([run]).get(run.pk)


@transaction.atomic
def file_appeal(user, run_id: int, item_key: str, reason: str, files=()) -> Appeal:
    require(user, SUBMIT)
    unit = _own_unit(user)
    run = Run.objects.filter(pk=run_id, published_at__isnull=False).first()
    if run is None:
        raise NotFound("not_found", "没有这次已发布的考评")
    newest = current_run(user, run.period, run.district_code)
    if newest is not None and newest.pk != run.pk:
        raise Conflict("superseded", f"{run.period} 已有更新的修订版（第 {newest.revision} 版），请对最新一版申诉")
    deadline = appeal_deadline(run)
    if deadline is not None and timezone.now() > deadline:
        raise Conflict("appeal_window_closed", f"申诉期已过：{run.period} 的考评结果申诉截止于 "
                                               f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}")
    result = Result.objects.filter(run=run, unit_code=unit).first()
    row = next((i for i in (result.items if result else []) if i["key"] == item_key), None)
    if row is None:
        raise DomainError("unknown_item", f"该次考评中没有本单位的考评项「{item_key}」")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请写明申诉理由")
    if len(reason) > 4000:
        raise DomainError("reason_too_long", "申诉理由不超过 4000 字")
    if Appeal.objects.filter(run__period=run.period, unit_code=unit, item_key=item_key,
                             status=AppealStatus.PENDING).exists():
        raise Conflict("appeal_pending", f"本单位对「{row['name']}」的申诉尚在裁定中")
    a = Appeal.objects.create(run=run, period=run.period, unit_code=unit, item_key=item_key, reason=reason,
                              files=_store_files(files), old_points=row["points"], by=user)
    audit.record(user, "appeal", "assess_appeal", a.pk, after={"period": run.period, "unit": unit, "item": item_key,
                                                               "points": row["points"]})
    return a


FILE_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
              ".webp": "image/webp", ".txt": "text/plain"}
OTHER_TYPE = "application/octet-stream"


def attachment(user, kind: str, pk: int, n: int) -> tuple[str, bytes, str]:
    """One file of a unit's evidence or appeal, for those who may see the evidence or the appeal:
    (name, bytes, content type)."""
    from gridgov.cases.storage import photo_store

    row = (evidence(user) if kind == "evidence" else appeals(user)).filter(pk=pk).first()
    if row is None or not 1 <= n <= len(row.files):
        raise NotFound("not_found", "没有这个附件")
    f = row.files[n - 1]
    try:
        data = photo_store().open(f["key"])
    except OSError:
        raise NotFound("not_found", "附件文件已不存在") from None
    return f["name"], data, FILE_TYPES.get(PurePath(f["name"]).suffix.lower(), OTHER_TYPE)


def appeals(user):
    return _units_rows(Appeal.objects.select_related("by", "ruled_by", "run", "new_run"), user)


@transaction.atomic
def rule_appeal(user, pk: int, upheld: bool, ruling: str, corrected: dict | None = None,
                points: float | None = None) -> Appeal:
    """Rule on an appeal. Upheld: the unit's item gets the corrected inputs (merged into the month's facts) or the
    corrected points (an ``adjusted`` mark in the facts), the month is recomputed as a new published revision and the
    appeal records the old and new points. Rejected: nothing else changes."""
    require(user, REVIEW)
    a = Appeal.objects.select_for_update().filter(pk=pk).select_related("run").first()
    if a is None:
        raise NotFound("not_found", "没有这条申诉")
    if a.status != AppealStatus.PENDING:
        raise Conflict("appeal_decided", f"这条申诉已裁定（{a.get_status_display()}）")
    ruling = (ruling or "").strip()
    if not ruling:
        raise DomainError("ruling_required", "请写明裁定意见")
    if len(ruling) > 4000:
        raise DomainError("ruling_too_long", "裁定意见不超过 4000 字")
    a.status, a.ruling, a.ruled_by, a.ruled_at = (AppealStatus.UPHELD if upheld else AppealStatus.REJECTED,
                                                  ruling, user, timezone.now())
    if upheld:
        if not corrected and points is None:
            raise DomainError("correction_required", "申诉成立时请给出改正的输入（corrected）或分值（points）")
        base = Run.objects.filter(district_code=a.run.district_code, period=a.period).order_by("-revision").first()
        doc = json.loads(json.dumps(base.facts))
        unit = next((u for u in doc["units"] if u["code"] == a.unit_code), None)
        if corrected:
            if not isinstance(corrected, dict):
                raise DomainError("invalid_input", "改正的输入应为对象")
            unit["inputs"].setdefault(a.item_key, {}).update(corrected)
        if points is not None:
            unit.setdefault("adjusted", {})[a.item_key] = {
                "points": points, "by": user.username, "at": timezone.now().isoformat(timespec="seconds"),
                "reason": ruling[:200], "source": f"申诉 #{a.pk} 成立"}
        new = _run(user, doc, reason=f"申诉 #{a.pk} 成立：{ruling[:200]}")
        new.published_at, new.published_by = timezone.now(), user
        new.save(update_fields=["published_at", "published_by"])
        r = Result.objects.get(run=new, unit_code=a.unit_code)
        a.new_points = next(i["points"] for i in r.items if i["key"] == a.item_key)
        a.new_run, a.corrected, a.points = new, corrected or {}, points
        it = Item.objects.filter(part__scheme=new.scheme, key=a.item_key).first()
        if it and it.rule in scheme_logic.REVIEWER_RULES and corrected:  # the corrected judgement carries forward
            Judgement.objects.create(period=a.period, unit_code=a.unit_code, item_key=a.item_key,
                                     tier=corrected.get("tier"), points=corrected.get("points"),
                                     receiver=corrected.get("receiver"), remark=ruling[:500],
                                     source=f"申诉 #{a.pk}", by=user)
    a.save()
    audit.record(user, "rule_appeal", "assess_appeal", a.pk, before={"status": "pending", "points": a.old_points},
                 after={"status": a.status, "points": a.new_points, "new_run": a.new_run_id})
    return a
