"""API authentication: bearer tokens (``Authorization: Bearer gg_…``) and the browser session."""

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from gridgov import sqlrows

from .models import ApiToken, Department, User


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        # every API request starts here: the token, its user and the user's department are read by primary or
        # unique key through gridgov.sqlrows (a fraction of the CPU of the ORM's three-table select_related)
        found = sqlrows.fetch(ApiToken, "digest = %s", [ApiToken.hash(token)])
        if not found:
            return None
        row = found[0]
        users = sqlrows.fetch(User, "id = %s", [row.user_id])
        if not users or not users[0].is_active:
            return None
        user = users[0]
        if user.department_id is not None:
            departments = sqlrows.fetch(Department, "id = %s", [user.department_id])
            User.department.field.set_cached_value(user, departments[0] if departments else None)
        ApiToken.user.field.set_cached_value(row, user)
        if row.last_used is None or (timezone.now() - row.last_used).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used=timezone.now())
        request.user = row.user
        return row.user


API_AUTH = [TokenAuth(), django_auth]
