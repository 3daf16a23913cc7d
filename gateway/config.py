"""Settings: one typed object, read once from the environment and an optional TOML file.

Every setting `name` is the variable `LAGW_<NAME>`, or the key `name` in the file that `LAGW_CONFIG_FILE`
names; the environment wins over the file.
"""

import base64
import hashlib
import logging
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, get_args, get_type_hints
from urllib.parse import urlsplit, urlunsplit

from gateway.rules.documents import DEFAULT_NUMBER_PATTERN, check_number_pattern

log = logging.getLogger(__name__)

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_DATABASE_URL = "sqlite:///lagw.sqlite3"
_DEV_ID_HASH_KEY = "development-only-id-hash-key"
_DEV_CREDENTIAL_KEY = "development-only-credential-key"
_DEV_CONSOLE_SECRET = "development-only-console-secret"
# Per agency: 10 a second sustained is far above any court's or bureau's real traffic (a city's agencies send
# a few thousand messages a day) yet lets a client catch up a day's backlog in minutes; 50 in one second
# stops a runaway loop before it takes more than a small share of one worker's capacity.
DEFAULT_RATE_LIMIT = "600/minute;50/second"
# Per address at the console's sign-in, beside the per-account lockout: slows password spraying across
# many accounts; an office behind one NAT address still signs in a dozen people in a morning.
DEFAULT_SIGN_IN_RATE_LIMIT = "10/minute;50/hour"
# One data key, id "dev", derived from a published string: it protects nothing. Production sets LAGW_DATA_KEYS.
_DEV_DATA_KEYS = "dev:" + base64.b64encode(hashlib.sha256(b"development-only-data-key").digest()).decode("ascii")


