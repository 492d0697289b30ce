"""Case pages: field (see the package docstring)."""

urls = []
