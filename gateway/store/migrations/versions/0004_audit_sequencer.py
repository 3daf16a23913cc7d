"""The audit chain linked by a sequencer: each record's place on the chain (`seq`) and when it was written
(`queued_at`); the head keeps the chain's length instead of where an older store's records end

Records already chained keep their hashes and take their places in the order of their ids, as they were
linked; records of a store older than the chain are linked by the sequencer after them.

Revision ID: 0004
Revises: 0003
Created: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNLINKED = sa.text("seq IS NULL")


def upgrade() -> None:
    # A store from before migrations may have these already (see gateway.store.migrate): add what is missing.
    inspector = sa.inspect(op.get_bind())
    log_columns = {column["name"] for column in inspector.get_columns("audit_log")}
    log_indexes = {index["name"] for index in inspector.get_indexes("audit_log")}
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        if "seq" not in log_columns:
            batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        if "queued_at" not in log_columns:
            batch_op.add_column(sa.Column("queued_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        if "ux_audit_seq" not in log_indexes:
            batch_op.create_index("ux_audit_seq", ["seq"], unique=True)
        if "ix_audit_unlinked" not in log_indexes:
            batch_op.create_index(
                "ix_audit_unlinked", ["id"], unique=False, sqlite_where=_UNLINKED, postgresql_where=_UNLINKED
            )
    head_columns = {column["name"] for column in inspector.get_columns("audit_chain")}
    with op.batch_alter_table("audit_chain", schema=None) as batch_op:
        if "last_seq" not in head_columns:
            batch_op.add_column(sa.Column("last_seq", sa.BigInteger(), nullable=True))
        if "checkpoint_seq" not in head_columns:
            batch_op.add_column(sa.Column("checkpoint_seq", sa.BigInteger(), nullable=True))
        if "checkpoint_at" not in head_columns:
            batch_op.add_column(sa.Column("checkpoint_at", sa.DateTime(), nullable=True))
        if "chained_after_id" in head_columns:
            batch_op.drop_column("chained_after_id")
    # The records linked so far were linked in the order of their ids (the head's lock drew the ids).
    op.execute(
        "UPDATE audit_log SET seq = numbered.position FROM ("
        " SELECT id, row_number() OVER (ORDER BY id) AS position FROM audit_log WHERE hash IS NOT NULL"
        ") AS numbered WHERE audit_log.id = numbered.id AND audit_log.seq IS NULL"
    )
    op.execute("UPDATE audit_chain SET last_seq = (SELECT count(*) FROM audit_log WHERE seq IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table("audit_chain", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chained_after_id", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.drop_column("checkpoint_at")
        batch_op.drop_column("checkpoint_seq")
        batch_op.drop_column("last_seq")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_unlinked")
        batch_op.drop_index("ux_audit_seq")
        batch_op.drop_column("queued_at")
        batch_op.drop_column("seq")
