"""The console's words: Chinese labels for the canonical model's codes, and the law each deadline rests on."""

from gateway.domain.lifecycle import CLOCK_RUNNING

KINDS = {
    "notify_defense": "通知辩护",
    "duty_lawyer": "值班律师",
    "application_transfer": "转交申请",
}

STATES = {
    "received": "已接收",
    "queued": "待指派",
    "granted": "已决定给予",
    "declined": "不予援助",
    "awaiting_materials": "待补充材料",
    "assigned": "已指派",
    "informed": "已告知办案机关",
    "withdrawn": "已撤回",
    "terminated": "已终止援助",
}

# The centre's clock runs, or the applicant's for missing materials (LAL 43 ¶2): the clerk's open work.
OPEN_STATES = tuple(sorted({state.value for state in CLOCK_RUNNING} | {"awaiting_materials"}))

STAGES = {
    "investigation": "侦查",
    "review_for_prosecution": "审查起诉",
    "first_instance": "一审",
    "second_instance": "二审",
    "retrial": "再审",
    "death_penalty_review": "死刑复核",
    "compulsory_medical": "强制医疗",
}

GROUNDS = {
    "minor": "未成年人",
    "visual_hearing_speech_disability": "视力、听力、言语残疾",
    "limited_capacity": "限制行为能力",
    "life_or_death_penalty": "可能判处无期徒刑、死刑",
    "death_penalty_review": "死刑复核",
    "trial_in_absentia": "缺席审判",
    "compulsory_medical": "强制医疗",
    "full_coverage_trial": "审判阶段全覆盖",
    "full_coverage_review": "审查起诉阶段全覆盖",
    "other_law": "其他法定情形",
}

# Grounds that call for the most care: shown as red badges.
GRAVE_GROUNDS = frozenset({"life_or_death_penalty", "death_penalty_review", "minor"})

ID_TYPES = {
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreigner_permanent_resident": "外国人永久居留身份证",
    "other": "其他证件",
    "unknown": "身份不明",
}

DISABILITIES = {
    "visual": "视力残疾",
    "hearing": "听力残疾",
    "speech": "言语残疾",
    "intellectual": "智力残疾",
    "mental": "精神残疾",
    "physical": "肢体残疾",
}

DUTY_PURPOSES = {
    "consultation": "法律咨询",
    "plea_agreement": "认罪认罚具结书签署见证",
    "fast_track_hearing": "速裁程序",
    "procedure_advice": "程序选择建议",
}

REPLACEMENT_REASONS = {
    "refused_by_person": "受援人有正当理由拒绝",
    "conflict_of_interest": "利益冲突",
    "lawyer_unavailable": "律师无法继续承办",
    "other": "其他原因",
}

TERMINATION_GROUNDS = {  # LAL 48 ¶1 (1)–(8)
    "deceit": "以欺骗或者其他不正当手段获得法律援助",
    "facts_concealed": "故意隐瞒与案件有关的重要事实或者提供虚假证据",
    "unlawful_use": "利用法律援助从事违法活动",
    "means_changed": "经济状况发生变化，不再符合法律援助条件",
    "case_ended": "案件终止审理或者已经被撤销",
    "lawyer_retained": "自行委托律师或者其他代理人",
    "person_requested": "受援人有正当理由要求终止法律援助",
    "other_lawful_ground": "法律法规规定的其他情形",
}

OBJECTION_OUTCOMES = {"upheld": "维持原决定", "corrected": "责令改正"}  # LAL 49 ¶2

DOCUMENT_KINDS = {
    "appointment_notice": "指派通知书",
    "grant_decision": "给予法律援助决定书",
    "refusal_decision": "不予法律援助决定书",
    "materials_notice": "补充材料通知书",
    "termination_decision": "终止法律援助决定书",
}

REFUSAL_REASONS = {
    "outside_scope": "不属于法律援助范围",
    "hardship_not_met": "不符合经济困难标准",
    "lawyer_retained": "已委托辩护人",
    "materials_not_supplied": "未按要求补充材料或作出说明",
    "other": "其他理由",
}

