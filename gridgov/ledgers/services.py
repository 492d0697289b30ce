"""The only writer of the assessment's registers (考评台账). Each public function owns its transaction, checks
everything before its first write and appends to the audit chain.

- 附件2: ``set_district_total`` (the district's annual case total and weights), ``save_unit_base`` (a street's
  population and area with sources), ``add_adjustment`` (a recorded manual adjustment); ``allocation`` reads the
  table (``logic.quota`` is the one formula)
- 倒查: ``record_problem`` (located to its street, the matching case suggested by ``logic.matching``),
  ``review_problem`` (confirm a case → 已及时发现, or 未及时发现), ``import_problems`` (a month's failed checklist
  items, or the city's 派件, become problems of the register, once each)
- 抽查: ``draw_sample`` (``logic.sampling``: reproducible), ``mark_sample`` (合格 / 不合格 with a reason)
- ``submit_training`` (the street, ``assess.submit``, or the centre) and ``review_training`` (the centre)
- ``record_outage`` (系统运行), ``record_publicity`` (宣传)

Rights: reading is ``assess.view`` within one's scope (a street's 督导员 sees its own street); writing is
``assess.review`` (the centre) unless said otherwise. A street outside one's scope is ``OutOfScope`` (404).
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from gridgov.accounts import roles
from gridgov.accounts.scope import OutOfScope, in_scope, require, scope_prefix, scoped
from gridgov.audit import services as audit
from gridgov.errors import Conflict, DomainError, Forbidden, NotFound
from gridgov.geo.models import Jurisdiction, Level

from .logic import matching, periods, quota, sampling
from .models import (
    Mark,
    Outage,
    OutageKind,
    Problem,
    ProblemKind,
    Publicity,
    PublicityKind,
    QuotaAdjustment,
    QuotaYear,
    SampledCase,
    SampleDraw,
    Training,
    TrainingKind,
    TrainingStatus,
    UnitBase,
    Verdict,
)

VIEW, REVIEW, SUBMIT = roles.ASSESS_VIEW, roles.ASSESS_REVIEW, roles.ASSESS_SUBMIT
CLOSED_STATES = ("closed", "archived")  # 正常结案: closed (and later archived), never voided, declined or merged
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


# ---------------------------------------------------------------- helpers


def check_period(period: str) -> str:
    try:
        periods.parse(period)
    except periods.PeriodError as e:
        raise DomainError("invalid_period", str(e)) from None
    return period.strip()


def check_year(year) -> int:
    if not isinstance(year, int) or not 2000 <= year <= 2099:
        raise DomainError("invalid_year", "考核年度应为 2000—2099 之间的年份")
    return year


def check_day(day: dt.date | None, label: str) -> dt.date:
    if day is None:
        raise DomainError("invalid_date", f"请填写{label}")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError("invalid_date", f"{label}应在 {FIRST_DAY} 至 {LAST_DAY} 之间")
    return day


def _text(value, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("invalid_input", f"请填写{label}")
    if len(value) > limit:
        raise DomainError("invalid_input", f"{label}不能超过 {limit} 个字")
    return value


def street_of(user, code: str, right: str = VIEW) -> Jurisdiction:
    """A street (镇街) within the user's scope (404 outside it or when it does not exist)."""
    require(user, right)
    code = (code or "").strip()
    j = Jurisdiction.objects.filter(code=code, level=Level.STREET).first()
    if j is None or not in_scope(user, code):
        raise NotFound("unknown_street", f"镇街「{code}」不存在或不在您的管辖范围内")
    return j


def streets(district_code: str) -> list[Jurisdiction]:
    return list(Jurisdiction.objects.filter(level=Level.STREET, code__startswith=district_code).order_by("code"))


