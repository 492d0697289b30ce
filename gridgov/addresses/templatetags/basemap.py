"""``{% basemap_script %}``: the one line a map page puts right after leaflet.js — the shared base-map script with
its configuration as a data attribute (the CSP forbids inline scripts)."""

from django import template
from django.templatetags.static import static
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def basemap_script(context):
    from gridgov.addresses.basemaps import client_json

    request = context.get("request")
    staff = bool(request and request.user.is_authenticated)
    search = "/api/v1/addresses" if staff else "/addresses/search.json"
    nearest = "/api/v1/addresses/nearest" if staff else "/addresses/nearest.json"
    return mark_safe(f'<link rel="stylesheet" href="{static("gridgov/basemap.css")}">'
                     f'<script src="{static("gridgov/basemap.js")}" data-config="{client_json(request)}" '
                     f'data-search="{search}" data-nearest="{nearest}"></script>')
