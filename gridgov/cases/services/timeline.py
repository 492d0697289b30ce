"""A case's timeline (案件过程), for staff (who did what) and for the public (what happened, no names)."""

from ..logic.lifecycle import ACTION_LABELS, Action
from ..models import CaseEvent

PUBLIC_DATA = ("reason", "feedback")  # what a resident may read of an event's data


def timeline(case, staff: bool) -> list[dict]:
    out = []
    for e in CaseEvent.objects.filter(case=case).order_by("at", "id"):
        label = "上报" if e.action == "report" else ACTION_LABELS.get(Action(e.action), e.action)
        out.append({
            "action": e.action, "label": label, "from_state": e.from_state, "to_state": e.to_state,
            "at": e.at, "actor": (e.actor_name if staff else ""), "role": e.role if staff else "",
            "data": e.data if staff else {k: v for k, v in e.data.items() if k in PUBLIC_DATA},
        })
    return out
