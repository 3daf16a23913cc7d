"""The intake use case with fakes behind the ports."""

import hashlib
import json
import logging
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

import pytest
from marshmallow import ValidationError

from adapters.court.mapping import application_transfer_to_submission as court_transfer
from adapters.court.mapping import defense_notice_to_submission
from adapters.court.schemas import CourtApplicationTransferSchema, CourtDefenseNoticeSchema
from adapters.examples import sample_path
from adapters.police.mapping import application_transfer_to_submission
from adapters.police.mapping import duty_request_to_submission as police_duty_request
from adapters.police.schemas import ApplicationTransferSchema, PoliceDutyLawyerRequestSchema
from adapters.procuratorate.mapping import FIELD_NAMES as PROCURATORATE_FIELDS
from adapters.procuratorate.mapping import application_transfer_to_submission as procuratorate_transfer
from adapters.procuratorate.mapping import defense_notice_to_submission as procuratorate_notice
from adapters.procuratorate.mapping import duty_request_to_submission as procuratorate_duty_request
from adapters.procuratorate.schemas import (
    DutyLawyerRequestSchema,
    ProcuratorateApplicationTransferSchema,
    ProcuratorateDefenseNoticeSchema,
)
from adapters.registry import kinds_for, permissions
from gateway.domain.enums import AgencyType, Channel, Kind, Level, Stage
from gateway.domain.model import Agency, Submission
from gateway.domain.resident_id import check_character
from gateway.domain.text import hidden_character
from gateway.errors import InvalidInput, KindNotAllowed, ReferenceConflict, StageNotAllowed
from gateway.rules.calendar import load_calendar
from gateway.rules.deadlines import CHINA_TZ, DeadlinePolicy
from gateway.rules.routing import load_routing_table
from gateway.service.intake import Intake, earlier_digests, one_per_person, submission_digest
from gateway.service.ports import RawPayload
from gateway.web.intake_view import dialect_path
from schemas.canonical import validate_message
from tests.unit.fakes import FixedClock, InMemoryStore

COURT = Agency("c1", "市南区人民法院", AgencyType.COURT, Level.DISTRICT, "370202", kinds_for(AgencyType.COURT))
POLICE = Agency("p1", "市北分局", AgencyType.POLICE, Level.DISTRICT, "370203", kinds_for(AgencyType.POLICE))
RAW = RawPayload("application/json", b"{}")
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=CHINA_TZ)


def court_notice():  # type: ignore[no-untyped-def]
    body = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))
    return defense_notice_to_submission(CourtDefenseNoticeSchema().load(body))


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def intake(store: InMemoryStore) -> Intake:
    return Intake(store, FixedClock(NOW), load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions())


def test_a_new_notice_is_stored_with_its_outbox_message(intake: Intake, store: InMemoryStore) -> None:
    receipt = intake.accept(COURT, AgencyType.COURT, Channel.REST, court_notice(), RAW)

    assert receipt.created
    assert receipt.centre_code == "lac370202"
    assert receipt.deadline.basis == "LAL 36"
    (message,) = store.outbox
    assert message.message_id == receipt.request_id
    assert message.routing_key == "notify_defense.lac370202"
    body = validate_message(message.body)
    assert body["person"]["minor"] is True
    assert body["person"]["gender"].value == "male"
    assert body["source"]["agency_code"] == "c1"  # from the credentials, never from the body


def test_a_resend_returns_the_same_receipt_and_stores_nothing(intake: Intake, store: InMemoryStore) -> None:
    first = intake.accept(COURT, AgencyType.COURT, Channel.REST, court_notice(), RAW)
    again = intake.accept(COURT, AgencyType.COURT, Channel.SOAP, court_notice(), RAW)

    assert (again.request_id, again.created) == (first.request_id, False)
    assert again.deadline == first.deadline
    assert len(store.outbox) == 1


def test_a_different_body_under_the_same_reference_is_a_conflict(intake: Intake, store: InMemoryStore) -> None:
    intake.accept(COURT, AgencyType.COURT, Channel.REST, court_notice(), RAW)
    changed = replace(court_notice(), notes="a different remark")

    with pytest.raises(ReferenceConflict):
        intake.accept(COURT, AgencyType.COURT, Channel.REST, changed, RAW)
    assert len(store.outbox) == 1


