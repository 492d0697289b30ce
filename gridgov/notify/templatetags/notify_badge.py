"""The header's unread badge: one indexed COUNT (notify_user_read_idx), only when a page's header is drawn."""

from django import template

from gridgov.notify import services

register = template.Library()


@register.inclusion_tag("notify/_badge.html", takes_context=True)
def unread_badge(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    n = services.unread_count(user) if user is not None else 0
    return {"unread": n, "show": bool(user and user.is_authenticated)}
