"""The official documents the centre's decisions issue, and their numbers per centre, kind and year

Revision ID: 0008
Revises: 0007
Created: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A store from before migrations may have them already (see gateway.store.migrate).
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "documents" not in present:
        op.create_table(
            "documents",
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("request_id", sa.String(length=36), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("centre_code", sa.String(length=32), nullable=False),
            sa.Column("number", sa.String(length=100), nullable=False),
            sa.Column("title", sa.String(length=100), nullable=False),
            sa.Column("media_type", sa.String(length=100), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("content", sa.LargeBinary(), nullable=False),
            sa.Column("sealed_with", sa.String(length=32), nullable=True),
            sa.Column("issued_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("centre_code", "number", name="uq_documents_centre_number"),
        )
        op.create_index("ix_documents_request", "documents", ["request_id"], unique=False)
    if "document_numbers" not in present:
        op.create_table(
            "document_numbers",
            sa.Column("centre_code", sa.String(length=32), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("last", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("centre_code", "kind", "year"),
        )


def downgrade() -> None:
    op.drop_table("document_numbers")
    op.drop_index("ix_documents_request", table_name="documents")
    op.drop_table("documents")
