"""Get QOH From Website keeps little per item (issue 23: the pull's peak memory flat in the
number of items; bench/README.md, "Issue 23: peak RSS"): the report's changes kept as
arrays and one string rather than a dict each, and read back as the same dicts.
Measured with tracemalloc over a real pull (emulated WooCommerce on loopback, SQLite)."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from qoh_kit import ACTOR

from seom_desktop.sync.get_qoh import get_qoh
from seom_desktop.sync.get_qoh_changes import Changes

N = 1500


@pytest.fixture
def shop(shop_factory, sqlite_url):
    s = shop_factory(sqlite_url, n=N, qoh=10)
    yield s
    s.woo.stop()
    s.shop.stop()
    s.store.close()


def _held_by(snapshot: tracemalloc.Snapshot, *names: str) -> int:
    """Bytes still allocated from lines of the named modules (their file names)."""
    keep = [tracemalloc.Filter(True, f"*/seom_desktop/sync/{n}") for n in names]
    return sum(s.size for s in snapshot.filter_traces(keep).statistics("filename"))


def test_a_pulls_changes_take_a_few_dozen_bytes_each_and_read_back_as_dicts(shop):
    with shop.woo.lock:
        for obj in shop.woo.products.values():
            obj["stock_quantity"] = 11  # every item differs: N changes
    tracemalloc.start()
    try:
        report = get_qoh(shop.store, "woo", actor=ACTOR, chunk_size=500)
        held = _held_by(tracemalloc.take_snapshot(), "get_qoh.py", "get_qoh_changes.py")
    finally:
        tracemalloc.stop()
    assert report.ok and len(report.changed) == N
    # A dict a change held about 180 B, its SKU string 57 B more; arrays and one string
    # hold 8 + 8 + 8 B and the SKU's characters (9 here).
    assert held / N < 64, f"{held / N:.0f} B a change"
    first = {"sku": shop.skus[0], "cart_sku": shop.skus[0], "store_qoh": 10, "cart_qoh": 11}
    assert report.changed[0] == first and report.changed[-1]["sku"] == shop.skus[-1]
    assert report.changed[:2] == [first, {**first, "sku": shop.skus[1],
                                          "cart_sku": shop.skus[1]}]
    assert [c["sku"] for c in report.changed] == shop.skus
    assert json.loads(json.dumps(report.as_json()))["changed"][N - 1] == report.changed[N - 1]


def test_many_changes_keep_no_string_each_and_read_back_whole():
    n = 20_000
    changes = Changes()
    tracemalloc.start()
    try:
        for i in range(n):
            sku = f"SKU-{i:07d}"  # made here: held by the changes or freed
            if i % 1000 == 7:
                changes.add(sku, f"cart-{i}", i, i + 1, warehouse="Main", location="L1")
            else:
                changes.add(sku, sku, i, -i)
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    held = sum(s.size for s in snapshot.filter_traces(
        [tracemalloc.Filter(True, __file__),
         tracemalloc.Filter(True, "*/seom_desktop/sync/get_qoh_changes.py")]).statistics("filename"))
    # a dict and a SKU string a change: about 240 B; arrays and joined text: 8 x 3 + 11
    assert held / n < 48, f"{held / n:.0f} B a change"

    def one(i):
        sku = f"SKU-{i:07d}"
        if i % 1000 == 7:
            return {"sku": sku, "cart_sku": f"cart-{i}", "store_qoh": i, "cart_qoh": i + 1,
                    "warehouse": "Main", "location": "L1"}
        return {"sku": sku, "cart_sku": sku, "store_qoh": i, "cart_qoh": -i}

    assert len(changes) == n and changes == [one(i) for i in range(n)]
    assert changes[4095] == one(4095) and changes[4096] == one(4096) and changes[-1] == one(n - 1)
    assert changes[4090:4100] == [one(i) for i in range(4090, 4100)]
    assert changes + [{"x": 1}] == [*(one(i) for i in range(n)), {"x": 1}]
    assert Changes([one(7), one(8)]) == [one(7), one(8)]
    with pytest.raises(IndexError):
        changes[n]
