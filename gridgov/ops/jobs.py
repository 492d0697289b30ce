"""ops background jobs: ``ops.probe`` — a job that records each start and, while held, waits to be released (the
self-test of the workers: `gridgov worker --probe`, and the test that a killed worker's job finishes elsewhere)."""

import os
import time

from django.db import transaction

from gridgov import background

PROBE_WAIT_S = 300.0  # a held probe gives up waiting after this long (it then finishes anyway)


@background.task("ops.probe")
def probe(probe_id: int) -> None:
    from gridgov.ops.models import Probe

    with transaction.atomic():
        p = Probe.objects.select_for_update().filter(pk=probe_id).first()
        if p is None or p.finished:  # idempotent: a finished probe is not run again
            return
        p.starts = [*p.starts, os.getpid()]
        p.save(update_fields=["starts"])
    give_up = time.monotonic() + PROBE_WAIT_S
    while time.monotonic() < give_up and Probe.objects.filter(pk=probe_id, hold=True).exists():
        time.sleep(0.2)
    with transaction.atomic():
        p = Probe.objects.select_for_update().get(pk=probe_id)
        if not p.finished:
            p.finished, p.finished_by = 1, os.getpid()
            p.save(update_fields=["finished", "finished_by"])
