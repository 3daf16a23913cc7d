"""The OpenAPI document says what the error mapping does: every error response is problem+json."""

from http import HTTPStatus
from typing import Any

from apispec import APISpec, BasePlugin

from gateway.web.problems import PROBLEM_MEDIA_TYPE

PROBLEM_COMPONENT = "Problem"


class ProblemResponses(BasePlugin):
    """An apispec plugin: each 4xx/5xx and default response of an operation is a `Problem` document."""

    def init_spec(self, spec: APISpec) -> None:
        """Keep the spec to refer to the `Problem` schema component."""
        self.spec = spec

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        """Rewrite the error responses flask-smorest documents as plain JSON into problem documents."""
        for operation in (operations or {}).values():
            responses = operation.get("responses", {})
            for status, response in responses.items():
                if _is_error(status):
                    responses[status] = self._problem(status, response)

    def _problem(self, status: int | str, response: dict[str, Any] | str) -> dict[str, Any]:
        description = response.get("description") if isinstance(response, dict) else None
        return {
            "description": description or _phrase(status),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": self.spec.components.get_ref("schema", PROBLEM_COMPONENT)}},
        }


def _is_error(status: int | str) -> bool:
    return str(status) == "default" or int(status) >= 400


def _phrase(status: int | str) -> str:
    if str(status) == "default":
        return "An error, as an RFC 9457 problem document"
    return HTTPStatus(int(status)).phrase
