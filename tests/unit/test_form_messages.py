"""The console's form messages in Chinese, the API's words kept where no translation is known."""

import pytest

from gateway.web.console.form_messages import in_chinese, message_in_chinese, refusal_in_chinese


@pytest.mark.parametrize(
    ("message", "chinese"),
    [
        ("Missing data for required field.", "必填。"),
        ("String does not match expected pattern.", "格式不正确。"),
        ("17 digits (执业证号)", "执业证号应为 17 位数字。"),
        ("Not a valid datetime.", "日期时间格式不正确，请按“年-月-日 时:分”填写。"),
        ("required for a duty lawyer: where and when", "值班律师须填写值班地点和时间。"),
        ("a refusal needs reason_code and reason (LAL 43)", "不予法律援助须写明理由（《法律援助法》第四十三条）。"),
        (
            "at least 3 years of practice for a possible life or death sentence or in death-penalty review (LAL 26)",
            "可能判处无期徒刑、死刑和死刑复核的案件，须指派执业 3 年以上的律师（《法律援助法》第二十六条）。",
        ),
        (
            "before the request was received: a lawyer is appointed, or a decision made, after the notice",
            "时间早于收到该请求的时间，请核对（指派与决定均在收到通知之后）。",
        ),
        (
            "already defends another defendant in case （2026）鲁0202刑初318号: "
            "one lawyer may not defend two co-defendants",
            "该律师已担任同案（（2026）鲁0202刑初318号）其他被告人的辩护人，"
            "一名辩护人不得为两名以上同案被告人辩护，请另行指派。",
        ),
        ("Longer than maximum length 200.", "不能超过 200 个字。"),
        ("Length must be between 1 and 100.", "长度须在 1 至 100 个字之间。"),
        ("Must be greater than or equal to 0 and less than or equal to 70.", "须在 0 至 70 之间。"),
        ("Must be one of: granted, refused.", "须为下列之一：granted, refused。"),
        (
            "must not contain control characters or invisible formatting (U+200B)",
            "不能含有控制字符或不可见的格式字符（U+200B）。",
        ),
        ("something new the API says", "something new the API says"),  # shown, never dropped
    ],
)
def test_each_message_reads_in_chinese(message: str, chinese: str) -> None:
    assert message_in_chinese(message) == chinese


def test_every_field_keeps_all_its_messages() -> None:
    errors = {"lawyer.phone": ["Missing data for required field.", "String does not match expected pattern."]}
    assert in_chinese(errors) == {"lawyer.phone": ["必填。", "格式不正确。"]}


def test_a_refusal_of_the_whole_form_says_what_to_do() -> None:
    assert refusal_in_chinese("illegal-transition", "a request that is withdrawn cannot be assigned") == (
        "该请求当前的状态不允许这样办理，请刷新页面查看最新状态。"
    )
    assert refusal_in_chinese("some-new-problem", "the API's detail") == "the API's detail"