def district_of(user, district_code: str | None) -> Jurisdiction:
    """The district of the allocation: the one asked for, or the user's own."""
    code = (district_code or "").strip() or (scope_prefix(user) or "")[:6]
    d = Jurisdiction.objects.filter(code=code, level=Level.DISTRICT).first()
    if d is None:
        raise NotFound("unknown_district", f"区县「{code}」不存在")
    return d


def _case(number: str):
    from gridgov.cases.models import Case

    c = Case.objects.filter(number=(number or "").strip()).first()
    if c is None:
        raise NotFound("unknown_case", f"案件「{number}」不存在")
    return c


def _record(user, action: str, object_type: str, obj, fields, before=None):
    return audit.record(user, action, object_type, obj.pk, before=before, after=audit.values(obj, fields))


# ---------------------------------------------------------------- 附件2 考核数量分配

QUOTA_YEAR_FIELDS = ("scope_key", "year", "annual_cases", "population_weight", "area_weight", "note")
UNIT_BASE_FIELDS = ("scope_key", "year", "population", "population_source", "area_km2", "area_source")
ADJUSTMENT_FIELDS = ("scope_key", "year", "amount", "reason")


@transaction.atomic
def set_district_total(user, district_code: str, year: int, annual_cases: int, population_weight: float = 0.6,
                       area_weight: float = 0.4, note: str = "") -> QuotaYear:
    """The district's annual case total and the weights (refused while a street of the district has no
    population for the year: ``quota_population_missing``)."""
    require(user, REVIEW)
    d = district_of(user, district_code)
    if not in_scope(user, d.code):
        raise NotFound("unknown_district", f"区县「{d.code}」不在您的管辖范围内")
    check_year(year)
    if not isinstance(annual_cases, int) or annual_cases <= 0:
        raise DomainError("quota_total_missing", "全区年度总案件数应为大于 0 的整数")
    row = QuotaYear.objects.filter(scope_key=d.code, year=year).first() or QuotaYear(scope_key=d.code, year=year)
    row.unit_name, row.annual_cases, row.note = d.name, annual_cases, _text(note, "说明", 200, required=False)
    row.population_weight, row.area_weight = float(population_weight), float(area_weight)
    allocate(d.code, year, row)  # quota_population_missing, quota_weights_invalid … before any write
    audit.save_row(user, row, QUOTA_YEAR_FIELDS, "ledger_quota_year", f"{d.code}/{year}")
    return row


