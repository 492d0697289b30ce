"""``{% inspection_due_panel %}``: the inspections due for the signed-in person, as a short panel for their first
screen (我的任务): how many are due and overdue, the most urgent few, and a link to 检查任务."""

from django import template
from django.utils import timezone

from gridgov.pages import has

register = template.Library()
SHOWN = 5


@register.inclusion_tag("inspection/_due_panel.html", takes_context=True)
def inspection_due_panel(context):
    from gridgov.inspection import services

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not has(user, services.INSPECT):
        return {"show": False}
    rows = services.due(user, services.local_day(timezone.now()), mine=True)
    return {"show": True, "rows": rows[:SHOWN], "total": len(rows),
            "overdue": sum(r.state == "overdue" for r in rows)}
