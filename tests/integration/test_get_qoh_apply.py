"""Get QOH's store side (sync.pull_apply) in the cases the seeded model test does not
reach: a quantity out of range refused with its reason while the chunk's other items are
pulled; a product twice in one chunk (the last item wins); on PostgreSQL a clerk's change
committed between the mapping and the lock is built on; an item lost from the chunk table
stops the pull loudly. On SQLite and PostgreSQL where both apply."""

from __future__ import annotations

import pytest
from qoh_kit import ACTOR
from sqlalchemy import select

import seom_desktop.sync.pull_apply as apply_module
from seom_desktop.carts.base import CartItem
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.store.models import Cart, LedgerEntry, Product, StackRow, WebField
from seom_desktop.sync.get_qoh import get_qoh
from seom_desktop.sync.pull_apply import apply_chunk
from seom_desktop.testing.shop import build_shop


@pytest.fixture
def quiet_shop(store_url):
    """A shop of 4 products (QOH 10) whose emulators are stopped: the listing is given."""
    shop = build_shop(store_url, n=4)
    shop.woo.stop()
    shop.shop.stop()
    yield shop
    shop.store.close()


def _ledger(shop, sku: str) -> list[tuple]:
    with shop.store.read() as s:
        return [tuple(r) for r in s.execute(
            select(LedgerEntry.delta, LedgerEntry.qoh_after, LedgerEntry.source)
            .join(Product, Product.id == LedgerEntry.product_id)
            .where(Product.sku == sku).order_by(LedgerEntry.id))]


def _qoh(shop) -> dict[str, int]:
    with shop.store.read() as s:
        return dict(s.execute(select(Product.sku, Product.qoh)).all())


def test_a_quantity_out_of_range_is_refused_and_the_rest_pulled(quiet_shop, monkeypatch):
    items = [CartItem(sku="SKU-0000", qoh=5, item_id="1"),
             CartItem(sku="SKU-0001", qoh=2_000_000_000, item_id="2"),
             CartItem(sku="SKU-0002", qoh=-10**30, item_id="3")]
    monkeypatch.setattr(WooCommerceConnector, "list_items", lambda self: iter(items))
    rep = get_qoh(quiet_shop.store, "woo", actor=ACTOR)
    assert rep.error is None
    assert [(c["sku"], c["store_qoh"], c["cart_qoh"]) for c in rep.changed] == [
        ("SKU-0000", 10, 5)]
    assert rep.unknown == [
        {"sku": "SKU-0001", "cart_qoh": 2_000_000_000,
         "note": "quantity out of range for 'SKU-0001'"},
        {"sku": "SKU-0002", "cart_qoh": -10**30, "note": "quantity out of range for 'SKU-0002'"}]
    assert _qoh(quiet_shop) == {"SKU-0000": 5, "SKU-0001": 10, "SKU-0002": 10, "SKU-0003": 10}
    assert _ledger(quiet_shop, "SKU-0001")[1:] == []  # only the product's first row
    with quiet_shop.store.read() as s:  # the refused quantity is stored nowhere
        assert max(abs(q) for q in s.scalars(select(WebField.last_cart_qoh)) if q) < 10**9


def test_a_product_twice_in_one_chunk_takes_the_last(quiet_shop):
    items = [CartItem(sku="SKU-0000", qoh=7, item_id="1"),
             CartItem(sku="SKU-0001", qoh=3, item_id="2"),
             CartItem(sku="SKU-0000", qoh=4, item_id="3")]
    with quiet_shop.store.write() as s:
        woo = s.scalar(select(Cart.id).where(Cart.name == "woo"))
        done = apply_chunk(s, cart_id=woo, items=items, actor=ACTOR, create_new=False)
    assert [(n, before) for n, before, _sku in done.taken] == [(1, 10), (2, 10)]
    assert [(n, v) for n, v, _sku in done.others] == [(0, apply_module.DUPLICATE)]
    assert _qoh(quiet_shop)["SKU-0000"] == 4
    assert _ledger(quiet_shop, "SKU-0000")[-1:] == [(-6, 4, "pulled from cart")]
    assert len(_ledger(quiet_shop, "SKU-0000")) == 2  # new product, then one pull
    with quiet_shop.store.read() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == "SKU-0000"))
        wf = s.scalar(select(WebField).where(WebField.product_id == pid,
                                             WebField.cart_id == woo))
        assert (wf.last_cart_qoh, wf.cart_item_id) == (4, "3")
        assert sorted(s.scalars(select(StackRow.change).where(StackRow.product_id == pid))) \
            == [-6]  # Shopify hears once


