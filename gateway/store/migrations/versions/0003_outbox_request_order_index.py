"""The unsent-request index of the outbox on (request_id, id): a relay finds a request's first unsent message
in one index probe, however large the backlog

Revision ID: 0003
Revises: 0002
Created: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_outbox_unsent_request"


def upgrade() -> None:
    _replace(["request_id", "id"])


def downgrade() -> None:
    _replace(["request_id"])


def _replace(columns: list[str]) -> None:
    unsent = sa.text("sent_at IS NULL")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(_NAME)
        batch_op.create_index(_NAME, columns, unique=False, sqlite_where=unsent, postgresql_where=unsent)
