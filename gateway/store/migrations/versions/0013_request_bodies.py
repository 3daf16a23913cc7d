"""Requests: the sealed canonical bodies in a table of their own, so every change of a request rewrites a narrow row

Revision ID: 0013
Revises: 0012
Created: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("request_bodies"):  # a store from before migrations has it, empty
        op.create_table(
            "request_bodies",
            sa.Column("request_id", sa.String(length=36), nullable=False),
            sa.Column("canonical", sa.Text(), nullable=False),
            sa.Column("sealed_with", sa.String(length=32), nullable=True),
            sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
            sa.PrimaryKeyConstraint("request_id"),
        )
    present = {column["name"] for column in inspector.get_columns("requests")}
    if "canonical" not in present:
        return
    # A store from before sealing (and before migrations) has no sealed_with: its bodies are clear.
    sealed_with = "sealed_with" if "sealed_with" in present else "NULL"
    # Sealed or clear, each body moves as it is: the sealing is bound to the request's id, not to the table.
    op.execute(
        "INSERT INTO request_bodies (request_id, canonical, sealed_with)"
        f" SELECT id, canonical, {sealed_with} FROM requests"
        " WHERE id NOT IN (SELECT request_id FROM request_bodies)"
    )
    # Neither column is indexed nor used by the generated phase, so SQLite drops them in place, as PostgreSQL does.
    op.execute("ALTER TABLE requests DROP COLUMN canonical")
    if "sealed_with" in present:
        op.execute("ALTER TABLE requests DROP COLUMN sealed_with")


def downgrade() -> None:
    op.execute("ALTER TABLE requests ADD COLUMN canonical TEXT NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE requests ADD COLUMN sealed_with VARCHAR(32)")
    op.execute(
        "UPDATE requests SET canonical = (SELECT b.canonical FROM request_bodies b WHERE b.request_id = requests.id),"
        " sealed_with = (SELECT b.sealed_with FROM request_bodies b WHERE b.request_id = requests.id)"
        " WHERE id IN (SELECT request_id FROM request_bodies)"
    )
    op.drop_table("request_bodies")
