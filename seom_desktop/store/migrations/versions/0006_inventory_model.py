"""inventory model: warehouses, per-cart allocation rules, cart locations, kits

`warehouses` (exactly one default) and `warehouse_stock` (a product's QOH per warehouse;
`products.qoh` stays, kept equal to the sum). Carts get the warehouse their orders ship
from, the warehouses they sell from (`cart_warehouses`; none = all), their own locations
mapped to warehouses (`cart_locations`) and allocation rules (reserve, max_qty, percent,
min_qty, safety; NULL = unset) that a web field overrides (web_fields.percent, min_qty,
safety beside reserve and max_qty). `web_field_locations` keeps the delivery state per
mapped location. Kits: `products.is_kit`, `kit_components`, `ledger.kit_id`; every ledger
row names its warehouse (`ledger.warehouse_id`).

The upgrade creates the default warehouse "Main" and puts everything the store had in it:
one stock row per product with its QOH, and every ledger row names it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _check(table: str, name: str) -> str:
    if name == "percent":
        return f"CONSTRAINT ck_{table}_percent CHECK (percent IS NULL OR (percent >= 0 AND percent <= 100))"
    return f"CONSTRAINT ck_{table}_{name} CHECK ({name} IS NULL OR {name} >= 0)"


# (table, column, its SQL after the type): a nullable column, so SQLite adds it in place.
# SQLite must never recreate `products`, `carts` or `ledger` here: dropping the old table would run
# ON DELETE CASCADE / SET NULL on web_stack and lose the stack. These references have no
# ON DELETE action (SQLite reflects none from a column clause): a warehouse or a kit that
# the ledger or a cart names cannot be deleted.
_COLUMNS = (
    [("carts", "order_warehouse_id", "INTEGER REFERENCES warehouses (id)")]
    + [("carts", n, "INTEGER " + _check("carts", n))
       for n in ("reserve", "max_qty", "percent", "min_qty", "safety")]
    + [("web_fields", n, "INTEGER " + _check("web_fields", n))
       for n in ("percent", "min_qty", "safety")]
    + [("ledger", "warehouse_id", "INTEGER REFERENCES warehouses (id)"),
       ("ledger", "kit_id", "INTEGER REFERENCES products (id)")]
)


def _add_column(table: str, column: str, spec: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {spec}")
        return
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    if "REFERENCES" in spec:
        target = spec.split("REFERENCES ")[1].split(" ")[0]
        op.create_foreign_key(f"fk_{table}_{column}", table, target, [column], ["id"])
    else:
        op.execute(f"ALTER TABLE {table} ADD {spec.removeprefix('INTEGER ')}")


def upgrade() -> None:
    op.create_table(
        "warehouses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("uq_warehouses_default", "warehouses", ["is_default"], unique=True,
                    sqlite_where=sa.text("is_default"), postgresql_where=sa.text("is_default"))
    op.create_table(
        "warehouse_stock",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("qoh", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "warehouse_id"),
    )
    op.create_index("ix_warehouse_stock_warehouse", "warehouse_stock",
                    ["warehouse_id", "product_id"])
    op.create_table(
        "cart_warehouses",
        sa.Column("cart_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cart_id"], ["carts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cart_id", "warehouse_id"),
    )
    op.create_table(
        "cart_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cart_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["cart_id"], ["carts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cart_id", "warehouse_id", name="uq_cart_locations_warehouse"),
        sa.UniqueConstraint("cart_id", "location", name="uq_cart_locations_location"),
    )
    op.create_table(
        "kit_components",
        sa.Column("kit_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.CheckConstraint("qty >= 1", name="ck_kit_components_qty"),
        sa.CheckConstraint("kit_id <> component_id", name="ck_kit_components_self"),
        sa.ForeignKeyConstraint(["kit_id"], ["products.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["component_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kit_id", "component_id"),
    )
    op.create_index("ix_kit_components_component", "kit_components", ["component_id", "kit_id"])
    op.create_table(
        "web_field_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("web_field_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=255), nullable=False),
        sa.Column("last_sent_qoh", sa.BigInteger(), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_cart_qoh", sa.BigInteger(), nullable=True),
        sa.Column("last_cart_seen_at", sa.DateTime(), nullable=True),
        sa.Column("attempted_qoh", sa.String(length=255), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["web_field_id"], ["web_fields.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("web_field_id", "location", name="uq_web_field_locations"),
    )
    if op.get_bind().dialect.name == "sqlite":  # in place, never a recreated products
        op.execute("ALTER TABLE products ADD COLUMN is_kit BOOLEAN NOT NULL DEFAULT 0")
    else:
        op.add_column("products", sa.Column("is_kit", sa.Boolean(), server_default=sa.false(),
                                            nullable=False))
    for table, column, spec in _COLUMNS:
        _add_column(table, column, spec)

    # Everything the store had is in the default warehouse "Main".
    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO warehouses (name, is_default, created_at) "
                         "VALUES ('Main', :yes, CURRENT_TIMESTAMP)"), {"yes": True})
    main = conn.execute(sa.text("SELECT id FROM warehouses WHERE name = 'Main'")).scalar_one()
    conn.execute(sa.text("INSERT INTO warehouse_stock (product_id, warehouse_id, qoh) "
                         "SELECT id, :w, qoh FROM products"), {"w": main})
    conn.execute(sa.text("UPDATE ledger SET warehouse_id = :w"), {"w": main})


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Dropping these columns recreates products, carts and ledger, and dropping the
        # old tables runs ON DELETE CASCADE on the web stack: the stack would be lost.
        raise RuntimeError("migration 0006 cannot be undone on SQLite without losing the web "
                           "stack: restore the backup taken before the upgrade")
    with op.batch_alter_table("ledger") as b:
        b.drop_constraint("fk_ledger_kit_id", type_="foreignkey")
        b.drop_constraint("fk_ledger_warehouse_id", type_="foreignkey")
        b.drop_column("kit_id")
        b.drop_column("warehouse_id")
    with op.batch_alter_table("web_fields") as b:
        for name in ("safety", "min_qty", "percent"):
            b.drop_constraint(f"ck_web_fields_{name}", type_="check")
            b.drop_column(name)
    with op.batch_alter_table("carts") as b:
        for name in ("safety", "min_qty", "percent", "max_qty", "reserve"):
            b.drop_constraint(f"ck_carts_{name}", type_="check")
            b.drop_column(name)
        b.drop_constraint("fk_carts_order_warehouse_id", type_="foreignkey")
        b.drop_column("order_warehouse_id")
    with op.batch_alter_table("products") as b:
        b.drop_column("is_kit")
    op.drop_table("web_field_locations")
    op.drop_index("ix_kit_components_component", table_name="kit_components")
    op.drop_table("kit_components")
    op.drop_table("cart_locations")
    op.drop_table("cart_warehouses")
    op.drop_index("ix_warehouse_stock_warehouse", table_name="warehouse_stock")
    op.drop_table("warehouse_stock")
    op.drop_index("uq_warehouses_default", table_name="warehouses")
    op.drop_table("warehouses")