@dataclass(frozen=True)
class Settings:
    """Everything the gateway's processes are configured with."""

    database_url: str = DEFAULT_DATABASE_URL
    amqp_url: str = DEFAULT_AMQP_URL
    id_hash_key: str = _DEV_ID_HASH_KEY
    max_body_bytes: int = 1024 * 1024
    routing_file: Path | None = None
    calendar_file: Path | None = None
    subsistence_standards_file: Path | None = None
    duty_lawyer_working_days: int = 2
    relay_batch_size: int = 500
    credential_key: str = _DEV_CREDENTIAL_KEY
    token_window_seconds: int = 300
    public_url: str | None = None
    deadline_lead_hours: float = 24.0
    # How often, at most, the audit sequencer publishes a checkpoint of the chain (audit.checkpoint).
    audit_checkpoint_seconds: float = 300.0
    console_secret: str = _DEV_CONSOLE_SECRET
    console_cookie_secure: bool = True
    delivery_first_retry_seconds: float = 10.0
    delivery_max_retry_seconds: float = 3600.0
    delivery_max_attempts: int = 12
    callback_timeout_seconds: float = 10.0
    store_timeout_seconds: float = 5.0
    store_pool_size: int = 12  # connections a process keeps open: above a worker's threads, so none is remade
    broker_blocked_timeout_seconds: float = 15.0
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    tls_client_ca: Path | None = None
    rate_limit: str = DEFAULT_RATE_LIMIT  # "" turns the per-agency limit off
    rate_limit_storage: str = "memory://"  # per process; redis://… to share counts between workers
    sign_in_rate_limit: str = DEFAULT_SIGN_IN_RATE_LIMIT
    # "id:base64key,…": the first key seals personal data at rest, every one opens it.
    data_keys: str = field(default=_DEV_DATA_KEYS, repr=False)
    # Original messages are purged this long after receipt unless held (a policy: the law sets no period).
    payload_retention_days: int = 3 * 365
    log_format: str = "json"  # json lines, or "text" for a person at a terminal
    # Behind a TLS-terminating proxy: the header carrying the verified client certificate (URL-escaped PEM,
    # nginx's $ssl_client_escaped_cert), believed only from the proxies' addresses.
    client_cert_header: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    # The bearer token Prometheus sends to scrape /metrics; none: /metrics answers only this host's loopback.
    metrics_token: str = field(default="", repr=False)
    # Callback hosts allowed although not public (agencies on a private network): names, addresses, networks.
    callback_allowed_hosts: tuple[str, ...] = ()
    # The official documents (gateway/documents/): the Chinese TrueType font embedded in each PDF (none: the first
    # of Debian's found), the number pattern, and each centre's prefix in it ("lac370200=青法援,lac370202=青南法援").
    document_font: Path | None = None
    document_number_pattern: str = DEFAULT_NUMBER_PATTERN
    document_prefixes: tuple[str, ...] = ()
    # Processes bring the store to the latest migration at start; false: only `lagw db upgrade` migrates,
    # and a process refuses a store that is behind.
    auto_migrate: bool = True

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Read the file `LAGW_CONFIG_FILE` names (if any), then `LAGW_*` variables; unset ones keep their defaults."""
        env = dict(os.environ if environ is None else environ)
        values = _read_file(Path(env["LAGW_CONFIG_FILE"])) if env.get("LAGW_CONFIG_FILE") else {}
        for name in setting_names():
            variable = env_name(name)
            if variable in env:
                values[name] = env[variable]
        settings = cls().with_values(values, source_of=lambda name: _source(name, env))
        if not settings.rate_limit_storage:
            settings = replace(settings, rate_limit_storage="memory://")
        proxy_networks(settings.trusted_proxies)  # a malformed address stops the start, not a request
        check_number_pattern(settings.document_number_pattern)
        settings.prefixes()  # a malformed prefix list stops the start too
        for name, default in _DEVELOPMENT_SECRETS.items():
            if getattr(settings, name) == default:
                log.warning("%s is not set: using the development key; set it in production", env_name(name))
        return settings

    def prefixes(self) -> dict[str, str]:
        """Each centre's document number prefix, from `document_prefixes` ("code=prefix" items)."""
        found: dict[str, str] = {}
        for item in self.document_prefixes:
            code, sep, prefix = item.partition("=")
            if not sep or not code.strip() or not prefix.strip() or len(prefix.strip()) > 20:
                raise ValueError(f"LAGW_DOCUMENT_PREFIXES: {item!r} is not centre_code=prefix (at most 20 characters)")
            found[code.strip()] = prefix.strip()
        return found

    def with_values(self, values: dict[str, Any], source_of: Callable[[str], str] | None = None) -> "Settings":
        """A copy with `values` (text from the environment, or TOML values) converted to each setting's type."""
        hints = get_type_hints(type(self))
        converted: dict[str, Any] = {}
        for name, raw in values.items():
            if name not in hints:
                raise ConfigError(f"unknown setting {name!r}")
            where = source_of(name) if source_of else name
            converted[name] = _convert(raw, hints[name], where, shown=name not in SECRET_SETTINGS)
        return replace(self, **converted)


class ConfigError(ValueError):
    """A setting that cannot be read: its source and what is wrong."""


def setting_names() -> list[str]:
    """Every setting's name, in declaration order."""
    return [f.name for f in fields(Settings)]


def env_name(name: str) -> str:
    """The environment variable of a setting."""
    return f"LAGW_{name.upper()}"


def unknown_variables(environ: dict[str, str]) -> list[str]:
    """`LAGW_*` variables no setting reads (a typo leaves a default in force)."""
    known = {env_name(name) for name in setting_names()} | {"LAGW_CONFIG_FILE"} | _OTHER_VARIABLES
    return sorted(name for name in environ if name.startswith("LAGW_") and name not in known)