def test_the_same_reference_from_another_agency_is_a_new_request(intake: Intake, store: InMemoryStore) -> None:
    other = replace(COURT, code="c2")
    first = intake.accept(COURT, AgencyType.COURT, Channel.REST, court_notice(), RAW)
    second = intake.accept(other, AgencyType.COURT, Channel.REST, court_notice(), RAW)
    assert first.request_id != second.request_id


def test_an_agency_may_not_use_another_agency_types_service(intake: Intake, store: InMemoryStore) -> None:
    with pytest.raises(KindNotAllowed):
        intake.accept(POLICE, AgencyType.COURT, Channel.REST, court_notice(), RAW)
    assert not store.outbox


def test_an_agency_limited_to_some_kinds_may_send_only_those(intake: Intake) -> None:
    limited = replace(COURT, allowed_kinds=frozenset({Kind.DUTY_LAWYER}))
    with pytest.raises(KindNotAllowed):
        intake.accept(limited, AgencyType.COURT, Channel.REST, court_notice(), RAW)


def test_police_cannot_notify_at_a_trial_stage(intake: Intake, store: InMemoryStore) -> None:
    # CPL 19, LAL 36: a bureau notifies in investigation; at trial the court does.
    notice_at_trial = court_notice()
    assert notice_at_trial.case.stage.value == "first_instance"
    with pytest.raises(StageNotAllowed):
        intake.accept(POLICE, AgencyType.POLICE, Channel.REST, notice_at_trial, RAW)
    assert not store.outbox


def test_a_transfer_forwarded_after_24_hours_is_flagged_late(intake: Intake, store: InMemoryStore) -> None:
    body = json.loads(sample_path("police/application-transfers.json").read_text(encoding="utf-8"))
    body["application"]["applied_at"] = "2026-11-23T08:00:00+08:00"
    submission = application_transfer_to_submission(ApplicationTransferSchema().load(body))

    intake.accept(POLICE, AgencyType.POLICE, Channel.REST, submission, RAW)
    assert "late_transfer" in validate_message(store.outbox[0].body)["flags"]