@transaction.atomic
def save_unit_base(user, street_code: str, year: int, population: int | None, area_km2,
                   population_source: str = "", area_source: str = "") -> UnitBase:
    """A street's 常住人口 and 面积 for an assessment year (population required: ``quota_population_missing``)."""
    require(user, REVIEW)
    street = street_of(user, street_code, REVIEW)
    check_year(year)
    if population is None or not isinstance(population, int) or population <= 0:
        raise DomainError("quota_population_missing", f"{street.name}的常住人口应为大于 0 的整数")
    try:
        area = Decimal(str(area_km2)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        area = None
    if area is None or area <= 0 or area >= Decimal("1000000"):
        raise DomainError("quota_area_missing", f"{street.name}的面积应为大于 0 的平方公里数")
    row = UnitBase.objects.filter(scope_key=street.code, year=year).first() or UnitBase(scope_key=street.code,
                                                                                        year=year)
    row.unit_name, row.population, row.area_km2 = street.name, population, area
    row.population_source = _text(population_source, "人口来源", 100, required=False)
    row.area_source = _text(area_source, "面积来源", 100, required=False)
    audit.save_row(user, row, UNIT_BASE_FIELDS, "ledger_unit_base", f"{street.code}/{year}")
    return row


@transaction.atomic
def add_adjustment(user, street_code: str, year: int, amount, reason: str) -> QuotaAdjustment:
    """A manual adjustment of a street's annual indicator (+ or −), with its reason."""
    require(user, REVIEW)
    street = street_of(user, street_code, REVIEW)
    check_year(year)
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError("invalid_adjustment", "调整量应为数字（件/年，可为负数）") from None
    if value == 0 or abs(value) >= Decimal("100000000"):
        raise DomainError("invalid_adjustment", "调整量不能为 0，且应小于一亿件")
    row = QuotaAdjustment(scope_key=street.code, unit_name=street.name, year=year, amount=value,
                          reason=_text(reason, "调整理由", 300), created_by=user)
    row.save()
    _record(user, "create", "ledger_quota_adjustment", row, ADJUSTMENT_FIELDS)
    return row


def allocate(district_code: str, year: int, total_row: QuotaYear | None = None) -> list[quota.Allocation]:
    """The year's allocation of every street of the district (no scope: the shares need them all)."""
    total_row = total_row or QuotaYear.objects.filter(scope_key=district_code, year=year).first()
    if total_row is None:
        raise DomainError("quota_total_missing", f"{year} 年尚未填写全区年度总案件数")
    bases = {b.scope_key: b for b in UnitBase.objects.filter(scope_key__startswith=district_code, year=year)}
    units = [quota.UnitBase(s.code, s.name, getattr(bases.get(s.code), "population", None),
                            float(bases[s.code].area_km2) if s.code in bases and bases[s.code].area_km2 else None)
             for s in streets(district_code)]
    adjustments: dict[str, float] = {}
    for a in QuotaAdjustment.objects.filter(scope_key__startswith=district_code, year=year):
        adjustments[a.scope_key] = adjustments.get(a.scope_key, 0.0) + float(a.amount)
    try:
        return quota.allocate(total_row.annual_cases, units, adjustments, total_row.population_weight,
                              total_row.area_weight)
    except quota.QuotaInputError as e:
        raise DomainError(e.code, e.message) from None


def allocation(user, year: int, district_code: str | None = None) -> tuple[QuotaYear | None, list[quota.Allocation]]:
    """The 附件2 table for the year, restricted to the streets the user may see (the shares need every street)."""
    require(user, VIEW)
    check_year(year)
    d = district_of(user, district_code)
    total = QuotaYear.objects.filter(scope_key=d.code, year=year).first()
    if total is None:
        return None, []
    rows = allocate(d.code, year, total)
    return total, [r for r in rows if in_scope(user, r.code)]


def bases(user, year: int, district_code: str | None = None) -> list[UnitBase]:
    d = district_of(user, district_code)
    return list(scoped(UnitBase.objects.filter(year=check_year(year), scope_key__startswith=d.code), user, VIEW))


def adjustments(user, year: int, district_code: str | None = None):
    d = district_of(user, district_code)
    return scoped(QuotaAdjustment.objects.filter(year=check_year(year), scope_key__startswith=d.code), user, VIEW) \
        .select_related("created_by")


# ---------------------------------------------------------------- 发现问题倒查台账

PROBLEM_FIELDS = ("scope_key", "kind", "found_at", "lon", "lat", "community", "matter", "source_ref",
                  "suggested", "verdict")
REVIEW_FIELDS = ("verdict", "case", "review_note")


def _own_cases(lon: float, lat: float, found_at: dt.datetime, street: str, exclude: int | None = None
               ) -> list[matching.Candidate]:
    from gridgov.cases.models import Case

    dlon, dlat = matching.degree_box(lat)
    lo, hi = matching.window(found_at)
    rows = (Case.objects.filter(scope_key__startswith=street, lon__range=(lon - dlon, lon + dlon),
                                lat__range=(lat - dlat, lat + dlat), reported_at__range=(lo, hi),
                                source__in=matching.OWN_SOURCES)
            .exclude(status__in=("voided", "merged", "declined")).exclude(pk=exclude)
            .values_list("number", "lon", "lat", "reported_at", "matter__code", "source"))
    return [matching.Candidate(*r) for r in rows]


def suggestion(problem: Problem, exclude: int | None = None):
    """The case ``logic.matching`` suggests for the problem (None when nothing matches); ``exclude``: the case that
    reported the problem itself (a city dispatch's own case)."""
    from gridgov.cases.models import Case

    best = matching.suggest(_own_cases(problem.lon, problem.lat, problem.found_at, problem.scope_key, exclude),
                            problem.lon, problem.lat, problem.found_at, problem.matter or None)
    return None if best is None else Case.objects.get(number=best.number)


def _locate_street(lon, lat) -> tuple[str, str, str]:
    from gridgov.geo import locating

    where = locating.locate(lon, lat)
    if not where["inside"]:
        raise DomainError("outside_jurisdiction", "问题地点不在辖区范围内，无法确定所属镇街")
    return where["street"]["code"], where["street"]["name"], where["community"]["code"]


def _new_problem(user, kind, found_at, lon, lat, description, matter="", place="", source_ref="",
                 exclude: int | None = None) -> Problem:
    if kind not in ProblemKind.values:
        raise DomainError("invalid_problem_kind", "问题来源应为：" + "、".join(f"{v}（{label}）" for v, label in
                                                                            ProblemKind.choices))
    if found_at is None or timezone.is_naive(found_at):
        raise DomainError("invalid_found_at", "请填写发现时间（含时区）")
    if found_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("invalid_found_at", "发现时间不能晚于现在")
    if not FIRST_DAY <= found_at.date() <= LAST_DAY:
        raise DomainError("invalid_found_at", f"发现时间应在 {FIRST_DAY} 至 {LAST_DAY} 之间")
    matter = (matter or "").strip()
    if matter:
        from gridgov.catalog.cache import snapshot

        if snapshot().by_code.get(matter) is None:
            raise DomainError("unknown_matter", f"事项代码「{matter}」不在目录中")
    street, name, community = _locate_street(lon, lat)
    if not in_scope(user, street):
        raise NotFound("unknown_street", "问题地点不在您的管辖范围内")
    p = Problem(scope_key=street, unit_name=name, community=community, kind=kind, found_at=found_at,
                lon=float(lon), lat=float(lat), description=_text(description, "问题描述", 500),
                place=_text(place, "地点", 200, required=False), matter=matter, source_ref=source_ref,
                recorded_by=user)
    p.suggested = suggestion(p, exclude)
    return p


@transaction.atomic
def record_problem(user, kind: str, found_at: dt.datetime, lon, lat, description: str, matter: str = "",
                   place: str = "") -> Problem:
    """Register a problem found by 现场检查/首环办月检查/媒体曝光/领导批示/群众举报; its street comes from the
    locator and the matching case (if any) is suggested for the reviewer."""
    require(user, REVIEW)
    p = _new_problem(user, kind, found_at, lon, lat, description, matter, place)
    p.save()
    _record(user, "create", "ledger_problem", p, PROBLEM_FIELDS)
    return p


@transaction.atomic
def review_problem(user, problem_id: int, verdict: str, case_number: str | None = None, note: str = "") -> Problem:
    """The reviewer's conclusion: ``in_time`` with the case that had been filed (the suggestion when no number is
    given — looked for again if there was none when the problem was registered: a case may have come within the
    grace period since), or ``missed`` (未及时发现)."""
    require(user, REVIEW)
    p = scoped(Problem.objects.select_for_update(), user, VIEW).filter(pk=problem_id).first()
    if p is None:
        raise OutOfScope()
    if verdict not in (Verdict.IN_TIME, Verdict.MISSED):
        raise DomainError("invalid_verdict", "核对结论应为 in_time（已及时发现）或 missed（未及时发现）")
    before = audit.values(p, REVIEW_FIELDS)
    case = None
    if verdict == Verdict.IN_TIME:
        if case_number:
            case = _case(case_number)
            if not case.scope_key.startswith(p.scope_key):
                raise DomainError("case_elsewhere", f"案件 {case.number} 不属于{p.unit_name}，不能作为及时发现的依据")
            lo, hi = matching.window(p.found_at)
            if case.reported_at > hi:
                raise DomainError("case_too_late", f"案件 {case.number} 的上报时间晚于问题发现时间超过 "
                                                   f"{matching.GRACE_HOURS:g} 小时，不算及时发现")
        else:
            case = p.suggested if p.suggested_id else suggestion(p)
            if case is None:
                raise DomainError("case_required", "确认「已及时发现」须指明对应的案件编号（本问题没有建议匹配的案件）")
            p.suggested = case
    p.verdict, p.case, p.review_note = verdict, case, _text(note, "核对说明", 300, required=False)
    p.reviewed_by, p.reviewed_at = user, timezone.now()
    p.save()
    audit.record(user, "review", "ledger_problem", p.pk, before=before, after=audit.values(p, REVIEW_FIELDS))
    return p


IMPORT_SOURCES = {"inspection": "监督检查不合格项", "city_dispatch": "市级派件"}
# a city dispatch's case source → the 倒查 kind: residents and the hotline are 群众举报, the rest the city's checks
CITY_KINDS = {"resident": ProblemKind.PUBLIC, "hotline": ProblemKind.PUBLIC, "media": ProblemKind.MEDIA,
              "leader": ProblemKind.LEADER}


def _failed_items(start, end, prefix):
    """(source_ref, kind, found_at, lon, lat, description, matter, place, own case) of the month's failed items."""
    from gridgov.inspection.models import Answer

    for a in (Answer.objects.filter(answer="fail", inspection__inspected_at__gte=start,
                                    inspection__inspected_at__lt=end, inspection__scope_key__startswith=prefix)
              .select_related("inspection", "item").order_by("id")):
        i = a.inspection
        yield (f"inspection-answer:{a.pk}", ProblemKind.SITE_CHECK, i.inspected_at, i.lon, i.lat,
               f"{i.place}：{a.item.text}"[:500], a.item.matter_code, i.place, a.case_id)


def _city_dispatches(start, end, prefix):
    """The same for the city's 派件 of the month: the problem the city found, at its case's place and report time."""
    from gridgov.oversight.models import CityDispatch

    for d in (CityDispatch.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end,
                                          case__scope_key__startswith=prefix)
              .select_related("case", "case__matter").order_by("id")):
        c = d.case
        yield (f"city-dispatch:{d.pk}", CITY_KINDS.get(c.source, ProblemKind.SITE_CHECK), c.reported_at, c.lon, c.lat,
               f"市级派件 {c.number}：{c.description}"[:500], c.matter.code if c.matter_id else "", c.address, c.pk)


