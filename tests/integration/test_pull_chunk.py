"""Get QOH's chunks judged and written in SQL (inventory.pull_chunk) give exactly what the
item-by-item path (sync.get_qoh._judge with bulk_pull and record_seen_many) gives, on
SQLite and on PostgreSQL (where it is off by default: pull_chunk.ON_POSTGRES).

The same store is pulled twice from the same cart listing: once with pull_chunk turned
off, once with it on. Every row of products, ledger, web_stack and web_fields must be
the same (ids, order and values; a timestamp is compared as "from before the pull",
"written by the pull" or empty), and so must the reports. The stores are made to hold
what the judging tells apart: aliases (one of them another product's own SKU, one the
product's own), web fields missing, reserves and caps, sync off on the origin and on
other carts, items the cart does not track, unknown and empty SKUs, recorded item ids
and quantities old and current, failed stack rows of the origin, SynchQOH and the
origin's sync on and off."""

from __future__ import annotations

import random
import shutil

import pytest
from qoh_kit import ACTOR
from sqlalchemy import select

import seom_desktop.inventory.pull_chunk as chunk_module
import seom_desktop.sync.get_qoh as get_module
from seom_desktop.carts.base import CartItem
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.inventory.products import add_product, set_web_fields
from seom_desktop.inventory.pull_chunk import pull_chunk as pull_chunk_in_sql
from seom_desktop.stack.targets import record_seen
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import (
    FAILED,
    Cart,
    LedgerEntry,
    Product,
    StackRow,
    WebField,
    utcnow,
)
from seom_desktop.store.params import set_param
from seom_desktop.sync.cart_setup import define_cart
from seom_desktop.sync.get_qoh import get_qoh
from seom_desktop.testing.shop import build_shop

TABLES = (Product, LedgerEntry, StackRow, WebField)


def _scenario(store, skus: list[str], rng: random.Random, *, synch: bool,
              origin_syncs: bool, aliases: bool) -> list[CartItem]:
    """Web fields, parameters and stack rows made varied; the cart's listing. (With no
    alias on the cart, pull_chunk maps items another way.)"""
    with store.write() as s:
        define_cart(s, name="woo2", kind="woocommerce", url="http://127.0.0.1:9", key="k",
                    secret="s", sync=True)
        define_cart(s, name="off", kind="woocommerce", url="http://127.0.0.1:9", key="k",
                    secret="s", sync=False)
        bare = [f"BARE-{i:02d}" for i in range(12)]  # no web field anywhere
        for sku in bare:
            pid = add_product(s, sku=sku, name=sku, qoh=rng.randint(0, 12), actor=ACTOR)
            if rng.random() < 0.3:
                s.get(Product, pid).qoh = -rng.randint(1, 3)  # oversold: below zero
        for sku in bare[::2]:  # a web field the cart was never seen showing
            set_web_fields(s, sku=sku, cart="woo", reserve=rng.choice([0, 1]))
        set_param(s, "SynchQOH", synch)
        carts = dict(s.execute(select(Cart.name, Cart.id)).all())
        s.get(Cart, carts["woo"]).sync = origin_syncs
        pid = dict(s.execute(select(Product.sku, Product.id)).all())
        shown: dict[str, str] = {sku: sku for sku in skus + bare}  # product -> its cart SKU
        for i, sku in enumerate(skus):
            kind = rng.randrange(9)
            if kind == 0:
                set_web_fields(s, sku=sku, cart="woo", reserve=rng.randint(1, 3))
            elif kind == 1:
                set_web_fields(s, sku=sku, cart="woo", max_qty=rng.randint(0, 12))
            elif kind == 2:
                set_web_fields(s, sku=sku, cart="woo", sync=False)
            elif kind == 3:
                set_web_fields(s, sku=sku, cart=rng.choice(["shop", "woo2"]), sync=False)
            elif kind == 4 and i % 3 == 0 and aliases:
                shown[sku] = f"ALIAS-{i}"
                set_web_fields(s, sku=sku, cart="woo", cart_sku=shown[sku])
            elif kind == 5 and aliases:
                set_web_fields(s, sku=sku, cart="woo", cart_sku=sku)  # an alias, its own SKU
            elif kind == 5:
                set_web_fields(s, sku=sku, cart="shop", cart_sku=f"S-{i}")  # another cart's
            if rng.random() < 0.4:
                record_seen(s, carts["woo"], pid[sku], rng.choice([None, 10, 4]),
                            rng.choice(["", f"{i + 1}", f"7/{i}"]))
            if rng.random() < 0.15:
                s.add(StackRow(cart_id=carts["woo"], product_id=pid[sku], change=1,
                               state=FAILED, next_attempt_at=utcnow().replace(year=2099)))
        if not aliases:
            return _listing(shown, rng)
        # another product's own SKU as an alias: that SKU is then the alias's product
        owner, other = skus[1], skus[2]
        set_web_fields(s, sku=owner, cart="woo", cart_sku=other)
        shown[owner] = other
        del shown[other]
        for sku in skus[3:5]:  # two products aliased to one cart SKU
            set_web_fields(s, sku=sku, cart="woo", cart_sku="SHARED")
            shown[sku] = "SHARED"
    return _listing(shown, rng)


