"""Settings: one typed object, read once from the environment."""

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_DATABASE_URL = "sqlite:///lagw.sqlite3"
_DEV_ID_HASH_KEY = "development-only-id-hash-key"
_DEV_CREDENTIAL_KEY = "development-only-credential-key"
_DEV_CONSOLE_SECRET = "development-only-console-secret"


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
            payload_retention_days=int(env.get("LAGW_PAYLOAD_RETENTION_DAYS", 3 * 365)),
        )
        for name, value, default in (
            ("LAGW_ID_HASH_KEY", settings.id_hash_key, _DEV_ID_HASH_KEY),
            ("LAGW_CREDENTIAL_KEY", settings.credential_key, _DEV_CREDENTIAL_KEY),
            ("LAGW_CONSOLE_SECRET", settings.console_secret, _DEV_CONSOLE_SECRET),
        ):
            if value == default:
                log.warning("%s is not set: using the development key; set it in production", name)
        return settings


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
