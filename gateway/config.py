"""Settings: one typed object, read once from the environment."""

import base64
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

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
    duty_lawyer_working_days: int = 2
    relay_batch_size: int = 200
    credential_key: str = _DEV_CREDENTIAL_KEY
    token_window_seconds: int = 300
    public_url: str | None = None
    deadline_lead_hours: float = 24.0
    console_secret: str = _DEV_CONSOLE_SECRET
    console_cookie_secure: bool = True
    delivery_first_retry_seconds: float = 10.0
    delivery_max_retry_seconds: float = 3600.0
    delivery_max_attempts: int = 12
    callback_timeout_seconds: float = 10.0
    store_timeout_seconds: float = 5.0
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

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Read `LAGW_*` variables; unset ones keep their defaults."""
        env = dict(os.environ if environ is None else environ)
        settings = cls(
            database_url=env.get("LAGW_DATABASE_URL", DEFAULT_DATABASE_URL),
            amqp_url=env.get("LAGW_AMQP_URL", DEFAULT_AMQP_URL),
            id_hash_key=env.get("LAGW_ID_HASH_KEY", _DEV_ID_HASH_KEY),
            max_body_bytes=int(env.get("LAGW_MAX_BODY_BYTES", 1024 * 1024)),
            routing_file=_path(env.get("LAGW_ROUTING_FILE")),
            calendar_file=_path(env.get("LAGW_CALENDAR_FILE")),
            duty_lawyer_working_days=int(env.get("LAGW_DUTY_LAWYER_WORKING_DAYS", 2)),
            relay_batch_size=int(env.get("LAGW_RELAY_BATCH_SIZE", 200)),
            credential_key=env.get("LAGW_CREDENTIAL_KEY", _DEV_CREDENTIAL_KEY),
            token_window_seconds=int(env.get("LAGW_TOKEN_WINDOW_SECONDS", 300)),
            public_url=env.get("LAGW_PUBLIC_URL") or None,
            deadline_lead_hours=float(env.get("LAGW_DEADLINE_LEAD_HOURS", 24)),
            console_secret=env.get("LAGW_CONSOLE_SECRET", _DEV_CONSOLE_SECRET),
            console_cookie_secure=env.get("LAGW_CONSOLE_COOKIE_SECURE", "true").lower() not in ("0", "false", "no"),
            delivery_first_retry_seconds=float(env.get("LAGW_DELIVERY_FIRST_RETRY_SECONDS", 10)),
            delivery_max_retry_seconds=float(env.get("LAGW_DELIVERY_MAX_RETRY_SECONDS", 3600)),
            delivery_max_attempts=int(env.get("LAGW_DELIVERY_MAX_ATTEMPTS", 12)),
            callback_timeout_seconds=float(env.get("LAGW_CALLBACK_TIMEOUT_SECONDS", 10)),
            store_timeout_seconds=float(env.get("LAGW_STORE_TIMEOUT_SECONDS", 5)),
            broker_blocked_timeout_seconds=float(env.get("LAGW_BROKER_BLOCKED_TIMEOUT_SECONDS", 15)),
            tls_certfile=_path(env.get("LAGW_TLS_CERTFILE")),
            tls_keyfile=_path(env.get("LAGW_TLS_KEYFILE")),
            tls_client_ca=_path(env.get("LAGW_TLS_CLIENT_CA")),
            rate_limit=env.get("LAGW_RATE_LIMIT", DEFAULT_RATE_LIMIT).strip(),
            rate_limit_storage=env.get("LAGW_RATE_LIMIT_STORAGE") or "memory://",
            sign_in_rate_limit=env.get("LAGW_SIGN_IN_RATE_LIMIT", DEFAULT_SIGN_IN_RATE_LIMIT).strip(),
            data_keys=env.get("LAGW_DATA_KEYS", _DEV_DATA_KEYS),
            payload_retention_days=int(env.get("LAGW_PAYLOAD_RETENTION_DAYS", 3 * 365)),
        )
        for name, value, default in (
            ("LAGW_ID_HASH_KEY", settings.id_hash_key, _DEV_ID_HASH_KEY),
            ("LAGW_CREDENTIAL_KEY", settings.credential_key, _DEV_CREDENTIAL_KEY),
            ("LAGW_CONSOLE_SECRET", settings.console_secret, _DEV_CONSOLE_SECRET),
            ("LAGW_DATA_KEYS", settings.data_keys, _DEV_DATA_KEYS),
        ):
            if value == default:
                log.warning("%s is not set: using the development key; set it in production", name)
        return settings


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