WITHDRAWAL_REASONS = {
    "retained_lawyer": "已自行委托律师",
    "released": "已释放（旧记录，现已不再作为撤回原因）",
    "case_ended": "案件已终结",
    "sent_in_error": "误发",
    "other": "其他原因",
}

OBLIGATIONS = {
    "assign_lawyer_and_inform_agency": "指派律师并告知办案机关",
    "decide_application": "审查申请并作出决定",
    "assign_lawyer": "指派法律援助人员",
    "name_duty_lawyer": "安排值班律师",
    "supply_materials": "等待申请人补充材料（逾期视为撤回申请）",
}

# The statutes behind the deadlines (Legal Aid Law of the PRC, 2021).
LEGAL_BASES = {
    "LAL 36": (
        "《法律援助法》第三十六条：法律援助机构收到通知后，应当在三日内指派律师并通知人民法院、人民检察院、公安机关。"
    ),
    "LAL 43": (
        "《法律援助法》第四十三条：自收到申请之日起七日内审查并作出决定；决定给予的，自作出决定之日起三日内指派。"
    ),
    "LAL 49": (
        "《法律援助法》第四十九条：司法行政部门责令法律援助机构改正的，自该决定之日起"
        "重新审查（七日，第四十三条）或恢复提供法律援助、三日内指派。"
    ),
    "LAL 30, 37; duty-lawyer rules 2020": (
        "《法律援助法》第三十条、第三十七条及《法律援助值班律师工作办法》："
        "为没有辩护人的犯罪嫌疑人、被告人安排值班律师提供法律帮助。"
    ),
}

EVENTS = {
    "received": "收到通知",
    "queued": "已送达指派队列",
    "granted": "决定给予法律援助",
    "declined": "决定不予法律援助",
    "assigned": "已指派律师",
    "replaced": "已更换律师",
    "informed": "已告知办案机关",
    "withdrawn": "办案机关撤回",
    "served": "决定书已送达申请人",
    "document_issued": "已制作法律文书",
    "terminated": "终止法律援助",
    "materials_requested": "一次性告知补充材料",
    "materials_supplied": "申请人已补充材料",
    "deemed_withdrawn": "未按期补充材料，视为撤回申请",
    "objection_upheld": "异议审查：维持原决定",
    "objection_corrected": "异议审查：责令改正，重新办理",
    "deadline_at_risk": "期限即将届满预警",
    "deadline_missed": "期限已届满未完成",
    "legal_hold_set": "设置依法留存（原始报文暂不清除）",
    "legal_hold_cleared": "解除依法留存",
    "payload_purged": "原始报文已按保存期限清除",
    "delivery.delivered": "回执已送达办案机关",
    "delivery.failed": "回执发送失败",
}

DELIVERY_STATES = {"pending": "重试中", "delivered": "已送达", "parked": "已搁置"}

ROLES = {"centre_staff": "中心工作人员", "supervisor": "主管", "administrator": "系统管理员"}

APPLICATION_BASES = {"economic_hardship": "经济困难", "other_reason": "其他原因"}
APPLICANT_RELATIONS = {"self": "本人", "close_relative": "近亲属", "legal_representative": "法定代理人"}
# LAL 42 and the seed's list: who is not checked for hardship.
EXEMPTIONS = {
    "no_income_minor_elderly_disabled": "无固定生活来源的未成年人、老年人、残疾人等特定群体",
    "social_assistance": "社会救助对象（如低保、特困人员）",
    "special_hardship_support": "特困供养人员",
    "migrant_worker_wages": "农民工请求支付劳动报酬",
    "judicial_assistance": "司法救助对象",
    "entitled_group": "优抚对象",
    "disabled_or_elderly_in_support_dispute": (
        "一至二级残疾人、六十五岁以上老年人请求赡养、扶养、抚养、养老金、人身损害或医疗损害赔偿"
    ),
    "military_mission": "执行重大任务的军人、军校学员及其家属",
    "other_regulation": "法律法规规定的其他情形",
}