def test_the_log_line_masks_the_person(intake: Intake, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    intake.accept(COURT, AgencyType.COURT, Channel.REST, court_notice(), RAW)
    assert "王**" in caplog.text
    assert "王小明" not in caplog.text and "370202201003150310" not in caplog.text


def _two_born_2010_03_15() -> Submission:
    """The court's notice naming a second defendant born the same day (GB 11643: male, check character computed)."""
    notice = court_notice()
    first17 = "37020220100315033"
    second = replace(notice.person, name="李四", id_number=first17 + check_character(first17))
    return replace(notice, co_persons=(second,))


def test_a_resend_after_a_further_person_turned_18_still_gets_its_receipts(store: InMemoryStore) -> None:
    clock = FixedClock(datetime(2028, 3, 14, 10, 0, tzinfo=CHINA_TZ))  # the day before both turn 18
    intake = Intake(store, clock, load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions())
    first = intake.accept(COURT, AgencyType.COURT, Channel.REST, _two_born_2010_03_15(), RAW)
    clock.current = datetime(2028, 3, 16, 10, 0, tzinfo=CHINA_TZ)

    again = intake.accept(COURT, AgencyType.COURT, Channel.REST, _two_born_2010_03_15(), RAW)
    assert (again.request_id, again.created) == (first.request_id, False)
    assert [c.request_id for c in again.companions] == [c.request_id for c in first.companions]


def test_a_document_naming_several_stored_under_the_earlier_digest_keeps_its_resends(store: InMemoryStore) -> None:
    clock = FixedClock(datetime(2028, 3, 14, 10, 0, tzinfo=CHINA_TZ))
    intake = Intake(store, clock, load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions())
    first = intake.accept(COURT, AgencyType.COURT, Channel.REST, _two_born_2010_03_15(), RAW)
    normalized = one_per_person(_two_born_2010_03_15(), clock.current.date())
    said = replace(normalized[0], co_persons=tuple(member.person for member in normalized[1:]))
    earlier = _asdict_digest(replace(said, person=replace(said.person, minor=None)))  # the minor flag of #2 in it
    for request_id, stored in list(store.stored.items()):
        store.stored[request_id] = replace(stored, digest=earlier)

    again = intake.accept(COURT, AgencyType.COURT, Channel.REST, _two_born_2010_03_15(), RAW)
    assert (again.request_id, again.created) == (first.request_id, False)


def test_a_resend_after_the_person_turned_18_still_gets_its_receipt(store: InMemoryStore) -> None:
    clock = FixedClock(datetime(2028, 3, 14, 10, 0, tzinfo=CHINA_TZ))  # the day before the 18th birthday
    intake = Intake(store, clock, load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions())
    first = intake.accept(COURT, AgencyType.COURT, Channel.REST, court_notice(), RAW)
    clock.current = datetime(2028, 3, 16, 10, 0, tzinfo=CHINA_TZ)

    again = intake.accept(COURT, AgencyType.COURT, Channel.REST, court_notice(), RAW)
    assert (again.request_id, again.created) == (first.request_id, False)


def _examples() -> list[Submission]:
    def load(path: str) -> Any:
        return json.loads(sample_path(path).read_text(encoding="utf-8"))

    several = court_notice()  # a document naming two persons, its case's district declared
    several = replace(
        several,
        case=replace(several.case, district="370202"),
        co_persons=(replace(several.person, name="李四", id_number="370202198001010015", minor=True),),
    )
    return [
        court_notice(),
        several,
        application_transfer_to_submission(ApplicationTransferSchema().load(load("police/application-transfers.json"))),
        police_duty_request(PoliceDutyLawyerRequestSchema().load(load("police/duty-lawyer-requests.json"))),
        procuratorate_notice(ProcuratorateDefenseNoticeSchema().load(load("procuratorate/defense-notices.json"))),
        procuratorate_duty_request(DutyLawyerRequestSchema().load(load("procuratorate/duty-lawyer-requests.json"))),
    ]


@pytest.mark.parametrize(
    "submission", _examples(), ids=["court", "two persons", "transfer", "police duty", "notice", "duty"]
)
def test_the_digest_is_the_one_stored_requests_carry(submission: Submission) -> None:
    # As stored requests' digests are made: dataclasses.asdict, sorted keys, str() for dates and the like, no
    # person's age on the day; fields added since the first (the case's district, ground_found_at,
    # handling_organ_seat; co_persons) are left out when absent.
    unaged = tuple(replace(person, minor=None) for person in submission.co_persons)
    assert submission_digest(submission) == _asdict_digest(
        replace(submission, person=replace(submission.person, minor=None), co_persons=unaged)
    )


@pytest.mark.parametrize(
    "submission", _examples(), ids=["court", "two persons", "transfer", "police duty", "notice", "duty"]
)
def test_a_document_naming_several_has_the_earlier_digest_too(submission: Submission) -> None:
    # Before 2026-12-05 the further persons' age on the day was in the digest: such documents keep their resends.
    earlier = _asdict_digest(replace(submission, person=replace(submission.person, minor=None)))
    if submission.co_persons:
        assert earlier_digests(submission) == (earlier,)
        aged = any(person.minor is not None for person in submission.co_persons)
        assert (earlier != submission_digest(submission)) == aged
    else:
        assert earlier_digests(submission) == ()


def _asdict_digest(submission: Submission) -> str:
    data = asdict(submission)
    for added in ("district", "ground_found_at", "handling_organ_seat"):
        if data["case"][added] is None:
            del data["case"][added]
    if not data["co_persons"]:  # added since too; a document naming one person has none
        del data["co_persons"]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("王小明", None),
        ("王\ue000明", None),  # a rare character of a name, in the private-use area
        ("第一行\n第二行\t完\r", None),
        ("王\u202e小明", "U+202E"),  # right-to-left override
        ("王\u2066小明", "U+2066"),  # left-to-right isolate
        ("王\u200b小明", "U+200B"),  # zero-width space
        ("\ufeff王小明", "U+FEFF"),
        ("王\u0085", "U+0085"),  # a C1 control
        ("王\x00", "U+0000"),
    ],
)
def test_hidden_characters_are_named_by_code_point(text: str, found: str | None) -> None:
    assert hidden_character(text) == found


def test_a_submission_with_a_hidden_character_anywhere_is_refused_naming_the_field(
    intake: Intake, store: InMemoryStore
) -> None:
    submission = replace(court_notice(), notes="家属\u202e已委托律师")

    with pytest.raises(InvalidInput) as refused:
        intake.accept(COURT, AgencyType.COURT, Channel.REST, submission, RAW)

    assert list(refused.value.errors) == ["notes"]
    assert "U+202E" in refused.value.errors["notes"][0]
    assert store.stored == {}


