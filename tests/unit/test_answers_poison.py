"""A centre's message that can never apply is dead-lettered with a reason that names fields and codes, never
a value it carried: the reason goes to `lagw answers`' log and to the dead letter's header."""

import json
from typing import Any

import pytest

from gateway.messaging.answers_consumer import AnswersConsumer, Poison, faulty_fields
from tests.unit.test_state_changes import CENTRE, World

NAME, ID_NUMBER = "王小明", "370202199001011234"
PERSON = NAME + ID_NUMBER  # 21 characters: fits request_id (36) and centre_code (32)


class _Agencies:
    def by_code(self, code: str) -> Any:
        return CENTRE if code == CENTRE.code else None


def _consumer(world: World) -> AnswersConsumer:
    return AnswersConsumer("amqp://127.0.0.1/", world.answers, _Agencies(), world.store)  # type: ignore[arg-type]


def _message(world: World, **changes: Any) -> bytes:
    message = {
        "schema": "legalaid.answer/1",
        "type": "decision",
        "request_id": world.notice(),
        "centre_code": CENTRE.code,
        "body": {"outcome": "granted", "decided_at": "2026-11-26T10:00:00+08:00"},
    }
    return json.dumps(message | changes, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({PERSON: 1}, "(an undeclared field)"),
        ({"body": {"outcome": "granted", "decided_at": PERSON}}, "body.decided_at"),
        ({"body": {"outcome": "granted", "decided_at": "2026-11-26T10:00:00+08:00", PERSON: 1}}, "body.(an undeclared"),
        ({"type": PERSON}, "invalid type"),
        ({"centre_code": PERSON}, "centre_code names no registered legal aid centre"),
        ({"request_id": PERSON}, "request-not-found"),
    ],
    ids=["undeclared key", "field value", "undeclared key in body", "type", "centre_code", "request_id"],
)
def test_a_poison_reason_names_the_field_not_the_person(changes: dict[str, Any], names: str) -> None:
    world = World()
    body = _message(world, **changes)

    with pytest.raises(Poison) as caught:
        _consumer(world).apply("m-1", body)

    reason = str(caught.value)
    assert names in reason
    assert NAME not in reason and ID_NUMBER not in reason
    assert world.store.changes == []


def test_a_body_that_is_not_json_is_named_without_quoting_it() -> None:
    world = World()

    with pytest.raises(Poison) as caught:
        _consumer(world).apply("m-1", f'{{"name": "{PERSON}", '.encode())

    assert str(caught.value) == "not a legalaid.answer/1 message: not JSON text (JSONDecodeError)"


def test_the_fields_of_a_validation_error_are_paths_of_declared_names() -> None:
    messages = {"body": {"lawyer": {"name": ["Missing data."]}, PERSON: ["Unknown field."]}, "0": {"x": ["bad"]}}

    assert sorted(faulty_fields(messages)) == ["0.x", "body.(an undeclared field)", "body.lawyer.name"]
