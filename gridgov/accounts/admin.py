from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from .models import ApiToken, Department, User

# rights come from the post (accounts/roles.py), not from Django groups
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "node_key", "department", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "node_key")
    fieldsets = BaseUserAdmin.fieldsets + (("岗位与管辖范围", {"fields": ("role", "display_name", "node_key", "department")}),)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "district")
    search_fields = ("code", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created", "last_used")
    readonly_fields = ("prefix", "digest", "created", "last_used")
