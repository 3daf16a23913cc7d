"""The SOAP callback WSDL an agency registered, fetched and checked once, kept for every delivery

Revision ID: 0005
Revises: 0004
Created: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A store from before migrations may have it already (see gateway.store.migrate).
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("agencies")}
    if "callback_wsdl" not in columns:
        with op.batch_alter_table("agencies", schema=None) as batch_op:
            batch_op.add_column(sa.Column("callback_wsdl", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("callback_wsdl")
