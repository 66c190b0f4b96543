// The API documentation page: Swagger UI over the signed-in session's /openapi.json.
/* global SwaggerUIBundle */
window.addEventListener("load", () => {
  SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
