"""The relay's publish gets a span id of its own in the notice's trace, also when no span leaves the process."""

import re

from gateway.tracing import producer_traceparent

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_the_publish_continues_the_trace_under_a_new_span_id() -> None:
    ids = set()
    for _ in range(200):
        version, trace_id, span_id, flags = producer_traceparent(PARENT, "publish").split("-")
        assert (version, trace_id, flags) == ("00", "4bf92f3577b34da6a3ce929d0e0e4736", "01")
        assert re.fullmatch(r"[0-9a-f]{16}", span_id) and span_id != "0" * 16
        ids.add(span_id)
    assert "00f067aa0ba902b7" not in ids
    assert len(ids) == 200  # a fresh id each time


def test_a_traceparent_it_cannot_read_is_passed_on_as_it_came() -> None:
    assert producer_traceparent("not-a-traceparent", "publish") == "not-a-traceparent"
