"""Case pages: public (see the package docstring)."""

urls = []