def test_a_case_elsewhere_in_the_city_is_accepted_flagged_and_routed_by_the_agencys_seat(
    intake: Intake, store: InMemoryStore
) -> None:
    # CPL 25-27 (residence, designated jurisdiction): a lawful notice is never refused for its district;
    # LAL 38: the centre is the one where the notifying court sits.
    body = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))
    body["case_district"] = "370203"
    submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(body))

    receipt = intake.accept(COURT, AgencyType.COURT, Channel.REST, submission, RAW)

    message = validate_message(store.outbox[0].body)
    assert receipt.centre_code == "lac370202"
    assert message["flags"] == ["outside_usual_jurisdiction"]
    assert message["case"]["district"] == "370203"


@pytest.mark.parametrize(
    ("found_at", "flags"),
    [
        # LAL 36: three days from finding the ground, that day not counted (CPL 105); received Wed 25 Nov 09:30.
        ("2026-11-21T10:00:00+08:00", ["late_notice"]),  # Saturday: the third day, Tuesday 24th, has ended
        ("2026-11-22T10:00:00+08:00", []),  # Sunday: the third day is today
        ("2026-11-23T10:00:00+08:00", []),
    ],
)
def test_a_notice_sent_more_than_three_days_after_the_ground_was_found_is_flagged_late(
    intake: Intake, store: InMemoryStore, found_at: str, flags: list[str]
) -> None:
    body = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))
    submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(body | {"ground_found_at": found_at}))

    intake.accept(COURT, AgencyType.COURT, Channel.REST, submission, RAW)

    stored = validate_message(store.outbox[0].body)
    assert stored["flags"] == flags
    assert stored["case"]["ground_found_at"] == datetime.fromisoformat(found_at)


def test_a_ground_found_after_the_notice_was_received_is_refused(intake: Intake, store: InMemoryStore) -> None:
    body = json.loads(sample_path("court/defense-notices.json").read_text(encoding="utf-8"))
    later = body | {"ground_found_at": "2026-11-25T09:36:00+08:00"}  # six minutes after NOW: past the clocks' skew
    submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(later))

    with pytest.raises(InvalidInput) as refused:
        intake.accept(COURT, AgencyType.COURT, Channel.REST, submission, RAW)
    assert refused.value.errors == {"case.ground_found_at": ["after the notice was received"]}
    assert not store.outbox


def _transfer(**changes: object) -> dict[str, object]:
    body: dict[str, object] = json.loads(sample_path("police/application-transfers.json").read_text("utf-8"))
    return body | changes


def test_an_application_tried_by_the_city_court_goes_to_the_city_centre_whoever_forwards_it(
    intake: Intake, store: InMemoryStore
) -> None:
    # LAL 38, Shandong regulation art. 11: the centre where the organ handling the case sits, at its level.
    court = {"name": "青岛市中级人民法院", "level": "city", "district": "370200", "code": "court-370200"}
    body = _transfer(stage="first_instance", handling_organ=court)

    receipt = intake.accept(
        POLICE,
        AgencyType.POLICE,
        Channel.REST,
        application_transfer_to_submission(ApplicationTransferSchema().load(body)),
        RAW,
    )

    message = validate_message(store.outbox[0].body)
    assert receipt.centre_code == "lac370200"  # the forwarder (市北区) is told where it went
    assert (message["case"]["stage"], message["case"]["handling_organ"]) == (Stage.FIRST_INSTANCE, "青岛市中级人民法院")
    assert message["case"]["handling_organ_seat"] == {"level": Level.CITY, "district": "370200", "code": "court-370200"}
    assert message["routing"]["routing_key"] == "application_transfer.lac370200"


def test_past_investigation_the_forwarder_must_name_the_handling_organ() -> None:
    with pytest.raises(ValidationError) as refused:
        ApplicationTransferSchema().load(_transfer(stage="review_for_prosecution", handling_organ=None) | {})
    without = _transfer(stage="review_for_prosecution")
    del without["handling_organ"]
    with pytest.raises(ValidationError) as missing:
        ApplicationTransferSchema().load(without)

    assert "handling_organ" in refused.value.messages
    assert missing.value.messages == {
        "handling_organ": ["required when the case is past investigation: name the organ handling the case (LAL 38)"]
    }


PROCURATORATE = Agency(
    "q1", "青岛市人民检察院", AgencyType.PROCURATORATE, Level.CITY, "370200", kinds_for(AgencyType.PROCURATORATE)
)


def _court_transfer() -> Submission:
    body = json.loads(sample_path("court/application-transfers.json").read_text(encoding="utf-8"))
    return court_transfer(CourtApplicationTransferSchema().load(body))


