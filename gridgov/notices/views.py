"""Pages of 通知公告 (/notices/): the staff list, publishing, a notice with its read receipts (who has read, who has
not, remind), the residents' subscriptions, and the public page of each community (no account).

Server-rendered, no script of its own; every write is a form posted to a view that calls ``services``; a refused
write comes back as the form with the service's Chinese message (nothing is written then).
"""

import datetime as dt
from functools import wraps

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts import throttle
from gridgov.accounts.roles import ROLE_LABELS
from gridgov.errors import DomainError, NotFound
from gridgov.pages import has, page, render_page

from . import services
from .models import TOPICS, Kind, Level

VIEW, PUBLISH, SUBSCRIBE = services.VIEW, services.PUBLISH, services.SUBSCRIBE


def _error(request, e: DomainError, back: str):
    return render_page(request, "notices/error.html", {"message": e.message, "back": back}, status=e.status)


@page()
def home(request):
    user = request.user
    if has(user, SUBSCRIBE) and not has(user, VIEW):
        return redirect("/notices/subscribe/")
    if not has(user, VIEW):
        return render_page(request, "forbidden.html", {"right_label": "查看通知公告"}, status=403)
    now = timezone.now()
    rows = list(services.visible(user).select_related("author").order_by("-published_at", "-id")[:100])
    unread = set(user.notice_receipts.filter(read_at__isnull=True, notice__in=[n.pk for n in rows])
                 .values_list("notice_id", flat=True))
    return render_page(request, "notices/home.html", {
        "warnings": [n for n in rows if n.kind == Kind.WARNING and n.current(now)],
        "staff": [(n, n.pk in unread) for n in rows if n.kind == Kind.STAFF],
        "community": [n for n in rows if n.kind == Kind.COMMUNITY],
        "past_warnings": [n for n in rows if n.kind == Kind.WARNING and not n.current(now)],
        "can_publish": has(user, PUBLISH), "now": now})


def _when(value: str, label: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as e:
        raise DomainError("invalid_period", f"{label}格式不正确（年-月-日 时:分）") from e
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


FORM_FIELDS = ["kind", "title", "body", "scope", "starts_at", "ends_at", "level", "topic"]


@page(PUBLISH)
def new(request):
    areas = services.targets(request.user)
    values = {k: request.POST.get(k, "") for k in FORM_FIELDS} if request.method == "POST" else {
        "kind": request.GET.get("kind", Kind.COMMUNITY), "scope": areas[0].code if areas else ""}
    posts = request.POST.getlist("posts") if request.method == "POST" else []
    error = None
    if request.method == "POST":
        try:
            d = services.Draft(kind=values["kind"], title=values["title"], body=values["body"], scope=values["scope"],
                               starts_at=_when(values["starts_at"], "开始时间"),
                               ends_at=_when(values["ends_at"], "结束时间"), level=values["level"],
                               topic=values["topic"], posts=posts)
            n = services.publish(request.user, d)
        except DomainError as e:
            error = e.message
        else:
            return redirect(f"/notices/{n.pk}/")
    return render_page(request, "notices/new.html", {
        "v": values, "posts": posts, "error": error, "areas": areas, "kinds": Kind.choices, "levels": Level.choices,
        "topics": TOPICS, "post_choices": [(p.value, ROLE_LABELS[p]) for p in services.STAFF_POSTS]},
        status=400 if error else 200)


@page()
def detail(request, pk: int):
    if not has(request.user, VIEW):  # a resident following their message: the public notices only
        n = services.get_public(pk)
        return render_page(request, "notices/detail.html", {"n": n, "current": n.current()})
    n = services.open_notice(request.user, pk)
    manage = has(request.user, PUBLISH) and services.may_manage(request.user, n)
    receipts = services.receipts(request.user, pk) if manage and n.kind == Kind.STAFF else None
    return render_page(request, "notices/detail.html", {
        "n": n, "manage": manage, "receipts": receipts, "current": n.current(),
        "reminded": request.GET.get("reminded")})


@require_POST
@page(PUBLISH)
def withdraw(request, pk: int):
    try:
        services.withdraw(request.user, pk, request.POST.get("reason", ""))
    except DomainError as e:
        return _error(request, e, f"/notices/{pk}/")
    return redirect(f"/notices/{pk}/")


@require_POST
@page(PUBLISH)
def remind(request, pk: int):
    try:
        count = services.remind(request.user, pk)
    except DomainError as e:
        return _error(request, e, f"/notices/{pk}/")
    return redirect(f"/notices/{pk}/?reminded={count}")


@page(SUBSCRIBE)
def subscribe(request):
    error = None
    if request.method == "POST":
        code = request.POST.get("community", "")
        try:
            if request.POST.get("action") == "unsubscribe":
                services.unsubscribe(request.user, code)
            else:
                services.subscribe(request.user, code)
        except DomainError as e:
            error = e.message
        else:
            return redirect("/notices/subscribe/")
    return render_page(request, "notices/subscribe.html", {
        "subscriptions": services.subscriptions(request.user), "communities": services.communities(),
        "error": error}, status=400 if error else 200)


# ---------------------------------------------------------------- public (no account)


def public(view):
    """A public page: GET only, throttled per address like 公开信息 (/open/)."""

    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            throttle.attempt([(throttle.rule("open.address"), throttle.client_address(request))], "too_many_requests",
                             "访问过于频繁，请 {minutes} 分钟后再试")
        except throttle.Throttled as e:
            resp = render(request, "transparency/throttled.html", {"message": e.message}, status=429)
            resp["Retry-After"] = str(e.retry_after_s)
            return resp
        return view(request, *args, **kwargs)

    return wrapper


@public
def public_index(request):
    rows = services.communities()
    streets: dict[str, tuple[str, list]] = {}
    for j in rows:
        streets.setdefault(j.parent.code if j.parent_id else "", (j.parent.name if j.parent_id else "", []))[1].append(j)
    return render(request, "notices/public_index.html", {"streets": list(streets.values())})


@public
def public_page(request, code: str):
    try:
        j, warnings, notices = services.public_for(code)
    except NotFound:
        return render(request, "notices/public_missing.html", {"code": code}, status=404)
    return render(request, "notices/public.html", {"j": j, "warnings": warnings, "notices": notices})
