"""The store's tables as SQLAlchemy 2 models. Timestamps are naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    literal_column,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Web stack row states (DESIGN.md "The web stack").
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
BYPASSED = "bypassed"
WAITING = "waiting"  # for an order import: the cart shows a sale not imported yet
STATES = (PENDING, SENDING, SENT, FAILED, BYPASSED, WAITING)
# The states a controller claims a row from (when due). The partial index
# ix_web_stack_claimable holds these rows alone, and the claim names its condition as
# written here (stack/claim.py): `|| ''` keeps the (state, next_attempt_at) index from
# serving that term, so that SQLite, which has no statistics, walks the partial index.
CLAIMABLE = (PENDING, FAILED, WAITING)
CLAIMABLE_SQL = "(state || '') IN ('pending', 'failed', 'waiting')"
# The rows not sent: ix_web_stack_unsent_due and ix_web_stack_unsent_cart_product hold
# these alone (migration 0009), so a query by state, or by cart and product, names this
# condition as written here (NOT_SENT, below) to use them: SQLite uses a partial index
# only for a query holding its condition term for term. The sent rows are found by
# ix_web_stack_sent_at or the primary key.
NOT_SENT_SQL = "state <> 'sent'"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(Text, default="")
    qoh: Mapped[int] = mapped_column(BigInteger, default=0)
    reorder_point: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # low stock at or below
    # A kit's QOH is derived from its components (kit_components), never stored by hand.
    is_kit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    web_fields: Mapped[list[WebField]] = relationship(back_populates="product")

    # The products with a reorder point, for the status bar's low-stock count every 2 s
    # (app/low_stock.py): without it, two scans of every product (migration 0008).
    __table_args__ = (Index("ix_products_reorder_point", "reorder_point",
                            sqlite_where=text("reorder_point IS NOT NULL"),
                            postgresql_where=text("reorder_point IS NOT NULL")),)


class Cart(Base):
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    # Where the credentials are in the OS keyring; never the credentials themselves.
    credential_ref: Mapped[str] = mapped_column(String(255), default="")
    location: Mapped[str] = mapped_column(String(255), default="")
    sync: Mapped[bool] = mapped_column(Boolean, default=False)  # Synchronize Inventory
    max_items: Mapped[int] = mapped_column(Integer, default=50)  # Maximum number of items to send
    orders_cursor: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The warehouse this cart's orders ship from (NULL: the default warehouse).
    order_warehouse_id: Mapped[int | None] = mapped_column(
        ForeignKey("warehouses.id"), nullable=True
    )
    # Allocation rules for every item of this cart (NULL: unset); a web field overrides.
    reserve: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_qty: Mapped[int | None] = mapped_column(Integer, nullable=True)
    percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    min_qty: Mapped[int | None] = mapped_column(Integer, nullable=True)
    safety: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        CheckConstraint("max_items >= 1", name="ck_carts_max_items"),
        CheckConstraint("reserve IS NULL OR reserve >= 0", name="ck_carts_reserve"),
        CheckConstraint("max_qty IS NULL OR max_qty >= 0", name="ck_carts_max_qty"),
        CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)",
                        name="ck_carts_percent"),
        CheckConstraint("min_qty IS NULL OR min_qty >= 0", name="ck_carts_min_qty"),
        CheckConstraint("safety IS NULL OR safety >= 0", name="ck_carts_safety"),
    )


class Warehouse(Base):
    """A place the store keeps stock. Exactly one is the default (a new store: "Main")."""

    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        # at most one default (the code keeps at least one)
        Index("uq_warehouses_default", "is_default", unique=True,
              sqlite_where=text("is_default"), postgresql_where=text("is_default")),
    )


class WarehouseStock(Base):
    """A product's QOH in one warehouse; `products.qoh` is kept equal to the sum of its
    rows in the same transaction, so readers of the total keep working."""

    __tablename__ = "warehouse_stock"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True
    )
    qoh: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (Index("ix_warehouse_stock_warehouse", "warehouse_id", "product_id"),)


class CartWarehouse(Base):
    """A warehouse a cart sells from; a cart with no rows sells from all of them."""

    __tablename__ = "cart_warehouses"

    cart_id: Mapped[int] = mapped_column(
        ForeignKey("carts.id", ondelete="CASCADE"), primary_key=True
    )
    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True
    )


class CartLocation(Base):
    """One of a cart's own locations (Shopify location, BigCommerce inventory location,
    Magento source) mapped to one store warehouse: that location is sent the warehouse's
    quantity. A cart with no rows keeps its one configured location."""

    __tablename__ = "cart_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"))
    location: Mapped[str] = mapped_column(String(255))  # the cart's location id

    __table_args__ = (
        UniqueConstraint("cart_id", "warehouse_id", name="uq_cart_locations_warehouse"),
        UniqueConstraint("cart_id", "location", name="uq_cart_locations_location"),
    )


class KitComponent(Base):
    """A component of a kit and how many of it one kit takes."""

    __tablename__ = "kit_components"

    kit_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    qty: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("qty >= 1", name="ck_kit_components_qty"),
        CheckConstraint("kit_id <> component_id", name="ck_kit_components_self"),
        Index("ix_kit_components_component", "component_id", "kit_id"),  # kits of a part
    )


class WebField(Base):
    """An item's settings for one cart (the Web Fields tab of View Inventory)."""

    __tablename__ = "web_fields"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    sync: Mapped[bool] = mapped_column(Boolean, default=True)
    cart_sku: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reserve: Mapped[int] = mapped_column(Integer, default=0)
    max_qty: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cart_item_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_sent_qoh: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_cart_qoh: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_cart_seen_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Quantities written with no answer yet (comma-separated, newest last): a read-back
    # that shows one of them means that write landed.
    attempted_qoh: Mapped[str] = mapped_column(String(255), default="")
    # Item overrides of the cart's allocation rules (NULL: the cart's rule). `reserve` 0
    # and `max_qty` NULL (their values before rules existed) also defer to the cart's.
    percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    min_qty: Mapped[int | None] = mapped_column(Integer, nullable=True)
    safety: Mapped[int | None] = mapped_column(Integer, nullable=True)

    product: Mapped[Product] = relationship(back_populates="web_fields")
    cart: Mapped[Cart] = relationship()

    __table_args__ = (
        UniqueConstraint("product_id", "cart_id", name="uq_web_fields_product_cart"),
        CheckConstraint("reserve >= 0", name="ck_web_fields_reserve"),
        CheckConstraint("max_qty IS NULL OR max_qty >= 0", name="ck_web_fields_max_qty"),
        CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)",
                        name="ck_web_fields_percent"),
        CheckConstraint("min_qty IS NULL OR min_qty >= 0", name="ck_web_fields_min_qty"),
        CheckConstraint("safety IS NULL OR safety >= 0", name="ck_web_fields_safety"),
        Index("ix_web_fields_cart_sku", "cart_id", "cart_sku"),  # cart SKU alias look-ups
    )


