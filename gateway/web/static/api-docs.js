// The API page: Swagger UI on the gateway's own document, with no request leaving the gateway.
(function () {
  "use strict";
  window.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    window.ui = SwaggerUIBundle({
      url: root.dataset.spec,
      dom_id: "#swagger-ui",
      validatorUrl: null,
      deepLinking: true,
      docExpansion: "list",
      defaultModelsExpandDepth: 1,
      presets: [SwaggerUIBundle.presets.apis]
    });
  });
})();
