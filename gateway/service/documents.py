"""Issuing the official document a decision calls for: numbered in the decision's transaction, laid out, digested.

The document is written once, from the decision as recorded, and kept; the agency fetches it by reference and
checks it by digest (claim check: documents never ride on the bus).
"""

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime

from gateway.domain.lifecycle import Event
from gateway.rules.deadlines import CHINA_TZ
from gateway.rules.documents import DEFAULT_NUMBER_PATTERN, default_prefix, document_number, issued_document
from gateway.service.ports import (
    DocumentFacts,
    DocumentRenderer,
    DocumentSource,
    IssuedDocument,
    NewAnswer,
    StoredRequest,
    UnitOfWork,
)


class DocumentIssuer:
    """Writes the document an event issues, if it issues one."""

    def __init__(
        self,
        renderer: DocumentRenderer,
        source: DocumentSource,
        number_pattern: str = DEFAULT_NUMBER_PATTERN,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        self._renderer = renderer
        self._source = source
        self._pattern = number_pattern
        self._prefixes = dict(prefixes or {})  # centre code -> its prefix (机关代字)

    def issue(
        self, uow: UnitOfWork, stored: StoredRequest, event: Event, answer: NewAnswer | None, at: datetime
    ) -> IssuedDocument | None:
        """The document, numbered in `uow`'s transaction; None when the event issues none."""
        if answer is None:
            return None
        kind = issued_document(event, answer.body.get("outcome"))
        if kind is None:
            return None
        year = at.astimezone(CHINA_TZ).year
        centre = self._source.agency_name(stored.centre_code)
        addressee, person = self._source.agency_name(stored.agency_code), self._source.person_name(stored.id)
        seq = uow.reserve_document_number(stored.centre_code, kind, year)  # the counter's lock from here on
        facts = DocumentFacts(
            kind=kind,
            number=document_number(
                self._pattern,
                self._prefixes.get(stored.centre_code) or default_prefix(centre),
                stored.centre_code,
                kind,
                year,
                seq,
            ),
            issued_at=at,
            issuer=centre,
            addressee=addressee,
            request_kind=stored.kind,
            reference=stored.reference,
            case_number=stored.case_number,
            person=person,
            answer=answer.body,
        )
        title, content = self._renderer.render(facts)
        return IssuedDocument(
            id=str(uuid.uuid4()),
            kind=kind,
            centre_code=stored.centre_code,
            number=facts.number,
            title=title,
            media_type=self._renderer.media_type,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            issued_at=at,
        )
