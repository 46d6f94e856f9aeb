"""Kits end to end against the emulated WooCommerce and Shopify carts: a kit's QOH is
never adjusted or received; selling one (POS Sale, a shopper's order imported from a
cart) takes its components in one transaction, a ledger row per component naming the
kit; a component's change re-queues every kit that holds it, through other kits too,
coalesced to one write per kit per cart however often it changes; Get QOH never
overwrites a kit. Every drain ends with both carts showing what they should, worked out
here from the components' QOH (not by the sender's own code). SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from stack_kit import ACTOR, assert_nothing_applied_twice, drain

from seom_desktop.cli import main
from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.kits import KitError, set_kit, touch
from seom_desktop.store.models import LedgerEntry, Product, StackRow
from seom_desktop.sync.get_qoh import get_qoh
from seom_desktop.sync.orders import import_orders

# SET = 2 x SKU-0000 + 1 x SKU-0001; BOX = 2 x SET + 1 x SKU-0002 (a kit of a kit).
KITS = {"SET": [("SKU-0000", 2), ("SKU-0001", 1)], "BOX": [("SET", 2), ("SKU-0002", 1)]}


def derived(qoh: dict[str, int], sku: str) -> int:
    if sku not in KITS:
        return qoh[sku]
    return min(max(derived(qoh, c), 0) // q for c, q in KITS[sku])


def store_qoh(shop) -> dict[str, int]:
    with shop.store.read() as s:
        return dict(s.execute(select(Product.sku, Product.qoh)).all())


def expected(shop) -> dict[str, int]:
    qoh = store_qoh(shop)
    return {sku: max(derived(qoh, sku), 0) for sku in qoh}


def shown(shop, cart: str) -> dict[str, int]:
    emu = shop.emulators()[cart]
    return {sku: emu.quantity(sku) for sku in store_qoh(shop)}


def assert_carts_right(shop):
    want = expected(shop)
    assert shown(shop, "woo") == want
    assert shown(shop, "shop") == want


@pytest.fixture
def kit_shop(shop_factory, store_url):
    shop = shop_factory(store_url, n=4, qoh=10)
    for sku in KITS:  # the kits are on both carts, their quantity not known yet
        shop.woo.add_item(sku, 0)
        shop.shop.add_item(sku, 0)
    with shop.store.write() as s:
        for sku, comps in KITS.items():
            touch(s, set_kit(s, sku=sku, components=comps, actor=ACTOR).touched, actor=ACTOR)
    counts = drain(shop)
    assert counts["pending"] == counts["waiting"] == 0
    assert_carts_right(shop)
    assert shown(shop, "woo")["SET"] == 5 and shown(shop, "woo")["BOX"] == 2
    yield shop
    shop.woo.stop()
    shop.shop.stop()
    shop.store.close()


def _dump(shop):
    with shop.store.read() as s:
        return (sorted(s.execute(select(Product.sku, Product.qoh)).all()),
                s.scalar(select(func.count(LedgerEntry.id))),
                s.scalar(select(func.count(StackRow.id))))


@pytest.mark.parametrize("op", [
    lambda s: ops.adjust(s, sku="SET", delta=3, actor=ACTOR),
    lambda s: ops.adjust(s, sku="BOX", set_to=7, actor=ACTOR),
    lambda s: ops.receive_po(s, sku="SET", quantity=4, actor=ACTOR),
], ids=["adjust", "adjust-set", "receive"])
def test_a_kits_qoh_is_never_adjusted_or_received(kit_shop, op):
    before = _dump(kit_shop)
    with pytest.raises(KitError, match="is a kit: its QOH comes from its components"):
        with kit_shop.store.write() as s:
            op(s)
    assert _dump(kit_shop) == before


@pytest.mark.parametrize("args", [("adjust", "SET", "--delta", "3"),
                                  ("adjust", "SET", "--set", "0"),
                                  ("receive", "BOX", "5")])
def test_adjust_and_receive_of_a_kit_exit_2_naming_it(kit_shop, capsys, args):
    before = _dump(kit_shop)
    assert main(["--store", kit_shop.url, *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"'{args[1]}' is a kit" in err[0]
    assert _dump(kit_shop) == before


def test_pos_sale_of_a_kit_of_kits_takes_every_component_with_a_ledger_row_naming_it(kit_shop):
    with kit_shop.store.write() as s:
        r = ops.pos_sale(s, sku="BOX", quantity=1, actor=ACTOR, reference="till 3")
        box = s.scalar(select(Product.id).where(Product.sku == "BOX"))
    assert (r.sku, r.delta) == ("BOX", -1)
    # one BOX = 2 SET + 1 SKU-0002 = 4 SKU-0000 + 2 SKU-0001 + 1 SKU-0002
    assert {k: v for k, v in store_qoh(kit_shop).items() if k.startswith("SKU")} == {
        "SKU-0000": 6, "SKU-0001": 8, "SKU-0002": 9, "SKU-0003": 10}
    with kit_shop.store.read() as s:
        ledger = sorted(s.execute(
            select(Product.sku, LedgerEntry.delta, LedgerEntry.kit_id, LedgerEntry.source,
                   LedgerEntry.reference)
            .join(Product, Product.id == LedgerEntry.product_id)
            .where(LedgerEntry.kit_id.is_not(None))).all())
    assert ledger == [("SKU-0000", -4, box, "pos sale", "till 3"),
                      ("SKU-0001", -2, box, "pos sale", "till 3"),
                      ("SKU-0002", -1, box, "pos sale", "till 3")]
    drain(kit_shop)
    assert_carts_right(kit_shop)
    assert shown(kit_shop, "shop")["SET"] == 3 and shown(kit_shop, "shop")["BOX"] == 1


def test_a_kit_sale_that_would_take_a_component_below_zero_changes_nothing(kit_shop):
    before = _dump(kit_shop)
    with pytest.raises(Exception, match="below zero"):
        with kit_shop.store.write() as s:
            ops.pos_sale(s, sku="SET", quantity=6, actor=ACTOR)  # 12 of SKU-0000 (10 held)
    assert _dump(kit_shop) == before


def test_a_shoppers_kit_order_imported_takes_the_components_everywhere(kit_shop):
    order = kit_shop.woo.place_order([("SET", 1)])
    assert shown(kit_shop, "woo")["SET"] == 4  # the cart took the kit, not its parts
    report = import_orders(kit_shop.store, "woo", actor=ACTOR)
    assert [o for o in report.imported] == [order]
    assert store_qoh(kit_shop)["SKU-0000"] == 8 and store_qoh(kit_shop)["SKU-0001"] == 9
    counts = drain(kit_shop)
    assert counts["waiting"] == counts["failed"] == 0
    assert_carts_right(kit_shop)
    assert shown(kit_shop, "shop")["SET"] == 4  # the other cart hears of the kit
    assert shown(kit_shop, "woo")["SKU-0000"] == 8  # and the cart it came from of its parts
    assert_nothing_applied_twice(kit_shop.emulators())


def test_a_component_in_40_kits_changed_100_times_is_one_write_per_kit_per_cart(
        shop_factory, store_url):
    shop = shop_factory(store_url, n=1, qoh=10_000)
    try:
        kits = [f"KIT-{i:02d}" for i in range(40)]
        for sku in kits:
            shop.woo.add_item(sku, 0)
            shop.shop.add_item(sku, 0)
        with shop.store.write() as s:
            for i, sku in enumerate(kits):
                set_kit(s, sku=sku, components=[("SKU-0000", i + 1)], actor=ACTOR)
        for _ in range(100):
            with shop.store.write() as s:
                ops.adjust(s, sku="SKU-0000", delta=-1, actor=ACTOR)
        with shop.store.read() as s:
            per_cart_kit = s.execute(select(StackRow.cart_id, StackRow.product_id,
                                            func.count(StackRow.id))
                                     .join(Product, Product.id == StackRow.product_id)
                                     .where(Product.is_kit.is_(True))
                                     .group_by(StackRow.cart_id, StackRow.product_id)).all()
        assert len(per_cart_kit) == 80 and {n for _c, _p, n in per_cart_kit} == {1}
        for emu in shop.emulators().values():
            emu.writes.clear()
        drain(shop)
        for name, emu in shop.emulators().items():
            written = {sku: len(w) for sku, w in emu.writes.items() if sku in kits}
            assert written == dict.fromkeys(kits, 1), name
            assert {sku: emu.quantity(sku) for sku in kits} == {
                sku: 9_900 // (i + 1) for i, sku in enumerate(kits)}
    finally:
        shop.woo.stop()
        shop.shop.stop()
        shop.store.close()


def test_get_qoh_never_overwrites_a_kit_and_brings_the_cart_back_to_it(kit_shop):
    with kit_shop.woo.lock:  # someone typed 50 for the kit in the cart's admin
        kit_shop.woo._skus["SET"]["stock_quantity"] = 50
        kit_shop.woo._skus["SKU-0000"]["stock_quantity"] = 4  # and counted a component
    before = store_qoh(kit_shop)
    report = get_qoh(kit_shop.store, "woo", actor=ACTOR)
    assert report.error is None
    assert {"sku": "SET", "cart_sku": "SET", "cart_qoh": 50,
            "note": "kit: derived from its components"} in report.kits
    assert sorted(k["sku"] for k in report.kits) == ["BOX", "SET"]
    assert not [c for c in report.changed if c["sku"] in KITS]
    assert store_qoh(kit_shop) == before | {"SKU-0000": 4}  # the component was taken
    assert report.as_json()["kits"] == report.kits
    counts = drain(kit_shop)
    assert counts["waiting"] == counts["failed"] == 0
    assert_carts_right(kit_shop)  # SET back to 2 (4 // 2) on WooCommerce, and on Shopify
    assert shown(kit_shop, "woo")["SET"] == 2 and shown(kit_shop, "shop")["BOX"] == 1


def test_get_qoh_on_the_command_line_says_the_kit_was_left_alone(kit_shop, capsys):
    with kit_shop.woo.lock:
        kit_shop.woo._skus["BOX"]["stock_quantity"] = 7
    assert main(["--store", kit_shop.url, "get-qoh", "woo"]) == 0
    out = capsys.readouterr().out
    assert "left alone BOX (cart QOH 7): kit: derived from its components" in out