@transaction.atomic
def import_problems(user, period: str, source: str = "inspection", street_code: str | None = None) -> list[Problem]:
    """A month's problems found by others become problems of the 倒查 register, once each (``source_ref``):

    - ``inspection``: failed checklist items (监督检查 — a 现场检查 by someone other than the street's patrol);
    - ``city_dispatch``: the city's 派件 to the district (the city found the problem first).

    The case that reported the problem itself is never its match (a failed item's case has the source 检查发现,
    a city dispatch's case is excluded by id). Outside the jurisdiction or the user's scope: skipped."""
    require(user, REVIEW)
    if source not in IMPORT_SOURCES:
        raise DomainError("invalid_import_source", "导入来源应为 inspection（监督检查不合格项）或 city_dispatch（市级派件）")
    start, end = periods.month(check_period(period))
    prefix = street_of(user, street_code, REVIEW).code if street_code else (scope_prefix(user) or "")
    rows = (_failed_items if source == "inspection" else _city_dispatches)(start, end, prefix)
    done = set(Problem.objects.filter(source_ref__startswith=source.replace("_", "-")).values_list("source_ref",
                                                                                                 flat=True))
    made = []
    for ref, kind, found_at, lon, lat, text, matter, place, own in rows:
        if ref in done:
            continue
        try:
            p = _new_problem(user, kind, found_at, lon, lat, text, matter, place, ref, exclude=own)
        except (DomainError, OutOfScope):
            continue
        p.save()
        made.append(p)
    if made:
        audit.record(user, "import", "ledger_problem", period, after={
            "source": source, "count": len(made), "ids": [p.pk for p in made]})
    return made


