"""Shopify writes that change nothing, and bundle parents, against the Shopify emulator
over loopback sockets: the connector, Send QOH, Get QOH and the stack.

Shopify 2026-04 answers a mutation whose quantities are all already the ones asked for
with `"inventoryAdjustmentGroup": null` and no user error, and leaves an item that did
not move out of a group's `changes` (recorded live: airhorns/shopify-draft-proxy,
fixtures/conformance/harry-test-heelo.myshopify.com/2026-04/products/
inventory-adjust-zero-delta-noop.json). A bundle parent's inventory item is refused with
NON_MUTABLE_INVENTORY_ITEM, the whole batch with it (microsoft/BCApps#8396)."""

from __future__ import annotations

import pytest
from qoh_kit import (  # noqa: F401 - the *_fixture are fixtures
    ACTOR,
    add_shopify,
    cli_fixture,
    qohs,
    seed,
    shopify_fixture,
    store_fixture,
    web_fields,
)
from sqlalchemy import update
from stack_kit import adjust, drain, rows_of
from test_shopify_writes import gql, set_input

from seom_desktop.carts import shopify_queries as q
from seom_desktop.carts.base import CartConfig, ManagedByCartError, QohUpdate
from seom_desktop.carts.shopify import ShopifyConnector
from seom_desktop.carts.shopify_writes import BUNDLE, BUNDLE_NOTE
from seom_desktop.emulators.shopify import ShopifyEmulator
from seom_desktop.stack.controller import StackController
from seom_desktop.stack.rows import retry_rows
from seom_desktop.store.models import Cart
from seom_desktop.sync.get_qoh import get_qoh
from seom_desktop.sync.send_qoh import send_qoh


@pytest.fixture
def emu():
    e = ShopifyEmulator().start()
    yield e
    e.stop()


@pytest.fixture
def conn(emu):
    c = ShopifyConnector(CartConfig(name="Test Shopify", kind="shopify", url=emu.url,
                                    token=emu.token, read_timeout=2.0, connect_timeout=2.0))
    yield c
    c.close()


def set_doc(rows, location, key):
    return {**set_input(rows, location), "key": key}

# --- the emulator answers as Shopify does ----------------------------------------------


def test_emulator_answers_null_group_when_nothing_changes_and_lists_only_what_moved(emu):
    a, b = emu.add_item("A", 4), emu.add_item("B", 6)
    loc = emu.location_id
    same = gql(emu, q.SET, set_doc([(a, 4), (b, 6)], loc, "k1"))["data"]["inventorySetQuantities"]
    assert same == {"inventoryAdjustmentGroup": None, "userErrors": []}
    mixed = gql(emu, q.SET, set_doc([(a, 4), (b, 9)], loc, "k2"))["data"]["inventorySetQuantities"]
    assert mixed["userErrors"] == []
    assert {(c["name"], c["item"]["id"], c["delta"])
            for c in mixed["inventoryAdjustmentGroup"]["changes"]} == {
        ("available", b, 3), ("on_hand", b, 3)}


def test_emulator_refuses_a_bundle_parent_and_with_it_the_whole_batch(emu):
    a, bundle = emu.add_item("A", 4), emu.add_item("KIT", 2, bundle=True)
    out = gql(emu, q.SET, set_input([(a, 5), (bundle, 3)], emu.location_id))
    payload = out["data"]["inventorySetQuantities"]
    assert payload["inventoryAdjustmentGroup"] is None
    assert payload["userErrors"] == [{
        "field": ["input", "quantities", "1", "inventoryItemId"],
        "message": "The specified inventory item is not allowed to be adjusted via API. "
                   "Example: if the inventory item is a parent bundle.",
        "code": "NON_MUTABLE_INVENTORY_ITEM"}]
    assert emu.quantity("A") == 4 and emu.quantity("KIT") == 2


# --- the connector ---------------------------------------------------------------------


@pytest.mark.parametrize("moved", [(), ("B",), ("A", "B", "C")])
def test_a_batch_that_changes_nothing_or_part_is_a_success(emu, conn, moved):
    ids = {s: emu.add_item(s, 5) for s in ("A", "B", "C")}
    res = conn.set_qoh([QohUpdate(s, 8 if s in moved else 5, item_id=ids[s], expected=5,
                                  key=f"k-{s}-{moved}") for s in ids])
    assert [(r.sku, r.ok, r.qoh, r.error) for r in res] == [
        (s, True, 8 if s in moved else 5, None) for s in ids]
    assert [m["changes"] for m in emu.mutations] == [2 * len(moved)]
    assert emu.snapshot()["items"] == {s: 8 if s in moved else 5 for s in ids}


