"""The only writer of the assessment (考评); reads for the pages and the API.

- Schemes: the shipped 003 篇7 scheme is installed on first use (``shipped_scheme``); a district copies it
  (``copy_scheme``) and edits points, tiers and parameters (``edit_scheme``: the whole scheme is validated by
  ``logic.scheme.validate`` and nothing is written unless it adds up); ``activate_scheme`` chooses the one in use.
- Judgements (专人评判, ``judge``) and evidence (佐证材料, ``submit_evidence``); a judgement of parts 1, 2, 4, 5, 6 carries
  forward within the year until changed (``judgement_inputs``).
- Runs: ``run_period`` builds the facts (``build_facts``: the other apps' producers) and scores them;
  ``run_document`` scores a given facts document. Each makes a new revision; ``publish`` shows a run to the units.
- Appeals (申诉): ``file_appeal`` within the scheme's window (working days after the month was first published,
  ``gridgov.worktime``), ``rule_appeal``: upheld → the month is recomputed as a new revision (published), the appeal
  keeps the old and the new points and the ruling.

Who sees what: the centre, the leader and the administrator see every run; a unit (a post with ``assess.submit``: a
street's 督导员, a department's handler) sees published runs only.
"""

import datetime as dt
import json
from importlib import resources
from pathlib import PurePath

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import require
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, Forbidden, NotFound, TooLarge

from .logic import facts as facts_logic
from .logic import scheme as scheme_logic
from .logic import scorer
from .logic.scorer import FactsError
from .models import Appeal, AppealStatus, Evidence, Item, Judgement, Part, Result, Run, Scheme

VIEW, REVIEW, MANAGE = roles.ASSESS_VIEW, roles.ASSESS_REVIEW, roles.ASSESS_MANAGE
SUBMIT = roles.ASSESS_SUBMIT
SHIPPED_FILE = "data/scheme_003_7.json"
DEFAULT_DISTRICT = "110101"
CARRIED_PARTS = {1, 2, 4, 5, 6}  # 不定期考核: judgements carry forward within the year
MAX_FILES, MAX_FILE_BYTES = 5, 10 * 1024 * 1024
FILE_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".webp", ".doc", ".docx", ".xls", ".xlsx", ".txt"}


def _has(user, right: str) -> bool:
    return user.is_superuser or roles.has_right(user.role, right)


def today() -> dt.date:
    return timezone.localdate()


def _checked_period(period: str) -> str:
    try:
        scorer.check_period(period, today())
    except FactsError as e:
        raise DomainError(e.code, e.message) from None
    return period


# ---------------------------------------------------------------- schemes


def shipped_document() -> dict:
    return json.loads(resources.files("gridgov.assess").joinpath(SHIPPED_FILE).read_text("utf-8"))


def _install(doc: dict, *, shipped: bool, name: str | None = None, based_on=None, district: str = "") -> Scheme:
    s = Scheme.objects.create(name=name or doc["name"], basis=doc.get("basis", ""), total=doc["total"],
                              params=doc.get("params") or {}, shipped=shipped, based_on=based_on,
                              district_code=district)
    for p in doc["parts"]:
        part = Part.objects.create(scheme=s, no=p["no"], name=p["name"], points=p["points"])
        Item.objects.bulk_create([Item(part=part, key=i["key"], name=i["name"], points=i["points"], cap=i["points"],
                                       method=i["method"], rule=i["rule"], params=i.get("params") or {},
                                       tiers=i.get("tiers") or [], tier_labels=i.get("tier_labels") or [],
                                       content=i.get("content", ""), order=n) for n, i in enumerate(p["items"])])
    return s


@transaction.atomic
def shipped_scheme() -> Scheme:
    """003 篇7's scheme, installed (and made the one in use) the first time it is asked for."""
    s = Scheme.objects.filter(shipped=True).order_by("id").first()
    if s is None:
        s = _install(shipped_document(), shipped=True)
        if not Scheme.objects.filter(active=True).exists():
            Scheme.objects.filter(pk=s.pk).update(active=True)
            s.active = True
        audit.record(None, "install", "assess_scheme", s.pk, after={"name": s.name, "version": s.version})
    return s


def active_scheme() -> Scheme:
    return Scheme.objects.filter(active=True).order_by("-id").first() or shipped_scheme()


