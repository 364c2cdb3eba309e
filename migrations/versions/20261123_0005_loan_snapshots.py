"""loan snapshots for recovery and cure rates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loan_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("overdue_fen", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loan.id"], name=op.f("fk_loan_snapshot_loan_id_loan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_snapshot")),
    )
    with op.batch_alter_table("loan_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_snapshot_as_of"), ["as_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_snapshot_loan_id"), ["loan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("loan_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_snapshot_loan_id"))
        batch_op.drop_index(batch_op.f("ix_loan_snapshot_as_of"))
    op.drop_table("loan_snapshot")
