"""Template helpers for case pages: ``{{ case|light }}``, ``{{ case|countdown }}``, ``{{ case|light_label }}``."""

from django import template

from ..services.lights import LIGHT_LABELS
from ..services.lights import countdown as _countdown
from ..services.lights import light as _light

register = template.Library()


@register.filter
def light(case) -> str:
    return _light(case)


@register.filter
def light_label(case) -> str:
    return LIGHT_LABELS[_light(case)]


@register.filter
def countdown(case) -> str:
    return _countdown(case)
