"""The case list's filters as a query string — parsed in ONE place for the centre's queue (``/cases/``), its saved
views and tabs, and the case export (``gridgov/exports``), so an export gives exactly the rows the queue shows.

``clean_query(params)`` keeps the filter part of a query string (empty values dropped, a stable order);
``filter_of(pairs)`` turns it into the API's ``CaseFilter``; ``queue_qs(user, pairs)`` is the scoped queryset
(``cases.api.filtered``) with the queue's own ``pending`` filter.
"""

from django.http import QueryDict
from pydantic import ValidationError

from gridgov.errors import DomainError

from .api import CaseFilter, filtered

# "order" (newest / time_left) is not a filter but travels with them: tabs, saved views and exports keep it
FILTER_KEYS = ("status", "matter", "grid", "source", "overdue", "urgency", "q", "pending", "level", "order")
# the export also takes a reporting-date range and a department (CaseFilter's other fields)
EXPORT_KEYS = (*FILTER_KEYS, "department", "date_from", "date_to")


def parse(query: str) -> QueryDict:
    return QueryDict(query)


def clean_query(params, keys=FILTER_KEYS) -> list[tuple[str, str]]:
    """The filter part of a query string, empty values dropped, in a stable order (for saved views and tabs)."""
    out = []
    for k in keys:
        for value in params.getlist(k):
            for v in value.split(",") if k == "status" else [value]:  # a view's statuses may come as one value
                v = v.strip()
                if v and (k, v) not in out:
                    out.append((k, v))
    return out


def filter_of(pairs: list[tuple[str, str]]) -> CaseFilter:
    d: dict = {}
    for k, v in pairs:
        if k == "status":
            d.setdefault("status", []).append(v)
        elif k == "overdue":
            d["overdue"] = v in ("1", "true", "on")
        elif k != "pending":
            d[k] = v
    try:
        return CaseFilter(**d)
    except ValidationError as e:
        names = {"date_from": "上报日期起", "date_to": "上报日期止", "q": "关键词", "level": "层级"}
        bad = "、".join(dict.fromkeys(names.get(str(err["loc"][0]), str(err["loc"][0])) for err in e.errors()))
        raise DomainError("invalid_filter", f"筛选条件有误：{bad}") from None


def queue_qs(user, pairs):
    qs = filtered(user, filter_of(pairs))
    if ("pending", "1") in pairs:
        qs = qs.exclude(pending_request="")
    return qs
