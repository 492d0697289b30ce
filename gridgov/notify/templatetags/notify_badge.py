"""The header's unread badge: one indexed COUNT (notify_user_read_idx), only when a page's header is drawn."""

from django import template
from django.db import DatabaseError

from gridgov.notify import services

register = template.Library()


@register.inclusion_tag("notify/_badge.html", takes_context=True)
def unread_badge(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    try:
        n = services.unread_count(user) if user is not None else 0
    except DatabaseError:  # an error page drawn while the database is away still renders
        n = 0
    return {"unread": n, "show": bool(user and user.is_authenticated)}
