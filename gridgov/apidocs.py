"""The API's documentation page (/api/v1/docs): Swagger UI served from our own static files.

ninja's default page loads Swagger UI from a CDN (blank offline) or from ninja's bundled copy; this one uses the
vendored swagger-ui-dist (gridgov/static/vendor/swagger-ui/) and a static init script (gridgov/static/gridgov/
apidocs.js), with no inline script, so the page works offline and under ``script-src 'self'``.
"""

from django.shortcuts import render
from ninja.openapi.docs import DocsBase, _csrf_needed


class OfflineSwagger(DocsBase):
    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs), "add_csrf": _csrf_needed(api)}
        return render(request, self.template, context)
