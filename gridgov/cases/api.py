"""API of the cases app (django-ninja router, mounted under /api/v1/ by gridgov/api.py)."""

from ninja import Router

router = Router(tags=["案件"])
