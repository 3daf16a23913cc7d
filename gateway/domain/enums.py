"""Enumerations of the canonical model, named after shared/domain.md."""

import re
from enum import StrEnum
from typing import ClassVar


class Kind(StrEnum):
    """What the agency asks of the legal aid centre."""

    NOTIFY_DEFENSE = "notify_defense"
    DUTY_LAWYER = "duty_lawyer"
    APPLICATION_TRANSFER = "application_transfer"


class AgencyType(str):
    """The kind of organ an agency is: the centre itself, or a type an agency folder declares (adapters/<type>/).

    An open set, unlike the enumerations below: a new type of organ is a new folder, not an edit here. The
    constants name the types the law's own rules single out (grounds only a court raises, the plea signed before
    the procuratorate), and the police; values are interned, so `is` compares them as it does enum members.
    """

    __slots__ = ()
    _interned: ClassVar[dict[str, "AgencyType"]] = {}

    COURT: ClassVar["AgencyType"]
    PROCURATORATE: ClassVar["AgencyType"]
    POLICE: ClassVar["AgencyType"]
    LEGAL_AID_CENTRE: ClassVar["AgencyType"]

    def __new__(cls, value: str) -> "AgencyType":
        known = cls._interned.get(value)
        if known is not None:
            return known
        if not isinstance(value, str) or not _TYPE_CODE.fullmatch(value):
            raise ValueError(f"{value!r} is not an agency type code (lower-case letters and _, 2-32 characters)")
        return cls._interned.setdefault(value, super().__new__(cls, value))

    @property
    def value(self) -> str:
        """The code, as stored and sent (as an enum member's value)."""
        return str(self)

    def __repr__(self) -> str:
        return f"AgencyType({str(self)!r})"

    def __reduce__(self) -> tuple[type["AgencyType"], tuple[str]]:
        return AgencyType, (str(self),)


_TYPE_CODE = re.compile(r"[a-z][a-z_]{1,31}")
AgencyType.COURT = AgencyType("court")
AgencyType.PROCURATORATE = AgencyType("procuratorate")
AgencyType.POLICE = AgencyType("police")
AgencyType.LEGAL_AID_CENTRE = AgencyType("legal_aid_centre")


class Level(StrEnum):
    """Administrative level of an agency; decides which centre it notifies (LAL 38)."""

    CITY = "city"
    DISTRICT = "district"


class Stage(StrEnum):
    """Procedural stage of the criminal case."""

    INVESTIGATION = "investigation"  # 侦查
    REVIEW_FOR_PROSECUTION = "review_for_prosecution"  # 审查起诉
    FIRST_INSTANCE = "first_instance"  # 一审
    SECOND_INSTANCE = "second_instance"  # 二审
    RETRIAL = "retrial"  # 再审
    DEATH_PENALTY_REVIEW = "death_penalty_review"  # 死刑复核
    COMPULSORY_MEDICAL = "compulsory_medical"  # 强制医疗


class Ground(StrEnum):
    """Mandatory grounds for a notify-defense notice (LAL 25, 28)."""

    MINOR = "minor"
    VISUAL_HEARING_SPEECH_DISABILITY = "visual_hearing_speech_disability"
    LIMITED_CAPACITY = "limited_capacity"
    LIFE_OR_DEATH_PENALTY = "life_or_death_penalty"
    DEATH_PENALTY_REVIEW = "death_penalty_review"
    TRIAL_IN_ABSENTIA = "trial_in_absentia"
    COMPULSORY_MEDICAL = "compulsory_medical"
    FULL_COVERAGE_TRIAL = "full_coverage_trial"
    FULL_COVERAGE_REVIEW = "full_coverage_review"
    OTHER_LAW = "other_law"


class Disability(StrEnum):
    """Disabilities an agency may declare."""

    VISUAL = "visual"
    HEARING = "hearing"
    SPEECH = "speech"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    PHYSICAL = "physical"


class IdType(StrEnum):
    """Identity document types; a person may also be unidentified."""

    RESIDENT_ID = "resident_id"  # GB 11643 居民身份证
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGNER_PERMANENT_RESIDENT = "foreigner_permanent_resident"
    OTHER = "other"
    UNKNOWN = "unknown"


class Gender(StrEnum):
    """Gender as GB 11643 encodes it."""

    MALE = "male"
    FEMALE = "female"


class Channel(StrEnum):
    """Transport a message arrived on."""

    REST = "rest"
    SOAP = "soap"


class DutyPurpose(StrEnum):
    """Why a duty lawyer is needed."""

    CONSULTATION = "consultation"
    PLEA_AGREEMENT = "plea_agreement"  # 认罪认罚具结书, CPL 174
    FAST_TRACK_HEARING = "fast_track_hearing"
    PROCEDURE_ADVICE = "procedure_advice"


class ApplicationBasis(StrEnum):
    """Why a detainee applies for legal aid (CPL 35, LAL 24)."""

    ECONOMIC_HARDSHIP = "economic_hardship"
    OTHER_REASON = "other_reason"


