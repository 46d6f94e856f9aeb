"""Order import: the orders placed on one cart decrement the store, once each, and the
other synced carts hear of it (the cart the order came from already decremented).

How, step by step: `import_orders`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seom_desktop.carts.base import ORDERS, CartError, CartOrder
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.operations import order_line
from seom_desktop.inventory.validation import MAX_QOH
from seom_desktop.store.engine import Store
from seom_desktop.store.models import Cart, ImportedOrder
from seom_desktop.sync.progress import (
    CartRef,
    NullProgress,
    Progress,
    cart_for,
    map_cart_skus,
    open_connector,
    with_rate_limit,
)

NOT_APPLIED = frozenset({"cancelled", "canceled", "failed", "trash", "voided", "declined"})
HELD = {"woocommerce": frozenset({"pending", "checkout-draft"}),
        "bigcommerce": frozenset({"incomplete"})}
MAX_ORDER_ID = 255


@dataclass
class ImportReport:
    cart: str
    orders: int = 0  # orders the cart listed
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # imported before
    lines_applied: int = 0
    unknown_skus: list[dict] = field(default_factory=list)  # {"order_id","sku","quantity"}
    problems: list[dict] = field(default_factory=list)  # {"order_id","sku","message"}
    not_applied: list[dict] = field(default_factory=list)  # {"order_id","status"}
    held: list[dict] = field(default_factory=list)  # {"order_id","status"}
    cursor: str = ""
    cancelled: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled

    def as_json(self) -> dict:
        return {"cart": self.cart, "orders": self.orders, "imported": self.imported,
                "skipped": self.skipped, "lines_applied": self.lines_applied,
                "unknown_skus": self.unknown_skus, "problems": self.problems,
                "not_applied": self.not_applied, "held": self.held, "cursor": self.cursor,
                "cancelled": self.cancelled, "error": self.error}


class _AlreadyImported(Exception):
    pass


@dataclass
class _Outcome:
    lines: int = 0
    unknown: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    not_applied: bool = False


def import_orders(store: Store, cart_name: str, *, progress: Progress | None = None,
                  actor: Actor | None = None) -> ImportReport:
    """Import the cart's new orders. Bad input (unknown cart, no ORDERS) raises before
    the cart is asked; a cart failure is reported in `ImportReport.error`.

    The cart is asked for the orders created at or after the cart's orders cursor (all of
    them the first time). Each order is imported in its own transaction, which first
    records (cart, order id) in `imported_orders`: an order already there is skipped, so an
    order imported twice - or by two workstations at once, where the second insert meets the
    unique constraint and rolls back - is applied once. Each line's cart SKU is mapped to a
    store product (the item's cart SKU alias first, then the same SKU) and applied with
    `inventory.operations.order_line` (ledger, store QOH, web stack rows for every synced
    cart but this one). Lines whose SKU the store lacks are reported; the order is still
    recorded and its known lines applied.

    Statuses: an order that took no stock (cancelled, failed, declined, voided, trashed) is
    recorded and not applied. An order the cart has not taken stock for yet (WooCommerce
    "pending" / "checkout-draft", BigCommerce "Incomplete") is left for a later import and
    holds the cursor at its time. Everything else (including refunded orders: a refund
    restocks only when the clerk asks the cart to) is applied. The cursor then moves to the
    newest order's creation time; the overlap at that instant is harmless (deduplicated)."""
    progress = progress or NullProgress()
    actor = actor or Actor.current()
    with store.read() as s:
        cart = cart_for(s, cart_name, ORDERS)
    report = ImportReport(cart.name, cursor=cart.orders_cursor)
    try:
        conn = open_connector(cart)
    except CartError as e:
        report.error = str(e)
        return report
    try:
        orders = with_rate_limit(lambda: conn.list_orders(cart.orders_cursor or None), progress)
    except CartError as e:
        report.error = str(e)
        return report
    finally:
        conn.close()
    report.orders = len(orders)
    newest: tuple[datetime, str] | None = None
    hold: tuple[datetime, str] | None = None
    progress.update(0, len(orders), f"{len(orders)} orders from {cart.name}")
    for n, order in enumerate(orders):
        if progress.cancelled:
            report.cancelled = True
            break
        when = _when(order.created)
        status = (order.status or "").strip().lower()
        if status in HELD.get(cart.kind, ()):
            report.held.append({"order_id": order.order_id, "status": order.status})
            if when is not None and (hold is None or when < hold[0]):
                hold = (when, order.created)
            continue
        _import_one(store, cart, order, status, report, actor)
        if when is not None and (newest is None or when >= newest[0]):
            newest = (when, order.created)
        progress.update(n + 1, len(orders), f"imported {n + 1} of {len(orders)} orders")
    _advance_cursor(store, cart, report, hold or newest)
    return report


def _import_one(store: Store, cart: CartRef, order: CartOrder, status: str,
                report: ImportReport, actor: Actor) -> None:
    if not order.order_id or len(order.order_id) > MAX_ORDER_ID:
        report.problems.append({"order_id": order.order_id[:80], "sku": "",
                                "message": "the cart gave an order id the store cannot keep"})
        return
    try:
        with store.write() as s:
            outcome = _apply(s, cart, order, status, actor)
    except _AlreadyImported:
        report.skipped.append(order.order_id)
        return
    report.imported.append(order.order_id)
    report.lines_applied += outcome.lines
    report.unknown_skus.extend(outcome.unknown)
    report.problems.extend(outcome.problems)
    if outcome.not_applied:
        report.not_applied.append({"order_id": order.order_id, "status": order.status})


def _apply(s: Session, cart: CartRef, order: CartOrder, status: str, actor: Actor) -> _Outcome:
    """One order, inside its transaction: claim it, then apply its lines."""
    taken = s.scalar(select(ImportedOrder.id).where(ImportedOrder.cart_id == cart.id,
                                                    ImportedOrder.order_id == order.order_id))
    if taken is not None:
        raise _AlreadyImported
    s.add(ImportedOrder(cart_id=cart.id, order_id=order.order_id, created=order.created[:64]))
    try:
        s.flush()
    except IntegrityError:  # another workstation imported it a moment ago
        raise _AlreadyImported from None
    out = _Outcome()
    if status in NOT_APPLIED:
        out.not_applied = True
        return out
    mapped = map_cart_skus(s, cart.id, [line.sku for line in order.lines])
    for line in order.lines:
        m = mapped.get(line.sku)
        if m is None:
            out.unknown.append({"order_id": order.order_id, "sku": line.sku,
                                "quantity": line.quantity})
            continue
        if not 1 <= line.quantity <= MAX_QOH:
            out.problems.append({"order_id": order.order_id, "sku": line.sku,
                                 "message": f"quantity {line.quantity} not applied"})
            continue
        try:
            with s.begin_nested():
                order_line(s, sku=m.sku, quantity=line.quantity, actor=actor,
                           origin_cart_id=cart.id, order_id=order.order_id)
        except InventoryError as e:
            out.problems.append({"order_id": order.order_id, "sku": line.sku, "message": str(e)})
            continue
        out.lines += 1
    return out


def _when(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _advance_cursor(store: Store, cart: CartRef, report: ImportReport,
                    to: tuple[datetime, str] | None) -> None:
    """Move the cart's orders cursor forward (never back) to `to`."""
    if to is None:
        return
    with store.write() as s:
        row = s.get(Cart, cart.id)
        if row is None:
            return
        current = _when(row.orders_cursor) if row.orders_cursor else None
        if current is None or to[0] > current:
            row.orders_cursor = to[1][:64]
        report.cursor = row.orders_cursor
