"""Get QOH From Website at size, over real HTTP (emulated WooCommerce on loopback): a
chunk's decisions applied in bulk, the cart read in a background thread. The report and
the store are right across chunks; a cart failure mid-listing keeps the chunks before
it; a cancel stops the reading; no exception is swallowed."""

from __future__ import annotations

import threading

import pytest
from qoh_kit import ACTOR, WOO_LIST, Canceller
from sqlalchemy import select

import seom_desktop.sync.get_qoh as get_module
from seom_desktop.carts.base import CartItem
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.inventory.products import set_web_fields
from seom_desktop.stack.shaping import shaped_qoh
from seom_desktop.store.models import Cart, LedgerEntry, Product, StackRow, WebField
from seom_desktop.sync.get_qoh import get_qoh

N = 1250


@pytest.fixture
def big(shop_factory, sqlite_url):
    s = shop_factory(sqlite_url, n=N, qoh=10)
    yield s
    s.woo.stop()
    s.shop.stop()
    s.store.close()


def _set_cart(woo, values: dict[str, int | None]) -> None:
    """What the cart shows, changed behind the store's back (None: stock not managed)."""
    with woo.lock:
        for obj in woo.products.values():
            if obj["sku"] in values:
                q = values[obj["sku"]]
                obj["manage_stock"] = q is not None
                obj["stock_quantity"] = q


def _reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "get-qoh-reader"]


def _store(shop):
    with shop.store.read() as s:
        carts = dict(s.execute(select(Cart.name, Cart.id)).all())
        qoh = dict(s.execute(select(Product.sku, Product.qoh)).all())
        ledger = s.execute(select(Product.sku, LedgerEntry.delta, LedgerEntry.qoh_after,
                                  LedgerEntry.origin_cart_id)
                           .join(Product, Product.id == LedgerEntry.product_id)
                           .where(LedgerEntry.source == "pulled from cart")
                           .order_by(LedgerEntry.id)).all()
        stack = s.execute(select(Cart.name, Product.sku, StackRow.change, LedgerEntry.delta)
                          .join(Cart, Cart.id == StackRow.cart_id)
                          .join(Product, Product.id == StackRow.product_id)
                          .join(LedgerEntry, LedgerEntry.id == StackRow.ledger_id)
                          .order_by(StackRow.id)).all()
        seen = dict(s.execute(select(Product.sku, WebField.last_cart_qoh)
                              .join(WebField, WebField.product_id == Product.id)
                              .where(WebField.cart_id == carts["woo"])).all())
    return carts, qoh, ledger, stack, seen


def test_1250_items_in_chunks_of_97_report_and_store_are_right(big):
    skus = big.skus  # the cart lists them in this order (by id)
    cart: dict[str, int | None] = {}
    with big.store.write() as s:
        for i, sku in enumerate(skus):
            kind = i % 10
            if kind in (1, 2):
                set_web_fields(s, sku=sku, cart="woo", reserve=2)
            elif kind == 3:
                set_web_fields(s, sku=sku, cart="woo", sync=False)
            elif kind == 5:
                set_web_fields(s, sku=sku, cart="shop", sync=False)
            cart[sku] = {0: 10, 1: 8, 2: 5, 3: 1, 4: None}.get(kind, i % 7 - 1)
    _set_cart(big.woo, cart)
    for j in range(30):
        big.woo.add_item(f"NEW-{j:02d}", j)
    progress = Canceller()
    r = get_qoh(big.store, "woo", actor=ACTOR, chunk_size=97, progress=progress)

    assert r.ok and r.read == N + 30 and r.error is None
    changed = [sku for i, sku in enumerate(skus) if i % 10 not in (0, 1, 3, 4)]
    assert r.changed == [{"sku": sku, "cart_sku": sku, "store_qoh": 10, "cart_qoh": cart[sku]}
                         for sku in changed]
    assert r.unchanged == N // 10 * 2
    assert r.not_synced == [{"sku": sku, "cart_sku": sku, "cart_qoh": 1}
                            for i, sku in enumerate(skus) if i % 10 == 3]
    assert r.untracked == [{"sku": sku, "cart_sku": sku, "note": "not tracked on the cart"}
                           for i, sku in enumerate(skus) if i % 10 == 4]
    assert r.unknown == [{"sku": f"NEW-{j:02d}", "cart_qoh": j, "note": "not in the store"}
                         for j in range(30)]
    done = [u[0] for u in progress.updates]
    assert done == [*range(97, N + 30, 97), N + 30, N + 30]  # a transaction per chunk

    carts, qoh, ledger, stack, seen = _store(big)
    assert qoh == {sku: (cart[sku] if sku in changed else 10) for sku in skus}
    assert ledger == [(sku, cart[sku] - 10, cart[sku], carts["woo"]) for sku in changed]
    expected = []
    for sku in changed:
        i = skus.index(sku)
        if i % 10 != 5:
            expected.append(("shop", sku, cart[sku] - 10, cart[sku] - 10))
        if shaped_qoh(cart[sku], 2 if i % 10 == 2 else 0) != cart[sku]:
            # a correction: reserve 2 (5 shows 3) or a negative QOH (the cart shows 0)
            expected.append(("woo", sku, cart[sku] - 10, cart[sku] - 10))
    assert {row[1] for row in expected if row[0] == "woo"} >= {skus[2], skus[7]}
    assert stack == expected
    assert seen == cart  # what the cart showed, for every known item
    again = get_qoh(big.store, "woo", actor=ACTOR, chunk_size=97)
    assert again.ok and again.changed == [] and again.unchanged == len(changed) + N // 10 * 2