def _procuratorate_transfer() -> Submission:
    body = json.loads(sample_path("procuratorate/application-transfers.json").read_text(encoding="utf-8"))
    return procuratorate_transfer(ProcuratorateApplicationTransferSchema().load(body))


@pytest.mark.parametrize(
    ("agency", "submission", "stage", "centre", "relation"),
    [
        (COURT, _court_transfer(), "first_instance", "lac370202", "self"),
        (PROCURATORATE, _procuratorate_transfer(), "review_for_prosecution", "lac370200", "close_relative"),
    ],
    ids=["district court", "city procuratorate"],
)
def test_a_court_or_procuratorate_forwards_an_application_to_the_centre_where_it_sits(
    store: InMemoryStore, agency: Agency, submission: Submission, stage: str, centre: str, relation: str
) -> None:
    # LAL 39: the organ handling the case forwards a detainee's application within 24 hours; LAL 38: it goes to
    # the centre where that organ sits, at its level.
    clock = FixedClock(datetime(2026, 12, 2, 9, 0, tzinfo=CHINA_TZ))
    intake = Intake(store, clock, load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions())

    receipt = intake.accept(agency, agency.type, Channel.REST, submission, RAW)

    stored = validate_message(store.outbox[0].body)
    assert (receipt.kind, receipt.centre_code) == (Kind.APPLICATION_TRANSFER, centre)
    assert stored["case"]["stage"] == stage
    assert stored["application"]["applicant_relation"] == relation
    assert stored["application"]["pledge_signed"] is True
    assert "late_transfer" not in stored["flags"]  # applied the day before, forwarded within 24 hours


def test_an_application_made_after_it_was_forwarded_is_refused(store: InMemoryStore) -> None:
    # The sample was applied for on 1 December at 10:00; received on 30 November it cannot have been made yet.
    clock = FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=CHINA_TZ))
    intake = Intake(store, clock, load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions())

    with pytest.raises(InvalidInput) as refused:
        intake.accept(COURT, AgencyType.COURT, Channel.REST, _court_transfer(), RAW)
    assert list(refused.value.errors or {}) == ["application.applied_at"]
    assert not store.outbox


def _police_duty(**changes: object) -> dict[str, object]:
    body: dict[str, object] = json.loads(sample_path("police/duty-lawyer-requests.json").read_text("utf-8"))
    return body | changes


def test_a_detention_centre_asks_for_a_duty_lawyer_at_trial_and_its_own_centre_sends_one(
    intake: Intake, store: InMemoryStore
) -> None:
    # CPL 36 ¶2: the detention centre tells a detainee without a defender of the duty lawyer and arranges the
    # meeting at every stage it holds him; CPL 36 ¶1: the duty lawyer is stationed there, so the centre where
    # the detention centre sits sends one, whoever handles the case.
    court = {"name": "青岛市中级人民法院", "level": "city", "district": "370200"}
    body = _police_duty(stage="first_instance", handling_organ=court, purpose="consultation")

    receipt = intake.accept(
        POLICE, AgencyType.POLICE, Channel.REST, police_duty_request(PoliceDutyLawyerRequestSchema().load(body)), RAW
    )

    stored = validate_message(store.outbox[0].body)
    assert (receipt.kind, receipt.centre_code) == (Kind.DUTY_LAWYER, "lac370203")
    assert (stored["case"]["stage"], stored["case"]["handling_organ"]) == ("first_instance", "青岛市中级人民法院")


def test_a_duty_request_past_investigation_must_name_the_handling_organ() -> None:
    with pytest.raises(ValidationError) as refused:
        PoliceDutyLawyerRequestSchema().load(_police_duty(stage="review_for_prosecution"))
    assert list(refused.value.messages) == ["handling_organ"]


def _duty_notice(*others: dict[str, Any]) -> Submission:
    body = json.loads(sample_path("procuratorate/duty-lawyer-requests.json").read_text(encoding="utf-8"))
    return procuratorate_duty_request(DutyLawyerRequestSchema().load(body | {"other_suspects": list(others)}))


def _suspect(name: str, id_number: str) -> dict[str, Any]:
    return {
        "full_name": name,
        "identity": {"type": "resident_id", "number": id_number},
        "compulsory_measure": {"type": "bail_pending_trial"},
    }


SUSPECT_2, SUSPECT_3 = _suspect("孙磊", "370213199807040511"), _suspect("钱敏", "37021219990203042X")


