"""Reads of the tiered path (levels): 「小事不出网格、大事不出社区」 — the cases settled in a period by the level at which
they were settled, within the reader's scope (the definition of the shares is ``logic.levels.settled_shares``)."""

import datetime as dt

from django.db.models import Count

from gridgov.accounts import roles
from gridgov.accounts.scope import scoped

from ..logic.levels import settled_shares
from ..models import Case


def settled_figures(user, since: dt.datetime | None = None, until: dt.datetime | None = None, *,
                    day_from: dt.date | None = None, day_to: dt.date | None = None) -> dict:
    """Cases handled in [since, until) and on the local days day_from … day_to (any may be open) that carry a
    settled level, counted by level."""
    qs = scoped(Case.objects.all(), user, roles.CASE_VIEW).exclude(settled_level="")
    if day_from is not None:
        qs = qs.filter(handled_at__date__gte=day_from)
    if day_to is not None:
        qs = qs.filter(handled_at__date__lte=day_to)
    if since is not None:
        qs = qs.filter(handled_at__gte=since)
    if until is not None:
        qs = qs.filter(handled_at__lt=until)
    # (counting a column of the handling index, not "id": PostgreSQL answers from the index alone)
    counts = dict(qs.order_by().values_list("settled_level").annotate(n=Count("settled_level")))
    return settled_shares(counts)
