"""The record panel on the case page of a 矛盾纠纷 or 信访 case: ``{% governance_panel case %}`` (matters)."""

from django import template
from django.urls import reverse

from gridgov.accounts import roles

from .. import services
from ..logic import mediation as ml
from ..logic import petitions as pl
from ..models import Mediation, Petition

register = template.Library()


def _residents(user, case) -> list[tuple[int, str]]:
    """Residents of the case's management grid the user may read (masked), to pick parties from."""
    from gridgov.basedata import rights
    from gridgov.basedata.logic.ids import mask_name
    from gridgov.basedata.models import Resident

    if case.management_grid_id is None or not rights.has_right(user, rights.VIEW):
        return []
    key = case.scope_key.split(".")[0]
    qs = rights.scoped(Resident.objects.filter(scope_key__startswith=key, status="active"), user)
    unmask = services.may_unmask(user)
    return [(r.pk, f"{r.name if unmask else mask_name(r.name)}（{r.phone_masked or '无电话'}）")
            for r in qs.order_by("id")[:60]]


@register.inclusion_tag("governance/_panel.html", takes_context=True)
def governance_panel(context, case):
    request = context.get("request")
    user = getattr(request, "user", None)
    major = case.matter.major_code if getattr(case, "matter", None) else ""
    if user is None or major not in (services.DISPUTE_MAJOR, services.PETITION_MAJOR) or not (
            user.is_superuser or roles.has_right(user.role, services.VIEW)):
        return {"show": False}
    may_record = user.is_superuser or roles.has_right(user.role, services.RECORD)
    ctx = {"show": True, "case": case, "may_record": may_record, "csrf_token": context.get("csrf_token")}
    urls = {a: reverse("governance:act", args=[case.number, a]) for a in (
        "mediation_open", "mediation_party", "mediation_session", "mediation_outcome", "mediation_visit",
        "petition_register", "petition_decision", "petition_extension", "petition_reply", "petition_review_request",
        "petition_review")}
    ctx["urls"] = urls
    if major == services.DISPUTE_MAJOR:
        m = Mediation.objects.filter(case=case).first()
        ctx.update(kind="mediation", m=m, residents=_residents(user, case) if may_record else [],
                   status_label=ml.STATUSES[m.status] if m else "",
                   parties=[services.party_view(user, p) for p in m.parties.all()] if m else [],
                   sessions=list(m.sessions.all()) if m else [])
    else:
        p = Petition.objects.filter(case=case).first()
        ctx.update(kind="petition", p=p, residents=_residents(user, case) if may_record else [],
                   status_label=pl.STATUSES[p.status] if p else "", forms=pl.FORMS.items(),
                   decisions=pl.DECISIONS.items(),
                   petitioners=[services.party_view(user, x) for x in p.petitioners.all()] if p else [],
                   accept_left=services.due_label(p.accept_due_on, p.status != "registered") if p else "",
                   reply_left=services.due_label(p.reply_due_on, p.status != "accepted") if p else "",
                   max_extension=pl.MAX_EXTENSION_DAYS)
    return ctx
