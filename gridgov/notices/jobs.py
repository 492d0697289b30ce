"""Background jobs of the notices (gridgov/background.py): registered when the app is ready."""

from gridgov import background


@background.task("notices.digest")
def digest() -> None:
    """Yesterday's daily digest to the subscribed residents, from 07:00 on (sent once per subscriber and day)."""
    from .services import digest_due

    digest_due()