def test_a_duty_notice_naming_three_suspects_makes_three_linked_requests(store: InMemoryStore) -> None:
    # domain.md: a 法律帮助通知书 may name several suspects; each gets his own duty lawyer's help (LAL 30, CPL 36),
    # so each is tracked and answered on his own, and the centre sees them together.
    intake = Intake(
        store, FixedClock(NOW), load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions()
    )

    receipt = intake.accept(
        PROCURATORATE, AgencyType.PROCURATORATE, Channel.SOAP, _duty_notice(SUSPECT_2, SUSPECT_3), RAW
    )

    messages = {message["id"]: message for message in (validate_message(m.body) for m in store.outbox)}
    ids = [receipt.request_id, *(companion.request_id for companion in receipt.companions)]
    assert len(set(ids)) == 3 and set(messages) == set(ids)
    assert [messages[i]["source"]["reference"] for i in ids] == [
        "青检法帮〔2026〕88号",
        "青检法帮〔2026〕88号#2",
        "青检法帮〔2026〕88号#3",
    ]
    assert [companion.reference for companion in receipt.companions] == [
        "青检法帮〔2026〕88号#2",
        "青检法帮〔2026〕88号#3",
    ]
    assert [messages[i]["person"]["name"] for i in ids] == ["赵丽", "孙磊", "钱敏"]
    for request_id in ids:
        linked = {(r["id"], r["relation"]) for r in messages[request_id]["related"]}
        assert linked == {(other, "same_notice") for other in ids if other != request_id}


def test_a_resend_of_a_notice_naming_several_gets_the_same_receipts_and_a_changed_one_is_a_conflict(
    store: InMemoryStore,
) -> None:
    intake = Intake(
        store, FixedClock(NOW), load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions()
    )
    first = intake.accept(PROCURATORATE, AgencyType.PROCURATORATE, Channel.REST, _duty_notice(SUSPECT_2), RAW)

    again = intake.accept(PROCURATORATE, AgencyType.PROCURATORATE, Channel.REST, _duty_notice(SUSPECT_2), RAW)
    with pytest.raises(ReferenceConflict):
        intake.accept(PROCURATORATE, AgencyType.PROCURATORATE, Channel.REST, _duty_notice(SUSPECT_2, SUSPECT_3), RAW)

    assert (again.request_id, again.created) == (first.request_id, False)
    assert [(c.request_id, c.created) for c in again.companions] == [(first.companions[0].request_id, False)]
    assert len(store.outbox) == 2


@pytest.mark.parametrize(
    ("others", "code", "field"),
    [
        # GB 11643: the third suspect's check character is wrong.
        ((SUSPECT_2, _suspect("钱敏", "370212199902030420")), "invalid-id-number", "other_suspects.1.identity.number"),
        # The same person named twice.
        ((SUSPECT_2, _suspect("孙磊", "370213199807040511")), "validation-failed", "other_suspects.1.identity.number"),
    ],
    ids=["bad id number", "named twice"],
)
def test_one_bad_person_refuses_the_whole_notice_and_is_named_as_the_dialect_names_him(
    store: InMemoryStore, others: tuple[dict[str, Any], ...], code: str, field: str
) -> None:
    intake = Intake(
        store, FixedClock(NOW), load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions()
    )

    with pytest.raises(InvalidInput) as refused:
        intake.accept(PROCURATORATE, AgencyType.PROCURATORATE, Channel.REST, _duty_notice(*others), RAW)

    assert refused.value.code == code
    assert [dialect_path(path, PROCURATORATE_FIELDS) for path in refused.value.errors] == [field]
    assert not store.outbox and not store.stored


def test_a_document_whose_companion_reference_was_used_alone_before_is_a_conflict_not_an_error(
    store: InMemoryStore,
) -> None:
    intake = Intake(
        store, FixedClock(NOW), load_calendar(), load_routing_table(), DeadlinePolicy(), matrix=permissions()
    )
    alone = replace(_duty_notice(), reference="青检法帮〔2026〕88号#2")
    earlier = intake.accept(PROCURATORATE, AgencyType.PROCURATORATE, Channel.SOAP, alone, RAW)
    before = len(store.stored)

    with pytest.raises(ReferenceConflict) as conflict:
        intake.accept(PROCURATORATE, AgencyType.PROCURATORATE, Channel.SOAP, _duty_notice(SUSPECT_2), RAW)

    assert conflict.value.existing_id == earlier.request_id
    assert len(store.stored) == before  # nothing of the document is stored
