"""The OpenAPI document says what the error mapping does: every error response is problem+json, and every
answer the gateway can give an operation is declared, with the problem codes it carries and its headers."""

from http import HTTPStatus
from typing import Any

from apispec import APISpec, BasePlugin

from gateway.web.problems import PROBLEM_MEDIA_TYPE

PROBLEM_COMPONENT = "Problem"

_RETRY_AFTER = {
    "description": "重试等待秒数 · seconds to wait before sending again (RFC 9110 §10.2.3)",
    "schema": {"type": "integer", "minimum": 1},
}
_LOCATION = {
    "description": "状态查询地址 · the status resource of the request (`/api/v1/requests/{id}`)",
    "schema": {"type": "string"},
}
# The answers every API call can get, and those only a call with a body can get (status: description).
_EVERY_CALL = {
    401: "未通过身份认证 · no key, or a key that matches no agency: `unauthenticated`",
    429: "请求过于频繁 · the agency is over its rate limit: `rate-limited`; wait `Retry-After` seconds",
    503: "服务暂不可用 · the store or the broker is unavailable, nothing was stored: `service-unavailable`, "
    "`store-busy`; wait `Retry-After` seconds and send the same message again",
}
_WITH_BODY = {
    400: "报文无法解析 · the body is not well-formed JSON, or not UTF-8: `malformed-body` (detail gives where)",
    403: "无权发送 · this agency type may not send this, or the case is in another city: `kind-not-allowed`, "
    "`outside-jurisdiction`",
    413: "报文过大 · the body is over the size limit: `payload-too-large`",
    415: "报文类型不符 · not `application/json` in UTF-8: `unsupported-media-type`",
}
_WITH_RETRY_AFTER = (429, 503)
# The Chinese name put before an answer's English description.
_IN_CHINESE = {"200": "成功", "202": "已受理", "404": "找不到该请求", "409": "当前状态不允许", "default": "其他错误"}
_INVALID_MESSAGE = (
    "报文未通过校验 · the message is well-formed but wrong; `errors` names each field: `validation-failed`, "
    "`invalid-id-number` (GB 11643), `identity-mismatch`, `grounds-invalid`, `stage-not-allowed`, `no-route`"
)
_INVALID_ANSWER = "报文未通过校验 · the answer is well-formed but wrong; `errors` names each field: `validation-failed`"


class ProblemResponses(BasePlugin):
    """An apispec plugin: each 4xx/5xx and default response of an operation is a `Problem` document."""

    def init_spec(self, spec: APISpec) -> None:
        """Keep the spec to refer to the `Problem` schema component."""
        self.spec = spec

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        """Declare every answer an operation can get; error answers as problem documents."""
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            declared = {**_EVERY_CALL, **(_WITH_BODY if method == "post" else {})}
            for status, description in declared.items():
                responses.setdefault(status, {"description": description})
            for status, response in list(responses.items()):
                if _is_error(status):
                    responses[status] = self._problem(status, response)
                if int(status if str(status).isdigit() else 0) in _WITH_RETRY_AFTER:
                    responses[status]["headers"] = {"Retry-After": _RETRY_AFTER}
                _in_chinese(status, responses[status])
                if str(status) == "422" and responses[status]["description"] == _phrase(422):
                    responses[status]["description"] = _INVALID_ANSWER if path and "{" in path else _INVALID_MESSAGE
            if path and "{" not in path:  # an agency's message: the receipt names its status resource
                for status in (200, 202):
                    if status in responses or str(status) in responses:
                        responses[status if status in responses else str(status)]["headers"] = {"Location": _LOCATION}

    def _problem(self, status: int | str, response: dict[str, Any] | str) -> dict[str, Any]:
        description = response.get("description") if isinstance(response, dict) else None
        return {
            "description": description or _phrase(status),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": self.spec.components.get_ref("schema", PROBLEM_COMPONENT)}},
        }


def _in_chinese(status: int | str, response: dict[str, Any] | str) -> None:
    """Put the answer's Chinese name before an English-only description."""
    if not isinstance(response, dict):
        return
    description = response.get("description") or ""
    name = _IN_CHINESE.get(str(status))
    if name and not any("\u4e00" <= ch <= "\u9fff" for ch in description):
        response["description"] = f"{name} · {description}" if description else name


def _is_error(status: int | str) -> bool:
    return str(status) == "default" or int(status) >= 400


def _phrase(status: int | str) -> str:
    if str(status) == "default":
        return "An error, as an RFC 9457 problem document"
    return HTTPStatus(int(status)).phrase
