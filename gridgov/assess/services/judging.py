"""佐证材料 (a unit's evidence) and 专人评判 (a reviewer's tiers), which carry forward within the year."""


from django.db import transaction
from django.utils import timezone

from gridgov.accounts.scope import require
from gridgov.audit import services as audit
from gridgov.errors import DomainError

from ..logic import scheme as scheme_logic
from ..models import Evidence, Item, Judgement, Scheme
from .common import (
    CARRIED_PARTS,
    REVIEW,
    SUBMIT,
    _checked_period,
    _item,
    _own_unit,
    _store_files,
    _units_rows,
    units,
)
from .schemes import active_scheme


@transaction.atomic
def submit_evidence(user, period: str, item_key: str, text: str, files=()) -> Evidence:
    """A unit submits evidence for one of its items (提交材料)."""
    require(user, SUBMIT)
    unit = _own_unit(user)
    _checked_period(period)
    _item(active_scheme(), item_key)
    text = (text or "").strip()
    if not text:
        raise DomainError("text_required", "请填写材料说明")
    if len(text) > 4000:
        raise DomainError("text_too_long", "材料说明不超过 4000 字")
    ev = Evidence.objects.create(period=period, unit_code=unit, item_key=item_key, text=text,
                                 files=_store_files(files), by=user)
    audit.record(user, "submit", "assess_evidence", ev.pk, after={"period": period, "unit": unit, "item": item_key,
                                                                  "files": len(ev.files)})
    return ev


def evidence(user):
    return _units_rows(Evidence.objects.select_related("by"), user)


@transaction.atomic
def judge(user, period: str, unit_code: str, item_key: str, *, tier: int | None = None, points: float | None = None,
          receiver: bool | None = None, remark: str = "", evidence_id: int | None = None,
          source: str = "") -> Judgement:
    """A reviewer sets an item's tier (or points) for a unit from ``period`` on, with a remark."""
    require(user, REVIEW)
    _checked_period(period)
    if unit_code not in dict(units(unit_code[:6])):
        raise DomainError("unknown_unit", f"没有编码为 {unit_code} 的街道")
    it = _item(active_scheme(), item_key)
    if it.rule not in scheme_logic.REVIEWER_RULES:
        raise DomainError("not_a_judgement_item", f"「{it.name}」由计算机统计，不由专人评判")
    remark = (remark or "").strip()
    if not remark:
        raise DomainError("remark_required", "请写明评判理由")
    if len(remark) > 500:
        raise DomainError("remark_too_long", "评语不超过 500 字")
    if it.rule == "points":
        if points is None or not 0 <= points <= it.points:
            raise DomainError("invalid_points", f"「{it.name}」的分值应在 0～{it.points:g} 分之间")
        tier = None
    else:
        if tier is None or not 1 <= tier <= len(it.tiers):
            raise DomainError("invalid_tier", f"「{it.name}」的档位应为 1～{len(it.tiers)}")
        points = None
    if it.rule == "special_tasks" and receiver is None:
        raise DomainError("receiver_required", "请说明是否安排专人接收通知（receiver）")
    ev = None
    if evidence_id is not None:
        ev = Evidence.objects.filter(pk=evidence_id, unit_code=unit_code, item_key=item_key).first()
        if ev is None:
            raise DomainError("unknown_evidence", "没有这份该街道该项的佐证材料")
    j = Judgement.objects.create(period=period, unit_code=unit_code, item_key=item_key, tier=tier, points=points,
                                 receiver=receiver if it.rule == "special_tasks" else None, remark=remark,
                                 evidence=ev, source=source, by=user)
    audit.record(user, "judge", "assess_judgement", j.pk, after={
        "period": period, "unit": unit_code, "item": item_key, "tier": tier, "points": points,
        "receiver": j.receiver, "evidence": evidence_id, "source": source})
    return j


def judgements(user):
    return _units_rows(Judgement.objects.select_related("by"), user)


def judgement_inputs(period: str, scheme: Scheme, codes) -> dict[str, dict]:
    """unit → item → the reviewer's inputs in force for ``period`` (with who set them and from what, ``_source``):
    the latest judgement of the period, or for parts 1, 2, 4, 5, 6 of an earlier month of the same year; an item
    nobody judged yet is ``{"tier": null}`` / ``{"points": null}`` (scored 0, 「尚未评定」)."""
    its = list(Item.objects.filter(part__scheme=scheme, rule__in=scheme_logic.REVIEWER_RULES).select_related("part"))
    year = period[:4]
    rows = Judgement.objects.filter(period__lte=period, period__gte=f"{year}-01", unit_code__in=list(codes)) \
        .select_related("by").order_by("period", "id")
    latest: dict[tuple[str, str], Judgement] = {}
    carried = {i.key for i in its if i.part.no in CARRIED_PARTS}
    for j in rows:
        if j.period == period or j.item_key in carried:
            latest[(j.unit_code, j.item_key)] = j
    out: dict[str, dict] = {}
    for code in codes:
        mine = out.setdefault(code, {})
        for it in its:
            j = latest.get((code, it.key))
            if it.rule == "points":
                inp = {"points": j.points if j else None}
            else:
                inp = {"tier": j.tier if j else None}
            if it.rule == "special_tasks":
                inp["receiver"] = bool(j and j.receiver)
            if j:
                who = j.by.username if j.by else "系统"
                inp["_source"] = f"{who} {j.at.astimezone(timezone.get_current_timezone()):%Y-%m-%d} 评定（{j.period} 起）：{j.remark}" \
                    + (f"；{j.source}" if j.source else "") + (f"；材料 #{j.evidence_id}" if j.evidence_id else "")
            mine[it.key] = inp
    return out
