"""Audit chain head: one row holding the newest hash, so appending to the chain takes one statement

Writers used to take a transaction advisory lock, read the newest row's hash, then insert (three
round trips under a lock every auditing commit waits for). Now a writer updates this row and
inserts the entry in one statement; the row lock orders writers like the advisory lock did. The
row starts at the newest existing hash, so existing chains continue unchanged.

Revision ID: 0008_audit_perf
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_audit_perf"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    # Continue the existing chain: the head is the newest row's hash (and the one it chains to).
    op.execute(
        sa.text(
            "INSERT INTO audit_chain_head (id, hash, prev_hash) "
            "SELECT 1, COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), :genesis), "
            "COALESCE((SELECT prev_hash FROM audit_log ORDER BY id DESC LIMIT 1), :genesis)"
        ).bindparams(genesis=GENESIS)
    )


def downgrade() -> None:
    op.drop_table("audit_chain_head")