class WebFieldLocation(Base):
    """A web field's delivery state at one mapped cart location (cart_locations): what
    was last sent there, last read there, and writes with no answer yet."""

    __tablename__ = "web_field_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    web_field_id: Mapped[int] = mapped_column(ForeignKey("web_fields.id", ondelete="CASCADE"))
    location: Mapped[str] = mapped_column(String(255))
    last_sent_qoh: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_cart_qoh: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_cart_seen_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    attempted_qoh: Mapped[str] = mapped_column(String(255), default="")

    __table_args__ = (
        UniqueConstraint("web_field_id", "location", name="uq_web_field_locations"),
    )


class Param(Base):
    """A system parameter (Set System Parameters)."""

    __tablename__ = "params"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LedgerEntry(Base):
    """One QOH change: who, which workstation, when, why, source, delta, QOH after."""

    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    delta: Mapped[int] = mapped_column(BigInteger)
    qoh_after: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(255), default="")
    origin_cart_id: Mapped[int | None] = mapped_column(
        ForeignKey("carts.id", ondelete="SET NULL"), nullable=True
    )
    user: Mapped[str] = mapped_column(String(255), default="")
    workstation: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The warehouse whose stock moved (NULL: none, e.g. a kit's own derived row).
    warehouse_id: Mapped[int | None] = mapped_column(
        ForeignKey("warehouses.id"), nullable=True
    )
    # A component's row for a kit sold: the kit it was sold as part of.
    kit_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id"), nullable=True
    )

    __table_args__ = (Index("ix_ledger_product", "product_id", "id"),)


class StackRow(Base):
    """A row of the Web Stack: one change waiting for (or done with) one cart."""

    __tablename__ = "web_stack"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    change: Mapped[int] = mapped_column(BigInteger)
    ledger_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger.id", ondelete="SET NULL"), nullable=True
    )
    origin_workstation: Mapped[str] = mapped_column(String(255), default="")
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_response: Mapped[str] = mapped_column(Text, default="")
    claimed_by: Mapped[str] = mapped_column(String(255), default="")
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    cart: Mapped[Cart] = relationship()
    product: Mapped[Product] = relationship()

    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'failed', 'bypassed', 'waiting')",
            name="ck_web_stack_state",
        ),
        # A row marked sent leaves these two (migration 0009): they stay the backlog's size.
        Index("ix_web_stack_unsent_due", "state", "next_attempt_at",
              sqlite_where=text(NOT_SENT_SQL), postgresql_where=text(NOT_SENT_SQL)),
        Index("ix_web_stack_unsent_cart_product", "cart_id", "product_id", "state",
              sqlite_where=text(NOT_SENT_SQL), postgresql_where=text(NOT_SENT_SQL)),
        Index("ix_web_stack_sent_at", "sent_at"),  # change-to-cart latency history
        # The claim walks this in id order (migration 0007): no sort of every due row.
        Index("ix_web_stack_claimable", "id", "next_attempt_at",
              sqlite_where=text(CLAIMABLE_SQL), postgresql_where=text(CLAIMABLE_SQL)),
    )


# A query's term for the rows not sent, the partial indexes' condition (NOT_SENT_SQL)
# as a column expression: `web_stack.state != 'sent'`, with the literal in the SQL.
NOT_SENT = StackRow.state != literal_column("'sent'")


# The sync's bookkeeping tables, in their own module; named here as well so that every
# table is known once this module is imported (Alembic, create_all, the schema check).
from seom_desktop.store.bookkeeping import (  # noqa: E402, F401
    ControllerLease,
    HealthSample,
    ImportedOrder,
    ReconcileRun,
    StackHolder,
)