def document(s: Scheme) -> dict:
    """The scheme as the facts document inlines it (``logic.scheme``'s format)."""
    parts = []
    for p in s.parts.order_by("no").prefetch_related("items"):
        parts.append({"no": p.no, "name": p.name, "points": p.points, "items": [
            {"key": i.key, "name": i.name, "points": i.points, "method": i.method, "rule": i.rule,
             **({"params": i.params} if i.params else {}), **({"tiers": i.tiers} if i.tiers else {}),
             **({"tier_labels": i.tier_labels} if i.tier_labels else {}), "content": i.content}
            for i in sorted(p.items.all(), key=lambda i: i.order)]})
    return {"format": "gridgov.assess.scheme/1", "id": s.pk, "version": s.version, "name": s.name,
            "basis": s.basis, "total": s.total, "params": s.params, "parts": parts}


def schemes(user):
    require(user, VIEW)
    shipped_scheme()
    return Scheme.objects.all()


def get_scheme(user, pk: int) -> Scheme:
    require(user, VIEW)
    shipped_scheme()
    s = Scheme.objects.filter(pk=pk).first()
    if s is None:
        raise NotFound("not_found", "没有这个考评方案")
    return s


@transaction.atomic
def copy_scheme(user, pk: int, name: str = "") -> Scheme:
    require(user, MANAGE)
    source = get_scheme(user, pk)
    name = (name or "").strip() or f"{source.name}（副本）"
    if len(name) > 100:
        raise DomainError("invalid_name", "方案名称不超过 100 个字")
    s = _install(document(source), shipped=False, name=name, based_on=source, district=source.district_code)
    audit.record(user, "copy", "assess_scheme", s.pk, after={"name": s.name, "based_on": source.pk,
                                                             "based_on_version": source.version})
    return s


@transaction.atomic
def edit_scheme(user, pk: int, changes: dict) -> Scheme:
    """Change a copied scheme: ``{"name", "params": {...}, "parts": {no: points}, "items": {key: {"points",
    "tiers", "tier_labels", "params"}}}``. The changed scheme must validate as a whole; otherwise nothing is written
    (``invalid_scheme`` naming every problem)."""
    require(user, MANAGE)
    s = Scheme.objects.select_for_update().filter(pk=pk).first()
    if s is None:
        raise NotFound("not_found", "没有这个考评方案")
    if s.shipped:
        raise Conflict("scheme_locked", "随系统提供的方案不能修改：请先复制，再修改副本")
    before = document(s)
    doc = json.loads(json.dumps(before))
    if changes.get("name") is not None:
        doc["name"] = str(changes["name"]).strip()
    if changes.get("params") is not None:
        if not isinstance(changes["params"], dict):
            raise DomainError("invalid_scheme", "方案参数应为对象")
        doc["params"] = {**doc["params"], **changes["params"]}
    parts = {p["no"]: p for p in doc["parts"]}
    for no, points in (changes.get("parts") or {}).items():
        key = int(no) if str(no).isdigit() else None
        if key not in parts:
            raise DomainError("invalid_scheme", f"方案中没有第 {no} 部分")
        parts[key]["points"] = points
    its = {i["key"]: i for p in doc["parts"] for i in p["items"]}
    for key, values in (changes.get("items") or {}).items():
        if key not in its:
            raise DomainError("invalid_scheme", f"方案中没有考评项「{key}」")
        if not isinstance(values, dict) or set(values) - {"points", "tiers", "tier_labels", "params", "name"}:
            raise DomainError("invalid_scheme", f"考评项「{key}」只能修改 points、tiers、tier_labels、params、name")
        for k, v in values.items():
            its[key][k] = {**its[key].get("params", {}), **v} if k == "params" and isinstance(v, dict) else v
    problems = scheme_logic.validate(doc)
    if len(doc["name"]) > 100:
        problems.append("方案名称不超过 100 个字")
    if problems:
        raise DomainError("invalid_scheme", "考评方案有误，未保存：" + "；".join(problems), errors=problems)
    s.name, s.params, s.version = doc["name"], doc["params"], s.version + 1
    s.save(update_fields=["name", "params", "version"])
    for p in doc["parts"]:
        Part.objects.filter(scheme=s, no=p["no"]).update(points=p["points"])
        for i in p["items"]:
            Item.objects.filter(part__scheme=s, key=i["key"]).update(
                name=i["name"], points=i["points"], cap=i["points"], params=i.get("params") or {},
                tiers=i.get("tiers") or [], tier_labels=i.get("tier_labels") or [])
    old, new = audit.changed(_flat(before), _flat(doc))
    audit.record(user, "edit", "assess_scheme", s.pk, before={**old, "version": s.version - 1},
                 after={**new, "version": s.version})
    return s


