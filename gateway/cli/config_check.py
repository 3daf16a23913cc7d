"""`lagw config check`: is the configuration usable, and what would it connect to (never a secret's value)."""

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from limits import parse_many
from limits.errors import ConfigurationError
from limits.storage import storage_from_string

from gateway.config import (
    SECRET_SETTINGS,
    Settings,
    env_name,
    is_development_secret,
    proxy_networks,
    without_password,
)
from gateway.documents.pdf import NoChineseFont, find_font
from gateway.messaging.probe import broker_identity
from gateway.rules.calendar import load_calendar, unconfirmed_soon
from gateway.rules.deadlines import CHINA_TZ
from gateway.rules.hardship import load_standards
from gateway.rules.routing import load_routing_table
from gateway.security.data_keys import DataKeyRing
from gateway.store.engine import make_engine
from gateway.store.migrate import current_revision, head_revision

LOG_FORMATS = ("json", "text")


@dataclass(frozen=True)
class Finding:
    """One line of the report: `ok`, `warning` or `error`, about a subject."""

    level: str
    subject: str
    text: str


def check_settings(settings: Settings, connect: bool = True) -> list[Finding]:
    """Every finding about the settings; with `connect`, the store and the broker are tried too."""
    findings = [*_secrets(settings), *_files(settings), *_values(settings)]
    if connect:
        findings += [_store(settings), _broker(settings)]
    return findings


def describe(settings: Settings) -> list[tuple[str, str]]:
    """Each setting with its value as it may be shown: connection URLs without passwords, secrets as set or not."""
    shown = []
    for field in fields(settings):
        value = getattr(settings, field.name)
        if field.name in SECRET_SETTINGS:
            text = "development default" if is_development_secret(field.name, value) else "set" if value else "not set"
        elif field.name in ("database_url", "amqp_url", "rate_limit_storage"):
            text = without_password(value)
        else:
            text = "" if value is None else ",".join(value) if isinstance(value, tuple) else str(value)
        shown.append((env_name(field.name), text))
    return shown


def _secrets(settings: Settings) -> Iterator[Finding]:
    for name in sorted(SECRET_SETTINGS):
        if is_development_secret(name, getattr(settings, name)):
            yield Finding("warning", env_name(name), "the published development value: it protects nothing")
    yield _attempt("LAGW_DATA_KEYS", lambda: "current " + DataKeyRing.parse(settings.data_keys).current_id)


def _files(settings: Settings) -> Iterator[Finding]:
    routing, calendar = settings.routing_file, settings.calendar_file
    yield _attempt("LAGW_ROUTING_FILE", lambda: f"{len(load_routing_table(routing).centres)} centre(s)")
    yield _attempt("LAGW_CALENDAR_FILE", lambda: f"{len(load_calendar(calendar).extra_rest_days)} local rest day(s)")
    yield from _calendar_years(calendar)
    standards = settings.subsistence_standards_file
    yield _attempt(
        "LAGW_SUBSISTENCE_STANDARDS_FILE",
        lambda: f"minimum living standards for {len(load_standards(standards).by_district)} district(s)",
    )
    yield _font(settings.document_font)
    for name in ("tls_certfile", "tls_keyfile", "tls_client_ca"):
        path: Path | None = getattr(settings, name)
        if path is not None and not path.is_file():
            yield Finding("error", env_name(name), f"{path} is not a readable file")
    if (settings.tls_certfile is None) != (settings.tls_keyfile is None):
        yield Finding("error", "LAGW_TLS_CERTFILE", "TLS needs both LAGW_TLS_CERTFILE and LAGW_TLS_KEYFILE")


