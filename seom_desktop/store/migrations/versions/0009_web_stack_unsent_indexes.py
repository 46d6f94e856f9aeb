"""index only the web stack's rows not sent by state

ix_web_stack_due (state, next_attempt_at) and ix_web_stack_cart_product (cart_id,
product_id, state) held every row, sent ones included: marking a row sent moved its
entry inside each (the state is in both keys), and a store's sent rows, the great
majority, made both indexes as large as the table. Past SQLite's page cache each row
marked sent then cost a page read and write in each (bench/README.md, issue 23). Both
become partial over the rows not sent (`state <> 'sent'`): a row marked sent leaves
them, and they stay the size of the backlog. Every query that looks rows up by state or
by cart and product names the same condition (store/models.NOT_SENT); the sent rows are
found by ix_web_stack_sent_at (health's latency, the prune) or the primary key.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As store/models.NOT_SENT_SQL (a migration keeps its own copy: it must not change later).
NOT_SENT = sa.text("state <> 'sent'")


def upgrade() -> None:
    op.drop_index("ix_web_stack_due", table_name="web_stack")
    op.drop_index("ix_web_stack_cart_product", table_name="web_stack")
    op.create_index("ix_web_stack_unsent_due", "web_stack", ["state", "next_attempt_at"],
                    unique=False, sqlite_where=NOT_SENT, postgresql_where=NOT_SENT)
    op.create_index("ix_web_stack_unsent_cart_product", "web_stack",
                    ["cart_id", "product_id", "state"], unique=False,
                    sqlite_where=NOT_SENT, postgresql_where=NOT_SENT)


def downgrade() -> None:
    op.drop_index("ix_web_stack_unsent_cart_product", table_name="web_stack")
    op.drop_index("ix_web_stack_unsent_due", table_name="web_stack")
    op.create_index("ix_web_stack_cart_product", "web_stack",
                    ["cart_id", "product_id", "state"], unique=False)
    op.create_index("ix_web_stack_due", "web_stack", ["state", "next_attempt_at"], unique=False)
