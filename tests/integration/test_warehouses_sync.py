"""Warehouses and allocation rules end to end against the emulated WooCommerce and Shopify
carts over loopback: each cart shows what it should (the sum of the warehouses it sells
from, shaped by its rules and the item's overrides), worked out here from the store's
per-warehouse stock with the pure rule (stack/shaping.should_show), not by the sender's
own code; a rule change reaches exactly the items whose shown quantity moved; orders
imported from a cart take stock from the warehouse its orders ship from."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from stack_kit import ACTOR, assert_nothing_applied_twice, drain

from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.rules import set_cart, set_item_rules, set_order_warehouse
from seom_desktop.inventory.warehouses import add_warehouse, transfer
from seom_desktop.stack.shaping import Rules, should_show
from seom_desktop.store.models import Product
from seom_desktop.sync.orders import import_orders
from seom_desktop.testing.shop import Shop


def stock(shop: Shop) -> dict[str, dict[str, int]]:
    """{sku: {warehouse: qoh}} as product show reports it."""
    from seom_desktop.inventory.rules import stock_by_name

    with shop.store.read() as s:
        return {sku: stock_by_name(s, pid) for pid, sku in s.execute(
            select(Product.id, Product.sku)).all()}


def want(shop: Shop, sells_from: tuple[str, ...] | None, rules: Rules,
         items: dict[str, Rules] | None = None) -> dict[str, int]:
    items = items or {}
    out = {}
    for sku, per in stock(shop).items():
        have = sum(q for w, q in per.items() if sells_from is None or w in sells_from)
        out[sku] = should_show(have, items.get(sku, Rules()).over(rules)).qty
    return out


def shows(shop: Shop, cart: str) -> dict[str, int]:
    emu = shop.emulators()[cart]
    return {sku: emu.quantity(sku) for sku in shop.skus}


@pytest.fixture
def wh_shop(shop_factory, store_url):
    shop = shop_factory(store_url, n=6, qoh=10)
    with shop.store.write() as s:
        add_warehouse(s, "East")
    yield shop
    shop.woo.stop()
    shop.shop.stop()
    shop.store.close()


def test_rules_and_warehouses_reach_the_carts(wh_shop):
    shop = wh_shop
    with shop.store.write() as s:
        set_cart(s, "woo", rules={"percent": 50, "min_qty": 1, "safety": 2}, actor=ACTOR)
        set_cart(s, "shop", warehouses=["East"], rules={"max_qty": 4}, actor=ACTOR)
    drain(shop)
    assert shows(shop, "woo") == want(shop, None, Rules(percent=50, min_qty=1, safety=2))
    assert shows(shop, "shop") == {sku: 0 for sku in shop.skus}  # East holds nothing yet
    with shop.store.write() as s:
        transfer(s, sku="SKU-0001", qty=7, source="Main", target="East", actor=ACTOR)
        transfer(s, sku="SKU-0002", qty=3, source="Main", target="East", actor=ACTOR)
        ops.adjust(s, sku="SKU-0003", delta=-9, actor=ACTOR)  # 1 left: at or below safety
    drain(shop)
    assert shows(shop, "shop") == want(shop, ("East",), Rules(max_qty=4))
    assert shows(shop, "shop")["SKU-0001"] == 4 and shows(shop, "shop")["SKU-0002"] == 3
    woo = want(shop, None, Rules(percent=50, min_qty=1, safety=2))
    assert shows(shop, "woo") == woo and woo["SKU-0003"] == 0
    with shop.store.write() as s:
        set_item_rules(s, sku="SKU-0004", cart="woo", rules={"percent": 100}, actor=ACTOR)
    drain(shop)
    assert shows(shop, "woo")["SKU-0004"] == 10
    assert_nothing_applied_twice(shop.emulators())


def test_a_transfer_between_warehouses_a_cart_sells_from_writes_nothing(wh_shop):
    shop = wh_shop
    with shop.store.write() as s:
        set_cart(s, "shop", warehouses=["Main", "East"], actor=ACTOR)
    drain(shop)
    writes = {sku: len(ws) for sku, ws in shop.shop.writes.items()}
    with shop.store.write() as s:
        r = transfer(s, sku="SKU-0001", qty=6, source="Main", target="East", actor=ACTOR)
    assert r.stack_row_ids == ()
    drain(shop)
    assert {sku: len(ws) for sku, ws in shop.shop.writes.items()} == writes
    assert shows(shop, "shop") == want(shop, None, Rules())


def test_an_imported_order_takes_stock_from_the_carts_order_warehouse(wh_shop):
    shop = wh_shop
    with shop.store.write() as s:
        transfer(s, sku="SKU-0001", qty=4, source="Main", target="East", actor=ACTOR)
        set_order_warehouse(s, "woo", "East")
    drain(shop)
    shop.woo.place_order([("SKU-0001", 3)])
    import_orders(shop.store, "woo", actor=ACTOR)
    assert stock(shop)["SKU-0001"] == {"East": 1, "Main": 6}
    drain(shop)
    assert shows(shop, "shop") == want(shop, None, Rules())
    assert shows(shop, "woo") == want(shop, None, Rules())
