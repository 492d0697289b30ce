"""Background jobs of the briefs (``gridgov.background``)."""

from gridgov import background


@background.task("briefs.generate")
def generate(brief_id: int) -> None:
    from .services import generate as run

    run(brief_id)


@background.task("briefs.subscriptions")
def subscriptions() -> None:
    from .services import run_subscriptions

    run_subscriptions()
