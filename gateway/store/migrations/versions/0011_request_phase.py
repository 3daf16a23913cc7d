"""Requests: the state indexes on a phase where received and queued are one, so the relay's move between them
changes no indexed value (on PostgreSQL a HOT update, in the page the fillfactor leaves room in)

Revision ID: 0011
Revises: 0010
Created: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# gateway.store.tables.PHASE_SQL and REQUESTS_FILLFACTOR as they stand at this revision.
PHASE_SQL = "CASE state WHEN 'queued' THEN 'received' ELSE state END"
FILLFACTOR = 50
OLD = {"ix_requests_centre_state_due": ["centre_code", "state", "due_at"], "ix_requests_state_due": ["state", "due_at"]}
NEW = {"ix_requests_centre_phase_due": ["centre_code", "phase", "due_at"], "ix_requests_phase_due": ["phase", "due_at"]}


def upgrade() -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    inspector = sa.inspect(bind)
    if "phase" not in {column["name"] for column in inspector.get_columns("requests")}:
        # PostgreSQL stores it (rewriting the table once); SQLite adds only virtual generated columns to a table.
        kind = "STORED" if postgresql else "VIRTUAL"
        op.execute(f"ALTER TABLE requests ADD COLUMN phase VARCHAR(32) GENERATED ALWAYS AS ({PHASE_SQL}) {kind}")
    present = {index["name"] for index in inspector.get_indexes("requests")}
    for name, columns in NEW.items():
        if name not in present:
            op.create_index(name, "requests", columns)
    for name in OLD:
        if name in present:
            op.drop_index(name, table_name="requests")
    if postgresql:
        # Pages written from now on keep half their room free; those already full take it as they are rewritten.
        op.execute(f"ALTER TABLE requests SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, columns in OLD.items():
        op.create_index(name, "requests", columns)
    for name in NEW:
        op.drop_index(name, table_name="requests")
    op.execute("ALTER TABLE requests DROP COLUMN phase")
    if postgresql:
        op.execute("ALTER TABLE requests RESET (fillfactor)")
