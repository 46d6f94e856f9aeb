"""Get QOH From Website against emulated carts on loopback sockets, through
seom_desktop.sync and through the command line."""

from __future__ import annotations

import json

from qoh_kit import (  # noqa: F401 - the *_fixture are fixtures
    ACTOR,
    WOO_BATCH,
    WOO_LIST,
    Canceller,
    add_bc,
    add_shopify,
    add_woo,
    bc_fixture,
    cli_fixture,
    dump,
    qohs,
    seed,
    shopify_fixture,
    store_fixture,
    web_fields,
    woo_fixture,
    woo_items,
)
from sqlalchemy import func, select

from seom_desktop.carts.woocommerce import WooCommerceConnector
from seom_desktop.inventory.products import set_web_fields
from seom_desktop.store.models import Cart, LedgerEntry, Product, StackRow
from seom_desktop.sync.get_qoh import get_qoh

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


def test_get_qoh_from_shopify_through_a_bulk_operation(shopify, cli, store):
    add_shopify(cli, shopify, "shop", "--sync")
    products = {f"H-{i:02d}": 1 for i in range(45)}
    seed(store, products)
    for i, sku in enumerate(sorted(products)):
        shopify.add_item(sku, i)
    shopify.add_item("UNTR", 0, tracked=False)
    r = get_qoh(store, "shop", actor=ACTOR)
    assert r.ok and r.read == 46 and shopify.root_fields["productVariants"] == 0
    assert shopify.root_fields["bulkOperationRunQuery"] == 1
    assert qohs(store) == {sku: i for i, sku in enumerate(sorted(products))}
    assert [u["sku"] for u in r.unknown] == ["UNTR"]


def test_rate_limit_mid_listing_is_waited_out_on_get(woo, cli, store, monkeypatch):
    add_woo(cli, woo)
    products = {f"L-{i:03d}": 4 for i in range(250)}
    seed(store, products)
    woo_items(woo, dict.fromkeys(products, 2))
    woo.faults.retry_after = 0
    real = WooCommerceConnector._get

    def page_two_is_throttled(self, path, params):
        if params.get("page") == 2 and not woo.faults.injected["429"]:
            woo.faults.queue("429", 1, "/wp-json/wc/v3/products")
        return real(self, path, params)

    monkeypatch.setattr(WooCommerceConnector, "_get", page_two_is_throttled)
    r = get_qoh(store, "woo", actor=ACTOR, chunk_size=100)
    assert r.ok and r.read == 250 and len(r.changed) == 250  # each item once
    assert woo.faults.injected["429"] == 1
    assert set(qohs(store).values()) == {2}
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)
                        .where(LedgerEntry.source == "pulled from cart")) == 250
