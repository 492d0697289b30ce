"""Background job of the mining (``gridgov.background``)."""

from gridgov import background


@background.task("mining.compute")
def compute(run_id: int) -> None:
    from .services import compute as run

    run(run_id)
