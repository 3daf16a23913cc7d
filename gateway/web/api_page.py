"""GET /api/docs: the API page, Swagger UI reading the gateway's own OpenAPI document.

Everything the page loads comes from the gateway (the Swagger UI files of the `swagger-ui-bundle` package):
a closed network has no CDN, and the page makes no request elsewhere (no validator badge).
"""

from flask import Blueprint, Response, abort, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

blp = Blueprint(
    "api_page",
    __name__,
    url_prefix="/api/docs",
    template_folder="templates",
    static_folder="static",
    static_url_path="/page",
)

# The Swagger UI files the page needs; nothing else of the bundle is served.
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"})
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@blp.get("/")
def page() -> Response:
    """The API page."""
    response = Response(render_template("docs/api.html"), mimetype="text/html")
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


@blp.get("/assets/<name>")
def asset(name: str) -> Response:
    """One of Swagger UI's files."""
    if name not in ASSETS:
        abort(404)
    response = send_from_directory(str(swagger_ui_path), name, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
