"""A cart's own order imported while a write of ours to it is in doubt (the cart accepted
it, the pass has not recorded it yet): the sale moved the value written, not the one the
store believed, so whether the cart needs a correction is judged on every value it may
show (the belief and the values in doubt, each moved by the sale), not on the belief
alone. Here the cart shows at most 5: 6 -> 5 is written, a shopper buys one (4), and the
import moves the belief 6 -> 5, the rule's own value, while the cart shows 4. Found by the
stack state machine (tests/integration/test_stack_state_machine.py). Real store, real
emulators over loopback sockets."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from stack_kit import ACTOR, adjust, drain
from stack_machine_model import ThenImport

from seom_desktop.connect import connect
from seom_desktop.inventory.rules import set_cart
from seom_desktop.stack.controller import StackController
from seom_desktop.store.models import Cart
from seom_desktop.sync.orders import import_orders


@pytest.mark.parametrize("cart", ["woo", "shop"])
def test_an_order_imported_before_the_write_is_recorded_gets_its_correction(shop, cart):
    sku = shop.skus[0]
    emu = shop.emulators()[cart]
    with shop.store.write() as s:
        s.execute(update(Cart).where(Cart.name != cart).values(sync=False))
    adjust(shop, sku, -4)  # 6
    drain(shop)
    assert emu.quantity(sku) == 6
    with shop.store.write() as s:
        set_cart(s, cart, rules={"max_qty": 5}, actor=ACTOR)  # queues: the cart shows 5
    bought = []

    def shopper_then_import(results):
        if not bought and any(r.ok and r.sku == sku for r in results):
            emu.place_order([(sku, 1)])  # the cart: 5 -> 4
            bought.append(import_orders(shop.store, cart, actor=ACTOR))

    def make(c):
        conn = connect(c)
        return ThenImport(conn, shopper_then_import) if c.name == cart else conn

    ctl = StackController(shop.store, workstation="test-ws", connect=make)
    ctl.run_once()
    ctl.close()
    assert bought and len(bought[0].imported) == 1
    drain(shop)
    assert shop.qoh(sku) == 5
    assert emu.quantity(sku) == 5  # before: 4, the store believing 5


@pytest.mark.parametrize("mapped", [False, True])
def test_the_same_correction_twice_is_applied_twice(shop, mapped):
    """Shopify answers a write whose @idempotent key it knows from that key, applying
    nothing. A cart that shows at most 5 sells one twice: each import asks for the same
    write, 5 over 4, and the second is a new write, not a retry of the first: its key
    differs (before, both had the key of (cart, product, 5, 4), and the cart stayed at 4)."""
    from stack_kit import map_two_locations

    sku = shop.skus[1]
    if mapped:
        map_two_locations(shop)
    with shop.store.write() as s:
        s.execute(update(Cart).where(Cart.name != "shop").values(sync=False))
        set_cart(s, "shop", rules={"max_qty": 5}, actor=ACTOR)
    drain(shop)
    assert shop.shop.quantity(sku) == 5
    for n in (1, 2):
        shop.shop.place_order([(sku, 1)])  # 5 -> 4
        import_orders(shop.store, "shop", actor=ACTOR)
        drain(shop)
        assert shop.qoh(sku) == 10 - n
        assert shop.shop.quantity(sku) == 5, n
    keys = [w.key for w in shop.shop.writes[sku][-2:]]
    assert keys[0] != keys[1]