def problems(user, period: str | None = None, street: str | None = None, verdict: str | None = None):
    qs = scoped(Problem.objects.all(), user, VIEW).select_related("suggested", "case")
    if period:
        start, end = periods.month(check_period(period))
        qs = qs.filter(found_at__gte=start, found_at__lt=end)
    if street:
        qs = qs.filter(scope_key__startswith=street)
    if verdict:
        qs = qs.filter(verdict=verdict)
    return qs


# ---------------------------------------------------------------- 案件抽查

SAMPLE_FIELDS = ("scope_key", "period", "closed", "seed")
MARK_FIELDS = ("mark", "reason")


def closed_cases(street: str, period: str):
    """The street's normally closed cases of the month (结案 in the month, still closed or archived)."""
    from gridgov.cases.models import Case

    start, end = periods.month(period)
    return Case.objects.filter(scope_key__startswith=street, closed_at__gte=start, closed_at__lt=end,
                               status__in=CLOSED_STATES)


@transaction.atomic
def draw_sample(user, period: str, street_code: str) -> SampleDraw:
    """Draw the month's sample of a street's normally closed cases (once: ``sample_exists`` after that)."""
    require(user, REVIEW)
    period = check_period(period)
    street = street_of(user, street_code, REVIEW)
    if periods.month(period)[1] > timezone.now():
        raise DomainError("period_not_over", f"{period} 尚未结束，月度抽查须在月末之后进行")
    if SampleDraw.objects.filter(scope_key=street.code, period=period).exists():
        raise Conflict("sample_exists", f"{street.name} {period} 已经抽样，不能重抽")
    numbers = dict(closed_cases(street.code, period).values_list("number", "id"))
    drawn = sampling.draw(period, street.code, list(numbers))
    d = SampleDraw.objects.create(scope_key=street.code, unit_name=street.name, period=period, closed=len(numbers),
                                  seed=sampling.seed(period, street.code), drawn_by=user)
    SampledCase.objects.bulk_create([SampledCase(draw=d, case_id=numbers[n], order=i + 1, scope_key=street.code,
                                                 unit_name=street.name) for i, n in enumerate(drawn)])
    audit.record(user, "draw", "ledger_sample", d.pk, after={**audit.values(d, SAMPLE_FIELDS), "cases": drawn})
    return d


