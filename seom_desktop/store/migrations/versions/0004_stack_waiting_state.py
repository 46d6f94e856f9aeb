"""web stack: a row may wait for an order import

A row whose cart shows a number explained by a sale not imported yet waited as `failed`
with a Last Response saying so; it now has its own state, `waiting`, so the Stack
Controller, the counts and the transition table tell it from a real failure.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_OLD = "state IN ('pending', 'sending', 'sent', 'failed', 'bypassed')"
_NEW = "state IN ('pending', 'sending', 'sent', 'failed', 'bypassed', 'waiting')"


def upgrade() -> None:
    with op.batch_alter_table("web_stack", recreate="always") as b:
        b.drop_constraint("ck_web_stack_state", type_="check")
        b.create_check_constraint("ck_web_stack_state", _NEW)


def downgrade() -> None:
    op.execute("UPDATE web_stack SET state = 'failed' WHERE state = 'waiting'")
    with op.batch_alter_table("web_stack", recreate="always") as b:
        b.drop_constraint("ck_web_stack_state", type_="check")
        b.create_check_constraint("ck_web_stack_state", _OLD)
