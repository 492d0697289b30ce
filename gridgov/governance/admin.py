"""Django admin (Chinese): the mediation and petition records, read-only here — they are written on the case page and
through the API (governance.services), where each write is checked, scoped and audited."""

from django.contrib import admin

from gridgov.accounts import roles
from gridgov.accounts.scope import NoRight, scoped
from gridgov.audit.admin import ReadOnlyAdmin

from .models import Mediation, Petition


class CaseScoped:
    """Only the records of cases the administrator may read (scope, restricted classes)."""

    def get_queryset(self, request):
        from gridgov.cases.models import Case

        qs = super().get_queryset(request)
        try:
            return qs.filter(case__in=scoped(Case.objects.all(), request.user, roles.CASE_VIEW))
        except NoRight:
            return qs.none()


@admin.register(Mediation)
class MediationAdmin(CaseScoped, ReadOnlyAdmin):
    list_display = ("case", "status", "accepted_on", "concluded_on", "visited_on")
    list_filter = ("status",)
    search_fields = ("case__number",)
    readonly_fields = ("case", "status", "summary", "accepted_on", "agreement_text", "agreement_signed_on",
                       "failure_reason", "concluded_on", "visited_on", "visit_result", "visit_satisfied", "created_by")


@admin.register(Petition)
class PetitionAdmin(CaseScoped, ReadOnlyAdmin):
    list_display = ("case", "form", "subject", "received_on", "accept_due_on", "status", "reply_due_on")
    list_filter = ("status", "form")
    search_fields = ("case__number", "subject")
    readonly_fields = ("case", "form", "subject", "received_on", "accept_due_on", "status", "decision", "decided_on",
                       "reply_due_on", "extension_days", "replied_on", "review_requested_on", "reviewed_on")
    fields = readonly_fields