@transaction.atomic
def mark_sample(user, sampled_id: int, mark: str, reason: str = "") -> SampledCase:
    """合格 / 不合格 (a reason required for 不合格) for one drawn case."""
    require(user, REVIEW)
    s = scoped(SampledCase.objects.select_for_update(), user, VIEW).filter(pk=sampled_id).first()
    if s is None:
        raise OutOfScope()
    if mark not in (Mark.PASSED, Mark.FAILED):
        raise DomainError("invalid_mark", "评定应为 passed（合格）或 failed（不合格）")
    reason = _text(reason, "不合格理由", 300, required=mark == Mark.FAILED)
    before = audit.values(s, MARK_FIELDS)
    s.mark, s.reason, s.marked_by, s.marked_at = mark, reason, user, timezone.now()
    s.save()
    audit.record(user, "mark", "ledger_sampled_case", s.pk, before=before, after=audit.values(s, MARK_FIELDS))
    return s


def samples(user, period: str | None = None, street: str | None = None):
    qs = scoped(SampleDraw.objects.all(), user, VIEW)
    if period:
        qs = qs.filter(period=check_period(period))
    if street:
        qs = qs.filter(scope_key__startswith=street)
    return qs.prefetch_related("cases__case")


# ---------------------------------------------------------------- 培训记录