def _flat(doc: dict) -> dict:
    out = {"name": doc["name"], "params": doc["params"]}
    for p in doc["parts"]:
        out[f"part{p['no']}"] = p["points"]
        for i in p["items"]:
            out[i["key"]] = {k: i.get(k) for k in ("name", "points", "tiers", "params")}
    return out


@transaction.atomic
def activate_scheme(user, pk: int) -> Scheme:
    require(user, MANAGE)
    s = get_scheme(user, pk)
    previous = list(Scheme.objects.filter(active=True).exclude(pk=s.pk).values_list("pk", flat=True))
    Scheme.objects.filter(active=True).exclude(pk=s.pk).update(active=False)
    s.active = True
    s.save(update_fields=["active"])
    audit.record(user, "activate", "assess_scheme", s.pk, before={"active": previous}, after={"active": s.pk})
    return s


# ---------------------------------------------------------------- units


def units(district_code: str = DEFAULT_DISTRICT) -> list[tuple[str, str]]:
    """The district's streets (镇街): the assessed units, (code, name) by code."""
    from gridgov.geo.models import Jurisdiction, Level

    return list(Jurisdiction.objects.filter(level=Level.STREET, code__startswith=district_code)
                .order_by("code").values_list("code", "name"))


def unit_of(user) -> str | None:
    """The street a unit's account stands for (a street's 督导员), or None (a department, the centre)."""
    key = getattr(user, "node_key", "") or ""
    return key[:9] if len(key) >= 9 and key[:9].isdigit() and not getattr(user, "department_id", None) else None


def _own_unit(user) -> str:
    code = unit_of(user)
    if code is None:
        raise Conflict("not_assessed_unit", "您的单位不是本考评方案的考评对象（考评对象为各街道）")
    return code


def _item(scheme: Scheme, key: str) -> Item:
    it = Item.objects.filter(part__scheme=scheme, key=key).select_related("part").first()
    if it is None:
        raise DomainError("unknown_item", f"考评方案中没有考评项「{key}」")
    return it


def sees_unpublished(user) -> bool:
    """The centre, the leader and the administrator; not the assessed units."""
    return user.is_superuser or _has(user, REVIEW) or _has(user, MANAGE) or not _has(user, SUBMIT)


# ---------------------------------------------------------------- evidence and judgements