SECRET_SETTINGS = frozenset({"id_hash_key", "credential_key", "console_secret", "data_keys", "metrics_token"})
_DEVELOPMENT_SECRETS = {
    "id_hash_key": _DEV_ID_HASH_KEY,
    "credential_key": _DEV_CREDENTIAL_KEY,
    "console_secret": _DEV_CONSOLE_SECRET,
    "data_keys": _DEV_DATA_KEYS,
}
# Read elsewhere than Settings: by the CLI for one command, or by the tests.
_OTHER_VARIABLES = frozenset(
    {"LAGW_CALLBACK_SECRET", "LAGW_BIND", "LAGW_TEST_POSTGRES", "LAGW_TEST_STORE", "LAGW_CHROMIUM"}
)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def log_format_of(environ: dict[str, str]) -> str:
    """The log format, read before anything else is (so that the settings' own warnings are formatted)."""
    if "LAGW_LOG_FORMAT" in environ:
        return environ["LAGW_LOG_FORMAT"].strip()
    if environ.get("LAGW_CONFIG_FILE"):
        try:
            return str(_read_file(Path(environ["LAGW_CONFIG_FILE"])).get("log_format", Settings.log_format))
        except ConfigError:
            pass  # reported when the settings are read
    return Settings.log_format


def proxy_networks(entries: tuple[str, ...]) -> list[IPv4Network | IPv6Network]:
    """LAGW_TRUSTED_PROXIES as networks: an address, or a network such as 10.0.1.0/24."""
    try:
        return [ip_network(entry, strict=False) for entry in entries]
    except ValueError as exc:
        raise ConfigError(f"LAGW_TRUSTED_PROXIES: {exc}") from exc


def without_password(url: str) -> str:
    """A connection URL fit to print: its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def is_development_secret(name: str, value: str) -> bool:
    """Whether a secret setting still holds the published development value."""
    return _DEVELOPMENT_SECRETS.get(name) == value


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            loaded = tomllib.load(file)
    except OSError as exc:
        raise ConfigError(f"LAGW_CONFIG_FILE: cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"LAGW_CONFIG_FILE: {path} is not valid TOML: {exc}") from exc
    unknown = sorted(set(loaded) - set(setting_names()))
    if unknown:
        raise ConfigError(f"LAGW_CONFIG_FILE: {path} has unknown setting(s): {', '.join(unknown)}")
    return loaded


def _source(name: str, env: dict[str, str]) -> str:
    return env_name(name) if env_name(name) in env else f"{name} in {env.get('LAGW_CONFIG_FILE')}"


def _convert(raw: Any, hint: Any, where: str, shown: bool = True) -> Any:
    optional = isinstance(hint, UnionType) and NoneType in get_args(hint)
    kind = next(arg for arg in get_args(hint) if arg is not NoneType) if optional else hint
    if isinstance(raw, str):
        raw = raw.strip()
        if optional and raw == "":
            return None
    converter, expected = _CONVERTERS[kind]
    try:
        return converter(raw)
    except (TypeError, ValueError):
        value = f", not {raw!r}" if shown else f", not a {type(raw).__name__}"
        raise ConfigError(f"{where} must be {expected}{value}") from None


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text not in _TRUE + _FALSE:
        raise ValueError(text)
    return text in _TRUE


def _to_number(kind: type[int] | type[float]) -> Callable[[Any], Any]:
    def convert(raw: Any) -> Any:
        if isinstance(raw, bool):
            raise TypeError(raw)
        return kind(raw)

    return convert


def _to_text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError(raw)
    return raw


def _to_list(raw: Any) -> tuple[str, ...]:
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return tuple(str(item).strip() for item in items if str(item).strip())


_CONVERTERS: dict[Any, tuple[Callable[[Any], Any], str]] = {
    bool: (_to_bool, "true or false"),
    int: (_to_number(int), "an integer"),
    float: (_to_number(float), "a number"),
    str: (_to_text, "text"),
    Path: (lambda raw: Path(_to_text(raw)), "a path"),
    tuple[str, ...]: (_to_list, "a comma-separated list"),
}
