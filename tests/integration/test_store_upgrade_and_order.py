"""A store made before the SOAP services keeps working; a request's messages leave the outbox in order."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.court.mapping import defense_notice_to_submission
from adapters.court.schemas import CourtDefenseNoticeSchema
from devtools.demo import DEMO_AGENCIES
from gateway.bootstrap import Services, build_services
from gateway.config import Settings
from gateway.domain.enums import AgencyType, Channel, WithdrawalReason
from gateway.service.messages import REQUESTS_EXCHANGE
from gateway.service.ports import OutboxMessage, PublishRefused, RawPayload
from gateway.store.engine import make_engine
from gateway.store.tables import metadata
from tests.support.gateway import example
from tests.support.postgres import fresh_database

pytestmark = [pytest.mark.integration, pytest.mark.both_stores]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.sqlite3"
    else:
        with fresh_database() as url:
            yield url


def test_a_store_without_the_sealed_key_column_is_upgraded_in_place(database_url: str) -> None:
    engine = make_engine(database_url)
    metadata.create_all(engine)  # a store from before versioned migrations
    with engine.begin() as conn:  # as it was before the SOAP services
        conn.exec_driver_sql("ALTER TABLE agencies DROP COLUMN api_key_sealed")
        conn.exec_driver_sql("DROP INDEX ix_outbox_unsent_request")
    engine.dispose()

    services = build_services(Settings(database_url=database_url))
    court = DEMO_AGENCIES[0].agency
    key = services.agencies.add(court)

    assert services.agencies.key_of(court.code) == key
    assert "ix_outbox_unsent_request" in {index["name"] for index in sa.inspect(services.engine).get_indexes("outbox")}
    services.engine.dispose()


def _accept_court_notice(services: Services) -> str:
    court = DEMO_AGENCIES[0].agency
    services.agencies.add(court)
    submission = defense_notice_to_submission(CourtDefenseNoticeSchema().load(example("court", "defense-notices.json")))
    receipt = services.intake.accept(
        court, AgencyType.COURT, Channel.REST, submission, RawPayload("application/json", b"{}")
    )
    return receipt.request_id


def test_a_withdrawal_never_overtakes_its_refused_request(database_url: str) -> None:
    services = build_services(Settings(database_url=database_url))
    request_id = _accept_court_notice(services)
    services.withdrawals.withdraw(DEMO_AGENCIES[0].agency, request_id, WithdrawalReason.CASE_ENDED, None)
    published: list[str] = []

    def refuse_requests(message: OutboxMessage) -> None:
        if message.message_id == request_id:
            raise PublishRefused("unroutable")
        published.append(message.message_id)

    first = services.outbox.process_batch(10, refuse_requests)  # the request is refused and waits to be retried
    second = services.outbox.process_batch(10, refuse_requests)

    assert (first.claimed, first.refused, second.claimed) == (1, 1, 0)
    assert published == []
    assert services.requests.get(request_id).state == "withdrawn"
    services.engine.dispose()


def test_the_relay_does_not_undo_a_withdrawal(database_url: str) -> None:
    services = build_services(Settings(database_url=database_url))
    request_id = _accept_court_notice(services)
    services.withdrawals.withdraw(DEMO_AGENCIES[0].agency, request_id, WithdrawalReason.CASE_ENDED, None)
    published: list[str] = []

    def publish(message: OutboxMessage) -> None:
        if message.exchange == REQUESTS_EXCHANGE:
            published.append(message.message_id)

    while services.outbox.process_batch(10, publish).claimed:
        pass

    assert published == [request_id, f"{request_id}.withdrawal"]
    assert services.requests.get(request_id).state == "withdrawn"
    services.engine.dispose()
