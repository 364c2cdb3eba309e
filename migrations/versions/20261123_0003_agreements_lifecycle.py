"""agreements: approval limits, lifecycle and tracking

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Server defaults fill the rows already there; the application always writes the values.
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approval_reasons", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("activated_at", models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("status_changed_at", models.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("down_payment_paid_fen", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "down_payment_status", sa.String(length=16), nullable=False, server_default="due"
            )
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_supersedes_id"), ["supersedes_id"], unique=False
        )
    with op.batch_alter_table("agreement_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paid_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agreement_line", schema=None) as batch_op:
        batch_op.drop_column("paid_on")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_supersedes_id"))
        batch_op.drop_column("down_payment_status")
        batch_op.drop_column("down_payment_paid_fen")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("activated_at")
        batch_op.drop_column("approval_reasons")
