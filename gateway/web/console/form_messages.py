"""The API's validation messages as a clerk reads them: in Chinese, citing the law as it is written.

The console loads its forms through the API's own schemas and use cases, so a form is refused for exactly
the reasons an agency's call would be; only the words change. A message without a translation is shown as
the API gives it, never dropped.
"""

import re

EXACT = {
    "Missing data for required field.": "必填。",
    "Field may not be null.": "必填。",
    "String does not match expected pattern.": "格式不正确。",
    "17 digits (执业证号)": "执业证号应为 17 位数字。",
    "Not a valid datetime.": "日期时间格式不正确，请按“年-月-日 时:分”填写。",
    "Not a valid aware datetime.": "请填写带时区的日期时间。",
    "Not a valid integer.": "请填写整数。",
    "Not a valid string.": "请填写文字。",
    "must be between 1950 and 2099": "日期须在 1950 年至 2099 年之间。",
    "must not contain control characters": "不能含有控制字符。",
    "required for a duty lawyer: where and when": "值班律师须填写值班地点和时间。",
    "a refusal needs reason_code and reason (LAL 43)": "不予法律援助须写明理由（《法律援助法》第四十三条）。",
    "already used for another request": "该表单已用于另一件请求，请刷新页面后重新填写。",
    "before the request was received: a lawyer is appointed, or a decision made, after the notice": (
        "时间早于收到该请求的时间，请核对（指派与决定均在收到通知之后）。"
    ),
}
PATTERNS = (
    (
        re.compile(r"^at least (\d+) years of practice for a possible life or death sentence or in death-penalty"),
        "可能判处无期徒刑、死刑和死刑复核的案件，须指派执业 {0} 年以上的律师（《法律援助法》第二十六条）。",
    ),
    (
        re.compile(r"^already defends another defendant in case (.+): one lawyer may not defend two co-defendants$"),
        "该律师已担任同案（{0}）其他被告人的辩护人，一名辩护人不得为两名以上同案被告人辩护，请另行指派。",
    ),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "不能超过 {0} 个字。"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "长度须在 {0} 至 {1} 个字之间。"),
    (re.compile(r"^Must be greater than or equal to (-?\d+) and less than or equal to (-?\d+)\.$"),
     "须在 {0} 至 {1} 之间。"),
    (re.compile(r"^Must be one of: (.+)\.$"), "须为下列之一：{0}。"),
    (re.compile(r"^must not contain control characters or invisible formatting \((.+)\)$"),
     "不能含有控制字符或不可见的格式字符（{0}）。"),
)  # fmt: skip
# What a refusal of the whole form says, by the API's problem code.
PROBLEMS = {
    "illegal-transition": "该请求当前的状态不允许这样办理，请刷新页面查看最新状态。",
    "request-not-found": "找不到该请求，或它不属于本中心。",
}
FORM_REFUSED = "表单有误，请按提示修改。"


def in_chinese(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each field's messages in Chinese where a translation is known."""
    return {field: [message_in_chinese(message) for message in messages] for field, messages in errors.items()}


def message_in_chinese(message: str) -> str:
    """One message in Chinese, or as given when it has no translation."""
    if message in EXACT:
        return EXACT[message]
    for pattern, template in PATTERNS:
        found = pattern.match(message)
        if found:
            return template.format(*found.groups())
    return message


def refusal_in_chinese(code: str, detail: str) -> str:
    """What the whole form's refusal says: a sentence for a known problem, else the API's own detail."""
    return PROBLEMS.get(code, detail)