@pytest.mark.parametrize("fault", ["500", "html"])
def test_cart_failure_mid_listing_keeps_the_chunks_before_it(big, monkeypatch, fault):
    _set_cart(big.woo, dict.fromkeys(big.skus, 3))
    real = WooCommerceConnector._get

    def fail_on_page_4(self, path, params):
        if params.get("page") == 4 and not big.woo.faults.injected[fault]:
            big.woo.faults.queue(fault, 1, "/wp-json/wc/v3/products")
        return real(self, path, params)

    monkeypatch.setattr(WooCommerceConnector, "_get", fail_on_page_4)
    r = get_qoh(big.store, "woo", actor=ACTOR, chunk_size=70)  # pages hold 100 items
    assert r.error and not r.ok and big.woo.faults.injected[fault] == 1
    assert r.read == 280 and len(r.changed) == 280  # 4 whole chunks; 20 read, not applied
    _, qoh, ledger, _, seen = _store(big)
    assert [qoh[s] for s in big.skus] == [3] * 280 + [10] * (N - 280)
    assert len(ledger) == 280 and [seen[s] for s in big.skus] == [3] * 280 + [10] * (N - 280)
    assert not _reader_threads()


def test_cancel_stops_the_reading(big):
    _set_cart(big.woo, dict.fromkeys(big.skus, 4))
    pages = -(-N // 100)
    r = get_qoh(big.store, "woo", actor=ACTOR, chunk_size=10, progress=Canceller(after=1))
    assert r.cancelled and r.read == 10 and len(r.changed) == 10
    assert not _reader_threads()  # stopped, not left reading
    read = big.woo.requests[WOO_LIST]
    assert 1 <= read <= 2 < pages  # 8 chunks of 10 ahead at most: within the first pages
    _, qoh, *_ = _store(big)
    assert sum(1 for q in qoh.values() if q == 4) == 10
    assert big.woo.requests[WOO_LIST] == read


def test_a_store_failure_is_raised_and_stops_the_reading(big, monkeypatch):
    _set_cart(big.woo, dict.fromkeys(big.skus, 6))
    real, calls = get_module.apply_chunk, []

    def fail_second_chunk(session, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(session, **kw)

    monkeypatch.setattr(get_module, "apply_chunk", fail_second_chunk)
    with pytest.raises(RuntimeError, match="disk full"):
        get_qoh(big.store, "woo", actor=ACTOR, chunk_size=10)
    assert not _reader_threads()
    _, qoh, *_ = _store(big)
    assert sum(1 for q in qoh.values() if q == 6) == 10  # the first chunk only


def test_a_reader_failure_that_is_no_cart_error_is_raised(big, monkeypatch):
    def list_items(self):
        for i in range(150):
            yield CartItem(sku=big.skus[i], qoh=2, item_id=str(i + 1))
        raise ValueError("a bug while reading")

    monkeypatch.setattr(WooCommerceConnector, "list_items", list_items)
    with pytest.raises(ValueError, match="a bug while reading"):
        get_qoh(big.store, "woo", actor=ACTOR, chunk_size=100)
    assert not _reader_threads()
    _, qoh, *_ = _store(big)
    assert [qoh[s] for s in big.skus[:150]] == [2] * 100 + [10] * 50


def test_what_the_cart_shows_is_recorded_for_taken_and_untaken_items_alike(shop):
    """In one chunk: an item the store already agrees with but whose recorded cart
    quantity is old, then an item the pull takes whose recorded cart quantity already
    equals the cart's (the cart was read showing it before). Each web field ends with
    what the cart shows, and the taken item's QOH is the cart's."""
    from seom_desktop.stack.targets import record_seen

    first = get_qoh(shop.store, "woo", actor=ACTOR)  # item ids and quantities recorded
    assert first.error is None and not first.changed
    a, b = shop.skus[0], shop.skus[1]
    _set_cart(shop.woo, {b: 12})
    with shop.store.write() as s:
        carts = dict(s.execute(select(Cart.name, Cart.id)).all())
        pid = dict(s.execute(select(Product.sku, Product.id)).all())
        record_seen(s, carts["woo"], pid[a], 9)  # old: the cart shows 10, as the store has
        record_seen(s, carts["woo"], pid[b], 12)  # already seen showing 12; the store has 10
    rep = get_qoh(shop.store, "woo", actor=ACTOR)
    assert rep.error is None
    assert [(c["sku"], c["store_qoh"], c["cart_qoh"]) for c in rep.changed] == [(b, 10, 12)]
    _carts, qoh, _ledger, _stack, seen = _store(shop)
    assert (qoh[a], seen[a]) == (10, 10)
    assert (qoh[b], seen[b]) == (12, 12)
