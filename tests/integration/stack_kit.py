"""What the stack controller integration tests share: the clerk, a drain that runs passes
until the stack is empty, a connector factory with a short read timeout, and the check
that no write was applied twice (seom_desktop/testing/shop.py, shared with tests/pg)."""

from __future__ import annotations

from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.actor import Actor
from seom_desktop.stack.controller import StackController
from seom_desktop.stack.rows import count_by_state, list_rows
from seom_desktop.testing.shop import assert_nothing_applied_twice, double_applications

ACTOR = Actor("clerk", "test-ws")


def drain(shop, ctl=None, passes=30):
    ctl = ctl or StackController(shop.store, workstation="test-ws")
    for _ in range(passes):
        ctl.run_once()
        counts = count_by_state_of(shop)
        if counts["pending"] == counts["failed"] == counts["sending"] == 0:
            break
    ctl.close()
    return count_by_state_of(shop)


def count_by_state_of(shop):
    with shop.store.read() as s:
        return count_by_state(s)


def rows_of(shop, cart, sku):
    with shop.store.read() as s:
        return [r for r in list_rows(s) if r.sku == sku and r.cart == cart]


def adjust(shop, sku, delta, **kw):
    with shop.store.write() as s:
        return ops.adjust(s, sku=sku, delta=delta, actor=ACTOR, **kw)


def short_timeout_connect(read_timeout):
    from seom_desktop.connect import connect

    def c(cart):
        return connect(cart, read_timeout=read_timeout)
    return c



__all__ = ["assert_nothing_applied_twice", "double_applications"]


def map_two_locations(shop) -> str:
    """Give the shop's Shopify a second location, "East" (every item at 0 there), add the
    warehouse East and map the cart "shop": its own location to Main, East to East.
    Returns East's location id."""
    from seom_desktop.inventory.rules import set_cart
    from seom_desktop.inventory.warehouses import add_warehouse

    east = shop.shop.add_location("East")
    for sku in shop.skus:
        shop.shop.set_quantity(sku, 0, east)
    with shop.store.write() as s:
        add_warehouse(s, "East")
        set_cart(s, "shop", locations=[("Main", shop.shop.location_id), ("East", east)],
                 actor=ACTOR)
    return east
