"""Outbox: the sealed bodies in a table of their own, so the relay's marks rewrite narrow rows that share pages

Revision ID: 0012
Revises: 0011
Created: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("outbox_bodies"):  # a store from before migrations has it, empty
        op.create_table(
            "outbox_bodies",
            sa.Column("outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False),
            sa.Column("message_id", sa.String(length=100), nullable=False),
            sa.Column("body", sa.LargeBinary(), nullable=False),
            sa.Column("sealed_with", sa.String(length=32), nullable=True),
            sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"]),
            sa.PrimaryKeyConstraint("outbox_id"),
        )
    present = {column["name"] for column in inspector.get_columns("outbox")}
    if "body" not in present:
        return
    # A store from before sealing (and before migrations) has no sealed_with: its bodies are clear.
    sealed_with = "sealed_with" if "sealed_with" in present else "NULL"
    # Every row moves, sent or not: a body is bound to its message id (the sealing's context), not to the table.
    op.execute(
        "INSERT INTO outbox_bodies (outbox_id, message_id, body, sealed_with)"
        f" SELECT id, message_id, body, {sealed_with} FROM outbox"
        " WHERE id NOT IN (SELECT outbox_id FROM outbox_bodies)"
    )
    # Neither column is indexed, so SQLite (3.35 and later) drops them in place, as PostgreSQL does.
    op.execute("ALTER TABLE outbox DROP COLUMN body")
    if "sealed_with" in present:
        op.execute("ALTER TABLE outbox DROP COLUMN sealed_with")


def downgrade() -> None:
    blob = "BYTEA" if op.get_bind().dialect.name == "postgresql" else "BLOB"
    op.execute(f"ALTER TABLE outbox ADD COLUMN body {blob} NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE outbox ADD COLUMN sealed_with VARCHAR(32)")
    op.execute(
        "UPDATE outbox SET body = (SELECT b.body FROM outbox_bodies b WHERE b.outbox_id = outbox.id),"
        " sealed_with = (SELECT b.sealed_with FROM outbox_bodies b WHERE b.outbox_id = outbox.id)"
        " WHERE id IN (SELECT outbox_id FROM outbox_bodies)"
    )
    op.drop_table("outbox_bodies")
