"""The web application factory."""

import logging
from collections.abc import Iterable

from flask import Flask
from flask_smorest import Blueprint as ApiBlueprint

from adapters.registry import declarations, type_names
from gateway.bootstrap import Services, build_services
from gateway.config import Settings
from gateway.logs import keep_bodies_out_of_logs
from gateway.tracing import configure_tracing
from gateway.web import api_page, centre, health, problems_doc, status
from gateway.web.api import describe_document, make_api
from gateway.web.console import init_console
from gateway.web.content_encoding import init_content_encoding
from gateway.web.context import EXTENSION
from gateway.web.metrics import init_metrics
from gateway.web.problems import register_error_handlers
from gateway.web.rate_limits import init_rate_limits
from gateway.web.request_ids import init_request_ids
from gateway.web.soap.faults import SERVICES_EXTENSION
from gateway.web.soap.service import SoapService
from schemas.dialect import warm_up


def default_adapters() -> list[ApiBlueprint]:
    """The agency types' REST blueprints, one per folder under adapters/ (the core never imports an adapter)."""
    from adapters.rest import rest_blueprints

    return rest_blueprints()


def default_soap_services() -> list[SoapService]:
    """The agency types' SOAP services, one per folder under adapters/."""
    from adapters.soap import soap_services

    return list(soap_services())


def create_app(
    settings: Settings | None = None,
    services: Services | None = None,
    adapters: Iterable[ApiBlueprint] | None = None,
    soap_services: Iterable[SoapService] | None = None,
) -> Flask:
    """Build the gateway's Flask app; tests pass their own settings or services."""
    settings = settings or (services.settings if services else Settings.from_env())
    configure_tracing()
    app = Flask("gateway")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = services or build_services(settings)
    agencies = declarations()
    api = make_api(app, agencies)
    api_blueprints = list(adapters if adapters is not None else default_adapters())
    for blueprint in api_blueprints:
        api.register_blueprint(blueprint)
    api.register_blueprint(status.blp)
    api.register_blueprint(centre.blp)
    describe_document(api, type_names())
    soap = list(soap_services) if soap_services is not None else default_soap_services()
    for service in soap:
        app.register_blueprint(service.blueprint())
    app.extensions[SERVICES_EXTENSION] = {service.name: service.namespace for service in soap}
    app.register_blueprint(health.blp)
    init_request_ids(app)
    init_content_encoding(app, settings.max_body_bytes)
    init_metrics(app, {blueprint.name for blueprint in api_blueprints})
    app.register_blueprint(problems_doc.blp)
    app.register_blueprint(api_page.blp)
    init_console(app, settings, type_names())
    init_rate_limits(app, settings)
    register_error_handlers(app)
    warm_up()  # before the first request, not in each of the threads that serve it
    logging.getLogger("gateway").setLevel(logging.INFO)
    keep_bodies_out_of_logs()
    return app
