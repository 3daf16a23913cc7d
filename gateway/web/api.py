"""The REST API object: OpenAPI from the schemas, and the checks every API call passes first."""

from collections.abc import Mapping

from flask import Flask, request
from flask_smorest import Api

from gateway.contracts.agency import AgencyDeclaration
from gateway.contracts.glossary import AcceptedStages, describe
from gateway.errors import UnsupportedMediaType
from gateway.web.auth import authenticate_agency
from gateway.web.openapi_problems import PROBLEM_COMPONENT, ProblemResponses
from schemas.problem import ProblemSchema

API_PREFIX = "/api/v1/"
_PUBLIC = {"/api/v1/openapi.json"}
_JSON_TYPES = ("application/json",)


def make_api(app: Flask, agencies: tuple[AgencyDeclaration, ...]) -> Api:
    """Configure flask-smorest so the OpenAPI document is served at /api/v1/openapi.json; `agencies` are the
    declared agency types, whose names and permissions the document states."""
    names = "、".join(agency.name for agency in agencies)
    app.config.update(
        API_TITLE="法律援助协同平台 Legal Aid Gateway",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": (
                    f"{names}向法律援助中心发送刑事法律援助事务（通知辩护、值班律师、转交申请），"
                    "中心的指派与决定经此回传。每次调用以本机关的接口密钥认证（`Authorization: Bearer <key>`）；"
                    "报文为 UTF-8 编码的 JSON；时间一律带时区（中国时间 +08:00）；错误以 RFC 9457 格式答复，"
                    "`type` 指向 /problems/ 下的说明页。\n\n"
                    "Case-handling organs (courts, procuratorates, police …) send criminal legal-aid work to the "
                    "legal aid centre. "
                    "Every call is authenticated with the agency's API key (`Authorization: Bearer <key>`). "
                    "Bodies are JSON in UTF-8; every time carries its offset (China time, +08:00). "
                    "Errors are RFC 9457 problem documents with a stable `type` that resolves under /problems/."
                )
            },
            "security": [{"agencyKey": []}],
        },
    )
    accepted = {
        f"/api/v1/{agency.type}/{operation.resource}": agency.permissions[operation.kind]
        for agency in agencies
        for operation in agency.operations
    }
    api = Api(app, spec_kwargs={"extra_plugins": [ProblemResponses(), AcceptedStages(accepted)]})
    api.spec.components.security_scheme("agencyKey", {"type": "http", "scheme": "bearer"})
    api.spec.components.schema(PROBLEM_COMPONENT, schema=ProblemSchema)
    app.before_request(_check_api_call)
    return api


def _check_api_call() -> None:
    """Authenticate, then refuse a body of the wrong media type, before any parsing."""
    if not request.path.startswith(API_PREFIX) or request.path in _PUBLIC:
        return
    authenticate_agency()
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype not in _JSON_TYPES:
        raise UnsupportedMediaType(f"send the body as application/json, not {request.mimetype or 'nothing'}")
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if request.method in ("POST", "PUT", "PATCH") and charset not in ("utf-8", "utf8"):
        # JSON is UTF-8 (RFC 8259 §8.1); a body declared GBK or GB18030 would be stored under a name it is not.
        raise UnsupportedMediaType(
            f"send the JSON body in UTF-8 (charset=utf-8 or no charset), not charset={charset}; "
            "a system that writes GBK or GB18030 converts it before sending"
        )


def describe_document(api: Api, agency_types: Mapping[str, str]) -> None:
    """Once every resource is registered: every property of the document described in Chinese and English."""
    describe(api.spec.components.schemas, agency_types)
