"""GET /problems/<code>: what each problem `type` means, so the URI resolves to documentation."""

from typing import Any

from flask import Blueprint, jsonify

from gateway import errors
from gateway.errors import GatewayError, RequestNotFound

blp = Blueprint("problems", __name__, url_prefix="/problems")


def _catalogue() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for value in vars(errors).values():
        if isinstance(value, type) and issubclass(value, GatewayError):
            found[value.code] = {
                "title": value.title,
                "status": value.status,
                "description": (value.__doc__ or "").strip(),
            }
    return found


@blp.get("/<code>")
def describe(code: str) -> Any:
    """A problem type's title, status and meaning."""
    entry = _catalogue().get(code)
    if entry is None:
        raise RequestNotFound(f"no problem type {code}")
    return jsonify(code=code, **entry)


@blp.get("/")
def index() -> Any:
    """Every problem type the gateway answers."""
    return jsonify(_catalogue())
