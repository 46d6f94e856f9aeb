"""Telling a write that landed unseen from a sale of the cart's own.

A write whose answer was lost leaves its value "in doubt". When the cart later shows
exactly that value, either the write landed, or a sale on the cart (an order not
imported yet) brought the number there by chance: the same -1 from a POS sale and from
a web order. Taking a sale for our write would make the store believe the cart shows
one more than it does once that order is imported (it subtracts the sale again): the
cart would keep showing stock that is gone. So before such a value is taken for a
landed write, the cart's orders not imported yet are asked whether they hold the item.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from seom_desktop.carts.base import ORDERS, CartError
from seom_desktop.store.engine import Store
from seom_desktop.store.models import Cart, ImportedOrder

NOT_SALES = ("cancel", "fail", "void", "refund")  # statuses that took no stock


def sales_not_imported(store: Store, cart_id: int, connector, cart_skus: Iterable[str]) -> set[str]:
    """The cart SKUs among `cart_skus` that appear in an order of the cart not imported
    yet. A cart that cannot be asked counts as having such a sale for every SKU (the row
    then waits for the order import, the safe side); a cart with no order listing has
    none (its sales are never imported, so the row could only wait forever)."""
    wanted = {s for s in cart_skus if s}
    if not wanted or ORDERS not in getattr(connector, "capabilities", ()):
        return set()
    with store.read() as s:
        cursor = s.scalar(select(Cart.orders_cursor).where(Cart.id == cart_id)) or None
    try:
        orders = connector.list_orders(cursor)
    except CartError:
        return wanted
    ids = [o.order_id for o in orders]
    imported: set[str] = set()
    with store.read() as s:
        for i in range(0, len(ids), 500):
            imported.update(s.scalars(select(ImportedOrder.order_id).where(
                ImportedOrder.cart_id == cart_id, ImportedOrder.order_id.in_(ids[i:i + 500]))))
    found: set[str] = set()
    for order in orders:
        status = (order.status or "").lower()
        if order.order_id in imported or any(word in status for word in NOT_SALES):
            continue
        found.update(line.sku for line in order.lines if line.sku in wanted)
    return found
