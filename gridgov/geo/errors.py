"""Errors of the geo domain (the shared ones, under the names the geo code uses)."""

from gridgov.errors import DomainError as GeoError
from gridgov.errors import NotFound

__all__ = ["GeoError", "NotFound"]
