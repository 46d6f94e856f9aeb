"""Reconcile against each emulated cart (WooCommerce, Shopify, BigCommerce, Magento,
Miva), over loopback sockets, with differences planted the ways they happen: a quantity
edited in the cart's admin, a store change the web stack never carried (sent with
--no-send), an order the reconcile imports first (no difference), and a sale placed on
the cart after that import, which must be reported and never overwritten."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select
from stack_kit import drain

from seom_desktop.carts import registry
from seom_desktop.carts.base import PULL, PUSH, QohUpdate
from seom_desktop.cli import main
from seom_desktop.connect import connect
from seom_desktop.emulators.bigcommerce import BigCommerceEmulator
from seom_desktop.emulators.magento import MagentoEmulator
from seom_desktop.emulators.miva import MivaEmulator
from seom_desktop.emulators.shopify import ShopifyEmulator
from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.stack.targets import record_sent
from seom_desktop.store.carts import add_cart
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart, Product, ReconcileRun, StackRow
from seom_desktop.store.params import set_param
from seom_desktop.sync.cart_setup import define_cart
from seom_desktop.sync.orders import import_orders
from seom_desktop.sync.progress import CartRef
from seom_desktop.sync.reconcile import (
    QUEUED,
    WAITING_FOR_ORDERS,
    ReconcileRefused,
    latest_run,
    reconcile,
)

ACTOR = Actor("clerk", "test-ws")
MIVA_KEY = base64.b64encode(b"reconcile-signing-key").decode()
SKUS = ["R-1", "R-2", "R-3", "R-4", "R-5", "R-6"]


def _emulator(kind: str):
    """An emulated cart of `kind` and the cart definition that reaches it."""
    if kind == "woocommerce":
        e = WooCommerceEmulator().start()
        return e, {"url": e.url, "key": e.key, "secret": e.secret}
    if kind == "shopify":
        e = ShopifyEmulator().start()
        return e, {"url": e.url, "token": e.token}
    if kind == "bigcommerce":
        e = BigCommerceEmulator(token="bc-reconcile-token").start()
        return e, {"url": f"{e.url}/stores/{e.store_hash}", "token": "bc-reconcile-token"}
    if kind == "magento":  # shipped at once: the source quantity falls with the order
        e = MagentoEmulator(integration_token="mage-reconcile-token", auto_ship=True).start()
        return e, {"url": e.url, "token": "mage-reconcile-token"}
    e = MivaEmulator(token="miva-reconcile-token", store_code="PS", signing_key=MIVA_KEY).start()
    return e, {"url": e.url, "token": "miva-reconcile-token", "secret": MIVA_KEY,
               "location": "PS"}


def _one_cart(kind: str, url: str):
    """A store synchronized to one emulated cart: six products showing 10 on both, as
    after a Send QOH."""
    emu, creds = _emulator(kind)
    store = open_store(url)
    with store.write() as s:
        set_param(s, "StackRetrySeconds", 0)
        define_cart(s, name="web", kind=kind, sync=True, max_items=50, **creds)
        for sku in SKUS:
            add_product(s, sku=sku, name=f"Item {sku}", qoh=10, actor=ACTOR)
            emu.add_item(sku, 10)
        cid = s.scalar(select(Cart.id))
        for p in s.scalars(select(Product)):
            record_sent(s, cid, p.id, 10)
        set_param(s, "SynchQOH", True)
    return store, emu


@pytest.fixture(params=["woocommerce", "shopify", "bigcommerce", "magento", "miva"])
def one_cart(request, sqlite_url):
    store, emu = _one_cart(request.param, sqlite_url)
    yield store, emu
    emu.stop()
    store.close()


@pytest.fixture
def woo_on_postgres(pg_url):
    store, emu = _one_cart("woocommerce", pg_url)
    yield store, emu
    emu.stop()
    store.close()


def _cart_ref(store) -> CartRef:
    with store.read() as s:
        c = s.scalar(select(Cart))
        return CartRef(c.id, c.name, c.kind, c.url, c.location or "", c.credential_ref or "",
                       c.max_items, c.orders_cursor or "")


def _edit_on_cart(store, sku: str, qoh: int) -> None:
    """Someone sets a quantity in the cart's admin: through the cart's own API."""
    conn = connect(_cart_ref(store))
    try:
        [r] = conn.set_qoh([QohUpdate(sku=sku, qoh=qoh)])
        assert r.ok, r.error
    finally:
        conn.close()


class SellWhileReading:
    """A progress that places an order on the cart when the reconcile starts reading
    it: a sale after the order import, which the store cannot know of yet."""

    cancelled = False

    def __init__(self, emu, sku: str):
        self.emu, self.sku, self.sold = emu, sku, False

    def update(self, done, total, message) -> None:
        if message.startswith("reading") and not self.sold:
            self.sold = True
            self.emu.place_order([(self.sku, 1)])


def _qoh(store, sku: str) -> int:
    with store.read() as s:
        return s.scalar(select(Product.qoh).where(Product.sku == sku))


def test_reconcile_fixes_planted_differences_and_leaves_an_unimported_sale(one_cart):
    _fixes_planted_differences(*one_cart)


def test_reconcile_on_postgresql(woo_on_postgres):
    _fixes_planted_differences(*woo_on_postgres)


def _fixes_planted_differences(store, emu) -> None:
    _edit_on_cart(store, "R-1", 25)  # edited in the cart's admin
    with store.write() as s:  # the store changed; the cart never heard
        ops.adjust(s, sku="R-2", delta=-4, actor=ACTOR, send=False)
    emu.place_order([("R-4", 2)])  # imported by the reconcile first: no difference
    seller = SellWhileReading(emu, "R-3")

    result = reconcile(store, "web", fix=True, progress=seller, actor=ACTOR)

    assert seller.sold and result.error == "" and result.checked == 6
    assert result.orders_imported == 1 and _qoh(store, "R-4") == 8
    got = {d.sku: (d.cart_qoh, d.should_show, d.outcome) for d in result.different}
    assert got == {"R-1": (25, 10, QUEUED), "R-2": (10, 6, QUEUED),
                   "R-3": (9, 10, WAITING_FOR_ORDERS)}
    assert result.fixed == 2 and result.waiting_for_orders == ["R-3"]
    assert all(d.since is not None for d in result.different)
    with store.read() as s:
        rows = s.execute(select(Product.sku, StackRow.change).join(
            Product, Product.id == StackRow.product_id)).all()
    assert sorted(sku for sku, _ in rows if sku != "R-4") == ["R-1", "R-2"]  # one row each
    run = latest_run(store, "web")
    assert (run.checked, run.different, run.fixed, run.error) == (6, 3, 2, "")
    assert run.finished_at is not None and run.workstation == "test-ws"

    drain(type("S", (), {"store": store})())
    assert emu.quantity("R-1") == 10 and emu.quantity("R-2") == 6
    assert emu.quantity("R-3") == 9  # the cart's own sale was not overwritten
    import_orders(store, "web", actor=ACTOR)
    assert _qoh(store, "R-3") == 9
    assert reconcile(store, "web", actor=ACTOR).different == []


def test_reconcile_without_fix_reports_and_queues_nothing(one_cart):
    store, emu = one_cart
    _edit_on_cart(store, "R-5", 3)
    result = reconcile(store, "web", actor=ACTOR)
    assert [(d.sku, d.cart_qoh, d.should_show) for d in result.different] == [("R-5", 3, 10)]
    assert result.fixed == 0
    with store.read() as s:
        assert s.scalar(select(StackRow.id)) is None
    assert emu.quantity("R-5") == 3


def test_a_cart_that_cannot_be_read_is_a_recorded_failed_run(sqlite_url, capsys):
    store = open_store(sqlite_url)
    with store.write() as s:
        define_cart(s, name="gone", kind="woocommerce", url="http://127.0.0.1:1", key="k",
                    secret="s", sync=True)
        add_product(s, sku="G-1", name="G", qoh=1, actor=ACTOR)
    store.close()
    code = main(["--store", sqlite_url, "reconcile", "gone", "--json"])
    out, err = capsys.readouterr()
    assert code == 1 and err.startswith("error: ")
    doc = json.loads(out)
    assert doc["cart"] == "gone" and doc["error"]
    store = open_store(sqlite_url)
    try:
        with store.read() as s:
            [(error, finished)] = s.execute(select(ReconcileRun.error,
                                                   ReconcileRun.finished_at)).all()
        assert error == doc["error"] and finished is not None
    finally:
        store.close()


def test_cli_reconcile_json_and_bad_input(one_cart, sqlite_url, capsys):
    store, emu = one_cart
    _edit_on_cart(store, "R-6", 1)
    code = main(["--store", sqlite_url, "reconcile", "web", "--fix", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out)
    assert doc["cart"] == "web" and doc["checked"] == 6 and doc["fixed"] == 1
    assert [(d["sku"], d["cart_qoh"], d["should_show"]) for d in doc["different"]] == [
        ("R-6", 1, 10)]

    with store.read() as s:
        runs_before = len(s.scalars(select(ReconcileRun)).all())
    assert main(["--store", sqlite_url, "reconcile", "nowhere"]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("error: ") and "nowhere" in err
    with store.write() as s:
        set_param(s, "SynchQOH", False)
    assert main(["--store", sqlite_url, "reconcile", "web", "--fix"]) == 2
    _, err = capsys.readouterr()
    assert "SynchQOH" in err
    with store.read() as s:
        assert len(s.scalars(select(ReconcileRun)).all()) == runs_before  # nothing recorded


class ReadOnlyConnector:
    kind = "readonly"
    capabilities = frozenset({PULL})
    batch_limit = 10


class WriteOnlyConnector:
    kind = "writeonly"
    capabilities = frozenset({PUSH})
    batch_limit = 10


def test_a_cart_that_cannot_be_read_or_written_is_refused_before_anything(sqlite_url,
                                                                           monkeypatch):
    monkeypatch.setitem(registry.KINDS, "readonly", f"{__name__}:ReadOnlyConnector")
    monkeypatch.setitem(registry.KINDS, "writeonly", f"{__name__}:WriteOnlyConnector")
    store = open_store(sqlite_url)
    try:
        with store.write() as s:
            set_param(s, "SynchQOH", True)
            for kind in ("readonly", "writeonly"):
                add_cart(s, name=kind, kind=kind, url="https://cart.example", sync=False)
        with pytest.raises(ReconcileRefused, match="cannot be read"):
            reconcile(store, "writeonly", actor=ACTOR)
        with pytest.raises(ReconcileRefused, match="cannot be sent QOH"):
            reconcile(store, "readonly", fix=True, actor=ACTOR)
        with store.read() as s:
            assert s.scalar(select(ReconcileRun.id)) is None
    finally:
        store.close()


def test_a_row_waiting_for_an_order_import_goes_with_the_correction(shop):
    """A quantity edited in Shopify's admin makes the stack's next write wait for an order
    import (the cart shows a number no write of ours explains); the reconcile, having
    found no unimported sale, corrects it and the waiting row goes too."""
    from stack_kit import adjust, rows_of

    with shop.store.write() as s:
        set_param(s, "StackRetrySeconds", 3600)  # a waiting row is not due again soon
    shop.shop.set_quantity("SKU-0002", 25)
    adjust(shop, "SKU-0002", -1)  # store 9
    drain(shop, passes=2)
    [waiting] = rows_of(shop, "shop", "SKU-0002")
    assert waiting.state == "waiting"
    result = reconcile(shop.store, "shop", fix=True, actor=ACTOR)
    assert [(d.sku, d.cart_qoh, d.should_show, d.outcome) for d in result.different] == [
        ("SKU-0002", 25, 9, QUEUED)]
    drain(shop)
    assert shop.shop.quantity("SKU-0002") == 9
    assert {r.state for r in rows_of(shop, "shop", "SKU-0002")} == {"sent"}
