"""A version on each request, raised by every change the lifecycle records (compare-and-set on it)

Revision ID: 0009
Revises: 0008
Created: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A store from before migrations may have it already (see gateway.store.migrate).
    if "version" not in {column["name"] for column in sa.inspect(op.get_bind()).get_columns("requests")}:
        # In place on SQLite too: a copy of the table would be dropped under the rows that refer to it.
        with op.batch_alter_table("requests", schema=None, recreate="never") as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("version")
