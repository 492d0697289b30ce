"""Pages of the basic data (the grid worker's phone pages)."""

urlpatterns: list = []
