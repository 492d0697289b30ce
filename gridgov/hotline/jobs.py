"""The background jobs of the 12345 exchange (gridgov.background): deliver one case's outbox, sweep all due."""

from gridgov import background


@background.task("hotline.deliver")
def deliver(case_id: int) -> None:
    from .services import deliver_case

    deliver_case(case_id)


@background.task("hotline.sweep")
def sweep() -> None:
    from .services import sweep as run

    run()
