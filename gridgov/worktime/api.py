"""API of the worktime app (django-ninja router, mounted under /api/v1/ by gridgov/api.py)."""

from ninja import Router

router = Router(tags=["工作日历与时限"])