TRAINING_FIELDS = ("scope_key", "held_on", "title", "kind", "attendees", "evidence", "status")
TRAINING_REVIEW_FIELDS = ("status", "review_note")


def _write_street(user, street_code: str | None, right: str) -> Jurisdiction:
    """The street a submission is for: the one named, or the submitter's own (a street's 督导员)."""
    code = (street_code or "").strip() or (scope_prefix(user) or "")
    if len(code) != 9:
        raise DomainError("street_required", "请指定镇街代码（9 位）")
    return street_of(user, code, right)


@transaction.atomic
def submit_training(user, held_on: dt.date, title: str, kind: str, attendees: int, evidence: str = "",
                    street_code: str | None = None) -> Training:
    """A training held by the street (the street's ``assess.submit`` or the centre); confirmed later."""
    require(user, VIEW)
    reviewer = user.is_superuser or roles.has_right(user.role, REVIEW)
    if not reviewer:
        require(user, SUBMIT)
        if user.department_id:
            raise Forbidden("street_only", "培训记录由镇街填报，专业部门不能填报")
    street = _write_street(user, street_code, VIEW)
    check_day(held_on, "培训日期")
    if held_on > timezone.localdate():
        raise DomainError("invalid_date", "培训日期不能晚于今天")
    if kind not in TrainingKind.values:
        raise DomainError("invalid_training_kind", "培训范围应为 whole（全体网格员）或 partial（部分网格员）")
    if not isinstance(attendees, int) or not 1 <= attendees <= 100000:
        raise DomainError("invalid_attendees", "参训人数应为 1 以上的整数")
    t = Training(scope_key=street.code, unit_name=street.name, held_on=held_on, title=_text(title, "培训主题", 200),
                 kind=kind, attendees=attendees, evidence=_text(evidence, "佐证材料", 500, required=False),
                 recorded_by=user)
    t.save()
    _record(user, "create", "ledger_training", t, TRAINING_FIELDS)
    return t


@transaction.atomic
def review_training(user, training_id: int, accept: bool, note: str = "") -> Training:
    require(user, REVIEW)
    t = scoped(Training.objects.select_for_update(), user, VIEW).filter(pk=training_id).first()
    if t is None:
        raise OutOfScope()
    if t.status != TrainingStatus.SUBMITTED:
        raise Conflict("training_reviewed", "该培训记录已经确认过")
    before = audit.values(t, TRAINING_REVIEW_FIELDS)
    t.status = TrainingStatus.CONFIRMED if accept else TrainingStatus.REJECTED
    t.review_note = _text(note, "不予认定的理由", 300, required=not accept)
    t.reviewed_by, t.reviewed_at = user, timezone.now()
    t.save()
    audit.record(user, "review", "ledger_training", t.pk, before=before, after=audit.values(t, TRAINING_REVIEW_FIELDS))
    return t


def trainings(user, year: int | None = None, street: str | None = None):
    qs = scoped(Training.objects.all(), user, VIEW)
    if year:
        qs = qs.filter(held_on__year=check_year(year))
    if street:
        qs = qs.filter(scope_key__startswith=street)
    return qs


# ---------------------------------------------------------------- 系统运行, 宣传

OUTAGE_FIELDS = ("scope_key", "kind", "start", "end", "note")
PUBLICITY_FIELDS = ("scope_key", "kind", "on", "title", "outlet", "evidence")


