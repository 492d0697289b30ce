"""Case pages: centre (see the package docstring)."""

urls = []