class HardshipExemption(StrEnum):
    """Categories exempt from the economic-hardship check (LAL 42, and the province's list)."""

    NO_INCOME_MINOR_ELDERLY_DISABLED = "no_income_minor_elderly_disabled"  # LAL 42 (1)
    SOCIAL_ASSISTANCE = "social_assistance"  # LAL 42 (2): e.g. 低保 recipients
    SPECIAL_HARDSHIP_SUPPORT = "special_hardship_support"  # LAL 42 (2): 特困供养
    JUDICIAL_ASSISTANCE = "judicial_assistance"  # LAL 42 (2): 司法救助对象
    ENTITLED_GROUP = "entitled_group"  # LAL 42 (2): 优抚对象
    MIGRANT_WORKER_WAGES = "migrant_worker_wages"  # LAL 42 (3)
    # The province's list (LAL 42 (4)): level 1–2 disabled, or over 65, in disputes over support, pensions,
    # personal or medical injury; soldiers on major missions, military cadets and their families.
    DISABLED_OR_ELDERLY_IN_SUPPORT_DISPUTE = "disabled_or_elderly_in_support_dispute"
    MILITARY_MISSION = "military_mission"
    OTHER_REGULATION = "other_regulation"  # LAL 42 (4): another law, regulation or rule


class Procedure(StrEnum):
    """Trial procedure."""

    ORDINARY = "ordinary"
    SUMMARY = "summary"
    FAST_TRACK = "fast_track"


class RequestState(StrEnum):
    """Where a request is in its life at the gateway."""

    RECEIVED = "received"  # stored with its outbox row
    QUEUED = "queued"  # confirmed by the broker into the assignment exchange
    GRANTED = "granted"  # an application was granted; a lawyer is still to be assigned (LAL 43)
    DECLINED = "declined"  # an application was refused, with reasons (LAL 43)
    AWAITING_MATERIALS = "awaiting_materials"  # the applicant was told once what to supply (LAL 43 ¶2)
    ASSIGNED = "assigned"  # the centre appointed a lawyer (or named a duty lawyer)
    INFORMED = "informed"  # the agency received the appointment (LAL 36 "assign and inform")
    WITHDRAWN = "withdrawn"  # the sending agency withdrew it; the centre stops work
    TERMINATED = "terminated"  # the centre ended the aid on a ground of LAL 48; the agency is told


class WithdrawalReason(StrEnum):
    """Why an agency withdraws its notice or request: the grounds of LAL 48 an agency can know, or its error.

    Release is none of them: a released minor, or a person facing life imprisonment, must still have a defender
    (LAL 25), and a duty lawyer serves people at liberty too.
    """

    RETAINED_LAWYER = "retained_lawyer"  # the person or a relative retained a lawyer (LAL 48 (6))
    CASE_ENDED = "case_ended"  # the case was dropped, not prosecuted, or ended (LAL 48 (5))
    SENT_IN_ERROR = "sent_in_error"
    OTHER = "other"  # explained in the withdrawal's note


class DecisionOutcome(StrEnum):
    """The centre's decision on an application (给予 / 不予法律援助决定书)."""

    GRANTED = "granted"
    REFUSED = "refused"


class RefusalReason(StrEnum):
    """Why the centre refuses an application (不予法律援助决定书, LAL 43 ¶1: in writing, with reasons)."""

    OUTSIDE_SCOPE = "outside_scope"  # not a person or matter the law gives aid for (LAL 24, 29)
    HARDSHIP_NOT_MET = "hardship_not_met"  # not in financial hardship by the local standard (LAL 34, 41)
    LAWYER_RETAINED = "lawyer_retained"  # a defender is already retained (LAL 24: aid is for those without)
    MATERIALS_NOT_SUPPLIED = "materials_not_supplied"  # missing materials never supplied (LAL 43 ¶2)
    OTHER = "other"  # explained in the decision's reason


class TerminationGround(StrEnum):
    """The grounds on which the centre must end legal aid (终止法律援助, LAL 48 ¶1 (1)–(8))."""

    DECEIT = "deceit"  # (1) aid obtained by deceit or other improper means
    FACTS_CONCEALED = "facts_concealed"  # (2) important facts concealed or false evidence given
    UNLAWFUL_USE = "unlawful_use"  # (3) aid used for unlawful activities
    MEANS_CHANGED = "means_changed"  # (4) the person's means changed: no longer eligible
    CASE_ENDED = "case_ended"  # (5) the proceedings ended or the case was dropped
    LAWYER_RETAINED = "lawyer_retained"  # (6) the person retained a lawyer or other representative
    PERSON_REQUESTED = "person_requested"  # (7) the person asked, with good reason, to end the aid
    OTHER_LAWFUL_GROUND = "other_lawful_ground"  # (8) another ground laws and regulations give


class ObjectionOutcome(StrEnum):
    """The justice bureau's decision on an objection to a refusal or a termination (LAL 49 ¶2)."""

    UPHELD = "upheld"  # 维持: the centre's decision stands
    CORRECTED = "corrected"  # 责令改正: the centre must decide again, or give the aid again


class ReplacementReason(StrEnum):
    """Why a new lawyer replaces the appointed one (更换法律援助人员)."""

    REFUSED_BY_PERSON = "refused_by_person"  # the person refused the lawyer on good grounds
    CONFLICT_OF_INTEREST = "conflict_of_interest"  # e.g. the lawyer defends a co-defendant
    LAWYER_UNAVAILABLE = "lawyer_unavailable"
    OTHER = "other"
