"""sync health: reorder points, reconcile runs, and sampled stack counts

`products.reorder_point`: the QOH at or below which a product is low on stock (NULL: no
alert). `reconcile_runs`: one row per reconcile of a cart (when, checked, different,
fixed, error). `health_samples`: the stack's counts per cart, sampled by the stack
controller, so the Sync Health window draws history that survives a restart.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products") as b:
        b.add_column(sa.Column("reorder_point", sa.BigInteger(), nullable=True))
    op.create_table(
        "reconcile_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cart_id", sa.Integer(), nullable=False),
        sa.Column("workstation", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("different", sa.Integer(), nullable=False),
        sa.Column("fixed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["cart_id"], ["carts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reconcile_runs_cart", "reconcile_runs", ["cart_id", "started_at"])
    op.create_table(
        "health_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("cart_id", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("bypassed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cart_id"], ["carts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_health_samples_at", "health_samples", ["at"])
    op.create_index("ix_web_stack_sent_at", "web_stack", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_web_stack_sent_at", table_name="web_stack")
    op.drop_index("ix_health_samples_at", table_name="health_samples")
    op.drop_table("health_samples")
    op.drop_index("ix_reconcile_runs_cart", table_name="reconcile_runs")
    op.drop_table("reconcile_runs")
    with op.batch_alter_table("products") as b:
        b.drop_column("reorder_point")
