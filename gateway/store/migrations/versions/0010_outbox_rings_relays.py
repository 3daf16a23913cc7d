"""PostgreSQL: an insert into the outbox notifies the relays itself (a trigger), saving each writer a round trip

Revision ID: 0010
Revises: 0009
Created: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The channel is gateway.store.outbox.OUTBOX_CHANNEL as it stands at this revision.
RING = """
CREATE OR REPLACE FUNCTION lagw_ring_relays() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('lagw_outbox', '');  -- delivered at the commit; one per transaction, however many rows
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no notifications: its relays poll
    op.execute(RING)
    op.execute("DROP TRIGGER IF EXISTS outbox_rings_relays ON outbox")
    op.execute(
        "CREATE TRIGGER outbox_rings_relays AFTER INSERT ON outbox"
        " FOR EACH STATEMENT EXECUTE FUNCTION lagw_ring_relays()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS outbox_rings_relays ON outbox")
    op.execute("DROP FUNCTION IF EXISTS lagw_ring_relays()")
