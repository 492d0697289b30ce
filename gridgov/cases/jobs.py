"""cases background jobs (scale, #12): the deadline scan as a job — ``background.submit("cases.deadline_scan")``
runs one pass on a worker (the beat's periodic ``deadline-scan`` runs the same ``scan()``). Idempotent: a warning
already given is recorded on the case (``warned_level``) and not given again."""

from gridgov import background


@background.task("cases.deadline_scan")
def deadline_scan() -> None:
    from gridgov.cases.services.scan import scan

    scan()
