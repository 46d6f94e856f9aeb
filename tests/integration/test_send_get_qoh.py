"""Send QOH To Website and Get QOH From Website against emulated carts on loopback
sockets, through seom_desktop.sync and through the command line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from seom_desktop.carts.base import ORDERS, PULL, PUSH
from seom_desktop.carts.shopify import ShopifyConnector
from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.cli import main
from seom_desktop.emulators.bigcommerce import BigCommerceEmulator
from seom_desktop.emulators.shopify import ShopifyEmulator
from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product, set_web_fields
from seom_desktop.inventory.targets import cart_targets
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart, LedgerEntry, Product, StackRow, WebField
from seom_desktop.sync.get_qoh import get_qoh
from seom_desktop.sync.send_qoh import send_qoh

ACTOR = Actor("clerk", "test-ws")
WOO_BATCH = "POST /wp-json/wc/v3/products/batch"
WOO_LIST = "GET /wp-json/wc/v3/products"


# --- fixtures and helpers ---------------------------------------------------------------


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


@pytest.fixture
def bc():
    e = BigCommerceEmulator().start()
    yield e
    e.stop()


@pytest.fixture
def store(sqlite_url):
    st = open_store(sqlite_url)
    yield st
    st.close()


@pytest.fixture
def cli(sqlite_url, capsys):
    def run(*args: str):
        code = main(["--store", sqlite_url, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def add_woo(cli, woo, name="woo", *extra: str, secret: str | None = None):
    code, _, err = cli("cart", "add", name, "--kind", "woocommerce", "--url", woo.url,
                       "--key", woo.key, "--secret", secret or woo.secret, *extra)
    assert code == 0, err


def add_shopify(cli, emu, name="shop", *extra: str):
    code, _, err = cli("cart", "add", name, "--kind", "shopify", "--url", emu.url,
                       "--token", emu.token, *extra)
    assert code == 0, err


def add_bc(cli, emu, name="bc", *extra: str):
    code, _, err = cli("cart", "add", name, "--kind", "bigcommerce", "--url",
                       f"{emu.url}/stores/{emu.store_hash}", "--token", emu.token, *extra)
    assert code == 0, err


def seed(store, products: dict[str, int]) -> None:
    with store.write() as s:
        for sku, qoh in products.items():
            add_product(s, sku=sku, name=f"Item {sku}", qoh=qoh, actor=ACTOR)


def qohs(store) -> dict[str, int]:
    with store.read() as s:
        return dict(s.execute(select(Product.sku, Product.qoh)).all())


def web_fields(store, cart: str) -> dict[str, tuple]:
    with store.read() as s:
        rows = s.execute(select(Product.sku, WebField.last_sent_qoh, WebField.last_cart_qoh,
                                WebField.cart_item_id)
                         .join(WebField, WebField.product_id == Product.id)
                         .join(Cart, Cart.id == WebField.cart_id).where(Cart.name == cart))
        return {sku: (sent, seen, item) for sku, sent, seen, item in rows}


def dump(store):
    with store.read() as s:
        return (sorted(s.execute(select(Product.sku, Product.qoh, Product.name)).all()),
                s.scalar(select(func.count()).select_from(LedgerEntry)),
                sorted(s.execute(select(StackRow.cart_id, StackRow.product_id, StackRow.change)).all()),
                sorted(s.execute(select(WebField.cart_id, WebField.product_id, WebField.last_sent_qoh,
                                        WebField.last_cart_qoh, WebField.cart_item_id)).all()),
                sorted(s.execute(select(Cart.name, Cart.max_items, Cart.orders_cursor)).all()))


class Canceller:
    """A progress that cancels once `after` updates with done > 0 have been seen, and can
    run a hook on each update."""

    def __init__(self, after: int | None = None, hook=None):
        self.cancelled = False
        self.after, self.hook = after, hook
        self.updates: list[tuple[int, int | None, str]] = []

    def update(self, done, total, message):
        self.updates.append((done, total, message))
        if self.hook is not None:
            self.hook(done, total)
        if self.after is not None and len([u for u in self.updates if u[0] > 0]) >= self.after:
            self.cancelled = True


def woo_items(woo, products: dict[str, int]) -> None:
    for sku, qoh in products.items():
        woo.add_item(sku, qoh)


# --- Send QOH To Website ----------------------------------------------------------------


def test_push_250_items_at_maximum_50_is_5_write_requests(woo, cli, store):
    add_woo(cli, woo)  # Maximum number of items to send: 50 (the default)
    products = {f"P-{i:03d}": (i * 7) % 31 + 1 for i in range(250)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 0))
    code, out, err = cli("send-qoh", "woo", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["sent"], doc["requests"], doc["refused"], doc["batch_size"]) == (250, 5, [], 50)
    assert woo.requests[WOO_BATCH] == 5
    assert {sku: woo.quantity(sku) for sku in products} == products
    wf = web_fields(store, "woo")
    assert {sku: v[0] for sku, v in wf.items()} == products  # what the cart now shows
    assert all(v[1] == products[sku] and v[2] for sku, v in wf.items())
    with store.read() as s:  # no QOH change: no ledger row beyond the new products, no stack row
        assert s.scalar(select(func.count()).select_from(StackRow)) == 0
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 250


def test_100_at_50_is_two_requests_and_max_items_overrides(woo, cli, store):
    add_woo(cli, woo)
    products = {f"Q-{i:03d}": i + 1 for i in range(100)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 0))
    code, out, _ = cli("send-qoh", "woo")
    assert code == 0 and woo.requests[WOO_BATCH] == 2
    assert "sent 100 of 100 items in 2 request(s) of at most 50" in out
    for flag, expected in (("25", 4), ("100", 1), ("5000", 1)):  # WooCommerce takes 100 at most
        woo.requests.clear()
        code, out, _ = cli("send-qoh", "woo", "--max-items", flag, "--json")
        assert code == 0
        assert json.loads(out)["requests"] == expected == woo.requests[WOO_BATCH]
    woo.requests.clear()
    assert cli("cart", "set", "woo", "--max-items", "20")[0] == 0
    assert cli("send-qoh", "woo")[0] == 0 and woo.requests[WOO_BATCH] == 5
    assert {sku: woo.quantity(sku) for sku in products} == products


def test_dry_run_lists_cart_now_and_would_send_and_changes_nothing(woo, cli, store):
    add_woo(cli, woo)
    seed(store, {"A": 5, "B": 7, "C": 9, "D": 1})
    woo.add_item("A", 2)
    woo.add_item("B", 7)
    woo.add_item("D", None, tracked=False)  # C is not on the cart at all
    with store.write() as s:
        set_web_fields(s, sku="B", cart="woo", reserve=3)
    before = dump(store)
    code, out, err = cli("send-qoh", "woo", "--dry-run", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["sent"] == 0 and doc["requests"] == 0
    assert doc["dry_run"] == [
        {"sku": "A", "cart_sku": "A", "cart_qoh": 2, "would_send": 5, "note": ""},
        {"sku": "B", "cart_sku": "B", "cart_qoh": 7, "would_send": 4, "note": ""},
        {"sku": "C", "cart_sku": "C", "cart_qoh": None, "would_send": 9, "note": "not on the cart"},
        {"sku": "D", "cart_sku": "D", "cart_qoh": None, "would_send": 1,
         "note": "not tracked on the cart"},
    ]
    assert woo.requests[WOO_BATCH] == 0 and not woo.applied
    assert (woo.quantity("A"), woo.quantity("B")) == (2, 7)
    assert dump(store) == before
    code, out, _ = cli("send-qoh", "woo", "--dry-run")
    assert code == 0 and "A\t2\t5" in out and "nothing sent" in out


def test_shaping_reserve_max_qty_alias_no_sync_is_what_shopify_receives(shopify, cli, store):
    add_shopify(cli, shopify, "shop", "--max-items", "50")
    products = {f"S-{i:03d}": 20 for i in range(120)}
    seed(store, products)
    for sku in products:
        shopify.add_item(sku, 0)
    seed(store, {"RES": 10, "CAP": 100, "ALIAS": 6, "OFF": 9})
    shopify.add_item("RES", 0)
    shopify.add_item("CAP", 0)
    shopify.add_item("ALIAS-WEB", 0)
    shopify.add_item("OFF", 1)
    with store.write() as s:
        set_web_fields(s, sku="RES", cart="shop", reserve=3)
        set_web_fields(s, sku="CAP", cart="shop", max_qty=25)
        set_web_fields(s, sku="ALIAS", cart="shop", cart_sku="ALIAS-WEB", reserve=10)
        set_web_fields(s, sku="OFF", cart="shop", sync=False)
    r = send_qoh(store, "shop")
    assert r.ok and r.refused == [] and r.sent == 123 and r.requests == 3
    assert shopify.root_fields["inventorySetQuantities"] == 3  # 123 at Maximum 50
    assert not shopify.root_fields["inventoryAdjustQuantities"]
    assert (shopify.quantity("RES"), shopify.quantity("CAP"), shopify.quantity("ALIAS-WEB")) == (7, 25, 0)
    assert shopify.quantity("OFF") == 1  # no-sync: not sent
    assert all(shopify.quantity(sku) == 20 for sku in products)
    wf = web_fields(store, "shop")
    assert wf["RES"][0] == 7 and wf["CAP"][0] == 25 and wf["ALIAS"][0] == 0
    assert wf["ALIAS"][2].startswith("gid://shopify/InventoryItem/")
    assert qohs(store)["RES"] == 10  # the store's QOH is untouched


def test_refused_items_are_reported_and_the_rest_land(woo, cli, store):
    add_woo(cli, woo, "woo", "--max-items", "2")
    seed(store, {"A": 4, "B": 5, "C": 6, "D": 7, "E": 8})
    woo.add_item("A", 0)
    woo.add_item("B", None, tracked=False)
    woo.add_item("D", 0)
    woo.add_item("E", 0)  # C is not on the cart
    code, out, err = cli("send-qoh", "woo", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["sent"] == 3 and doc["requests"] == 3
    refused = {r["sku"]: r["message"] for r in doc["refused"]}
    assert set(refused) == {"B", "C"}
    assert "does not track stock" in refused["B"] and "no product or variation has SKU 'C'" in refused["C"]
    assert (woo.quantity("A"), woo.quantity("D"), woo.quantity("E")) == (4, 7, 8)
    assert woo.manage_stock("B") is False  # never switched on
    wf = web_fields(store, "woo")
    assert "C" not in wf and wf.get("B", (None,))[0] is None and wf["E"][0] == 8
    code, out, _ = cli("send-qoh", "woo")
    assert "refused B: " in out and "refused C: " in out


def test_whole_request_failure_stops_and_keeps_what_was_sent(woo, cli, store):
    add_woo(cli, woo)
    products = {f"F-{i:03d}": 3 for i in range(150)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 0))

    def fail_next_batch(done, total):
        if done == 50:
            woo.faults.queue("500", 1, "/products/batch")

    r = send_qoh(store, "woo", progress=Canceller(hook=fail_next_batch))
    assert not r.ok and r.sent == 50 and r.requests == 1 and "HTTP 500" in r.error
    skus = sorted(products)
    assert all(woo.quantity(s) == 3 for s in skus[:50])
    assert all(woo.quantity(s) == 0 for s in skus[50:])
    wf = web_fields(store, "woo")
    assert sorted(k for k, v in wf.items() if v[0] is not None) == skus[:50]
    # The command line: exit 1, the cart's message, no secret anywhere.
    woo.faults.queue("500", 1, "/products/batch")
    code, out, err = cli("send-qoh", "woo", "--json")
    assert code == 1 and json.loads(out)["sent"] == 0
    assert err.startswith("error: woo: HTTP 500") and len(err.strip().splitlines()) == 1
    assert woo.secret not in out + err and woo.key not in out + err


def test_cancel_between_batches_leaves_a_consistent_store(woo, store, cli):
    add_woo(cli, woo)
    products = {f"K-{i:03d}": 9 for i in range(200)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 1))
    progress = Canceller(after=2)
    r = send_qoh(store, "woo", progress=progress)
    assert r.cancelled and r.sent == 100 and r.requests == 2 and r.error is None
    skus = sorted(products)
    assert woo.requests[WOO_BATCH] == 2
    assert [woo.quantity(s) for s in skus] == [9] * 100 + [1] * 100
    wf = web_fields(store, "woo")
    assert sorted(k for k, v in wf.items() if v[0] == 9) == skus[:100]
    assert all(wf.get(k, (None,))[0] is None for k in skus[100:])


def test_wrong_credentials_exit_1_without_the_secret(woo, cli, store):
    add_woo(cli, woo, "woo", secret="cs_wrong_secret_value")
    seed(store, {"A": 1})
    before = dump(store)
    for args in (("send-qoh", "woo"), ("get-qoh", "woo"), ("orders", "import", "woo")):
        code, out, err = cli(*args)
        assert code == 1 and err.startswith("error: woo: HTTP 401")
        assert "cs_wrong_secret_value" not in out + err
    assert dump(store) == before


BAD = [
    (("send-qoh", "nocart"), "unknown cart 'nocart'"),
    (("get-qoh", "nocart"), "unknown cart 'nocart'"),
    (("orders", "import", "nocart"), "unknown cart 'nocart'"),
    (("send-qoh", "woo", "--max-items", "abc"), "must be a whole number"),
    (("send-qoh", "woo", "--max-items", "0"), "between 1 and"),
    (("send-qoh", "woo", "--max-items", "-5"), "between 1 and"),
    (("send-qoh", "woo", "--max-items", "2.5"), "must be a whole number"),
    (("send-qoh",), "required: cart"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2_and_changes_nothing(woo, cli, store, args, message):
    add_woo(cli, woo)
    seed(store, {"A": 3})
    woo.add_item("A", 1)
    before = dump(store)
    code, out, err = cli(*args)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert out == "" and dump(store) == before
    assert sum(woo.requests.values()) == 0 and woo.quantity("A") == 1


@pytest.mark.parametrize("args,missing,words", [
    (("send-qoh", "woo"), PUSH, "cannot Send QOH To Website"),
    (("get-qoh", "woo"), PULL, "cannot Get QOH From Website"),
    (("orders", "import", "woo"), ORDERS, "cannot import orders"),
])
def test_cart_without_the_capability_exits_2(woo, cli, store, monkeypatch, args, missing, words):
    add_woo(cli, woo)
    seed(store, {"A": 3})
    woo.add_item("A", 1)
    monkeypatch.setattr(WooCommerceConnector, "capabilities",
                        WooCommerceConnector.capabilities - {missing})
    before = dump(store)
    code, out, err = cli(*args)
    assert code == 2 and err == f"error: cart 'woo' (woocommerce) {words}\n" and out == ""
    assert dump(store) == before and sum(woo.requests.values()) == 0


# --- Get QOH From Website ---------------------------------------------------------------


def test_get_qoh_over_pages_sets_store_ledgers_and_queues_other_synced_carts(
        woo, shopify, bc, cli, store):
    add_woo(cli, woo, "woo", "--sync")
    add_shopify(cli, shopify, "shop", "--sync")
    add_bc(cli, bc, "bc")  # not synchronized: hears nothing
    products = {f"G-{i:03d}": 10 for i in range(350)}
    cart = {sku: i % 13 for i, sku in enumerate(sorted(products))}
    seed(store, products)  # before SynchQOH: the carts already show these
    assert cli("param", "set", "SynchQOH", "true")[0] == 0
    woo_items(woo, cart)
    changed = {sku for sku, q in cart.items() if q != 10}
    code, out, _ = cli("get-qoh", "woo", "--dry-run")  # a short summary, not 323 lines
    assert code == 0 and f"would change {len(changed)}," in out
    assert f"... and {len(changed) - 20} more (--json lists them all)" in out
    assert len(out.splitlines()) == 22
    code, out, err = cli("get-qoh", "woo", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert woo.requests[WOO_LIST] >= 4  # more than 3 pages of 100
    assert doc["read"] == 350 and doc["unchanged"] == 350 - len(changed)
    assert {c["sku"]: (c["store_qoh"], c["cart_qoh"]) for c in doc["changed"]} == {
        sku: (10, cart[sku]) for sku in changed}
    assert doc["created"] == doc["unknown"] == doc["untracked"] == []
    assert qohs(store) == cart
    with store.read() as s:
        carts = dict(s.execute(select(Cart.name, Cart.id)).all())
        ledger = s.execute(select(LedgerEntry.source, LedgerEntry.origin_cart_id, func.count())
                           .where(LedgerEntry.source != "new product")
                           .group_by(LedgerEntry.source, LedgerEntry.origin_cart_id)).all()
        assert ledger == [("pulled from cart", carts["woo"], len(changed))]
        rows = s.execute(select(StackRow.cart_id, func.count()).group_by(StackRow.cart_id)).all()
        assert rows == [(carts["shop"], len(changed))]  # not the origin, not the unsynced cart
        change = dict(s.execute(select(Product.sku, StackRow.change)
                                .join(Product, Product.id == StackRow.product_id)).all())
        assert change == {sku: cart[sku] - 10 for sku in changed}
    wf = web_fields(store, "woo")
    assert len(wf) == 350 and all(wf[sku][1] == cart[sku] and wf[sku][2] for sku in cart)
    assert woo.requests[WOO_BATCH] == 0 and not woo.applied  # the cart is only read
    code, out, _ = cli("get-qoh", "woo")
    assert code == 0 and "changed 0," in out  # a second pull finds nothing to change


def test_get_qoh_create_new_only_when_asked(woo, cli, store):
    add_woo(cli, woo, "woo", "--sync")
    seed(store, {"OLD": 4})
    woo.add_item("OLD", 4)
    woo.add_item("NEW-1", 7, name="New one")
    woo.add_item("NEW-2", None, name="New untracked", tracked=False)
    before = dump(store)
    code, out, _ = cli("get-qoh", "woo", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["created"] == []
    assert {u["sku"]: u["cart_qoh"] for u in doc["unknown"]} == {"NEW-1": 7, "NEW-2": None}
    assert qohs(store) == {"OLD": 4}
    assert dump(store)[:3] == before[:3]  # only what the cart showed was remembered
    code, out, _ = cli("get-qoh", "woo", "--create-new", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["unknown"] == []
    assert doc["created"] == [{"sku": "NEW-1", "cart_qoh": 7}, {"sku": "NEW-2", "cart_qoh": None}]
    assert [u["sku"] for u in doc["untracked"]] == ["NEW-2"]
    assert qohs(store) == {"OLD": 4, "NEW-1": 7, "NEW-2": 0}
    with store.read() as s:
        assert s.scalar(select(Product.name).where(Product.sku == "NEW-1")) == "New one"
        assert s.execute(select(LedgerEntry.source, LedgerEntry.delta)
                         .join(Product, Product.id == LedgerEntry.product_id)
                         .where(Product.sku == "NEW-1")).all() == [("pulled from cart", 7)]
    code, out, _ = cli("get-qoh", "woo", "--create-new", "--json")
    assert json.loads(out)["created"] == []  # they exist now


def test_untracked_items_are_reported_never_switched_on(woo, cli, store):
    add_woo(cli, woo)
    seed(store, {"U": 5, "T": 5})
    woo.add_item("U", None, tracked=False)
    woo.add_item("T", 2)
    code, out, _ = cli("get-qoh", "woo")
    assert code == 0 and "not tracked on the cart: U" in out
    assert qohs(store) == {"U": 5, "T": 2}
    assert woo.manage_stock("U") is False and woo.requests[WOO_BATCH] == 0
    assert json.loads(cli("get-qoh", "woo", "--json")[1])["untracked"] == [
        {"sku": "U", "cart_sku": "U", "note": "not tracked on the cart"}]


def test_get_qoh_dry_run_writes_nothing(woo, cli, store):
    add_woo(cli, woo, "woo", "--sync")
    assert cli("param", "set", "SynchQOH", "true")[0] == 0
    seed(store, {"A": 5, "B": 5})
    woo.add_item("A", 1)
    woo.add_item("B", 5)
    woo.add_item("N", 3)
    before = dump(store)
    code, out, _ = cli("get-qoh", "woo", "--dry-run", "--create-new", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["dry_run"] is True
    assert doc["changed"] == [{"sku": "A", "cart_sku": "A", "store_qoh": 5, "cart_qoh": 1}]
    assert doc["created"] == [{"sku": "N", "cart_qoh": 3}]
    assert dump(store) == before


def test_get_qoh_alias_no_sync_and_shaped_values(woo, cli, store):
    add_woo(cli, woo)
    seed(store, {"P": 10, "R": 10, "OFF": 3})
    woo.add_item("P-WEB", 4)
    woo.add_item("R", 8)  # what a reserve of 2 makes it show: nothing to change
    woo.add_item("OFF", 1)
    woo.add_item("P", 99)  # a cart item with the store SKU of an aliased product
    with store.write() as s:
        set_web_fields(s, sku="P", cart="woo", cart_sku="P-WEB")
        set_web_fields(s, sku="R", cart="woo", reserve=2)
        set_web_fields(s, sku="OFF", cart="woo", sync=False)
    r = get_qoh(store, "woo", actor=ACTOR)
    assert r.ok and r.changed == [{"sku": "P", "cart_sku": "P-WEB", "store_qoh": 10, "cart_qoh": 4}]
    assert r.not_synced == [{"sku": "OFF", "cart_sku": "OFF", "cart_qoh": 1}]
    assert [u["sku"] for u in r.unknown] == ["P"]
    assert qohs(store) == {"P": 4, "R": 10, "OFF": 3}


def test_get_qoh_cancel_between_chunks(woo, store, cli):
    add_woo(cli, woo)
    products = {f"C-{i:03d}": 50 for i in range(300)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 5))
    r = get_qoh(store, "woo", progress=Canceller(after=1), actor=ACTOR, chunk_size=100)
    assert r.cancelled and r.read == 100 and len(r.changed) == 100
    now = qohs(store)
    skus = sorted(products)
    assert [now[s] for s in skus] == [5] * 100 + [50] * 200
    assert len(web_fields(store, "woo")) == 100


def test_get_qoh_from_shopify_over_pages(shopify, cli, store, monkeypatch):
    monkeypatch.setattr(ShopifyConnector, "page_size", 10)
    add_shopify(cli, shopify, "shop", "--sync")
    products = {f"H-{i:02d}": 1 for i in range(45)}
    seed(store, products)
    for i, sku in enumerate(sorted(products)):
        shopify.add_item(sku, i)
    shopify.add_item("UNTR", 0, tracked=False)
    r = get_qoh(store, "shop", actor=ACTOR)
    assert r.ok and r.read == 46 and shopify.root_fields["productVariants"] >= 5
    assert qohs(store) == {sku: i for i, sku in enumerate(sorted(products))}
    assert [u["sku"] for u in r.unknown] == ["UNTR"]


def test_lost_answer_marks_the_batch_attempted_not_sent(woo, cli, store):
    add_woo(cli, woo)
    seed(store, {"M-1": 6, "M-2": 8})
    woo_items(woo, {"M-1": 0, "M-2": 0})
    woo.faults.queue("malformed", 1, "/products/batch")  # applied, answer truncated
    r = send_qoh(store, "woo")
    assert r.error and "malformed JSON" in r.error and r.sent == 0 and r.requests == 0
    assert (woo.quantity("M-1"), woo.quantity("M-2")) == (6, 8)  # it did land
    with store.read() as s:
        cart_id = s.scalar(select(Cart.id).where(Cart.name == "woo"))
        targets = {t.sku: t for t in cart_targets(s, cart_id)}
    assert targets["M-1"].last_sent is None and targets["M-1"].attempted in (6, (6,))
    assert targets["M-2"].attempted in (8, (8,))
    assert send_qoh(store, "woo").sent == 2  # re-sending absolute values is harmless
    assert web_fields(store, "woo")["M-1"][0] == 6


def _emulator(kind):
    from seom_desktop.emulators.registry import emulator_class

    try:
        cls = emulator_class(kind)
    except ValueError as e:
        pytest.skip(str(e))
    emu = cls(auto_ship=True) if kind == "magento" else cls()
    emu.start()
    url = {"bigcommerce": f"{emu.url}/stores/{getattr(emu, 'store_hash', '')}"}.get(kind, emu.url)
    creds = {"woocommerce": ["--key", getattr(emu, "key", ""), "--secret", getattr(emu, "secret", "")],
             "magento": ["--token", getattr(emu, "integration_token", "")],
             "miva": ["--token", getattr(emu, "token", ""), "--location", getattr(emu, "store_code", "")],
             }.get(kind, ["--token", getattr(emu, "token", "")])
    return emu, ["--url", url, *creds]


@pytest.mark.parametrize("kind", ["woocommerce", "shopify", "bigcommerce", "magento", "miva"])
def test_send_order_import_get_round_trip_on_every_cart(kind, cli, store):
    emu, args = _emulator(kind)
    try:
        assert cli("cart", "add", "c", "--kind", kind, *args, "--max-items", "2")[0] == 0
        seed(store, {"RA": 5, "RB": 7, "RC": 9})
        for sku in ("RA", "RB", "RC"):
            emu.add_item(sku, 0)
        code, out, err = cli("send-qoh", "c", "--json")
        assert code == 0, err
        assert json.loads(out)["sent"] == 3 and json.loads(out)["requests"] == 2
        assert [emu.quantity(s) for s in ("RA", "RB", "RC")] == [5, 7, 9]
        emu.place_order([("RB", 3)])
        code, out, err = cli("orders", "import", "c", "--json")
        assert code == 0, err
        assert len(json.loads(out)["imported"]) == 1 and qohs(store)["RB"] == 4
        code, out, err = cli("get-qoh", "c", "--json")
        assert code == 0, err
        doc = json.loads(out)
        assert doc["changed"] == [] and doc["unchanged"] == 3 and qohs(store)["RB"] == 4
    finally:
        emu.stop()


def test_rate_limit_is_waited_out_on_send_and_get(woo, cli, store):
    add_woo(cli, woo)
    products = {f"L-{i:03d}": 4 for i in range(250)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 1))
    woo.faults.retry_after = 0
    woo.faults.queue("429", 1, "/products/batch")
    r = send_qoh(store, "woo", max_items=100)
    assert r.ok and r.sent == 250 and r.requests == 3
    assert woo.requests[WOO_BATCH] == 4 and woo.faults.injected["429"] == 1
    with woo.lock:  # the cart changes behind the store's back
        for obj in woo.products.values():
            obj["stock_quantity"] = 2

    def throttle_next_page(done, total):
        if done == 100 and not woo.faults.injected["429"] > 1:
            woo.faults.queue("429", 1, "/wp-json/wc/v3/products")

    r = get_qoh(store, "woo", actor=ACTOR, chunk_size=100, progress=Canceller(hook=throttle_next_page))
    assert r.ok and r.read == 250 and len(r.changed) == 250
    assert woo.faults.injected["429"] == 2
    assert set(qohs(store).values()) == {2}
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)
                        .where(LedgerEntry.source == "pulled from cart")) == 250


def test_ctrl_c_cancels_after_the_batch_in_flight(woo, cli, store, monkeypatch):
    import os
    import signal

    add_woo(cli, woo)
    products = {f"Z-{i:03d}": 3 for i in range(150)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 0))
    real = WooCommerceConnector.set_qoh

    def set_qoh_then_ctrl_c(self, updates):
        out = real(self, updates)
        os.kill(os.getpid(), signal.SIGINT)  # the clerk presses Ctrl-C once, mid-run
        return out

    monkeypatch.setattr(WooCommerceConnector, "set_qoh", set_qoh_then_ctrl_c)
    code, out, err = cli("send-qoh", "woo", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["cancelled"] is True and doc["sent"] == 50 and doc["requests"] == 1
    assert err.splitlines()[-1] == "error: cancelled; what was done is kept"
    assert woo.requests[WOO_BATCH] == 1
    assert sum(1 for v in web_fields(store, "woo").values() if v[0] == 3) == 50
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
