"""Admin (Chinese) of the duty app: 应急预案 and their steps, and the 值班 roster — every save through ``services``
(checked, scoped, audited); activations and 交班记录 are shown, never edited here."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin, ServiceAdmin

from . import services
from .models import Activation, ActivationStep, EmergencyPlan, Handover, PlanStep, Shift, ShiftMember


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 1
    can_delete = False
    fields = ("order", "title", "responsible", "minutes")


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(ServiceAdmin):
    list_display = ("code", "name", "matter_codes", "majors", "notify_posts", "active")
    list_filter = ("active",)
    inlines = [PlanStepInline]

    def save_model(self, request, obj, form, change):
        services.save_plan(request.user, obj)

    def save_formset(self, request, form, formset, change):
        for f in formset.forms:
            if f.has_changed() and f.is_valid() and f.cleaned_data:
                step = f.save(commit=False)
                step.plan = form.instance
                services.save_step(request.user, step)


class ShiftMemberInline(admin.TabularInline):
    model = ShiftMember
    extra = 3
    fields = ("user", "duty_role")
    raw_id_fields = ("user",)


@admin.register(Shift)
class ShiftAdmin(ServiceAdmin):
    list_display = ("centre", "date", "starts_at", "ends_at", "note")
    list_filter = ("centre",)
    date_hierarchy = "date"
    inlines = [ShiftMemberInline]

    def save_model(self, request, obj, form, change):
        pass  # saved with its people in save_related (one service call: the people are checked together)

    def save_formset(self, request, form, formset, change):
        pass

    def save_related(self, request, form, formsets, change):
        members = [(f.cleaned_data["user"], f.cleaned_data["duty_role"]) for fs in formsets for f in fs.forms
                   if f.is_valid() and f.cleaned_data.get("user") and not f.cleaned_data.get("DELETE")]
        obj = form.instance
        shift = services.save_shift(request.user, centre=obj.centre, date=obj.date, starts_at=obj.starts_at,
                                    ends_at=obj.ends_at, note=obj.note, members=members,
                                    pk=obj.pk if change else None)
        obj.pk = shift.pk

    def delete_model(self, request, obj):
        services.delete_shift(request.user, obj.pk)


class ActivationStepInline(admin.TabularInline):
    model = ActivationStep
    extra = 0
    can_delete = False
    fields = ("order", "title", "responsible", "due_at", "done_at", "done_by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activation)
class ActivationAdmin(ReadOnlyAdmin):
    list_display = ("plan", "case", "status", "trigger", "started_at", "finished_at")
    list_filter = ("status", "plan")
    inlines = [ActivationStepInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ("centre", "day", "written_by", "written_at")
    list_filter = ("centre",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
