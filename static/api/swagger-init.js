/* Starts Swagger UI on /api/docs/ (a static file: the CSP allows no inline script).
   The schema's address comes from the page; "Try it out" uses the signed-in session and sends the
   CSRF token Django expects on unsafe methods, or a personal token given with "Authorize". */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    persistAuthorization: false,
    requestInterceptor: function (request) {
      var token = cookie("csrftoken");
      if (token && ["GET", "HEAD", "OPTIONS"].indexOf((request.method || "GET").toUpperCase()) === -1) {
        request.headers["X-CSRFToken"] = token;
      }
      return request;
    }
  });
})();
