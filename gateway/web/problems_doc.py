"""GET /problems/<code>: what each problem `type` means, so the URI resolves to documentation.

A browser (which asks for HTML first) gets a page in Chinese for the agency's developer or clerk; a program
gets JSON with the same content in English and Chinese.
"""

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from gateway.errors import RequestNotFound
from gateway.web.problem_catalogue import ProblemType, catalogue

blp = Blueprint("problems", __name__, url_prefix="/problems", template_folder="templates")

HTML, JSON = "text/html", "application/json"
# The pages are static text: nothing loads from elsewhere, no script runs.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"


def _wants_html() -> bool:
    """Whether the caller prefers HTML to JSON (a browser does; `*/*` and no Accept get JSON)."""
    return request.accept_mimetypes.best_match([JSON, HTML], default=JSON) == HTML


def _as_json(problem: ProblemType) -> dict[str, Any]:
    return {
        "code": problem.code,
        "status": problem.status,
        "title": problem.title,
        "description": problem.description,
        "title_zh": problem.title_zh,
        "description_zh": problem.meaning_zh,
        "action_zh": problem.action_zh,
    }


def _page(template: str, **context: Any) -> Response:
    response = Response(render_template(template, **context), mimetype=HTML)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["Vary"] = "Accept"
    return response


@blp.get("/<code>")
def describe(code: str) -> Any:
    """A problem type's title, status, meaning and what to do about it."""
    problem = catalogue().get(code)
    if problem is None:
        raise RequestNotFound(f"no problem type {code}")
    if _wants_html():
        return _page("docs/problem.html", problem=problem)
    response = jsonify(_as_json(problem))
    response.headers["Vary"] = "Accept"
    return response


@blp.get("/")
def index() -> Any:
    """Every problem type the gateway answers."""
    problems = catalogue()
    if _wants_html():
        return _page("docs/problems.html", problems=problems.values())
    response = jsonify({code: _as_json(problem) for code, problem in problems.items()})
    response.headers["Vary"] = "Accept"
    return response
