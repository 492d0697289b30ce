"""API of the catalog app (django-ninja router, mounted under /api/v1/ by gridgov/api.py)."""

from ninja import Router

router = Router(tags=["部件与事项目录"])
