"""保存的视图: a person's named filters of the case queue — written here (audited), never by the page."""

from django.db import transaction

from gridgov.audit import services as audit

from ..models import SavedView


@transaction.atomic
def save_view(user, name: str, query: str) -> SavedView:
    """Create the person's view ``name`` or replace its filters."""
    view = SavedView.objects.select_for_update().filter(user=user, name=name).first() or SavedView(user=user,
                                                                                                    name=name)
    view.query = query
    audit.save_row(user, view, ("name", "query"), "saved_view")
    return view


@transaction.atomic
def delete_view(user, pk: int) -> bool:
    """Delete one of the person's own views; False when there is none with that id."""
    view = SavedView.objects.filter(user=user, pk=pk).first()
    if view is None:
        return False
    audit.delete_row(user, view, ("name", "query"), "saved_view")
    return True
