"""「此刻在班」 in the header of every page, for the posts that read the duty roster (one small query)."""

from gridgov.accounts import roles


def on_duty(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user.is_superuser or roles.has_right(user.role,
                                                                                             roles.DUTY_VIEW)):
        return {}
    node = user.node_key or ""
    if len(node) not in (6, 9):
        return {}
    from .services import on_duty as members

    names = [f"{m.get_duty_role_display()} {m.user.display_name or m.user.username}" for m in members([node])]
    return {"duty_now": "；".join(names) or "此刻无人在班"}
