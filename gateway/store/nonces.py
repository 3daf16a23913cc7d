"""WS-Security nonces seen inside the replay window, shared by every worker through the store."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from gateway.store.tables import security_nonces

_PURGE_EVERY = 256  # remembered nonces are purged once per this many calls


class SqlNonceRegistry:
    """Remembers (agency, nonce) pairs; a second sighting inside the window is a replay."""

    def __init__(self, engine: sa.Engine, window: timedelta) -> None:
        self._engine = engine
        self._window = window
        self._calls = 0

    def remember(self, agency_code: str, nonce: str, at: datetime) -> bool:
        """Record the nonce; False if it was already recorded (a replay)."""
        self._calls += 1
        try:
            with self._engine.begin() as conn:
                if self._calls % _PURGE_EVERY == 0:
                    conn.execute(security_nonces.delete().where(security_nonces.c.seen_at < at - 2 * self._window))
                conn.execute(security_nonces.insert().values(agency_code=agency_code, nonce=nonce, seen_at=at))
        except sa.exc.IntegrityError:
            return False
        return True
