"""compliance: versioned policies, audit chain, safety

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compliance_policy",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("branch_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branch.id"], name=op.f("fk_compliance_policy_branch_id_branch")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_compliance_policy_created_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_policy")),
        sa.UniqueConstraint("branch_id", "version", name=op.f("uq_compliance_policy_branch_id")),
    )
    with op.batch_alter_table("compliance_policy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compliance_policy_branch_id"), ["branch_id"], unique=False
        )

    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("purged", sa.BigInteger(), nullable=False),
        sa.Column("purged_before", models.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
    )


def downgrade() -> None:
    op.drop_table("audit_anchor")
    with op.batch_alter_table("compliance_policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_policy_branch_id"))
    op.drop_table("compliance_policy")
