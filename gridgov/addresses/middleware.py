"""Pages that draw a base map from a tile server elsewhere (天地图, an intranet GIS) may load its images: the
``{% basemap_script %}`` tag notes the servers' origins on the request, and this adds them to the page's CSP
``img-src`` (nothing else is loosened; pages without a map keep the site's policy). Listed after Django's CSP
middleware, so it runs before it on the way out."""

from django.conf import settings


class BasemapCSPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = getattr(request, "_basemap_origins", None)
        if origins:
            for attr, base in (("_csp_config", settings.SECURE_CSP), ("_csp_ro_config", settings.SECURE_CSP_REPORT_ONLY)):
                if base and not hasattr(response, attr):
                    setattr(response, attr, {**base, "img-src": [*base.get("img-src", []), *origins]})
        return response
