"""The real clock."""

from datetime import UTC, datetime


class SystemClock:
    """The Clock port on the system time, in UTC."""

    def now(self) -> datetime:
        """The current time."""
        return datetime.now(UTC)
