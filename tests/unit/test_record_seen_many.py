"""record_seen_many does exactly what record_seen for each item in turn does: the same
store built twice, one run item by item, the other in bulk, then products, ledger, web
stack and web fields compared — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product, set_web_fields
from seom_desktop.stack.targets import record_seen, record_seen_many
from seom_desktop.store.carts import add_cart
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart, LedgerEntry, Product, StackRow, WebField
from seom_desktop.store.params import set_param

ACTOR = Actor("clerk", "WS1")
LATER = datetime(2999, 1, 1)
N = 40


@pytest.fixture
def twin(store_url, request, tmp_path) -> str:
    """A second empty store of the same kind as store_url."""
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'twin.sqlite'}"
    return request.getfixturevalue("pg_server").create_database()


def _build(url: str, *, synch: bool, origin_sync: bool):
    """Carts O (the origin), B (synced), C (not synced), D (synced); products P00..P39
    with reserve/max/no-sync web fields on O, no web field on O for some, B's web field
    off for some, failed rows waiting on O and on B."""
    store = open_store(url)
    with store.write() as s:
        set_param(s, "SynchQOH", False)
        for name, sync in (("O", origin_sync), ("B", True), ("C", False), ("D", True)):
            add_cart(s, name=name, kind="woocommerce", url="http://127.0.0.1:1", sync=sync)
        for i in range(N):
            add_product(s, sku=f"P{i:02d}", name=f"Item {i}", qoh=(i * 7) % 23, actor=ACTOR)
        for i in range(N):
            sku = f"P{i:02d}"
            if i % 5 == 0:
                continue  # no web field for the origin cart
            set_web_fields(s, sku=sku, cart="O", reserve=i % 3,
                           max_qty=(4 if i % 4 == 1 else None), sync=i % 11 != 3)
            if i % 6 == 2:
                set_web_fields(s, sku=sku, cart="B", sync=False)
            if i % 9 == 4:
                set_web_fields(s, sku=sku, cart="D", reserve=1)
        carts = dict(s.execute(select(Cart.name, Cart.id)).all())
        pids = dict(s.execute(select(Product.sku, Product.id)).all())
        for i in range(0, N, 3):
            for cart in ("O", "B"):
                s.add(StackRow(cart_id=carts[cart], product_id=pids[f"P{i:02d}"], change=1,
                               state="failed", attempts=2, next_attempt_at=LATER,
                               origin_workstation="WS0"))
        set_param(s, "SynchQOH", synch)
    return store, carts["O"], pids


def _state(store):
    with store.read() as s:
        carts = dict(s.execute(select(Cart.id, Cart.name)).all())
        skus = dict(s.execute(select(Product.id, Product.sku)).all())
        ledger = s.execute(select(LedgerEntry).order_by(LedgerEntry.id)).scalars().all()
        pos = {e.id: i for i, e in enumerate(ledger)}
        return {
            "products": sorted(s.execute(select(Product.sku, Product.qoh, Product.name)).all()),
            "touched": sorted(sku for sku, at, made in s.execute(
                select(Product.sku, Product.updated_at, Product.created_at)) if at != made),
            "ledger": [(skus[e.product_id], e.delta, e.qoh_after, e.source, e.reason,
                        e.reference, carts.get(e.origin_cart_id), e.user, e.workstation)
                       for e in ledger],
            "stack": [(carts[r.cart_id], skus[r.product_id], r.change, r.state, r.attempts,
                       r.origin_workstation, pos.get(r.ledger_id), r.next_attempt_at < LATER,
                       r.last_response, r.claimed_by)
                      for r in s.scalars(select(StackRow).order_by(StackRow.id))],
            "web": sorted((carts[w.cart_id], skus[w.product_id], w.sync, w.cart_sku, w.reserve,
                           w.max_qty, w.cart_item_id, w.last_sent_qoh, w.last_cart_qoh,
                           w.last_cart_seen_at is not None, w.attempted_qoh)
                          for w in s.scalars(select(WebField))),
        }


def test_record_seen_many_is_record_seen_item_by_item(store_url, twin):
    one, cart_one, pids = _build(store_url, synch=True, origin_sync=True)
    two, cart_two, _ = _build(twin, synch=True, origin_sync=True)
    try:
        with one.write() as s:  # some item ids known already
            for i in range(0, N, 4):
                record_seen(s, cart_one, pids[f"P{i:02d}"], 1, f"old-{i}")
        with two.write() as s:
            record_seen_many(s, cart_two, [(pids[f"P{i:02d}"], 1, f"old-{i}")
                                           for i in range(0, N, 4)])
        assert _state(one) == _state(two)
        seen = [(pids[f"P{i:02d}"], None if i % 7 == 0 else i, "" if i % 3 else f"id-{i}")
                for i in range(N)]
        seen += [(pids["P01"], 50, "id-x"), (pids["P01"], 51, ""), (pids["P02"], None, "")]
        with one.write() as s:
            for pid, qoh, item in seen:
                record_seen(s, cart_one, pid, qoh, item)
        with two.write() as s:
            record_seen_many(s, cart_two, seen)
            record_seen_many(s, cart_two, [])
        a, b = _state(one), _state(two)
        assert a == b
        web = {w[1]: w for w in a["web"] if w[0] == "O"}
        assert len(web) == N and web["P01"][6:9] == ("id-x", None, 51)
        assert web["P04"][6] == "old-4" and web["P00"][6] == "id-0"
    finally:
        one.close()
        two.close()