def test_a_preview_of_a_product_twice_takes_the_last_and_writes_nothing(quiet_shop):
    items = [CartItem(sku="SKU-0000", qoh=7, item_id="1"),
             CartItem(sku="SKU-0000", qoh=8, item_id="1")]
    with quiet_shop.store.write() as s:
        woo = s.scalar(select(Cart.id).where(Cart.name == "woo"))
        preview = apply_chunk(s, cart_id=woo, items=items, actor=ACTOR, create_new=False,
                              write=False)
    assert [n for n, _b, _s in preview.taken] == [1]
    assert _qoh(quiet_shop)["SKU-0000"] == 10  # a preview writes nothing


def test_on_postgresql_a_change_committed_after_the_mapping_is_built_on(pg_url, monkeypatch):
    """A clerk's adjustment commits after the chunk was mapped and before its products
    are locked: the pull reads the QOH again under the lock, so its ledger row follows
    the adjustment's (delta from 13, not from 10) and nothing is lost."""
    from seom_desktop.inventory.operations import adjust

    shop = build_shop(pg_url, n=3)
    shop.woo.stop()
    shop.shop.stop()
    real_lock = apply_module._lock

    def adjust_then_lock(raw, sql):
        with shop.store.write() as s:  # another connection, its own transaction
            adjust(s, sku="SKU-0000", delta=3, actor=ACTOR, reason="count")
        return real_lock(raw, sql)

    monkeypatch.setattr(apply_module, "_lock", adjust_then_lock)
    monkeypatch.setattr(WooCommerceConnector, "list_items",
                        lambda self: iter([CartItem(sku="SKU-0000", qoh=20, item_id="1")]))
    try:
        rep = get_qoh(shop.store, "woo", actor=ACTOR)
        assert rep.error is None
        assert [(c["store_qoh"], c["cart_qoh"]) for c in rep.changed] == [(13, 20)]
        assert _qoh(shop)["SKU-0000"] == 20
        assert _ledger(shop, "SKU-0000")[-2:] == [(3, 13, "adjust"), (7, 20, "pulled from cart")]
    finally:
        shop.store.close()


def test_an_item_lost_from_the_chunk_table_stops_the_pull_loudly(quiet_shop, monkeypatch):
    """Every item must be a row of the chunk table, mapped or not; were one missing, its
    item would vanish from the report and the store: the chunk is refused, rolled back."""
    from seom_desktop.store.raw import Raw

    real = Raw.named

    def lose_one(self, text, params):
        cur = real(self, text, params)
        if text.lstrip().startswith("INSERT INTO pull_chunk"):
            self._cursor.connection.cursor().execute("DELETE FROM pull_chunk WHERE n = 1")
        return cur

    monkeypatch.setattr(Raw, "named", lose_one)
    monkeypatch.setattr(WooCommerceConnector, "list_items", lambda self: iter(
        [CartItem(sku=f"SKU-000{i}", qoh=i, item_id=str(i)) for i in range(3)]))
    with pytest.raises(RuntimeError, match="2 of 3 items"):
        get_qoh(quiet_shop.store, "woo", actor=ACTOR)
    assert set(_qoh(quiet_shop).values()) == {10}


def test_a_pulled_component_queues_the_kits_that_hold_it(quiet_shop, monkeypatch):
    """KIT = 2 x SKU-0000, OUTER = 1 x KIT; the cart lists only the component, changed:
    both kits are queued (change 0) for every synced cart, and neither's QOH is touched."""
    from seom_desktop.inventory.kits import set_kit

    with quiet_shop.store.write() as s:
        set_kit(s, sku="KIT", components=[("SKU-0000", 2)], actor=ACTOR)
        set_kit(s, sku="OUTER", components=[("KIT", 1)], actor=ACTOR)
        s.execute(StackRow.__table__.delete())
    monkeypatch.setattr(WooCommerceConnector, "list_items",
                        lambda self: iter([CartItem(sku="SKU-0000", qoh=4, item_id="1")]))
    rep = get_qoh(quiet_shop.store, "woo", actor=ACTOR)
    assert [(c["sku"], c["cart_qoh"]) for c in rep.changed] == [("SKU-0000", 4)]
    with quiet_shop.store.read() as s:
        rows = sorted(s.execute(select(Cart.name, Product.sku, StackRow.change)
                                .join(Cart, Cart.id == StackRow.cart_id)
                                .join(Product, Product.id == StackRow.product_id)).all())
    assert [tuple(r) for r in rows] == [("shop", "KIT", 0), ("shop", "OUTER", 0),
                                        ("shop", "SKU-0000", -6), ("woo", "KIT", 0),
                                        ("woo", "OUTER", 0)]
