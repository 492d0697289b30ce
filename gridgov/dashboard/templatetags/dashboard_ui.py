"""``{{ tally.on_time_rate|pct }}`` → 「93.5%」 or 「—」 (kpi.percent)."""

from django import template

from ..kpi import percent

register = template.Library()


@register.filter
def pct(value) -> str:
    return percent(value)


@register.filter
def sortkey(value) -> str:
    """A rate as a sortable number (-1 for 「—」)."""
    return "-1" if value is None else f"{value:.6f}"
