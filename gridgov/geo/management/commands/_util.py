from django.core.management.base import CommandError

from gridgov.geo.errors import GeoError


def fail(e: GeoError) -> CommandError:
    return CommandError(f"{e.message}（{e.code}）")
