"""API authentication: bearer tokens (``Authorization: Bearer gg_…``) and the browser session."""

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from .models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = ApiToken.objects.select_related("user", "user__department").filter(digest=ApiToken.hash(token)).first()
        if row is None or not row.user.is_active:
            return None
        if row.last_used is None or (timezone.now() - row.last_used).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used=timezone.now())
        request.user = row.user
        return row.user


API_AUTH = [TokenAuth(), django_auth]
