"""The personal-information page (个人信息保护) for a post with ``privacy.request``: find a person by ID number
or phone (masked result), download the person's copy as a JSON file, and read the retention periods.

Server-rendered, no script of its own. Every search and export goes through ``services.person_file``, which
checks the right and the scope and writes the access log.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError
from gridgov.pages import page, render_page

from . import services
from .forms import PersonForm


def _render(request, form, result=None, error="", status=200):
    return render_page(request, "privacy/home.html", {"form": form, "result": result, "error": error,
                                                      "policies": services.policy_rows()}, status=status)


@page(services.REQUEST)
def home(request):
    if request.method != "POST":
        return _render(request, PersonForm())
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    try:
        result = services.person_file(request.user, **form.cleaned_data)
    except DomainError as e:
        return _render(request, form, error=e.message, status=e.status)
    return _render(request, form, result=result)


@require_POST
@page(services.REQUEST)
def export(request):
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    try:
        result = services.person_file(request.user, **form.cleaned_data, export=True)
    except DomainError as e:
        return _render(request, form, error=e.message, status=e.status)
    body = json.dumps(result, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    resp = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
    resp["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    resp["Cache-Control"] = "no-store"
    return resp
