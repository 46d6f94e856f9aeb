"""index the web stack's claimable rows in id order

The claim (stack/claim.claim_due) takes the oldest due rows: `state IN ('pending',
'failed', 'waiting') AND next_attempt_at <= now ORDER BY id LIMIT n`. By the (state,
next_attempt_at) index it found every due row and sorted them all by id each pass: with
1,000,000 rows waiting, 22 passes of 50,000 sorted ~10 times the backlog (17 s of SQL,
bench/README.md, issue 23). This partial index holds only the rows that can be claimed,
in id order: the claim walks it and stops after n rows. A row leaves it when claimed and
never comes back once sent, so marking rows sent does not touch it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# As store/models.CLAIMABLE_SQL (a migration keeps its own copy: it must not change later).
CLAIMABLE = sa.text("(state || '') IN ('pending', 'failed', 'waiting')")


def upgrade() -> None:
    op.create_index("ix_web_stack_claimable", "web_stack", ["id", "next_attempt_at"],
                    unique=False, sqlite_where=CLAIMABLE, postgresql_where=CLAIMABLE)


def downgrade() -> None:
    op.drop_index("ix_web_stack_claimable", table_name="web_stack")
