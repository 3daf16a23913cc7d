"""The official documents as stored: what a request's status lists, the content an agency fetches (opened), and
what a document names besides the decision (the organs' names, the person's)."""

import json

import sqlalchemy as sa

from gateway.security.data_keys import DataKeyRing
from gateway.service.ports import StoredDocument
from gateway.store.engine import READ_ONLY
from gateway.store.requests import canonical_body
from gateway.store.sealed import document_context
from gateway.store.tables import agencies, documents

_LISTED = (documents.c.id, documents.c.request_id, documents.c.kind, documents.c.number, documents.c.title,
           documents.c.media_type, documents.c.sha256, documents.c.issued_at)  # fmt: skip


class SqlDocuments:
    """Documents by request, and one document's content, opened."""

    def __init__(self, engine: sa.Engine, data_keys: DataKeyRing) -> None:
        self._engine = engine
        self._data_keys = data_keys

    def of_request(self, request_id: str) -> list[StoredDocument]:
        """A request's documents, oldest first."""
        query = sa.select(*_LISTED).where(documents.c.request_id == request_id).order_by(documents.c.issued_at)
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            return [StoredDocument(**row._mapping) for row in conn.execute(query)]

    def get(self, request_id: str, document_id: str) -> StoredDocument | None:
        """One of a request's documents with its content, or None."""
        query = sa.select(*_LISTED, documents.c.content, documents.c.sealed_with).where(
            documents.c.id == document_id, documents.c.request_id == request_id
        )
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        values = dict(row._mapping)
        sealed_with = values.pop("sealed_with")
        stored = bytes(values.pop("content"))
        content = stored if sealed_with is None else self._data_keys.open(stored, document_context(document_id))
        return StoredDocument(**values, content=content)


class SqlDocumentSource:
    """The DocumentSource port: names from the registry, the person's from the sealed canonical body."""

    def __init__(self, engine: sa.Engine, data_keys: DataKeyRing) -> None:
        self._engine = engine
        self._data_keys = data_keys

    def agency_name(self, code: str) -> str:
        """A registered agency's or centre's name (its code if it is unknown)."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            name = conn.scalar(sa.select(agencies.c.name).where(agencies.c.code == code))
        return code if name is None else str(name)

    def person_name(self, request_id: str) -> str:
        """The name of the person the request is for."""
        with self._engine.connect().execution_options(**READ_ONLY) as conn:
            body = canonical_body(conn, self._data_keys, request_id)
        return "" if body is None else str(json.loads(body)["person"]["name"])