# What a request's flags tell the clerk: unusual but lawful, accepted, for the centre to weigh.
FLAGS = {
    "late_notice": "通知晚于发现情形后三日（《法律援助法》第三十六条）",
    "late_transfer": "转交晚于申请后二十四小时（《法律援助法》第三十九条）",
    "outside_usual_jurisdiction": "案件属本市其他区县（指定或居住地管辖，《刑事诉讼法》第二十五条至第二十七条）",
    "minor_at_offence_only": "仅在案发时未满十八周岁",
    "minor_age_unverified": "未成年人情形无出生日期可核",
    "probable_duplicate": "疑似重复通知",
    "calendar_unconfirmed": "期限所在年份的节假日安排尚未公布，期限按周末和法定节日估算，请留意",
    "hardship_met": "申报的家庭人均收入不高于上年度低保标准的二倍（山东省法律援助条例第八条）",
    "hardship_not_met": "申报的家庭人均收入高于上年度低保标准的二倍，请核查（山东省法律援助条例第八条）",
    "hardship_unclear": "经济困难无法预审：收入、家庭人口或本地低保标准缺失，请人工核查",
    "hardship_exempt": "属免予核查经济困难状况的人员（《法律援助法》第四十二条）",
    "pledge_missing": "既无免审情形，也未签署个人诚信承诺（《法律援助法》第四十一条）",
}
# How another request relates to this one (gateway/rules/linking.py).
RELATIONS = {
    "earlier_stage": "同一当事人前一阶段",
    "probable_duplicate": "疑似重复",
    "same_notice": "同一文书所列其他人员",
}
CALLBACK_KINDS = {"soap": "服务接口回调", "webhook": "推送回调（签名）"}
CHANNELS = {"rest": "数据接口报文", "soap": "服务接口报文", "console": "管理台"}

# The parts of the gateway that write the record, by the actor name they write.
SYSTEM_ACTORS = {
    "gateway": "网关",
    "relay": "消息中继",
    "deliver": "回执投递",
    "deadlines": "期限监控",
    "retention": "保存期限清理",
}

# ISO 3166-1 alpha-3 codes the agencies send most; any other is shown as sent.
NATIONALITIES = {
    "CHN": "中国",
    "HKG": "中国香港",
    "MAC": "中国澳门",
    "TWN": "中国台湾",
    "KOR": "韩国",
    "PRK": "朝鲜",
    "JPN": "日本",
    "RUS": "俄罗斯",
    "MNG": "蒙古",
    "VNM": "越南",
    "MMR": "缅甸",
    "USA": "美国",
    "GBR": "英国",
    "DEU": "德国",
    "FRA": "法国",
}

# ISO 639-1 codes; any other is shown as sent.
LANGUAGES = {
    "zh": "汉语",
    "ug": "维吾尔语",
    "bo": "藏语",
    "mn": "蒙古语",
    "ko": "朝鲜语",
    "za": "壮语",
    "ii": "彝语",
    "en": "英语",
    "ja": "日语",
    "ru": "俄语",
    "vi": "越南语",
    "my": "缅甸语",
    "fr": "法语",
    "de": "德语",
    "sgn": "手语",
}


def actor_label(actor: str, agency_names: dict[str, str]) -> str:
    """Who wrote a line of the record, as a clerk reads it: an agency or centre by name, a person, the system."""
    if actor in SYSTEM_ACTORS:
        return f"系统（{SYSTEM_ACTORS[actor]}）"
    if actor.startswith("staff:"):
        return f"工作人员 {actor.removeprefix('staff:')}"
    if actor.startswith("cli:"):
        return f"运维人员 {actor.removeprefix('cli:')}"
    return agency_names.get(actor, actor)


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese label of a code, or the code itself when there is none."""
    if code is None:
        return "—"
    return table.get(code, code)