@transaction.atomic
def record_outage(user, street_code: str, kind: str, start: dt.datetime, end: dt.datetime | None = None,
                  note: str = "") -> Outage:
    """A fault or upgrade period of the street's system or terminals (end empty: still going on)."""
    require(user, REVIEW)
    street = street_of(user, street_code, REVIEW)
    if kind not in OutageKind.values:
        raise DomainError("invalid_outage_kind", "类型应为 fault（系统故障）、upgrade（升级改造）或 unusable（无系统或"
                                                 "系统无法使用）")
    if start is None or timezone.is_naive(start) or (end is not None and timezone.is_naive(end)):
        raise DomainError("invalid_period", "请填写开始时间（含时区）")
    if not FIRST_DAY <= start.date() <= LAST_DAY or start > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("invalid_period", "开始时间不能晚于现在，且应在 2000—2099 年之间")
    if end is not None and end <= start:
        raise DomainError("invalid_period", "结束时间应晚于开始时间")
    o = Outage(scope_key=street.code, unit_name=street.name, kind=kind, start=start, end=end,
               note=_text(note, "说明", 300, required=False), recorded_by=user)
    o.save()
    _record(user, "create", "ledger_outage", o, OUTAGE_FIELDS)
    return o


@transaction.atomic
def open_system_outage(start: dt.datetime, note: str) -> list[Outage]:
    """scale (#12): a 系统故障 found by the health checks (gridgov/ops/health.py) — recorded by the system (no user),
    one open fault period for every street of the site, since the whole system was down for all of them."""
    streets = list(Jurisdiction.objects.filter(level=Level.STREET).order_by("code"))
    rows = [Outage(scope_key=j.code, unit_name=j.name, kind=OutageKind.FAULT, start=start, note=note[:300])
            for j in streets]
    for o in rows:
        o.save()
    audit.record_many(None, [audit.Entry("create", "ledger_outage", o.pk, None, audit.values(o, OUTAGE_FIELDS))
                             for o in rows])
    return rows


@transaction.atomic
def close_system_outage(ids: list[int], end: dt.datetime) -> int:
    """scale (#12): the health checks pass again — the open fault periods they opened end at ``end``."""
    rows = list(Outage.objects.select_for_update().filter(pk__in=ids, end__isnull=True).order_by("id"))
    entries = []
    for o in rows:
        before = audit.values(o, OUTAGE_FIELDS)
        o.end = max(end, o.start + dt.timedelta(seconds=1))
        o.save(update_fields=["end"])
        entries.append(audit.Entry("update", "ledger_outage", o.pk, before, audit.values(o, OUTAGE_FIELDS)))
    audit.record_many(None, entries)
    return len(rows)


@transaction.atomic
def record_publicity(user, street_code: str, kind: str, on: dt.date, title: str, outlet: str,
                     evidence: str = "") -> Publicity:
    """A city media report on the street's grid work, or a submission of material to the media."""
    require(user, REVIEW)
    street = street_of(user, street_code, REVIEW)
    if kind not in PublicityKind.values:
        raise DomainError("invalid_publicity_kind", "类型应为 report（市级主流媒体报道）或 submission（报送宣传材料）")
    check_day(on, "日期")
    if on > timezone.localdate():
        raise DomainError("invalid_date", "日期不能晚于今天")
    p = Publicity(scope_key=street.code, unit_name=street.name, kind=kind, on=on, title=_text(title, "标题", 200),
                  outlet=_text(outlet, "媒体", 100), evidence=_text(evidence, "佐证材料", 500, required=False),
                  recorded_by=user)
    p.save()
    _record(user, "create", "ledger_publicity", p, PUBLICITY_FIELDS)
    return p


def outages(user, year: int | None = None, street: str | None = None):
    qs = scoped(Outage.objects.all(), user, VIEW)
    if year:
        qs = qs.filter(start__year=check_year(year))
    if street:
        qs = qs.filter(scope_key__startswith=street)
    return qs


def publicity(user, year: int | None = None, street: str | None = None):
    qs = scoped(Publicity.objects.all(), user, VIEW)
    if year:
        qs = qs.filter(on__year=check_year(year))
    if street:
        qs = qs.filter(scope_key__startswith=street)
    return qs

