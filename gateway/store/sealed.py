"""The store's sealed columns: what each value is bound to, and how an older store's clear rows still read."""

from gateway.security.data_keys import DataKeyRing


def canonical_context(request_id: str) -> str:
    """What a request's sealed canonical body is bound to."""
    return f"requests.canonical:{request_id}"


def payload_context(request_id: str) -> str:
    """What a request's sealed inbound payload is bound to."""
    return f"inbound_payloads.body:{request_id}"


def document_context(document_id: str) -> str:
    """What an official document's sealed content is bound to."""
    return f"documents.content:{document_id}"


def outbox_context(message_id: str) -> str:
    """What an outbox row's sealed body is bound to."""
    return f"outbox.body:{message_id}"


def open_canonical(ring: DataKeyRing, request_id: str, stored: str, sealed_with: str | None) -> str:
    """A request's canonical JSON; a row stored before sealing (sealed_with NULL) is clear."""
    return stored if sealed_with is None else ring.open_text(stored, canonical_context(request_id))


def open_payload(ring: DataKeyRing, request_id: str, stored: bytes, sealed_with: str | None) -> bytes:
    """A request's inbound payload as received."""
    return stored if sealed_with is None else ring.open(stored, payload_context(request_id))


def open_outbox_body(ring: DataKeyRing, message_id: str, stored: bytes, sealed_with: str | None) -> bytes:
    """An outbox row's message body, clear for the bus."""
    return stored if sealed_with is None else ring.open(stored, outbox_context(message_id))
