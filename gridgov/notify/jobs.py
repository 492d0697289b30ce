"""Background jobs of the notify app (gridgov/background.py): registered when the app is ready."""

from gridgov import background


@background.task("notify.deliver")
def deliver(*delivery_ids: int) -> None:
    """Send these deliveries (each claimed first: a second run, or another worker, sends nothing again)."""
    from . import services

    services.deliver_ids(delivery_ids)


@background.task("notify.sweep")
def sweep() -> None:
    """Send what is due (held past quiet hours, retries past their back-off): for a Celery beat schedule."""
    from . import services

    services.sweep()
