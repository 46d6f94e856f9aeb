"""index the products that have a reorder point

The status bar counts the products at or below their reorder point every 2 s
(app/low_stock.count_low_stock): `reorder_point IS NOT NULL AND ...`, twice (plain
products, then kits). Without an index both scanned every product: 49 ms a refresh at
100,000 products, about ten times that at 1,000,000 (bench/README.md, issue 23). This
partial index holds only the products with a reorder point (few), and both queries walk it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

HAS_POINT = sa.text("reorder_point IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_products_reorder_point", "products", ["reorder_point"], unique=False,
                    sqlite_where=HAS_POINT, postgresql_where=HAS_POINT)


def downgrade() -> None:
    op.drop_index("ix_products_reorder_point", table_name="products")
