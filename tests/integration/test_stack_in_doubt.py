"""Values in doubt: a write whose answer was lost, or that the cart refused on its
compare, must not be taken for a landed write when a sale of the cart's own (not imported
yet) is what brought the cart to that number: the later import would count the sale
twice and the cart would keep showing stock that is gone."""

from __future__ import annotations

import pytest
from stack_kit import ACTOR, drain, rows_of, short_timeout_connect

from seom_desktop.inventory import operations as ops
from seom_desktop.stack.controller import StackController
from seom_desktop.sync.orders import import_orders


def test_a_refused_compare_is_not_taken_later_for_our_write_having_landed(shop):
    """Shopify refuses a write whose changeFromQuantity is stale: that value never
    landed. When the cart then shows it because of a sale of its own, not imported yet,
    the row must keep waiting for the order import, not pass for sent."""
    drain(shop)
    with shop.store.write() as s:
        ops.pos_sale(s, sku="SKU-0008", quantity=1, actor=ACTOR)  # store 9
    shop.shop.place_order([("SKU-0008", 1)])  # Shopify 9 by its own sale
    ctl = StackController(shop.store, workstation="test-ws")
    ctl.run_once()  # stale: expected 10, shows 9
    ctl.run_once()  # the same again: still not ours
    ctl.close()
    rows = rows_of(shop, "shop", "SKU-0008")
    assert [r.state for r in rows] == ["waiting"] and "import its orders" in rows[0].last_response
    import_orders(shop.store, "shop", actor=ACTOR)  # store 8; Shopify believed 9
    drain(shop)
    assert shop.shop.quantity("SKU-0008") == 8 and shop.woo.quantity("SKU-0008") == 8


@pytest.mark.parametrize(("cart", "batch_path"), [("shop", "graphql"),
                                                  ("woo", "/products/batch")])
def test_a_value_in_doubt_shown_because_of_a_sale_waits_for_the_orders(shop, cart, batch_path):
    """The store sells one at the POS; the stack's write of that number is refused at
    the cart's edge (a 502 page: it may have landed, so it stays in doubt); then the cart
    sells one itself (not imported) and shows the in-doubt number, by its own sale."""
    emu = shop.emulators()[cart]
    drain(shop)
    with shop.store.write() as s:
        ops.pos_sale(s, sku="SKU-0009", quantity=1, actor=ACTOR)  # store 9
    emu.faults.queue("html", 1, path=batch_path)
    ctl = StackController(shop.store, workstation="test-ws")
    ctl.run_once()  # the write of 9 is lost: 9 is in doubt
    emu.place_order([("SKU-0009", 1)])  # the cart shows 9, by its own sale
    ctl.run_once()
    ctl.close()
    rows = rows_of(shop, cart, "SKU-0009")
    assert [r.state for r in rows] == ["waiting"] and "import its orders" in rows[0].last_response
    import_orders(shop.store, cart, actor=ACTOR)  # store 8
    drain(shop)
    assert shop.woo.quantity("SKU-0009") == 8 and shop.shop.quantity("SKU-0009") == 8


def test_a_value_in_doubt_shown_with_no_sale_is_taken_for_the_write_having_landed(shop):
    drain(shop)
    with shop.store.write() as s:
        ops.pos_sale(s, sku="SKU-0010", quantity=2, actor=ACTOR)  # store 8
    shop.woo.faults.queue("timeout-after", 1, path="/products/batch")  # lands, answer lost
    ctl = StackController(shop.store, workstation="test-ws", connect=short_timeout_connect(0.3))
    ctl.run_once()
    ctl.run_once()
    ctl.close()
    rows = rows_of(shop, "woo", "SKU-0010")
    assert [r.state for r in rows] == ["sent"] and shop.woo.quantity("SKU-0010") == 8
    assert shop.woo.applied["SKU-0010"] == 1
