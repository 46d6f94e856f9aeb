"""A cart's claimed rows are planned a few requests ahead, the oldest changes first
(stack/plan.next_slice: one request's worth first, then as many again as planned, up to
PLAN_AHEAD), not all at once in SKU order: in a long backlog the first request carries
the products changed first, and it does not wait for every target to be read. The write requests stay the floor, ceil(products / batch). Real store, the real
WooCommerce emulator over a loopback socket."""

from __future__ import annotations

import math

from sqlalchemy import update
from stack_kit import ACTOR, count_by_state_of
from test_stack_fresh_rows import _recording_connect

from seom_desktop.inventory import operations as ops
from seom_desktop.stack.controller import StackController
from seom_desktop.store.models import Cart


def test_the_oldest_changes_go_first_and_requests_stay_the_floor(shop_factory, sqlite_url):
    n = 350
    shop = shop_factory(sqlite_url, n=n, qoh=10)
    try:
        with shop.store.write() as s:
            s.execute(update(Cart).where(Cart.name != "woo").values(sync=False))
            s.execute(update(Cart).values(max_items=100))
            for sku in reversed(shop.skus):  # the highest SKUs changed first
                ops.adjust(s, sku=sku, delta=+1, actor=ACTOR)
        make, batches = _recording_connect(shop, lambda: None)
        ctl = StackController(shop.store, workstation="test-ws", connect=make)
        ctl.run_once()
        ctl.close()
        sent = batches["woo"]
        assert len(sent) == math.ceil(n / 100)  # the floor
        assert sorted(sku for b in sent for sku in b) == sorted(shop.skus)  # each once
        changed = list(reversed(shop.skus))  # in the order they were changed
        # The first request: the 100 products changed first (in SKU order among them);
        # in SKU order over the whole backlog it held the 100 changed last.
        assert sent[0] == sorted(changed[:100]), sent[0][:5]
        assert set(sent[-1]) <= set(changed[200:])  # slices of 100, 100, then 150
        assert count_by_state_of(shop)["sent"] == n
        assert all(shop.woo.quantity(sku) == 11 for sku in shop.skus)
    finally:
        shop.woo.stop()
        shop.shop.stop()
        shop.store.close()
