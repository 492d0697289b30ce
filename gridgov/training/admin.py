"""Admin (Chinese) of 培训考试: read-only — everything is written by ``services`` (pages and API), which check the
rights and audit every write."""

from django.contrib import admin

from gridgov.audit.admin import ReadOnlyAdmin

from .models import Attempt, Bank, Course, Exam, Session


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ("title", "scope_key", "posts", "created_at")
    search_fields = ("title",)


@admin.register(Bank)
class BankAdmin(ReadOnlyAdmin):
    list_display = ("title", "scope_key", "created_at")


@admin.register(Exam)
class ExamAdmin(ReadOnlyAdmin):
    list_display = ("title", "course", "question_count", "minutes", "pass_mark")


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("exam", "user", "number", "status", "score", "passed", "started_at")
    list_filter = ("status", "passed")


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ("ledger", "course")
