"""Reconcile of a cart with mapped locations (cart set --location-for) against the
Shopify emulator with two stock locations over loopback: each location is compared
with its own warehouse's quantity, a location edited in the admin is corrected there
(and only there), and the other location's quantity is left as it is."""

from __future__ import annotations

import pytest
from stack_kit import ACTOR, drain, map_two_locations

from seom_desktop.sync.reconcile import QUEUED, reconcile


@pytest.fixture
def mapped(shop_factory, sqlite_url):
    """The shop's Shopify location mapped to Main, a second one ("East") to East; every
    item at 10 in Main and 0 in East, sent."""
    shop = shop_factory(sqlite_url, n=4, qoh=10)
    east = map_two_locations(shop)
    drain(shop)
    yield shop, shop.shop.location_id, east
    shop.woo.stop()
    shop.shop.stop()
    shop.store.close()


def test_each_mapped_location_is_compared_and_corrected(mapped):
    shop, main, east = mapped
    shop.shop.set_quantity("SKU-0001", 3, east)  # edited in the admin, at East only
    result = reconcile(shop.store, "shop", fix=True, actor=ACTOR)
    assert result.error == "" and result.checked == 8  # 4 items x 2 locations
    assert [(d.sku, d.location, d.cart_qoh, d.should_show, d.outcome)
            for d in result.different] == [("SKU-0001", east, 3, 0, QUEUED)]
    assert result.fixed == 1
    drain(shop)
    assert shop.shop.quantity("SKU-0001", east) == 0
    assert shop.shop.quantity("SKU-0001", main) == 10
    assert reconcile(shop.store, "shop", actor=ACTOR).different == []
