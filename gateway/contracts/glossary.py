"""The contracts' words: every property of the OpenAPI document and every element of the SOAP services' XSD
described in Chinese and English, every enum value explained.

A property's own description (from its schema's metadata) is kept and prefixed with its Chinese name; one
without gets the glossary's. Names shared by several schemas (`name`, `phone`, `stage` …) mean the same in
each, so the glossary is keyed by name, with `Schema.property` where a schema gives a name its own sense.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from apispec import BasePlugin

from gateway.contracts import labels as L
from gateway.domain.enums import Stage
from gateway.rules.authorization import Permission

_WINDOW = "1950–2099"
_MOMENT = f"ISO 8601 with its offset, e.g. 2026-11-26T10:00:00+08:00; years {_WINDOW}"
_TEXT = "plain UTF-8 text, no control characters or invisible formatting"

# property: (中文, English)
TERMS: dict[str, tuple[str, str]] = {
    "agency_code": ("机关代码", "the registered code of the agency that sent the related request"),
    "application": ("法律援助申请", "the detainee's own application, as the detainee made it (LAL 39)"),
    "applied_at": ("申请时间", f"when the detainee applied; starts the 24-hour forwarding clock (LAL 39); {_MOMENT}"),
    "applied_by": ("申请人身份", "who applied: the person, a close relative or the legal representative"),
    "appointed_at": ("指派时间", f"when the centre appointed the lawyer; {_MOMENT}"),
    "appointment": ("指派", "the lawyer appointed last (a replacement names its reason)"),
    "at": ("发生时间", f"when it happened, China time; {_MOMENT}"),
    "attachments": ("附件", "documents the agency keeps, referred to by address and checksum (not sent inline)"),
    "basis": ("法律依据", "the article of law that sets the period"),
    "birth_date": ("出生日期", f"YYYY-MM-DD; must agree with a resident ID number (GB 11643); years {_WINDOW}"),
    "case_district": ("案件所属区县", "GB/T 2260 six-digit district code"),
    "case_number": ("案号", f"the case number as the agency writes it, e.g. （2026）鲁0202刑初318号; {_TEXT}"),
    "centre": ("羁押场所", "the detention centre (看守所) holding the detainee"),
    "centre_code": (
        "法律援助中心代码",
        "the legal aid centre the request was routed to (LAL 38: by the agency's seat)",
    ),
    "charges": ("罪名", "the charges, one per item (1–50)"),
    "code": ("错误代码", "the stable, machine-readable code; /problems/<code> explains it"),
    "compulsory_measure": ("强制措施", "the compulsory measure in force, if any"),
    "courtroom": ("法庭", "the courtroom of the hearing"),
    "custody": ("羁押情况", "whether the defendant is detained, where and since when"),
    "date_of_birth": ("出生日期", f"YYYY-MM-DD; must agree with a resident ID number (GB 11643); years {_WINDOW}"),
    "deadline": ("办理期限", "when the centre's legal period ends, what it must do by then, and the article"),
    "decided_at": ("决定时间", f"when the centre decided; {_MOMENT}"),
    "decision": ("审查决定", "the decision on an application"),
    "defendant": ("被告人", "the person the notice is about"),
    "detail": ("详细说明", "what was wrong with this call, for the developer"),
    "detained_at": ("羁押时间", f"when the detainee was taken into custody; {_MOMENT}"),
    "detainee": ("在押人员", "the detained person"),
    "detention": ("羁押情况", "where and since when the person is held, and under which measure"),
    "disabilities": ("残疾情况", "the person's disabilities; visual, hearing or speech ones are a ground (CPL 35)"),
    "document_number": ("文书编号", "the procuratorate's document number; the idempotency key"),
    "due_at": ("届满时间", f"when the period ends, China time (+08:00); {_MOMENT}"),
    "duty_place": ("值班地点", "where the duty lawyer serves (required for a duty-lawyer request)"),
    "duty_time": ("值班时间", f"when the duty lawyer serves (required for a duty-lawyer request); {_MOMENT}"),
    "errors": ("逐字段错误", "messages per field, the field named as the agency's dialect names it"),
    "ethnic_group": ("民族", "ethnic group, e.g. 汉族 (sensitive personal information)"),
    "ethnicity": ("民族", "ethnic group, e.g. 汉族 (sensitive personal information)"),
    "event": ("事件", "what happened to the request"),
    "exemption": ("免予经济困难审查情形", "why the hardship check does not apply (LAL 42)"),
    "facility": ("羁押场所", "the detention centre (看守所) holding the defendant"),
    "full_name": ("姓名", f"the person's full name; {_TEXT}"),
    "gender": ("性别", "must agree with a resident ID number (GB 11643)"),
    "ground_found_at": (
        "发现法定情形时间",
        f"when the organ found the ground (LAL 36: notify within 3 days; later: flag late_notice); {_MOMENT}",
    ),
    "ground": ("终止情形", "the ground of LAL 48 ¶1 (1)–(8) on which the aid ends"),
    "grounds": ("通知辩护情形", "the legal grounds for notifying defence; at least one, none twice"),
    "hearing": ("开庭", "when and where the hearing is"),
    "history": ("办理经过", "every state change, oldest first"),
    "household_size": ("家庭人口", "members of the applicant's household, for the hardship check"),
    "id": ("请求编号", "the gateway's id of the request; use it to ask for status"),
    "id_no": ("证件号码", "the ID number; a resident ID is checked against GB 11643 (18 characters, check digit)"),
    "id_number": ("证件号码", "the ID number; a resident ID is checked against GB 11643 (18 characters, check digit)"),
    "id_type": ("证件类型", "the kind of identity document"),
    "identity": ("身份证件", "the identity document's kind and number"),
    "instance": ("请求路径", "the path that was called"),
    "interpreter_required": ("需要翻译", "whether the person needs an interpreter"),
    "judge": ("承办人", "the judge or clerk the centre can reach"),
    "kind": ("请求类型", "notify-defense notice, duty-lawyer request or forwarded application"),
    "language": ("语言", "the language the person speaks, e.g. zh"),
    "law_firm": ("律师事务所", "the lawyer's law firm"),
    "lawyer": ("律师", "the lawyer appointed"),
    "licence_number": ("执业证号", "the lawyer's 17-digit practising certificate number"),
    "location": ("值班地点", "where the duty lawyer is needed"),
    "measure": ("强制措施", "the measure under which the person is held"),
    "media_type": ("文件格式", "the attachment's media type, e.g. application/pdf"),
    "message": ("错误信息", "the error message"),
    "monthly_income_yuan": ("月收入（元）", "the applicant's declared monthly income, for the hardship check"),
    "name": ("姓名", f"full name; {_TEXT}"),
    "nationality": ("国籍", "ISO 3166-1 alpha-3 code, e.g. CHN"),
    "needs_interpreter": ("需要翻译", "whether the person needs an interpreter"),
    "note": ("备注", f"free text for the other side; {_TEXT}"),
    "notice_number": ("通知书编号", "the court's document number; the idempotency key"),
    "number": ("证件号码", "the ID number; a resident ID is checked against GB 11643 (18 characters, check digit)"),
    "obligation": ("应办事项", "what the centre must do by the deadline"),
    "offence_date": ("案发日期", f"YYYY-MM-DD; years {_WINDOW}"),
    "officer": ("承办民警", "the officer the centre can reach"),
    "outcome": ("决定结果", "granted or refused"),
    "phone": ("联系电话", "digits, spaces and hyphens, an optional leading +; 5–20 characters"),
    "place": ("羁押或居住地点", "the detention centre or residence"),
    "pledge_signed": ("个人申报承诺", "whether the applicant signed the personal integrity pledge (LAL 41)"),
    "post": ("职务", "the prosecutor's post"),
    "procedure": ("审理程序", "ordinary, summary or fast-track procedure"),
    "prosecutor": ("承办检察官", "the prosecutor the centre can reach"),
    "purpose": ("值班事项", "what the duty lawyer is needed for"),
    "reason_code": ("不予援助理由", "required with a refusal: why (LAL 43); `other` is explained in `reason`"),
    "received_at": ("收到时间", f"when the gateway stored the request; {_MOMENT}"),
    "reference": ("来文编号", "the agency's own document number, the idempotency key"),
    "related": ("关联请求", "the same person's requests at earlier stages, or probable duplicates"),
    "relation": ("关联关系", "how the other request is related"),
    "remarks": ("备注", f"free text for the centre; {_TEXT}"),
    "replacement_reason": ("更换原因", "why the lawyer was replaced"),
    "request_number": ("请求编号", "the bureau's document number; the idempotency key"),
    "role": ("职务", "the person's role in the case"),
    "terminated_at": ("终止时间", f"when the centre ended the aid; {_MOMENT}"),
    "termination": (
        "终止法律援助",
        "the centre ended the aid on a ground of LAL 48; the agency must act where a defender is mandatory",
    ),
    "items": ("需补充的材料", "each document or explanation needed; 1–20"),
    "requested_at": ("告知时间", f"when the centre asked for the missing materials; {_MOMENT}"),
    "supply_by": ("补充期限", f"the date the centre set; not supplied by then, deemed withdrawn (LAL 43); {_MOMENT}"),
    "supplied_at": ("补充时间", f"when the applicant handed over the materials; {_MOMENT}"),
    "documents": ("补充的材料", "the documents supplied, by URL and SHA-256 digest; 1–20"),
    "materials_request": ("补充材料通知", "what the centre asked the applicant to supply, once (LAL 43)"),
    "lodged_at": ("提出异议时间", f"when the person objected to the justice bureau (LAL 49); {_MOMENT}"),
    "objection": ("异议审查", "the justice bureau's decision on an objection to a refusal or termination (LAL 49)"),
    "scheduled_at": ("安排时间", f"when it is scheduled; {_MOMENT}"),
    "served_at": ("送达时间", f"when the applicant received the written decision, not before it was made; {_MOMENT}"),
    "sex": ("性别", "must agree with a resident ID number (GB 11643)"),
    "sha256": ("校验值", "SHA-256 of the attachment, 64 lower-case hexadecimal digits"),
    "since": ("起始时间", f"since when; {_MOMENT}"),
    "spoken_language": ("语言", "the language the person speaks, e.g. zh"),
    "stage": ("诉讼阶段", "the stage of the proceedings"),
    "state": ("状态", "the request's state"),
    "status": ("状态码", "the HTTP status of this answer"),
    "status_url": ("状态查询地址", "where to ask for the request's status"),
    "suspect": ("犯罪嫌疑人", "the person the notice is about"),
    "suspected_charges": ("涉嫌罪名", "the suspected offences, one per item"),
    "suspected_offences": ("涉嫌罪名", "the suspected offences, one per item"),
    "telephone": ("联系电话", "digits, spaces and hyphens, an optional leading +; 5–20 characters"),
    "title": ("标题", "a short title"),
    "other_suspects": ("其他犯罪嫌疑人", "further suspects the same notice names, up to 19: a request each"),
    "other_defendants": ("其他被告人", "further defendants the same request names, up to 19: a request each"),
    "other_detainees": ("其他在押人员", "further detainees the same request names, up to 19: a request each"),
    "companions": (
        "同一文书其他人员的请求",
        "only when the document names several persons: the requests for the second and later, in order",
    ),
    "transfer_number": ("转交函编号", "the forwarding organ's document number; the idempotency key"),
    "trial_stage": ("审判阶段", "the stage of the proceedings the court is at"),
    "type": ("类型", "the kind"),
    "unit": ("所在单位", "the officer's unit"),
    "updated_at": ("更新时间", f"when the request last changed; {_MOMENT}"),
    "url": ("地址", "where the agency keeps the attachment"),
    "years_of_practice": ("执业年限", "years of practice"),
    "agency_district": ("机关所在区县", "GB/T 2260 code of the sending agency's district"),
    "agency_name": ("机关名称", "the sending agency's registered name"),
    "agency_type": ("机关类型", "the sending agency's type"),
    "applicant_relation": ("申请人关系", "who applied for the person: the person, a close relative, a representative"),
    "body": ("答复内容", "the answer itself, as the type says: an appointment, a replacement or a decision"),
    "case": ("案件", "the case: number, stage, charges, handling organ, district"),
    "channel": ("传输方式", "how the agency sent the message"),
    "contact": ("联系人", "the agency's contact for this request"),
    "count": ("记录数", "how many audit records the checkpoint covers"),
    "declared_monthly_income": ("申报月收入（元）", "the applicant's declared monthly income, as text in yuan"),
    "detained": ("是否羁押", "whether the person is in custody"),
    "district": ("区县", "GB/T 2260 six-digit district code"),
    "duty": ("值班事项", "for a duty-lawyer request: what for, where and when"),
    "flags": ("标记", "what is unusual but lawful, e.g. outside_usual_jurisdiction"),
    "handling_organ": ("办案机关", "the organ handling the case (LAL 38 routes applications by its seat)"),
    "handling_organ_seat": (
        "办案机关所在地",
        "the handling organ's level, district and code: an application's centre",
    ),
    "level": ("层级", "city-level or district-level: the centre of the same level receives (LAL 38)"),
    "head_hash": ("链头哈希", "the SHA-256 hash at the head of the audit chain, hexadecimal"),
    "hearing_at": ("开庭时间", f"when the hearing is; {_MOMENT}"),
    "hearing_place": ("开庭地点", "where the hearing is"),
    "interpreter_needed": ("需要翻译", "whether the person needs an interpreter"),
    "minor": ("未成年人", "whether the person was under 18 (in full years) on the day of the notice"),
    "notes": ("说明", "the agency's remarks"),
    "person": ("当事人", "the person the request is about (personal data: sealed at rest, never logged)"),
    "reason": ("原因", "why"),
    "routing": ("路由", "the centre chosen and the routing key on the exchange"),
    "routing_key": ("路由键", "the AMQP routing key, e.g. notify_defense.lac370202"),
    "schema": ("报文版本", "the message's schema and version; a consumer refuses a version it does not know"),
    "source": ("来源", "the sending agency and how it sent the message"),
    "uri": ("地址", "where the agency keeps the attachment"),
    "withdrawn_at": ("撤回时间", f"when the agency withdrew the request; {_MOMENT}"),
    "created": ("是否新建", "true when the message was stored now, false for a resend of one already stored"),
    "idempotency_key": (
        "幂等键",
        "the same on every retry of one notice: seen once, nothing more to do",
    ),
    "path": ("出错位置", "the XPath of the offending element"),
    "received": ("已收到", "true: the agency has the notice (a repeat is acknowledged the same)"),
    "request_id": ("请求编号", "the gateway's id of the request, from the receipt"),
    "first_page": ("首页", "first available page number"),
    "last_page": ("末页", "last available page number"),
    "next_page": ("下一页", "next page number"),
    "previous_page": ("上一页", "previous page number"),
    "page": ("当前页", "current page number"),
    "total": ("总数", "total number of items"),
    "total_pages": ("总页数", "total number of pages"),
}

# Where a schema gives a shared name its own sense.
OWN_SENSE: dict[str, tuple[str, str]] = {
    "DocumentReference.kind": ("文书种类", "the kind of official document"),
    "DocumentReference.id": ("文书标识", "the document's id in the gateway"),
    "DocumentReference.number": ("文书编号", "the document's number (发文字号), e.g. 青法援指〔2026〕12号"),
    "DocumentReference.title": ("文书标题", "the document's title"),
    "DocumentReference.url": ("文书地址", "where the agency fetches it (GET, with its own key)"),
    "Problem.type": ("错误类型", "/problems/<code>: a page in Chinese for a browser, JSON for a program"),
    "Problem.title": ("错误标题", "a short English summary of the problem type"),
    "Problem.status": ("状态码", "the HTTP status of this answer"),
    "Error.status": ("错误名称", "the error's name"),
    "Error.code": ("状态码", "the HTTP status"),
    "Identity.type": ("证件类型", "the kind of identity document"),
    "CompulsoryMeasure.type": ("强制措施", "the compulsory measure in force"),
    "CourtCustody.status": ("羁押状态", "detained or not"),
    "HistoryEntry.state": ("状态", "the request's state after the event"),
    "AttachmentRef.title": ("附件名称", "the document's title"),
    "Application.reason": ("申请理由", "why the detainee applies"),
    "Termination.reason": ("事实和理由", "the facts behind the ground, told in writing (LAL 48)"),
    "ObjectionDecision.document_number": ("决定文号", "the justice bureau's document number (文号)"),
    "ObjectionDecision.outcome": ("审查结果", "upheld (维持) or corrected (责令改正), LAL 49"),
    "ObjectionDecision.decided_at": ("审查决定时间", f"when the bureau decided (LAL 49: within 5 days); {_MOMENT}"),
    "ObjectionDecision.note": ("说明", f"free text for the record; {_TEXT}"),
    "Decision.reason": ("决定理由", "required with a refusal: the reasons, told to the applicant in writing (LAL 43)"),
    "Withdrawal.reason": ("撤回原因", "why the agency withdraws the request"),
    "WithdrawalMessage.reason": ("撤回原因", "why the agency withdrew the request"),
    "AnswerMessage.type": ("答复类型", "which answer the body holds"),
    "HandlingOrgan.name": ("机关名称", "the handling organ's name"),
    "HandlingOrgan.code": ("机关代码", "its agency code in the gateway's registry, when it has one"),
    "OrganSeat.code": ("机关代码", "its agency code in the gateway's registry, when it has one"),
    "ApplicationTransfer.stage": ("诉讼阶段", "the case's stage when the detainee applied"),
    "PoliceDutyLawyerRequest.stage": (
        "诉讼阶段",
        "the case's stage: a detention centre asks at every stage it holds the detainee (CPL 36)",
    ),
    "WithdrawCall.reason": ("撤回原因", "why the agency withdraws the request"),
    "GatewayFault.code": ("错误代码", "stable, machine-readable; /problems/<code> explains it in Chinese"),
    "GatewayFault.type": ("错误类型", "/problems/<code>, as a REST problem's type"),
    "GatewayFault.message": ("错误信息", "what was wrong with this call, for the developer"),
    "FaultError.message": ("错误信息", "what is wrong with this element"),
    "AgencyReply.event": ("事件", "what the centre did: assigned, replaced, granted or declined"),
    "Withdrawal.note": ("说明", f"free text for the centre; {_TEXT}"),
    "Related.id": ("关联请求编号", "the gateway's id of the related request"),
    "Related.stage": ("诉讼阶段", "the stage the related request was sent at"),
    "DutyLawyerRequest.document_number": ("文书编号", "the procuratorate's document number; the idempotency key"),
}

_GENDERS = {"male": "男", "female": "女"}
_ENUMS: dict[str, dict[str, str]] = {
    "DocumentReference.kind": L.DOCUMENT_KINDS,
    "kind": L.KINDS,
    "state": L.STATES,
    "stage": L.STAGES,
    "trial_stage": L.STAGES,
    "grounds": L.GROUNDS,
    "ground": L.TERMINATION_GROUNDS,
    "ObjectionDecision.outcome": L.OBJECTION_OUTCOMES,
    "id_type": L.ID_TYPES,
    "Identity.type": L.ID_TYPES,
    "disabilities": L.DISABILITIES,
    "purpose": L.DUTY_PURPOSES,
    "replacement_reason": L.REPLACEMENT_REASONS,
    "reason_code": L.REFUSAL_REASONS,
    "Withdrawal.reason": L.WITHDRAWAL_REASONS,
    "gender": _GENDERS,
    "sex": _GENDERS,
    "outcome": {"granted": "给予法律援助", "refused": "不予法律援助"},
    "procedure": {"ordinary": "普通程序", "summary": "简易程序", "fast_track": "速裁程序"},
    "measure": {"criminal_detention": "刑事拘留", "arrest": "逮捕"},
    "CompulsoryMeasure.type": {
        "arrest": "逮捕",
        "criminal_detention": "刑事拘留",
        "residential_surveillance": "监视居住",
        "bail_pending_trial": "取保候审",
        "none": "未采取强制措施",
    },
    "CourtCustody.status": {"detained": "在押", "not_detained": "未羁押"},
    "applied_by": L.APPLICANT_RELATIONS,
    "Application.reason": L.APPLICATION_BASES,
    "exemption": L.EXEMPTIONS,
    "relation": {
        "earlier_stage": "前一诉讼阶段的请求",
        "probable_duplicate": "疑似重复的请求",
        "same_notice": "同一文书所列其他人员的请求",
    },
    "level": {"city": "市级", "district": "区县级"},
    "basis": L.APPLICATION_BASES,
    "channel": L.CHANNELS,
    "WithdrawalMessage.reason": L.WITHDRAWAL_REASONS,
    "AnswerMessage.type": {
        "appointment": "指派律师",
        "replacement": "更换律师",
        "decision": "审查决定",
        "termination": "终止法律援助",
        "objection": "异议审查决定",
        "materials_request": "补充材料通知",
    },
    "event": {
        "request.granted": "给予法律援助",
        "request.declined": "不予法律援助",
        "request.assigned": "已指派律师",
        "request.replaced": "已更换律师",
        "request.informed": "已告知办案机关",
        "request.withdrawn": "已撤回",
        "request.served": "决定书已送达申请人",
        "request.terminated": "终止法律援助",
        "request.materials_requested": "一次性告知补充材料",
        "request.materials_supplied": "申请人已补充材料",
        "request.deemed_withdrawn": "未按期补充材料，视为撤回申请",
        "request.objection_upheld": "异议审查：维持原决定",
        "request.objection_corrected": "异议审查：责令改正",
        "deadline.at_risk": "期限临近",
        "deadline.missed": "期限已过",
        "audit.checkpoint": "审计检查点",
    },
    "schema": {
        "legalaid.request/1": "法律援助请求（第 1 版）",
        "legalaid.withdrawal/1": "撤回（第 1 版）",
        "legalaid.materials/1": "补充材料（第 1 版）",
        "legalaid.event/1": "事件（第 1 版）",
        "legalaid.answer/1": "中心答复（第 1 版）",
    },
}

# The XSD's enumeration types, by the enum's class name.
_BY_ENUM_TYPE: dict[str, dict[str, str]] = {
    "Kind": L.KINDS,
    "Level": {"city": "市级", "district": "区县级"},
    "Stage": L.STAGES,
    "Ground": L.GROUNDS,
    "Disability": L.DISABILITIES,
    "IdType": L.ID_TYPES,
    "Gender": _GENDERS,
    "DutyPurpose": L.DUTY_PURPOSES,
    "ApplicationBasis": _ENUMS["Application.reason"],
    "HardshipExemption": _ENUMS["exemption"],
    "Procedure": _ENUMS["procedure"],
    "RequestState": L.STATES,
    "WithdrawalReason": L.WITHDRAWAL_REASONS,
    "DecisionOutcome": _ENUMS["outcome"],
    "ReplacementReason": L.REPLACEMENT_REASONS,
    "RefusalReason": L.REFUSAL_REASONS,
    "TerminationGround": L.TERMINATION_GROUNDS,
    "ObjectionOutcome": L.OBJECTION_OUTCOMES,
}


def describe(schemas: dict[str, dict[str, Any]], agency_types: Mapping[str, str] | None = None) -> None:
    """Give every property of every component schema its Chinese name and an explanation, in place.

    `agency_types` (code -> Chinese name, from the agency folders) lists the values of `agency_type` fields,
    an open set the schemas themselves cannot enumerate.
    """
    for schema_name, schema in schemas.items():
        for name, prop in schema.get("properties", {}).items():
            _describe_property(schema_name, name, prop, agency_types)


def _describe_property(
    schema_name: str, name: str, prop: dict[str, Any], agency_types: Mapping[str, str] | None
) -> None:
    meanings = None
    if name == AGENCY_TYPE and agency_types is not None and "enum" not in prop:
        prop["enum"], meanings = list(agency_types), agency_types
    values = prop.get("enum") or prop.get("items", {}).get("enum") or ()
    prop["description"] = explain(schema_name, name, prop.get("description"), values, meanings)
    ref = prop.pop("$ref", None)
    if ref:  # a reference cannot carry siblings in OpenAPI 3.0: wrap it
        prop["allOf"] = [{"$ref": ref}]


def explain(
    schema_name: str,
    name: str,
    own: str | None,
    values: Iterable[object] = (),
    meanings: Mapping[str, str] | None = None,
) -> str:
    """A field's description: its Chinese name, then its own English description or the glossary's, then
    what each of its enum values means.

    A name the glossary does not know (a new agency folder's own field) describes itself: its description reads
    `中文 · English`. KeyError for any other unknown name.
    """
    key = f"{schema_name}.{name}"
    known = OWN_SENSE.get(key) or TERMS.get(name)
    if known is None:
        return _self_described(key, own) + _values(key, name, values, meanings)
    chinese, english = known
    if own and key not in OWN_SENSE:
        english = own if not _has_chinese(own) else f"{english} ({own})"
    return f"{chinese} · {english}" + _values(key, name, values, meanings)


def _self_described(key: str, own: str | None) -> str:
    chinese, separator, english = (own or "").partition(" · ")
    if not (separator and _has_chinese(chinese) and english.strip()):
        raise KeyError(f"{key}: not in the glossary; describe the field as '中文 · English' in its metadata")
    return f"{chinese.strip()} · {english.strip()}"


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _values(key: str, name: str, values: Iterable[object], meanings: Mapping[str, str] | None) -> str:
    """What each listed value means, from `meanings` or the glossary's table for the field."""
    listed = [str(value) for value in values if value is not None]
    if not listed:
        return ""
    meanings = meanings or _ENUMS.get(key) or _ENUMS[name]
    return "。取值 values: " + "; ".join(f"`{value}` {meanings[value]}" for value in listed)


def value_name(enum_name: str, value: str) -> str | None:
    """The Chinese name of one value of an enum type (by the type's name), if the glossary has it."""
    return _BY_ENUM_TYPE.get(enum_name, {}).get(value)


AGENCY_TYPE = "agency_type"  # the field naming a type of organ, whose values the agency folders declare


class AcceptedStages(BasePlugin):
    """An apispec plugin: each agency resource says at which stages it accepts messages, and the law's article."""

    def __init__(self, permissions: Mapping[str, Permission]) -> None:
        """`permissions`: for each agency resource's path (`/api/v1/<type>/<resource>`), what the law allows."""
        self._permissions = permissions

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        """Append the accepted stages to the description of an agency resource's operations."""
        permission = self._permissions.get(path or "")
        if permission is None:
            return
        stages = "; ".join(f"`{stage.value}` {L.STAGES[stage.value]}" for stage in Stage if stage in permission.stages)
        note = (
            f"\n\n受理的诉讼阶段 Accepted stages: {stages} ({permission.basis}). "
            "Another stage: 422 `stage-not-allowed`."
        )
        for operation in (operations or {}).values():
            operation["description"] = ((operation.get("description") or "") + note).strip()