def _store_files(files) -> list[dict]:
    from gridgov.cases.storage import photo_store

    files = list(files or [])
    if len(files) > MAX_FILES:
        raise DomainError("too_many_files", f"附件最多 {MAX_FILES} 个")
    out = []
    store = photo_store()
    for f in files:
        name = PurePath(getattr(f, "name", "") or "附件").name[:100]
        suffix = PurePath(name).suffix.lower()
        if suffix not in FILE_SUFFIXES:
            raise DomainError("invalid_file", f"附件「{name}」的类型不支持，可上传：{'、'.join(sorted(FILE_SUFFIXES))}")
        data = f.read()
        if len(data) > MAX_FILE_BYTES:
            raise TooLarge("file_too_large", f"附件「{name}」超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
        out.append({"name": name, "key": store.save(data, suffix), "size": len(data)})
    return out


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
    require(user, VIEW)
    qs = Evidence.objects.select_related("by")
    if sees_unpublished(user):
        return qs
    unit = unit_of(user)
    return qs.filter(unit_code=unit) if unit else qs.none()


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
    require(user, VIEW)
    qs = Judgement.objects.select_related("by")
    if sees_unpublished(user):
        return qs
    unit = unit_of(user)
    return qs.filter(unit_code=unit) if unit else qs.none()


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


# ---------------------------------------------------------------- facts and runs


def build_facts(period: str, district_code: str = DEFAULT_DISTRICT) -> dict:
    """The month's facts document from the producers (kpi, ledgers, integrity) and this app's judgements.

    Thin on purpose: the composition is ``logic.facts.compose`` (pure, tested with documents written by hand)."""
    from gridgov.geo.models import Jurisdiction

    _checked_period(period)
    district = Jurisdiction.objects.filter(code=district_code).first()
    if district is None:
        raise DomainError("unknown_district", f"没有编码为 {district_code} 的区县")
    try:
        from gridgov.integrity.services import confirmed_zeroings
        from gridgov.kpi.facts import case_inputs
        from gridgov.ledgers.gather import register_inputs
    except ImportError as e:
        raise Conflict("facts_unavailable", f"考评数据的来源尚未接入（{e.name}）：请用 gridgov assess score 对已整理好的"
                                            "考评数据文件计分，或用 run_document 提交数据文件") from None
    scheme = active_scheme()
    codes = units(district_code)
    return facts_logic.compose(period, {"code": district.code, "name": district.name}, document(scheme), codes,
                               case_inputs(period, district_code), register_inputs(period, district_code),
                               _strip_sources(judgement_inputs(period, scheme, [c for c, _ in codes])),
                               confirmed_zeroings(period, district_code))


def _strip_sources(inputs: dict) -> dict:
    return {u: {k: {f: v for f, v in inp.items() if f != "_source"} for k, inp in items.items()}
            for u, items in inputs.items()}


def score_document(doc) -> dict:
    """Score a facts document (no writes): the scorer's result, or DomainError naming what is wrong."""
    try:
        return scorer.score(doc, today())
    except FactsError as e:
        raise DomainError(e.code, e.message, errors=e.problems) from None


@transaction.atomic
def run_period(user, period: str, district_code: str = DEFAULT_DISTRICT) -> Run:
    require(user, MANAGE)
    return _run(user, build_facts(period, district_code), reason="月度考评计算")


@transaction.atomic
def run_document(user, doc: dict, reason: str = "") -> Run:
    """Score a facts document and keep it as the month's next revision."""
    require(user, MANAGE)
    return _run(user, doc, reason=(reason or "").strip()[:300] or "按考评数据文件计算")


def _sources(doc: dict, scheme: Scheme) -> dict[tuple[str, str], str]:
    """Where each item's figures came from, for every score's 「来源」."""
    its = {i.key: i for i in Item.objects.filter(part__scheme=scheme)}
    codes = [u["code"] for u in doc["units"]]
    judged = judgement_inputs(doc["period"], scheme, codes)
    out = {}
    producer = {"kpi": "案件数据（计算机统计）", "ledgers": "台账数据", "reviewer": "专人评判"}
    for u in doc["units"]:
        for key, it in its.items():
            if it.rule in scheme_logic.REVIEWER_RULES:
                out[(u["code"], key)] = judged.get(u["code"], {}).get(key, {}).get("_source") or producer["reviewer"]
            elif key in ("case_count", "type_diversity", "closure_rate", "city_dispatch", "public_channels"):
                out[(u["code"], key)] = producer["kpi"] + ("；月均指标见附件2 分配表" if key == "case_count" else "")
            else:
                out[(u["code"], key)] = producer["ledgers"]
    return out


def _run(user, doc: dict, reason: str) -> Run:
    result = score_document(doc)
    scheme_id = doc["scheme"].get("id")
    scheme = (Scheme.objects.filter(pk=scheme_id).first() if isinstance(scheme_id, int) else None) or active_scheme()
    district = str((doc.get("district") or {}).get("code") or DEFAULT_DISTRICT)
    period = doc["period"]
    last = Run.objects.select_for_update().filter(district_code=district, period=period) \
        .aggregate(n=Max("revision"))["n"] or 0
    sources = _sources(doc, scheme)
    for u in result["units"]:
        for row in u["items"]:
            row["source"] = ("诚信核查：" + row["falsified"].get("source", "")) if row.get("falsified") else \
                sources.get((u["code"], row["key"]), "")
    version = int(doc["scheme"].get("version") or scheme.version) if doc["scheme"].get("id") == scheme.pk \
        else scheme.version
    run = Run.objects.create(period=period, district_code=district, revision=last + 1, scheme=scheme,
                             scheme_version=version, facts=doc, result=result, reason=reason, created_by=user)
    Result.objects.bulk_create([Result(run=run, unit_code=u["code"], unit_name=u["name"], items=u["items"],
                                       parts=u["parts"], total=u["total"], rank=u["rank"]) for u in result["units"]])
    audit.record(user, "run", "assess_run", run.pk, after={"period": period, "revision": run.revision,
                                                           "units": len(result["units"]), "reason": reason})
    return run


@transaction.atomic
def publish(user, pk: int) -> Run:
    require(user, MANAGE)
    run = Run.objects.select_for_update().filter(pk=pk).first()
    if run is None:
        raise NotFound("not_found", "没有这次考评计算")
    if run.published_at:
        raise Conflict("already_published", f"{run.period} 第 {run.revision} 版已于 "
                                            f"{timezone.localtime(run.published_at):%Y-%m-%d %H:%M} 发布")
    newer = Run.objects.filter(district_code=run.district_code, period=run.period, revision__gt=run.revision)
    if newer.exists():
        raise Conflict("superseded", f"{run.period} 已有更新的修订版，请发布最新一版")
    run.published_at, run.published_by = timezone.now(), user
    run.save(update_fields=["published_at", "published_by"])
    audit.record(user, "publish", "assess_run", run.pk, after={"period": run.period, "revision": run.revision})
    return run


def runs(user):
    """The runs this person may see, newest first."""
    require(user, VIEW)
    qs = Run.objects.select_related("created_by", "published_by").defer("facts", "result")
    return qs if sees_unpublished(user) else qs.filter(published_at__isnull=False)


def get_run(user, pk: int) -> Run:
    run = runs(user).defer(None).filter(pk=pk).first()
    if run is None:
        raise NotFound("not_found", "没有这次考评计算，或尚未发布")
    return run


def current_run(user, period: str | None = None, district_code: str = DEFAULT_DISTRICT) -> Run | None:
    """The month's run this person sees: the newest revision (a unit: the newest published one)."""
    qs = runs(user).defer(None).filter(district_code=district_code)
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("-period", "-revision").first()


def history(user, period: str, unit_code: str | None = None, district_code: str = DEFAULT_DISTRICT) -> list[dict]:
    """Every revision of a month this person sees, oldest first, with the unit's total and why it changed."""
    out = []
    for run in runs(user).filter(district_code=district_code, period=period).order_by("revision"):
        row = {"run": run, "revision": run.revision, "reason": run.reason, "created_at": run.created_at,
               "published_at": run.published_at}
        if unit_code:
            r = Result.objects.filter(run=run, unit_code=unit_code).first()
            row["total"] = r.total if r else None
            row["rank"] = r.rank if r else None
            row["items"] = {i["key"]: i["points"] for i in (r.items if r else [])}
        out.append(row)
    return out


# ---------------------------------------------------------------- the year


def annual(user, year: int, district_code: str = DEFAULT_DISTRICT) -> dict:
    """The year from each month's run this person sees (newest revision per month): scores, reward allocation
    (差额拨付 by rank, the scheme's pool and shares) and a 通报 draft."""
    require(user, VIEW)
    latest: dict[str, Run] = {}
    for run in runs(user).defer(None).filter(district_code=district_code, period__startswith=f"{year}-") \
            .order_by("period", "revision"):
        latest[run.period] = run
    if not latest:
        return {"year": str(year), "periods": [], "units": [], "allocation": [], "bulletin": "", "pool": 0}
    scheme_doc = list(latest.values())[-1].facts["scheme"]
    result = scorer.annual_of_results([r.result for r in latest.values()], scheme_doc)
    params = {**shipped_document()["params"], **(scheme_doc.get("params") or {})}
    result["allocation"] = scorer.allocation(result["units"], params["reward_pool"], params["reward_shares"])
    result["pool"], result["shares"] = params["reward_pool"], params["reward_shares"]
    result["bulletin"] = scorer.bulletin(result)
    return result


# ---------------------------------------------------------------- appeals (申诉)


def appeal_deadline(run: Run) -> dt.datetime | None:
    """The end of the appeal window: the scheme's working days after the month was first published."""
    from gridgov.worktime import services as worktime

    first = Run.objects.filter(district_code=run.district_code, period=run.period, published_at__isnull=False) \
        .order_by("published_at").values_list("published_at", flat=True).first()
    if first is None:
        return None
    days = int((run.facts.get("scheme", {}).get("params") or {}).get("appeal_window_days", 5))
    return worktime.due(first, days, "work_days")


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
    require(user, VIEW)
    qs = Appeal.objects.select_related("by", "ruled_by", "run", "new_run")
    if sees_unpublished(user):
        return qs
    unit = unit_of(user)
    return qs.filter(unit_code=unit) if unit else qs.none()


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


def forbid_unit(user) -> None:
    if not sees_unpublished(user):
        raise Forbidden("forbidden", "考评对象只能查看已发布的结果")
