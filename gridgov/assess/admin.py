"""The admin of the assessment: everything read-only here — schemes are copied and edited through the services
(the 考评方案 page and ``PATCH /api/v1/assess/schemes/{id}``, validated and audited), runs are made and published on
the 考评 pages, judgements and appeals on theirs."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin

from .models import Appeal, Evidence, Item, Judgement, Run, Scheme


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "total", "shipped", "active", "based_on"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["name", "key", "part", "points", "method", "rule", "tiers"]
    list_filter = ["part__scheme", "method", "rule"]


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["period", "revision", "district_code", "scheme", "reason", "created_at", "published_at"]
    list_filter = ["period"]
    exclude = ["facts", "result"]


@admin.register(Judgement)
class JudgementAdmin(ReadOnlyAdmin):
    list_display = ["period", "unit_code", "item_key", "tier", "points", "remark", "by", "at"]
    list_filter = ["period", "item_key"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["period", "unit_code", "item_key", "by", "at"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["period", "unit_code", "item_key", "status", "old_points", "new_points", "by", "at"]
    list_filter = ["status", "period"]
