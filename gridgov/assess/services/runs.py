"""The month's facts, scoring runs (revisions), publishing, the reads of results, and the year."""


from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gridgov.accounts.scope import require
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, NotFound

from ..logic import facts as facts_logic
from ..logic import scheme as scheme_logic
from ..logic import scorer
from ..logic.scorer import FactsError
from ..models import Item, Result, Run, Scheme
from .common import DEFAULT_DISTRICT, MANAGE, VIEW, _checked_period, sees_unpublished, today, units
from .judging import judgement_inputs
from .schemes import active_scheme, document, shipped_document

# ---------------------------------------------------------------- facts and runs


def build_facts(period: str, district_code: str = DEFAULT_DISTRICT) -> dict:
    """The month's facts document from the producers (kpi, ledgers, integrity) and this app's judgements.

    Thin on purpose: the composition is ``logic.facts.compose`` (pure, tested with documents written by hand)."""
    from gridgov.geo.models import Jurisdiction

    _checked_period(period)
    district = Jurisdiction.objects.filter(code=district_code).first()
    if district is None:
        raise DomainError("unknown_district", f"没有编码为 {district_code} 的区县")
    from gridgov.integrity.services import confirmed_zeroings
    from gridgov.kpi.facts import case_inputs
    from gridgov.ledgers.gather import register_inputs

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
