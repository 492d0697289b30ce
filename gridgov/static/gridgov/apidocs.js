/* The API documentation page (/api/v1/docs): starts the vendored Swagger UI on our OpenAPI document.
   The signed-in browser session is used for "Try it out"; its CSRF token goes with every request. */
(function () {
  "use strict";
  const data = document.body.dataset;
  window.SwaggerUIBundle({
    url: data.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    requestInterceptor: (req) => {
      if (data.csrfToken) req.headers["X-CSRFToken"] = data.csrfToken;
      return req;
    },
  });
})();
