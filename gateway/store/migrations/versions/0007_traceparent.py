"""The W3C trace context of the agency's call on each request, so the notice's bus messages, its answers and
the callbacks continue its trace

Revision ID: 0007
Revises: 0006
Created: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A store from before migrations may have it already (see gateway.store.migrate).
    if "traceparent" not in {column["name"] for column in sa.inspect(op.get_bind()).get_columns("requests")}:
        with op.batch_alter_table("requests", schema=None) as batch_op:
            batch_op.add_column(sa.Column("traceparent", sa.String(length=55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("traceparent")
