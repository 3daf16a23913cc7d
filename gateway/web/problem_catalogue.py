"""Every problem `type` the gateway answers: its status, its English title and meaning, and the same in Chinese
with what the caller should do, for the `/problems/<code>` pages."""

from dataclasses import dataclass

from gateway import errors
from gateway.errors import GatewayError


@dataclass(frozen=True)
class ProblemType:
    """One problem type as its documentation page shows it."""

    code: str
    status: int
    title: str
    description: str
    title_zh: str
    meaning_zh: str
    action_zh: str


# code: (标题, 含义, 处理办法)
CHINESE: dict[str, tuple[str, str, str]] = {
    "internal-error": (
        "网关内部错误",
        "网关处理请求时发生了意外错误，请求未被受理。",
        "稍后重发同一报文（同一文号可安全重发）；如持续出现，请将响应中的 instance 告知网关运维人员。",
    ),
    "validation-failed": (
        "报文未通过校验",
        "报文格式正确，但字段缺失、取值不合法或相互矛盾；errors 按字段列出每一处问题。",
        "按 errors 逐项改正后重发；接口文档写明了每个字段的格式与取值。",
    ),
    "malformed-body": (
        "报文无法解析",
        "请求体不是合法的 JSON 或 XML，或不是 UTF-8 编码；detail 写明出错的位置与原因。",
        "检查报文的编码（UTF-8）与语法后重发。",
    ),
    "unsupported-media-type": (
        "不支持的报文类型",
        "请求体的媒体类型或字符集不被该接口接受：REST 接口只收 UTF-8 编码的 application/json。",
        "以 Content-Type: application/json（可加 charset=utf-8）发送；使用 GBK 或 GB18030 的系统须先转换为 UTF-8。",
    ),
    "payload-too-large": (
        "报文过大",
        "请求体超过网关允许的大小上限，未被读取。",
        "精简报文（附件不经本接口传送）后重发。",
    ),
    "invalid-id-number": (
        "身份证号码无效",
        "居民身份证号码不符合 GB 11643：位数、出生日期或校验码不对。",
        "核对当事人的证件号码；无法确认时按证件类型如实填写并说明。",
    ),
    "identity-mismatch": (
        "申报信息与身份证号码矛盾",
        "申报的出生日期或性别与身份证号码所含的不一致。",
        "核对出生日期、性别与证件号码，改正后重发。",
    ),
    "grounds-invalid": (
        "通知辩护情形与案情不符",
        "通知辩护的法定情形缺失、重复，或与当事人的年龄、残疾等情况相矛盾（《刑事诉讼法》第三十五条、第二百七十八条）。",
        "按案件实际情况填写法定情形后重发。",
    ),
    "stage-not-allowed": (
        "诉讼阶段不符",
        "该机关不在所申报的诉讼阶段办理案件（如法院在侦查阶段）。",
        "填写本机关实际所处的诉讼阶段后重发。",
    ),
    "unauthenticated": (
        "未通过身份认证",
        "请求未带凭据，或凭据不属于任何已登记的机关。",
        "在 Authorization 头中以 Bearer 方式携带本机关的接口密钥；密钥轮换后请使用新密钥。",
    ),
    "kind-not-allowed": (
        "无权发送此类报文",
        "法律未赋予该类机关发送此类报文的职责，或调用了其他类机关的接口。",
        "使用本机关类型对应的接口；如认为职责有误，请联系法律援助中心。",
    ),
    "not-from-this-address": (
        "拒绝从此地址访问",
        "该资源只对本机或持有令牌的调用方开放（如监控指标）。",
        "从网关所在主机访问，或携带运维令牌。",
    ),
    "outside-jurisdiction": (
        "案件不在本机关辖区",
        "案件所属区县在另一城市；本市其他区县的案件会被受理并加注标记。",
        "核对案件所属区县代码（GB/T 2260）；确属外市案件的，请由有管辖权的机关通知。",
    ),
    "rate-limited": (
        "请求过于频繁",
        "本机关（或登录处的该地址）在单位时间内的请求超过了上限。",
        "按 Retry-After 头所示的秒数等待后重发。",
    ),
    "request-not-found": (
        "找不到该请求",
        "没有该编号的请求，或该请求不属于调用方可见的范围。",
        "核对回执中的请求编号。",
    ),
    "not-found": (
        "找不到该资源",
        "该地址上没有资源。",
        "核对接口地址与版本号。",
    ),
    "method-not-allowed": (
        "不支持该请求方法",
        "该资源不接受此 HTTP 方法；Allow 头列出了它接受的方法。",
        "改用 Allow 头所列的方法。",
    ),
    "http-error": (
        "请求未被受理",
        "请求在进入网关业务处理之前被拒绝；detail 写明原因。",
        "按 detail 改正后重发。",
    ),
    "reference-conflict": (
        "文号已被另一报文使用",
        "同一机关的同一文号已用于内容不同的报文；同一报文重发会得到原回执，不会产生冲突。",
        "新报文使用新文号；如是更正，请先撤回原请求。",
    ),
    "no-route": (
        "没有对应的法律援助中心",
        "该机关所在的层级与区县尚未配置受理的法律援助中心。",
        "请联系网关管理员登记该机关对应的法律援助中心。",
    ),
    "service-unavailable": (
        "服务暂不可用",
        "网关所依赖的服务（数据库或消息队列）暂时不可用，请求未被保存。",
        "按 Retry-After 头所示的秒数等待后重发。",
    ),
    "document-unwritable": (
        "法律文书无法生成",
        "该答复须制作法律文书（指派通知书、决定书等），但网关无法生成（例如未安装中文字体），答复未被保存。",
        "请网关管理员安装中文字体（fonts-wqy-microhei）或设置 LAGW_DOCUMENT_FONT 后，重新提交答复。",
    ),
    "store-busy": (
        "网关繁忙",
        "数据存储未能及时响应，请求未被保存。",
        "稍候按 Retry-After 头所示的秒数重发同一报文。",
    ),
    "forbidden-xml": (
        "报文含被禁止的 XML 结构",
        "XML 报文含有文档类型声明（DOCTYPE）、实体声明或外部引用；网关出于安全原因一律不解析。",
        "去掉 DOCTYPE 与实体声明后重发。",
    ),
    "version-mismatch": (
        "SOAP 版本不符",
        "SOAP 信封的命名空间与请求声明的 SOAP 版本（1.1 或 1.2）不一致。",
        "按服务描述（WSDL）中的绑定选择一致的 SOAP 版本。",
    ),
    "must-understand": (
        "无法处理必须理解的 SOAP 头",
        "报文中带有 mustUnderstand 标记的头部，网关不处理该头部。",
        "去掉该头部，或只使用服务描述所列的安全头部。",
    ),
    "unknown-operation": (
        "没有该操作",
        "SOAP 正文中的元素不是本服务任何操作的输入。",
        "按服务描述（WSDL）调用本机关类型的操作。",
    ),
    "stale-security-token": (
        "安全令牌已过期",
        "用户名令牌的创建时间不在允许的时间窗口内（过旧或来自未来）。",
        "校准系统时钟，每次调用生成新的令牌。",
    ),
    "replayed-security-token": (
        "安全令牌被重复使用",
        "用户名令牌的随机数已在防重放窗口内用过。",
        "每次调用生成新的随机数。",
    ),
    "illegal-transition": (
        "当前状态不允许此操作",
        "请求所处的状态不允许这一变更（如已指派的通知再次指派）；没有做任何改动。",
        "查询请求状态后再决定下一步。",
    ),
    "credentials-unreadable": (
        "网关无法核验该凭据",
        "网关无法打开该机关的密封密钥（凭据加密密钥已变更），这是网关一方的问题。",
        "请通知网关运维人员；问题解决前请求不会被受理。",
    ),
}

# Codes answered for HTTP errors that no GatewayError class carries (the router's 404, 405, and the rest).
_HTTP_ONLY = {
    "not-found": (404, "Not Found", "There is no resource at this address."),
    "method-not-allowed": (405, "Method Not Allowed", "The resource does not take this method; see `Allow`."),
    "http-error": (400, "Bad Request", "The request was refused before it reached the gateway; see `detail`."),
}


def catalogue() -> dict[str, ProblemType]:
    """Every problem type, by code."""
    found: dict[str, tuple[int, str, str]] = dict(_HTTP_ONLY)
    for value in vars(errors).values():
        if isinstance(value, type) and issubclass(value, GatewayError):
            found[value.code] = (value.status, value.title, " ".join((value.__doc__ or "").split()))
    return {
        code: ProblemType(code, status, title, description, *CHINESE[code])
        for code, (status, title, description) in sorted(found.items())
    }