def _listing(shown: dict[str, str], rng: random.Random) -> list[CartItem]:
    """The cart's items: most products (by their cart SKU), with varied quantities and
    item ids, some untracked; unknown SKUs and an empty one; shuffled."""
    items = []
    for sku, cart_sku in shown.items():
        if rng.random() < 0.1:
            continue  # not on the cart
        qoh = rng.choice([10, 10, 3, 0, -1, 12, rng.randint(-3, 20), None,
                          *([None] * 3 if sku.startswith("BARE") else [])])
        items.append(CartItem(sku=cart_sku, qoh=qoh, item_id=rng.choice(["", "1", f"9{sku}"]),
                              name=f"Name {sku}", tracked=qoh is not None or rng.random() < 0.5))
    items += [CartItem(sku=f"NEW-{j}", qoh=j, item_id=f"n{j}") for j in range(4)]
    items.append(CartItem(sku="", qoh=2, item_id="e"))
    rng.shuffle(items)
    return items


def _rows(store, start, end) -> dict[str, list[tuple]]:
    def when(v):
        return "none" if v is None else "before" if v < start else "pull" if v <= end else "after"

    out = {}
    with store.read() as s:
        for model in TABLES:
            t = model.__table__
            out[t.name] = [tuple(when(v) if c.type.python_type.__name__ == "datetime" else v
                                 for c, v in zip(t.columns, row, strict=True))
                           for row in s.execute(select(t).order_by(t.c.id))]
    return out


def _pull(url, items, monkeypatch, *, sql: bool, create_new: bool):
    """A preview (dry run: the store must not change), then the pull: their reports, the
    rows after, and whether each chunk went through pull_chunk."""
    store = open_store(url)
    used = []

    def pull_chunk(session, **kw):
        done = pull_chunk_in_sql(session, **kw) if sql else None
        used.append((kw["write"], done is not None))
        return done

    monkeypatch.setattr(get_module, "pull_chunk", pull_chunk)
    monkeypatch.setattr(chunk_module, "ON_POSTGRES", True)  # (off by default: see there)
    monkeypatch.setattr(WooCommerceConnector, "list_items", lambda self: iter(items))
    try:
        start = utcnow()
        before = _rows(store, start, start)
        preview = get_qoh(store, "woo", actor=ACTOR, chunk_size=9, create_new=create_new,
                          dry_run=True)
        assert _rows(store, start, start) == before
        report = get_qoh(store, "woo", actor=ACTOR, chunk_size=9, create_new=create_new)
        end = utcnow()
        return (preview.as_json(), report.as_json()), _rows(store, start, end), used
    finally:
        store.close()


def _stores(kind: str, tmp_path, request, seed: int) -> tuple[str, str, list[CartItem]]:
    """Two stores holding the same scenario (SQLite: one file copied; PostgreSQL: built
    twice from the same seed, into two databases) and the cart's listing."""
    if kind == "sqlite":
        urls = [f"sqlite:///{tmp_path / 'a.sqlite'}"]
    else:
        server = request.getfixturevalue("pg_server")
        urls = [server.create_database(), server.create_database()]
    for url in urls:
        rng = random.Random(seed)
        shop = build_shop(url, n=60)
        shop.woo.stop()
        shop.shop.stop()
        try:
            items = _scenario(shop.store, shop.skus, rng, synch=seed % 4 != 1,
                              origin_syncs=seed % 4 != 2, aliases=seed < 4)
        finally:
            shop.store.close()
    if kind == "sqlite":
        shutil.copy(tmp_path / "a.sqlite", tmp_path / "b.sqlite")
        urls.append(f"sqlite:///{tmp_path / 'b.sqlite'}")
    return urls[0], urls[1], items


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("seed", range(8))
def test_sql_chunks_write_what_the_item_by_item_path_writes(tmp_path, request, monkeypatch,
                                                            seed, kind):
    a, b, items = _stores(kind, tmp_path, request, seed)
    create_new = seed % 4 == 3
    by_item, rows_by_item, used = _pull(a, items, monkeypatch, sql=False, create_new=create_new)
    assert by_item[1]["error"] is None and not any(u for _w, u in used)
    by_sql, rows_by_sql, used = _pull(b, items, monkeypatch, sql=True, create_new=create_new)
    # every chunk (of the preview and of the pull) went through SQL; with create_new,
    # those with no unknown item
    for write in (True, False):
        went = [u for w, u in used if w == write]
        assert (any(went) and not all(went)) if create_new else all(went)
    assert by_sql == by_item  # the previews, then the pulls
    assert by_item[0]["dry_run"] and by_item[0]["changed"] == by_item[1]["changed"]
    assert by_item[1]["changed"] and by_item[1]["unchanged"] and by_item[1]["untracked"]
    for table, rows in rows_by_item.items():
        assert rows_by_sql[table] == rows, table
    stack = rows_by_item["web_stack"]  # (id, cart_id, product_id, change, ledger_id, ...)
    assert any(r[-3] == "pull" for r in stack) == (seed % 4 != 1)  # the pull's stack rows
    assert any(r[1] == 1 and r[-3] == "pull" for r in stack) == (seed % 4 in (0, 3))  # woo's
    assert any(r[6] == FAILED and r[8] == "pull" for r in stack)  # and woke failed ones


