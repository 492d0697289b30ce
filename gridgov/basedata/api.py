"""API of the basedata app (django-ninja router, mounted under /api/v1/ by gridgov/api.py)."""

from ninja import Router

router = Router(tags=["基础数据（人地物事组织）"])
