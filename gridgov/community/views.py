"""Pages of the grid's public face, mounted at /community/.

Staff (``community.view``, within scope): ``/community/`` the grids with their boards (A4/A3 PDF, 温馨提示卡, HTML
preview, the community's directory); ``/community/phones/`` the 服务热线 and 监督电话 (set with ``community.manage``).
Public (no account): ``/community/q/<grid code>/`` where a board's QR code leads — the residents' report page with
its position already in that grid, or a clear page for a grid retired by a grid change; ``/community/<community
code>/`` the community's directory. Both are GET only and counted against the address's throttle (``open.address``,
as the public pages /open/).
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from gridgov.accounts.scope import OutOfScope
from gridgov.errors import DomainError, NotFound
from gridgov.geo.models import Grid
from gridgov.pages import has, page, render_page
from gridgov.transparency.views import public  # GET only, throttled per address like /open/ and /r/

from . import render as pdf
from . import services
from .models import PhoneKind

LIST_LIMIT = 60  # more grids than this in scope: the communities are listed first


def _url(request, board) -> str:
    return request.build_absolute_uri(board.qr_path)


@page(services.VIEW)
def home(request):
    grids = services.grids_in_scope(request.user)
    community = request.GET.get("community", "")[:12]
    if community:
        grids = grids.filter(community__code=community)
    communities = None
    if not community and grids.count() > LIST_LIMIT:
        seen: dict[str, list] = {}
        for code, name in grids.values_list("community__code", "community__name"):
            seen.setdefault(code, [name, 0])[1] += 1
        communities = [(code, name, n) for code, (name, n) in sorted(seen.items())]
        boards = []
    else:
        boards = services.boards(grids)
    return render_page(request, "community/home.html", {
        "boards": boards, "communities": communities, "community": community,
        "can_manage": has(request.user, services.MANAGE)})


@page(services.VIEW)
def board(request, code: str):
    import segno

    b = services.board_for(request.user, code)
    url = _url(request, b)
    manage = has(request.user, services.MANAGE)
    seen: set[int] = set()
    forms_for = [p for p in b.people if (manage or p.person_id == request.user.pk)
                 and not (p.person_id in seen or seen.add(p.person_id))]
    return render_page(request, "community/board.html", {"b": b, "url": url, "photo_forms": forms_for,
                                                         "qr": segno.make(url, error="m").svg_data_uri(scale=4)})


@page(services.VIEW)
def photo(request, person_id: int):
    """Upload (``photo``) or remove (``remove``) a person's 公示照片, then back to the board (POST only)."""
    from django.contrib.auth import get_user_model
    from django.http import HttpResponseNotAllowed

    from gridgov.cases.views.centre import safe_next

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    person = get_user_model().objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound("unknown_person", "没有这个人员")
    back = safe_next(request) or "/community/"
    try:
        if request.POST.get("remove"):
            services.remove_photo(request.user, person)
            messages.success(request, f"已删除 {person.display_name or person.username} 的公示照片")
        else:
            upload = request.FILES.get("photo")
            if upload is None:
                messages.error(request, "请选择要上传的照片")
                return redirect(back)
            services.set_photo(request.user, person, upload.name, upload.read())
            messages.success(request, f"已上传 {person.display_name or person.username} 的公示照片")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect(back)


@public
def photo_file(request, person_id: int):
    """A 公示照片 (public: it is printed on the boards), for a person on a board; else 404."""
    data = services.photo_bytes(person_id)
    if data is None:
        return HttpResponse("没有这张照片", status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@page(services.VIEW)
def board_pdf(request, code: str):
    b = services.board_for(request.user, code)
    size = "A3" if request.GET.get("size") == "A3" else "A4"
    return _pdf(pdf.board_pdf(b, _url(request, b), size), f"board-{b.code}-{size}.pdf")


@page(services.VIEW)
def cards_pdf(request, code: str):
    b = services.board_for(request.user, code)
    return _pdf(pdf.cards_pdf(b, _url(request, b)), f"cards-{b.code}.pdf")


class PhoneForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PhoneKind.choices)
    key = forms.CharField(label="设置于", max_length=100, error_messages={"required": "请填写网格编码或辖区代码"},
                          help_text="网格编码（如 110101001001W001）设本网格的服务热线；社区、街道或区的代码设其下各网格的默认号码。")
    phone = forms.CharField(label="电话", max_length=30, required=False,
                            help_text="如 010-65123456、13812345678 或 12345；留空则删除，改用上一级的号码。")


@page(services.VIEW)
def phones(request):
    can_manage = has(request.user, services.MANAGE)
    form = PhoneForm(request.POST or None, initial={"kind": request.GET.get("kind", PhoneKind.HOTLINE),
                                                    "key": request.GET.get("key", "")})
    if request.method == "POST" and can_manage and form.is_valid():
        cd = form.cleaned_data
        try:
            row = services.set_phone(request.user, kind=cd["kind"], key=cd["key"], phone=cd["phone"])
        except OutOfScope:
            form.add_error("key", "该网格或辖区不在您的管辖范围内")
        except DomainError as e:
            form.add_error("phone" if e.code == "invalid_phone" else "key", e.message)
        else:
            messages.success(request, f"已保存：{row}" if row else "已删除，改用上一级设置的号码")
            return redirect("community:phones")
    rows = services.phones_in_scope(request.user).select_related("updated_by")
    return render_page(request, "community/phones.html", {"form": form if can_manage else None, "rows": rows},
                       status=400 if form.errors else 200)


# ---------------------------------------------------------------- public


def _report_point(grid: Grid) -> tuple[float, float]:
    """A point inside the grid (inside its first unit grid for a management grid), where its reports start."""
    unit = grid if grid.layer.code == "unit" else \
        Grid.objects.filter(parent=grid, layer__code="unit").exclude(geometry="").order_by("code").first() or grid
    p = unit.shape.representative_point()
    return round(p.x, 6), round(p.y, 6)


@public
def qr(request, code: str):
    target = services.qr_target(code)
    if isinstance(target, Grid):
        board_grid = target.parent if target.layer.code == "unit" and target.parent_id else target
        lon, lat = _report_point(target)
        return redirect(f"/r/report/?lon={lon}&lat={lat}&grid={board_grid.code}")
    return render(request, "community/gone.html", {"code": code, "retired": target}, status=200 if target else 404)


@public
def directory(request, code: str):
    try:
        community, boards, supervision = services.directory(code)
    except NotFound:
        return render(request, "community/gone.html", {"code": code, "retired": None, "no_community": True},
                      status=404)
    return render(request, "community/directory.html", {"community": community, "boards": boards,
                                                        "supervision": supervision})