def test_a_bundle_parent_is_managed_and_left_out_of_later_batches(emu, conn):
    a, kit, b = emu.add_item("A", 1), emu.add_item("KIT", 2, bundle=True), emu.add_item("B", 3)
    res = conn.set_qoh([QohUpdate("A", 4, item_id=a, expected=1, key="a1"),
                        QohUpdate("KIT", 9, item_id=kit, expected=2, key="kit1"),
                        QohUpdate("B", 6, item_id=b, expected=3, key="b1")])
    assert [r.ok for r in res] == [True, False, True]
    assert isinstance(res[1].error, ManagedByCartError) and res[1].error.note == BUNDLE_NOTE
    assert emu.snapshot()["items"] == {"A": 4, "KIT": 2, "B": 6}
    assert [m["applied"] for m in emu.mutations] == [False, True]  # refused whole, the rest
    emu.mutations.clear()
    again = conn.set_qoh([QohUpdate("A", 5, item_id=a, expected=4, key="a2"),
                          QohUpdate("KIT", 8, item_id=kit, expected=2, key="kit2")])
    assert isinstance(again[1].error, ManagedByCartError) and again[0].ok
    assert [m["items"] for m in emu.mutations] == [[a]]  # known now: never sent again


def test_a_bundle_parent_read_by_sku_is_never_sent(emu, conn):
    emu.add_item("KIT", 2, bundle=True)
    emu.add_item("A", 1)
    assert conn.get_items(["KIT", "A"])["KIT"].managed == BUNDLE
    assert conn.get_items(["A"])["A"].managed == ""
    res = conn.set_qoh([QohUpdate("KIT", 5), QohUpdate("A", 3)])
    assert isinstance(res[0].error, ManagedByCartError) and res[1].ok
    assert all(m["items"] == [res[1].item_id] for m in emu.mutations)


# --- Send QOH and Get QOH -------------------------------------------------------------


