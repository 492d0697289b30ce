"""Case pages: department (see the package docstring)."""

urls = []