def _font(configured: Path | None) -> Finding:
    """The Chinese font the official documents embed: without it `lagw answers` cannot apply a decision."""
    try:
        path = find_font(configured)
    except NoChineseFont as exc:
        return Finding("error", "LAGW_DOCUMENT_FONT", str(exc))
    from gateway.documents.layout import font_name  # reportlab: read the file as the documents will

    try:
        font_name(path)
    except Exception as exc:  # reportlab's TTFError and whatever a damaged file raises
        return Finding("error", "LAGW_DOCUMENT_FONT", f"{path} is not a TrueType font ({type(exc).__name__})")
    return Finding("ok", "LAGW_DOCUMENT_FONT", str(path))


def _calendar_years(calendar: Path | None) -> Iterator[Finding]:
    """A warning for this year, or the next within 60 days, without its State Council notice."""
    try:
        work = load_calendar(calendar)
    except (OSError, ValueError):
        return  # reported by the file's own check
    for year in unconfirmed_soon(work, datetime.now(CHINA_TZ).date()):
        yield Finding(
            "warning",
            "LAGW_CALENDAR_FILE",
            f"no State Council notice for {year}: deadlines in {year} are flagged calendar_unconfirmed; "
            f"load it with `lagw calendar load --year {year}`",
        )


def _values(settings: Settings) -> Iterator[Finding]:
    if settings.log_format not in LOG_FORMATS:
        yield Finding("error", "LAGW_LOG_FORMAT", f"must be one of {', '.join(LOG_FORMATS)}")
    if settings.client_cert_header and not settings.trusted_proxies:
        yield Finding("error", "LAGW_CLIENT_CERT_HEADER", "set LAGW_TRUSTED_PROXIES: the proxies it is believed from")
    if settings.public_url and not settings.public_url.startswith(("http://", "https://")):
        yield Finding("error", "LAGW_PUBLIC_URL", "must start with http:// or https://")
    if settings.store_pool_size < 1:
        yield Finding("error", "LAGW_STORE_POOL_SIZE", "must be at least 1 (above a worker's threads, 8 by default)")
    for name in ("rate_limit", "sign_in_rate_limit"):
        yield _attempt(env_name(name), partial(_limits_of, getattr(settings, name)))
    yield _storage(settings.rate_limit_storage)
    yield _attempt(
        "LAGW_TRUSTED_PROXIES", lambda: ", ".join(map(str, proxy_networks(settings.trusted_proxies))) or "none"
    )
    if not settings.metrics_token:
        yield Finding("warning", "LAGW_METRICS_TOKEN", "not set: /metrics answers only this host's loopback")


def _storage(uri: str) -> Finding:
    try:
        return Finding("ok", "LAGW_RATE_LIMIT_STORAGE", type(storage_from_string(uri)).__name__)
    except (ConfigurationError, ValueError):  # its message repeats the URI, password and all
        scheme = uri.partition("://")[0]
        return Finding("error", "LAGW_RATE_LIMIT_STORAGE", f"no storage the limits library knows for {scheme!r}://")


def _limits_of(spec: str) -> str:
    return ", ".join(map(str, parse_many(spec))) if spec else "off"


def _store(settings: Settings) -> Finding:
    subject = f"store {without_password(settings.database_url)}"
    engine = make_engine(settings.database_url, settings.store_timeout_seconds)
    try:
        current, head = current_revision(engine), head_revision()
    except sa.exc.SQLAlchemyError as exc:
        return Finding("error", subject, f"cannot connect: {type(getattr(exc, 'orig', None) or exc).__name__}")
    finally:
        engine.dispose()
    if current == head:
        return Finding("ok", subject, f"{engine.dialect.name}, at migration {head}")
    return Finding("warning", subject, f"at migration {current or 'none'}, the code needs {head}: `lagw db upgrade`")


def _broker(settings: Settings) -> Finding:
    subject = f"broker {without_password(settings.amqp_url)}"
    try:
        return Finding("ok", subject, broker_identity(settings.amqp_url))
    except ConnectionError as exc:
        return Finding("error", subject, str(exc))


def _attempt(subject: str, check: Callable[[], str]) -> Finding:
    try:
        return Finding("ok", subject, check())
    except (ValueError, OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        return Finding("error", subject, str(exc) or type(exc).__name__)
