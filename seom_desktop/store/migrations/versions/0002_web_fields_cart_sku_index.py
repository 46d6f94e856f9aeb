"""index web fields by cart and cart SKU alias

Mapping a cart's SKUs to products (Get QOH, order import) looks up aliases by
(cart_id, cart_sku); without an index each look-up scanned every web field.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_fields", schema=None) as batch_op:
        batch_op.create_index("ix_web_fields_cart_sku", ["cart_id", "cart_sku"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_fields", schema=None) as batch_op:
        batch_op.drop_index("ix_web_fields_cart_sku")
