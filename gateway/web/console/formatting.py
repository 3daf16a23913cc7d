"""Template filters: times in China, time left before a deadline, values for date-time inputs."""

from datetime import datetime

from gateway.rules.deadlines import CHINA_TZ as CHINA


def china_time(moment: datetime | None, seconds: bool = False) -> str:
    """A moment as Beijing time, e.g. 2026-11-26 10:00."""
    if moment is None:
        return "—"
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def time_left(seconds: int) -> str:
    """剩余 2天3小时 / 剩余 45分钟 / 已超期 5小时 (the script keeps it ticking)."""
    late = seconds < 0
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        span = f"{days}天{hours}小时"
    elif hours:
        span = f"{hours}小时{minutes}分钟"
    else:
        span = f"{minutes}分钟"
    return f"已超期 {span}" if late else f"剩余 {span}"


def local_input(moment: datetime) -> str:
    """The value of a datetime-local input showing `moment` in China."""
    return moment.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")


FILTERS = {"china_time": china_time, "time_left": time_left, "local_input": local_input}
