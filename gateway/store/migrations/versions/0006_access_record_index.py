"""An index of the audit log by event and actor: who saw whose personal data is read per account without a walk
of the whole log

Revision ID: 0006
Revises: 0005
Created: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_audit_event_actor"


def upgrade() -> None:
    # A store from before migrations may have it already (see gateway.store.migrate).
    if _NAME not in {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("audit_log")}:
        with op.batch_alter_table("audit_log", schema=None) as batch_op:
            batch_op.create_index(_NAME, ["event", "actor", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(_NAME)
