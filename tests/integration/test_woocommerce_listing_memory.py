"""A WooCommerce listing keeps nothing per item (issue 23: Get QOH's memory flat in the
number of items; bench/README.md, "Issue 23: peak RSS"): an item's id says where its
stock lives, so the connector remembers only the variations whose stock is their
parent's (which the id does not say), and a write after the listing still goes where
the cart keeps the stock. Measured with tracemalloc over a real listing (emulated
WooCommerce on loopback)."""

from __future__ import annotations

import tracemalloc

import pytest

from seom_desktop.carts.base import CartConfig, QohUpdate
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.emulators.woocommerce import WooCommerceEmulator

KEY, SECRET = "ck_memory", "cs_memory"
N = 1500


@pytest.fixture()
def emu():
    e = WooCommerceEmulator(key=KEY, secret=SECRET).start()
    yield e
    e.stop()


def _held_by_connector(snapshot: tracemalloc.Snapshot) -> int:
    keep = [tracemalloc.Filter(True, "*/seom_desktop/carts/woocommerce*.py")]
    return sum(s.size for s in snapshot.filter_traces(keep).statistics("filename"))


def test_a_listing_keeps_nothing_per_item_and_writes_still_reach_the_stock(emu):
    for i in range(N):
        emu.add_item(f"M-{i:05d}", 5)
    parent = emu.add_item("TEE", 7, type="variable")
    emu.add_item("TEE-M", None, parent=parent, manage_stock="parent")
    conn = WooCommerceConnector(CartConfig(name="w", kind="woocommerce", url=emu.url,
                                           key=KEY, secret=SECRET))
    try:
        tracemalloc.start()
        try:
            listed = {}
            for item in conn.list_items():
                if item.sku in ("M-00007", "TEE-M"):
                    listed[item.sku] = item.item_id
            held = _held_by_connector(tracemalloc.take_snapshot())
        finally:
            tracemalloc.stop()
        # Remembering every item cost about 150 B an item (a _Where and its id's string).
        assert held / N < 16, f"{held / N:.0f} B an item"

        with emu.lock:
            emu.requests.clear()
        done = conn.set_qoh([QohUpdate(sku="M-00007", qoh=3, item_id=listed["M-00007"]),
                             QohUpdate(sku="TEE-M", qoh=9, item_id=listed["TEE-M"])])
    finally:
        conn.close()
    assert [(r.sku, r.ok, r.qoh) for r in done] == [("M-00007", True, 3), ("TEE-M", True, 9)]
    # TEE-M's stock is its parent's: written there at once, no variation batch first
    assert {k: n for k, n in emu.requests.items() if k.startswith("POST")} == {
        "POST /wp-json/wc/v3/products/batch": 1}
    assert emu.products[int(parent)]["stock_quantity"] == 9
