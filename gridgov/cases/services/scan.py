"""The deadline scan: finds cases whose running stage turned yellow or red, warns and 督办s them — each level
once per stage of a case, however often it runs (a unique row per (case, stage instance, level) decides)."""

import datetime as dt
import logging
import threading

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Case, CaseAlert
from .lights import light, red_q, running_q, yellow_q
from .notifications import notify_deadline
from .transitions import system_urge

log = logging.getLogger("gridgov.cases")
LEVELS = {"yellow": 1, "red": 2}


def scan(now: dt.datetime | None = None, limit: int = 5000) -> dict[str, int]:
    """One pass. Returns how many yellow and red warnings were sent now."""
    now = now or timezone.now()
    due = (Case.objects.filter(running_q())
           .filter(Q(warned_level__lt=2) & red_q(now) | Q(warned_level__lt=1) & yellow_q(now))
           .values_list("id", flat=True)[:limit])
    sent = {"yellow": 0, "red": 0}
    for case_id in list(due):
        for level in _warn(case_id, now):
            sent[level] += 1
    return sent


def _warn(case_id: int, now: dt.datetime) -> list[str]:
    """Warn one case in its own transaction (takes an id, re-reads the row, idempotent)."""
    done = []
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("district").filter(pk=case_id).first()
        if case is None:
            return done
        reached = {"red": 2, "yellow": 1}.get(light(case, now), 0)  # "" and paused: nothing to warn
        for level, n in LEVELS.items():
            if case.warned_level >= n or reached < n:
                continue
            try:
                with transaction.atomic():
                    CaseAlert.objects.create(case=case, stage=case.stage, stage_seq=case.stage_seq, level=level, at=now)
            except IntegrityError:
                continue  # already sent for this stage: never twice
            if n == reached:  # a case found already red gets the red warning only (its yellow is recorded, silent)
                notify_deadline(case, level)
                if level == "red":
                    system_urge(case.pk, level, now)
                done.append(level)
        if reached > case.warned_level:
            Case.objects.filter(pk=case.pk).update(warned_level=reached)
    return done


def start_background_scan(interval_s: float) -> threading.Thread | None:
    """The loop that `gridgov serve` runs (``serving.every``)."""
    from gridgov.serving import every

    def once():
        from gridgov.analytics.rollup import fold_open

        result = scan()
        fold_open(timezone.now())  # analytics: the open counts of long-past due months merged (the dashboard)
        if result["yellow"] or result["red"]:
            log.info("deadline scan: %(yellow)d yellow, %(red)d red", result)

    return every("deadline-scan", interval_s, once)
