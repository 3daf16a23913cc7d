"""Template filters: times in China, time left before a deadline, values for date-time inputs, a failed
delivery in words a clerk can act on."""

from datetime import datetime

from gateway.rules.deadlines import CHINA_TZ as CHINA
from gateway.service.ports import Attempt


def _moment(moment: datetime | str | None) -> datetime | None:
    """A datetime, or the ISO 8601 text a stored body holds (with its offset); None for nothing or bad text."""
    if moment is None or isinstance(moment, datetime):
        return moment
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def china_time(moment: datetime | str | None, seconds: bool = False) -> str:
    """A moment as Beijing time, e.g. 2026-11-26 10:00."""
    found = _moment(moment)
    if found is None:
        return "—"
    return found.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


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


def local_input(moment: datetime | str | None) -> str:
    """The value of a datetime-local input showing `moment` in China (empty for no moment)."""
    found = _moment(moment)
    return "" if found is None else found.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")


# What a failed attempt's technical record says, in the words a clerk reads (the record stays, folded away).
_FAILURES = (
    ("callback WSDL refused", "对方的服务描述（WSDL）不合规，网关拒绝调用；请联系对方核实回调设置"),
    ("did not acknowledge", "对方系统收到但未确认接收"),
    ("no callback any more", "该机关已取消回调设置，请其自行查询办理状态"),
    ("no soap callback", "该类机关不支持所设置的回调方式"),
    ("no webhook callback", "该类机关不支持所设置的回调方式"),
    ("Timeout", "对方系统无响应（超时）"),
    ("ConnectionError", "无法连接对方系统"),
    ("ConnectError", "无法连接对方系统"),
)


def failure_summary(attempt: Attempt) -> str:
    """A failed attempt in Chinese: 对方系统无响应, 对方系统拒收（HTTP 400）… (the detail is shown apart)."""
    error = attempt.error or ""
    for marker, words in _FAILURES:
        if marker in error:
            return words
    if attempt.fault_code:
        return f"对方系统拒收（SOAP 故障 {attempt.fault_code}）"
    if attempt.http_status and attempt.http_status >= 500:
        return f"对方系统出错（HTTP {attempt.http_status}）"
    if attempt.http_status and attempt.http_status >= 400:
        return f"对方系统拒收（HTTP {attempt.http_status}）"
    if attempt.http_status and 300 <= attempt.http_status < 400:  # the gateway follows no redirect
        return f"对方系统要求转向其他地址，网关未跟随（HTTP {attempt.http_status}）"
    return "发送失败，原因见技术详情"


# The statutes the gateway cites, by the short names the code and the bus use.
_LAWS = {"LAL": "《法律援助法》", "CPL": "《刑事诉讼法》"}
_DOCUMENTS = {"duty-lawyer rules 2020": "《法律援助值班律师工作办法》（2020年）"}
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 to 999 as an article number is written: 十, 十九, 三十六, 一百一十, 三百零四."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and units:
        text += "零"
    return text + (_DIGITS[units] if units else "")


def citation(basis: str) -> str:
    """A legal basis as a clerk reads it.

    `LAL 30, 37; CPL 36` → 《法律援助法》第三十条、第三十七条；《刑事诉讼法》第三十六条; an unknown one stays as it is.
    """
    parts = []
    for group in (part.strip() for part in basis.split(";") if part.strip()):
        law, _, numbers = group.partition(" ")
        articles = [number.strip() for number in numbers.split(",")]
        if group in _DOCUMENTS:
            parts.append(_DOCUMENTS[group])
        elif law in _LAWS and all(a.isdigit() and 0 < int(a) < 1000 for a in articles):
            parts.append(_LAWS[law] + "、".join(f"第{chinese_number(int(a))}条" for a in articles))
        else:
            parts.append(group)
    return "；".join(parts)


FILTERS = {
    "citation": citation,
    "china_time": china_time,
    "time_left": time_left,
    "local_input": local_input,
    "failure_summary": failure_summary,
}
