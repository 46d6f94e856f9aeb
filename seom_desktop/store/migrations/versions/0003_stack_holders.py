"""stack holders: who holds the rows being sent, and its heartbeat

A claimed row named its claimer only; a killed controller's rows stayed `sending`
until their claim (120 s) ran out. The holder table records each claiming process
(workstation, host, pid, process start time) with a heartbeat, so that a dead holder's
rows are requeued at once (same workstation) or once its heartbeat stops (another).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stack_holders",
        sa.Column("claimer", sa.String(length=255), nullable=False),
        sa.Column("workstation", sa.String(length=255), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("process_start", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("claimer"),
    )


def downgrade() -> None:
    op.drop_table("stack_holders")
