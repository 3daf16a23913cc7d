"""The X-Request-Id of a request, leases for single-holder jobs, room for deadline events' message ids, and
indexes for the metrics' counts

Revision ID: 0002
Revises: 0001
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A store from before migrations may have these already (see gateway.store.migrate): add what is missing.
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("leases"):
        op.create_table(
            "leases",
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("holder", sa.String(length=100), nullable=False),
            sa.Column("expires_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )
    columns = {column["name"] for column in inspector.get_columns("requests")}
    indexes = {index["name"] for index in inspector.get_indexes("requests")}
    with op.batch_alter_table("requests", schema=None) as batch_op:
        if "http_request_id" not in columns:
            batch_op.add_column(sa.Column("http_request_id", sa.String(length=64), nullable=True))
        if "ix_requests_state_due" not in indexes:
            batch_op.create_index("ix_requests_state_due", ["state", "due_at"], unique=False)
    if "ix_deliveries_state" not in {index["name"] for index in inspector.get_indexes("deliveries")}:
        with op.batch_alter_table("deliveries", schema=None) as batch_op:
            batch_op.create_index("ix_deliveries_state", ["state"], unique=False)
    # Widened only if narrower: on SQLite the change rebuilds the table, which the foreign key of the outbox's
    # bodies (migration 0012) forbids once they hold rows, in a store that has them already.
    message_id = next(column for column in inspector.get_columns("outbox") if column["name"] == "message_id")
    if getattr(message_id["type"], "length", None) != 100:
        with op.batch_alter_table("outbox", schema=None) as batch_op:
            batch_op.alter_column("message_id", type_=sa.String(length=100), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("message_id", type_=sa.String(length=64), existing_nullable=False)
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_state")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_state_due")
        batch_op.drop_column("http_request_id")
    op.drop_table("leases")
