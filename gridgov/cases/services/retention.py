"""The reporters' personal data of finished cases (个人信息保护法 第十九条、第四十七条): found and erased.

A case has finished when it is archived (归档: ``archived_at``), or declined or voided (不予立案、作废: final
states that are never changed again, so their ``updated_at`` is the time they ended). Merged cases have no
reports of their own (they move to the case they were merged into). Erasing a report's reporter overwrites the
encrypted phone and its index with nothing, the name with nothing, and shows the marker in place of the
masked phone; the case itself, its description and its timeline stay.
"""

import datetime as dt

from django.db.models import Q

from ..logic.lifecycle import State
from ..models import CaseReport


def finished_before(when: dt.datetime, path: str = "") -> Q:
    """The case (reached through ``path``, e.g. ``"case__"``) finished before ``when`` — THE rule every purge of data
    kept for a case's sake uses."""
    return (Q(**{f"{path}status": State.ARCHIVED, f"{path}archived_at__lt": when})
            | Q(**{f"{path}status__in": [State.DECLINED, State.VOIDED], f"{path}updated_at__lt": when}))


def reporters_of_cases_finished_before(when: dt.datetime):
    """Reports of cases finished before ``when`` that still hold a reporter's name or phone."""
    return CaseReport.objects.filter(finished_before(when, "case__")).exclude(reporter_phone_cipher=b"",
                                                                             reporter_name="")


def erase_reporters(when: dt.datetime, marker: str) -> int:
    """Erase the reporters of cases finished before ``when`` (called by the privacy purge, which owns the
    transaction and audits the count); returns how many reports were erased. Running it again erases nothing."""
    ids = list(reporters_of_cases_finished_before(when).values_list("pk", flat=True))
    if not ids:
        return 0
    return CaseReport.objects.filter(pk__in=ids).update(
        reporter_name="", reporter_phone_cipher=b"", reporter_phone_index="", reporter_phone_masked=marker)
