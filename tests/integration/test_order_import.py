"""Order import from emulated carts on loopback sockets: each order applied once (also
when imported twice, or by two workstations at once), the store decremented, the other
synced carts queued and the origin cart not; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from seom_desktop.cli import main
from seom_desktop.emulators.shopify import ShopifyEmulator
from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product, set_web_fields
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart, ImportedOrder, LedgerEntry, Product, StackRow
from seom_desktop.sync.orders import import_orders

ACTOR = Actor("clerk", "test-ws")


@pytest.fixture
def woo():
    e = WooCommerceEmulator().start()
    yield e
    e.stop()


@pytest.fixture
def shopify():
    e = ShopifyEmulator().start()
    yield e
    e.stop()


def make_cli(url, capsys):
    def run(*args: str):
        code = main(["--store", url, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture
def cli(sqlite_url, capsys):
    return make_cli(sqlite_url, capsys)


def setup_shop(cli, url, woo, shopify, products: dict[str, int]):
    """Two synchronized carts (woo, shop) with the products on both, SynchQOH on."""
    assert cli("cart", "add", "woo", "--kind", "woocommerce", "--url", woo.url, "--key", woo.key,
               "--secret", woo.secret, "--sync")[0] == 0
    assert cli("cart", "add", "shop", "--kind", "shopify", "--url", shopify.url,
               "--token", shopify.token, "--sync")[0] == 0
    store = open_store(url)
    with store.write() as s:
        for sku, qoh in products.items():
            add_product(s, sku=sku, name=sku, qoh=qoh, actor=ACTOR)
            woo.add_item(sku, qoh)
            shopify.add_item(sku, qoh)
    assert cli("param", "set", "SynchQOH", "true")[0] == 0
    return store


def state(store):
    with store.read() as s:
        carts = dict(s.execute(select(Cart.id, Cart.name)).all())
        qoh = dict(s.execute(select(Product.sku, Product.qoh)).all())
        orders = sorted(s.execute(select(ImportedOrder.order_id)).scalars())
        ledger = sorted(s.execute(select(Product.sku, LedgerEntry.delta, LedgerEntry.reference)
                                  .join(Product, Product.id == LedgerEntry.product_id)
                                  .where(LedgerEntry.source == "order")).all())
        rows = sorted((carts[c], sku, ch) for c, sku, ch in s.execute(
            select(StackRow.cart_id, Product.sku, StackRow.change)
            .join(Product, Product.id == StackRow.product_id)))
    return qoh, orders, ledger, rows


def test_each_order_is_applied_once_even_if_imported_twice(store_url, capsys, woo, shopify):
    cli = make_cli(store_url, capsys)
    store = setup_shop(cli, store_url, woo, shopify, {"A": 10, "B": 10, "C": 10})
    o1 = woo.place_order([("A", 2), ("B", 1)])
    o2 = woo.place_order([("A", 3)])
    r = import_orders(store, "woo", actor=ACTOR)
    assert r.ok and r.imported == [o1, o2] and r.skipped == [] and r.lines_applied == 3
    qoh, orders, ledger, rows = state(store)
    assert qoh == {"A": 5, "B": 9, "C": 10}
    assert orders == sorted([o1, o2])
    assert ledger == sorted([("A", -2, o1), ("B", -1, o1), ("A", -3, o2)])
    # the other synced cart hears of every line; the cart the orders came from does not
    assert rows == sorted([("shop", "A", -2), ("shop", "B", -1), ("shop", "A", -3)])
    first = state(store)
    again = import_orders(store, "woo", actor=ACTOR)  # the cursor's instant is listed again
    assert again.ok and again.imported == [] and again.lines_applied == 0
    assert state(store) == first
    with store.write() as s:  # forget the cursor: every order is listed again, none applied
        s.execute(update(Cart).values(orders_cursor=""))
    code, out, err = cli("orders", "import", "woo", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["imported"] == [] and sorted(doc["skipped"]) == sorted([o1, o2])
    assert state(store) == first
    store.close()


def test_two_workstations_importing_at_once_apply_each_order_once(store_url, capsys, woo, shopify):
    cli = make_cli(store_url, capsys)
    store = setup_shop(cli, store_url, woo, shopify, {"A": 100, "B": 100})
    placed = [woo.place_order([("A", 1), ("B", 2)]) for _ in range(15)]
    barrier = threading.Barrier(2)

    class Together:
        cancelled = False

        def update(self, done, total, message):
            if done == 0:
                barrier.wait(timeout=10)  # both have listed the orders: now race

    reports, errors = [], []

    def workstation(name):
        st = open_store(store_url)
        try:
            reports.append(import_orders(st, "woo", progress=Together(), actor=Actor("c", name)))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            st.close()

    threads = [threading.Thread(target=workstation, args=(f"ws{i}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(reports) == 2 and all(r.ok for r in reports)
    imported = reports[0].imported + reports[1].imported
    assert sorted(imported) == sorted(placed)  # each order by exactly one workstation
    assert sorted(reports[0].skipped + reports[1].skipped) == sorted(placed)
    qoh, orders, ledger, rows = state(store)
    assert qoh == {"A": 85, "B": 70} and orders == sorted(placed) and len(ledger) == 30
    assert {c for c, _, _ in rows} == {"shop"} and len(rows) == 30
    store.close()


def test_unknown_sku_is_reported_and_known_lines_applied(cli, sqlite_url, woo, shopify):
    store = setup_shop(cli, sqlite_url, woo, shopify, {"A": 10})
    woo.add_item("WEB-ONLY", 5)
    oid = woo.place_order([("A", 4), ("WEB-ONLY", 2)])
    code, out, err = cli("orders", "import", "woo", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["imported"] == [oid] and doc["lines_applied"] == 1
    assert doc["unknown_skus"] == [{"order_id": oid, "sku": "WEB-ONLY", "quantity": 2}]
    qoh, orders, _, rows = state(store)
    assert qoh == {"A": 6} and orders == [oid] and rows == [("shop", "A", -4)]
    code, out, _ = cli("orders", "import", "woo")
    assert code == 0 and "imported 0 order(s)" in out and "WEB-ONLY" not in out
    store.close()


def test_alias_maps_order_lines(cli, sqlite_url, woo, shopify):
    store = setup_shop(cli, sqlite_url, woo, shopify, {})
    with store.write() as s:
        add_product(s, sku="P", name="P", qoh=10, actor=ACTOR)
        set_web_fields(s, sku="P", cart="woo", cart_sku="P-WEB")
    woo.add_item("P-WEB", 10)
    oid = woo.place_order([("P-WEB", 3)])
    r = import_orders(store, "woo", actor=ACTOR)
    assert r.ok and r.imported == [oid] and r.unknown_skus == []
    qoh, _, ledger, rows = state(store)
    assert qoh == {"P": 7} and ledger == [("P", -3, oid)]
    assert [x for x in rows if x[2] == -3] == [("shop", "P", -3)]
    store.close()


def test_shopify_orders_cursor_and_statuses(cli, sqlite_url, woo, shopify):
    store = setup_shop(cli, sqlite_url, woo, shopify, {"A": 50})
    t0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    first = shopify.place_order([("A", 1)], created_at=iso(t0))
    second = shopify.place_order([("A", 2)], created_at=iso(t0 + timedelta(hours=1)))
    r = import_orders(store, "shop", actor=ACTOR)
    assert r.imported == [first, second] and r.cursor == iso(t0 + timedelta(hours=1))
    with store.read() as s:
        assert s.scalar(select(Cart.orders_cursor).where(Cart.name == "shop")) == r.cursor
    third = shopify.place_order([("A", 4)], created_at=iso(t0 + timedelta(hours=2)))
    r = import_orders(store, "shop", actor=ACTOR)
    assert r.imported == [third] and r.skipped == [second]  # the cursor's instant overlaps
    qoh, _, _, rows = state(store)
    assert qoh == {"A": 43} and {c for c, _, _ in rows} == {"woo"}
    store.close()


def test_woocommerce_cancelled_and_pending_orders(cli, sqlite_url, woo, shopify):
    store = setup_shop(cli, sqlite_url, woo, shopify, {"A": 20})
    t0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    done = woo.place_order([("A", 1)], created=t0)
    cancelled = woo.place_order([("A", 2)], created=t0 + timedelta(minutes=1), status="cancelled")
    pending = woo.place_order([("A", 3)], created=t0 + timedelta(minutes=2), status="pending")
    later = woo.place_order([("A", 4)], created=t0 + timedelta(minutes=3))
    r = import_orders(store, "woo", actor=ACTOR)
    assert r.imported == [done, cancelled, later]
    assert r.not_applied == [{"order_id": cancelled, "status": "cancelled"}]
    assert r.held == [{"order_id": pending, "status": "pending"}]
    assert r.cursor == "2026-02-01T09:02:00Z"  # held at the pending order
    assert state(store)[0] == {"A": 15}
    with woo.lock:
        next(o for o in woo.orders if str(o["id"]) == pending)["status"] = "processing"
    r = import_orders(store, "woo", actor=ACTOR)
    assert r.imported == [pending] and r.skipped == [later]
    assert state(store)[0] == {"A": 12}
    store.close()


def test_cart_failure_exits_1_and_changes_nothing(cli, sqlite_url, woo, shopify):
    store = setup_shop(cli, sqlite_url, woo, shopify, {"A": 5})
    woo.place_order([("A", 1)])
    before = state(store)
    woo.faults.queue("503", 1, "/orders")
    code, out, err = cli("orders", "import", "woo", "--json")
    assert code == 1 and err.startswith("error: woo: HTTP 503") and len(err.splitlines()) == 1
    assert json.loads(out)["error"].startswith("woo: HTTP 503")
    assert woo.secret not in out + err
    assert state(store) == before
    woo.faults.queue("html", 1, "/orders")
    code, _, err = cli("orders", "import", "woo")
    assert code == 1 and "HTML" in err and state(store) == before
    code, out, _ = cli("orders", "import", "woo")
    assert code == 0 and "imported 1 order(s) (1 line(s) applied)" in out
    store.close()