def test_a_chunk_the_sql_path_cannot_judge_is_left_to_the_item_by_item_path(
        tmp_path, monkeypatch):
    """A quantity out of range: pull_chunk declines and writes nothing, and the chunk
    is judged item by item (the other item pulled once; the quantity reported)."""
    shop = build_shop(f"sqlite:///{tmp_path / 'a.sqlite'}", n=4)
    shop.woo.stop()
    shop.shop.stop()
    shop.store.close()
    items = [CartItem(sku="SKU-0000", qoh=5, item_id="1"),
             CartItem(sku="SKU-0001", qoh=2_000_000_000, item_id="2")]
    (_preview, rep), rows, used = _pull(f"sqlite:///{tmp_path / 'a.sqlite'}", items,
                                        monkeypatch, sql=True, create_new=False)
    assert used == [(False, False), (True, False)]
    assert [(c["sku"], c["store_qoh"], c["cart_qoh"]) for c in rep["changed"]] == [
        ("SKU-0000", 10, 5)]
    assert rep["unknown"] == [{"sku": "SKU-0001", "cart_qoh": 2_000_000_000,
                               "note": "quantity out of range for 'SKU-0001'"}]
    ledger = [(r[1], r[2], r[3]) for r in rows["ledger"] if r[4] == "pulled from cart"]
    assert ledger == [(1, -5, 5)]


def test_on_postgresql_a_change_committed_after_the_mapping_is_built_on(pg_url, monkeypatch):
    """A clerk's adjustment commits after the chunk was mapped and before its products
    are locked: the pull reads the QOH again under the lock, so its ledger row follows
    the adjustment's (delta from 13, not from 10) and nothing is lost."""
    from seom_desktop.inventory.operations import adjust

    shop = build_shop(pg_url, n=3)
    shop.woo.stop()
    shop.shop.stop()
    real_lock = chunk_module._lock

    def adjust_then_lock(raw, sql):
        with shop.store.write() as s:  # another connection, its own transaction
            adjust(s, sku="SKU-0000", delta=3, actor=ACTOR, reason="count")
        return real_lock(raw, sql)

    monkeypatch.setattr(chunk_module, "_lock", adjust_then_lock)
    monkeypatch.setattr(chunk_module, "ON_POSTGRES", True)
    monkeypatch.setattr(WooCommerceConnector, "list_items",
                        lambda self: iter([CartItem(sku="SKU-0000", qoh=20, item_id="1")]))
    try:
        rep = get_qoh(shop.store, "woo", actor=ACTOR)
        assert rep.error is None
        assert [(c["store_qoh"], c["cart_qoh"]) for c in rep.changed] == [(13, 20)]
        with shop.store.read() as s:
            story = s.execute(select(LedgerEntry.delta, LedgerEntry.qoh_after,
                                     LedgerEntry.source)
                              .join(Product, Product.id == LedgerEntry.product_id)
                              .where(Product.sku == "SKU-0000").order_by(LedgerEntry.id)).all()
            assert s.scalar(select(Product.qoh).where(Product.sku == "SKU-0000")) == 20
        assert [tuple(r) for r in story[-2:]] == [(3, 13, "adjust"), (7, 20, "pulled from cart")]
    finally:
        shop.store.close()


def test_an_item_lost_from_the_chunk_table_stops_the_pull_loudly(tmp_path, monkeypatch):
    """Every item must be a row of the chunk table, mapped or not; were one missing, its
    item would vanish from the report and the store: the chunk is refused, rolled back."""
    from seom_desktop.store.raw import Raw

    shop = build_shop(f"sqlite:///{tmp_path / 'a.sqlite'}", n=3)
    shop.woo.stop()
    shop.shop.stop()
    real = Raw.named

    def lose_one(self, text, params):
        cur = real(self, text, params)
        if text.lstrip().startswith("INSERT INTO pull_chunk"):
            self._cursor.connection.cursor().execute("DELETE FROM pull_chunk WHERE n = 1")
        return cur

    monkeypatch.setattr(Raw, "named", lose_one)
    monkeypatch.setattr(WooCommerceConnector, "list_items", lambda self: iter(
        [CartItem(sku=f"SKU-000{i}", qoh=i, item_id=str(i)) for i in range(3)]))
    try:
        with pytest.raises(RuntimeError, match="2 of 3 items"):
            get_qoh(shop.store, "woo", actor=ACTOR)
        with shop.store.read() as s:
            assert set(s.scalars(select(Product.qoh))) == {10}
    finally:
        shop.store.close()
