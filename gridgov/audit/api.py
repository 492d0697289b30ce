"""API of the audit app (django-ninja router, mounted under /api/v1/ by gridgov/api.py)."""

from ninja import Router

router = Router(tags=["审计日志"])
