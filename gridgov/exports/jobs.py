"""The background jobs of the exports app (registered when the app is ready): ``exports.build``."""

from .services import build  # noqa: F401  @background.task("exports.build")
