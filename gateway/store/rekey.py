"""Key rotation: re-seal personal data under the current data key, in short batches, while the gateway runs.

Rows of an older store that were written in clear (sealed_with NULL) are sealed the same way, and their
requests get the blind indexes the console searches by.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from gateway.security.data_keys import DataKeyRing
from gateway.security.privacy import id_tail_index, name_index
from gateway.store.sealed import (
    canonical_context,
    document_context,
    open_canonical,
    open_outbox_body,
    open_payload,
    outbox_context,
    payload_context,
)
from gateway.store.tables import documents, inbound_payloads, outbox_bodies, request_bodies, requests

CLEAR = "(clear)"


@dataclass(frozen=True)
class SealedColumn:
    """A table whose `value` column is sealed, and how to re-seal one of its rows."""

    table: sa.Table
    row_key: sa.Column[Any]
    extra: tuple[sa.Column[Any], ...]
    reseal: Callable[[DataKeyRing, bytes, sa.RowMapping], dict[str, object]]
    # The request's blind indexes, from what the row holds in clear: written to the requests row it belongs to.
    indexes: Callable[[DataKeyRing, bytes, sa.RowMapping], sa.Update] | None = None


class DataRekeying:
    """Moves every sealed row to the current key; each batch is one short transaction."""

    def __init__(self, engine: sa.Engine, data_keys: DataKeyRing, id_hash_key: bytes) -> None:
        self._engine = engine
        self._data_keys = data_keys
        self._id_hash_key = id_hash_key
        self._locking = engine.dialect.name == "postgresql"

    @property
    def current_key_id(self) -> str:
        """The key every row is moved to."""
        return self._data_keys.current_id

    @property
    def configured_key_ids(self) -> tuple[str, ...]:
        """Every key the ring holds."""
        return self._data_keys.key_ids

    def rotate(self, batch_size: int = 500, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
        """Re-seal every row not under the current key; the number of rows moved, by table."""
        moved = {}
        for column in self._columns():
            moved[column.table.name] = self._rotate_table(column, batch_size, progress)
        return moved

    def key_usage(self) -> dict[str, dict[str, int]]:
        """How many rows of each sealed table each key id seals (CLEAR: rows never sealed)."""
        usage: dict[str, dict[str, int]] = {}
        with self._engine.connect() as conn:
            for column in self._columns():
                sealed_with = column.table.c.sealed_with
                query = sa.select(sealed_with, sa.func.count()).where(_holds_data(column.table)).group_by(sealed_with)
                usage[column.table.name] = {key or CLEAR: int(count) for key, count in conn.execute(query).all()}
        return usage

    def _rotate_table(self, column: SealedColumn, batch_size: int, progress: Callable[[str, int], None] | None) -> int:
        table, current = column.table, self._data_keys.current_id
        stale = sa.and_(sa.or_(table.c.sealed_with.is_(None), table.c.sealed_with != current), _holds_data(table))
        after: Any = None
        total = 0
        while True:
            query = sa.select(column.row_key, table.c.sealed_with, *column.extra).where(stale)
            if after is not None:
                query = query.where(column.row_key > after)
            query = query.order_by(column.row_key).limit(batch_size)
            with self._engine.begin() as conn:
                rows = conn.execute(query.with_for_update() if self._locking else query).all()
                for row in rows:
                    total += self._reseal_row(conn, column, row._mapping)
            if not rows:
                return total
            after = rows[-1]._mapping[column.row_key.name]
            if progress is not None:
                progress(table.name, total)

    def _reseal_row(self, conn: sa.Connection, column: SealedColumn, row: sa.RowMapping) -> int:
        sealed_with = column.table.c.sealed_with
        values = column.reseal(self._data_keys, self._id_hash_key, row)
        # Compare-and-set: a row another rotation moved meanwhile is left as it is.
        moved = conn.execute(
            column.table.update()
            .where(column.row_key == row[column.row_key.name])
            .where(sealed_with.is_(None) if row["sealed_with"] is None else sealed_with == row["sealed_with"])
            .values(**values, sealed_with=self._data_keys.current_id)
        ).rowcount
        if moved and column.indexes is not None:
            conn.execute(column.indexes(self._data_keys, self._id_hash_key, row))
        return moved

    def _columns(self) -> tuple[SealedColumn, ...]:
        return (
            SealedColumn(
                request_bodies,
                request_bodies.c.request_id,
                (request_bodies.c.canonical,),
                _reseal_request,
                _blind_indexes,
            ),
            SealedColumn(
                inbound_payloads,
                inbound_payloads.c.request_id,
                (inbound_payloads.c.body,),
                _reseal_payload,
            ),
            SealedColumn(
                outbox_bodies,
                outbox_bodies.c.outbox_id,
                (outbox_bodies.c.message_id, outbox_bodies.c.body),
                _reseal_outbox,
            ),
            SealedColumn(documents, documents.c.id, (documents.c.content,), _reseal_document),
        )


def _reseal_request(ring: DataKeyRing, _id_hash_key: bytes, row: sa.RowMapping) -> dict[str, object]:
    request_id = row["request_id"]
    clear = open_canonical(ring, request_id, row["canonical"], row["sealed_with"])
    return {"canonical": ring.seal_text(clear, canonical_context(request_id))}


def _blind_indexes(ring: DataKeyRing, id_hash_key: bytes, row: sa.RowMapping) -> sa.Update:
    """The request's search indexes from its canonical body (a store older than them has none)."""
    request_id = row["request_id"]
    person = json.loads(open_canonical(ring, request_id, row["canonical"], row["sealed_with"])).get("person") or {}
    name, number = person.get("name"), person.get("id_number")
    return (
        requests.update()
        .where(requests.c.id == request_id)
        .values(
            name_index=name_index(id_hash_key, name) if name else None,
            id_tail_index=id_tail_index(id_hash_key, number) if number else None,
        )
    )


def _reseal_payload(ring: DataKeyRing, _id_hash_key: bytes, row: sa.RowMapping) -> dict[str, object]:
    request_id = row["request_id"]
    clear = open_payload(ring, request_id, bytes(row["body"]), row["sealed_with"])
    return {"body": ring.seal(clear, payload_context(request_id))}


def _reseal_outbox(ring: DataKeyRing, _id_hash_key: bytes, row: sa.RowMapping) -> dict[str, object]:
    message_id = row["message_id"]
    clear = open_outbox_body(ring, message_id, bytes(row["body"]), row["sealed_with"])
    return {"body": ring.seal(clear, outbox_context(message_id))}


def _reseal_document(ring: DataKeyRing, _id_hash_key: bytes, row: sa.RowMapping) -> dict[str, object]:
    document_id = row["id"]
    stored = bytes(row["content"])
    clear = stored if row["sealed_with"] is None else ring.open(stored, document_context(document_id))
    return {"content": ring.seal(clear, document_context(document_id))}


def _holds_data(table: sa.Table) -> sa.ColumnElement[bool]:
    """Rows with something sealed in them: an original message the retention run emptied holds nothing."""
    return table.c.purged_at.is_(None) if "purged_at" in table.c else sa.true()