@pytest.mark.parametrize("changed", [0, 30, 90], ids=["no-batch", "some-batches", "every-batch"])
def test_send_qoh_where_every_some_or_no_batch_changes_anything(shopify, cli, store, changed):
    add_shopify(cli, shopify, "shop", "--max-items", "30")
    products = {f"S-{i:03d}": 7 for i in range(90)}
    seed(store, products)
    for n, sku in enumerate(products):  # the first `changed` differ on the cart
        shopify.add_item(sku, 3 if n < changed else 7)
    r = send_qoh(store, "shop")
    assert (r.ok, r.error, r.refused, r.sent, r.requests) == (True, None, [], 90, 3)
    assert [m["changes"] for m in shopify.mutations] == [
        60 if n < changed // 30 else 0 for n in range(3)]  # available + on_hand per item
    assert all(shopify.quantity(sku) == 7 for sku in products)
    assert {v[0] for v in web_fields(store, "shop").values()} == {7}


def test_send_qoh_reports_bundle_parents_as_managed_and_sends_the_rest(shopify, cli, store):
    add_shopify(cli, shopify, "shop")
    seed(store, {"A": 5, "KIT": 8, "B": 6})
    shopify.add_item("A", 1)
    shopify.add_item("KIT", 2, bundle=True)
    shopify.add_item("B", 1)
    preview = send_qoh(store, "shop", dry_run=True)
    assert [(p.sku, p.note) for p in preview.dry_run] == [("A", ""), ("B", ""), ("KIT", BUNDLE)]
    r = send_qoh(store, "shop")
    assert r.ok and r.sent == 2 and r.refused == []
    assert [(m.sku, m.message) for m in r.managed] == [("KIT", BUNDLE_NOTE)]
    assert (shopify.quantity("A"), shopify.quantity("KIT"), shopify.quantity("B")) == (5, 2, 6)
    doc = r.as_json()
    assert doc["managed"] == [{"sku": "KIT", "cart_sku": "KIT", "message": BUNDLE_NOTE}]
    code, out, err = cli("send-qoh", "shop")  # a managed item is said, and is no refusal
    assert code == 0, err
    assert f"not sent KIT: {BUNDLE_NOTE}" in out.splitlines()


def test_get_qoh_never_pulls_a_bundle_parents_quantity(shopify, cli, store):
    add_shopify(cli, shopify, "shop")
    seed(store, {"A": 5, "KIT": 8})
    shopify.add_item("A", 3)
    shopify.add_item("KIT", 2, bundle=True)
    shopify.add_item("KIT-NEW", 4, bundle=True)
    r = get_qoh(store, "shop", create_new=True, actor=ACTOR)
    assert r.ok and r.read == 3
    assert [c["sku"] for c in r.changed] == ["A"] and r.created == []
    assert r.managed == [{"sku": "KIT", "cart_sku": "KIT", "note": BUNDLE},
                         {"sku": "KIT-NEW", "cart_sku": "KIT-NEW", "note": BUNDLE}]
    assert qohs(store) == {"A": 3, "KIT": 8}


# --- the stack -------------------------------------------------------------------------


@pytest.mark.parametrize("moved", [0, 4, 12], ids=["no-batch", "some-batches", "every-batch"])
def test_stack_where_every_some_or_no_batch_changes_anything(shop_factory, sqlite_url, moved):
    shop = shop_factory(sqlite_url, n=12, qoh=10)
    try:
        with shop.store.write() as s:
            s.execute(update(Cart).where(Cart.name == "shop").values(max_items=4))
        for n, sku in enumerate(shop.skus):
            shop.forget_cart_qoh("shop", sku)  # written without a compare from here on
            if n < moved:
                shop.shop.set_quantity(sku, 3)  # changed on Shopify: the write moves it
            adjust(shop, sku, +1)
            adjust(shop, sku, -1)  # the store's QOH as it was: rows, nothing to change
        drain(shop)
        shop_rows = [r for sku in shop.skus for r in rows_of(shop, "shop", sku)]
        assert [(r.state, r.attempts) for r in shop_rows] == [("sent", 1)] * 24, shop_rows
        assert [m["changes"] for m in shop.shop.mutations] == [
            8 if n < moved // 4 else 0 for n in range(3)]
        assert all(shop.shop.quantity(sku) == 10 for sku in shop.skus)
    finally:
        shop.woo.stop()
        shop.shop.stop()
        shop.store.close()


def test_stack_settles_a_bundle_parent_at_once_and_a_clerk_can_retry_it(shop_factory, sqlite_url):
    shop = shop_factory(sqlite_url, n=4, qoh=10, bundles=("SKU-0001",))
    try:
        ctl = StackController(shop.store, workstation="test-ws")
        for sku in shop.skus:
            adjust(shop, sku, -2)
        ctl.run_once()
        kit = rows_of(shop, "shop", "SKU-0001")
        assert [(r.state, r.attempts, r.last_response) for r in kit] == [
            ("bypassed", 0, BUNDLE_NOTE)]
        assert [r.state for sku in ("SKU-0000", "SKU-0002", "SKU-0003")
                for r in rows_of(shop, "shop", sku)] == ["sent"] * 3  # not held up
        assert shop.shop.quantity("SKU-0001") == 10 and shop.shop.quantity("SKU-0000") == 8
        kit_gid = f"gid://shopify/InventoryItem/{shop.shop.items['SKU-0001'].num}"
        assert shop.shop.mutations and not any(kit_gid in m["items"] for m in shop.shop.mutations)
        adjust(shop, "SKU-0001", -1)
        adjust(shop, "SKU-0002", -1)
        ctl.run_once()  # a new row settles the same way, nothing sent for it
        assert not any(kit_gid in m["items"] for m in shop.shop.mutations)
        with shop.store.write() as s:
            assert retry_rows(s, [r.id for r in rows_of(shop, "shop", "SKU-0001")]) == 2
        ctl.run_once()
        kit = rows_of(shop, "shop", "SKU-0001")
        assert {(r.state, r.attempts, r.last_response) for r in kit} == {
            ("bypassed", 0, BUNDLE_NOTE)}
        assert shop.shop.quantity("SKU-0002") == 7
        ctl.close()
    finally:
        shop.woo.stop()
        shop.shop.stop()
        shop.store.close()


def test_drift_report_shows_a_bundle_parent_as_managed_never_as_drifted(shopify, cli, store):
    from seom_desktop.sync.drift import drift_report, drift_rows

    add_shopify(cli, shopify, "shop")
    seed(store, {"A": 5, "KIT": 8})
    shopify.add_item("A", 3)
    shopify.add_item("KIT", 2, bundle=True)  # Shopify derives 2; the store holds 8
    rows = {r.sku: r for r in drift_rows(store, "shop")}
    assert (rows["A"].cart_shows, rows["A"].drifted, rows["A"].managed) == (3, True, "")
    assert (rows["KIT"].cart_shows, rows["KIT"].managed) == (2, BUNDLE)
    assert not rows["KIT"].drifted
    assert [r.sku for r in drift_rows(store, "shop", only_drifted=True)] == ["A"]
    assert drift_report(store, "shop") == [("A", 5, 3)]
