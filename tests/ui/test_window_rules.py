"""Allocation rules in the window, on a real SQLite store: View Inventory's Web Fields tab
and the main window's item panel show, per cart, what it should show and the rule that
decided it; the Web Fields tab edits the item's percent, minimum and safety (refused as
`webfields set` refuses them); a kit's QOH is the derived one in View Inventory, in the
QOH to show for a SKU (Adjust Inventory) and in the CSV export."""

from __future__ import annotations

import csv

import pytest
from clerk_boxes import quiet_close
from clerk_kit import type_in_cell
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.kits import set_kit
from seom_desktop.inventory.products import add_product, web_fields_of
from seom_desktop.inventory.rules import set_cart
from seom_desktop.store.carts import add_cart
from seom_desktop.store.models import Cart, Product, StackRow, WebField
from seom_desktop.store.params import set_param

pytest.importorskip("pytestqt")

WS = "front-desk"
ACTOR = Actor("setup", WS)


@pytest.fixture
def rules_store(sqlite_store):
    """P1 (QOH 10) on Shop (75 % of what is available) and Woo (no rules)."""
    with sqlite_store.write() as s:
        set_param(s, "SynchQOH", True)
        add_cart(s, name="Shop", kind="shopify", url="http://127.0.0.1:9", sync=True)
        add_cart(s, name="Woo", kind="woocommerce", url="http://127.0.0.1:9", sync=True)
        add_product(s, sku="P1", name="Widget", qoh=10, actor=ACTOR)
        set_cart(s, "Shop", rules={"percent": 75}, actor=ACTOR)
        s.query(StackRow).delete()  # start from an empty web stack
    return sqlite_store


def open_view(qtbot, store, sku="P1"):
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog

    d = ViewInventoryDialog(store, workstation=WS, sku=None)
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    qtbot.keyClicks(d.sku_field.line, sku)
    with qtbot.waitSignal(d.shown, timeout=5000):
        qtbot.mouseClick(d.open_button, Qt.MouseButton.LeftButton)
    return d


def cells(d, cart):
    m = d.web_model
    r = next(i for i, row in enumerate(m.rows) if row.cart == cart)
    return {m.HEADERS[c]: m.index(r, c).data() for c in range(m.columnCount())}


def edit_cell(qtbot, d, cart, col, text):
    """Type `text` in the cart's cell of the Web Fields table, as a clerk does."""
    r = next(i for i, row in enumerate(d.web_model.rows) if row.cart == cart)
    type_in_cell(qtbot, d.web_view, r, col, text)


def item_rules(store, cart):
    with store.read() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == "P1"))
        return next(v for v in web_fields_of(s, pid) if v.cart == cart)


def queued(store, cart):
    with store.read() as s:
        return s.scalar(select(func.count()).select_from(StackRow).join(
            Cart, Cart.id == StackRow.cart_id).where(Cart.name == cart))


def test_web_fields_tab_shows_what_each_cart_should_show_and_why(qtbot, rules_store):
    with rules_store.write() as s:  # Woo: the item's own safety stock
        pid = s.scalar(select(Product.id).where(Product.sku == "P1"))
        cid = s.scalar(select(Cart.id).where(Cart.name == "Woo"))
        s.add(WebField(product_id=pid, cart_id=cid, sync=True, reserve=0, safety=12,
                       attempted_qoh=""))
    d = open_view(qtbot, rules_store)
    d.tabs.setCurrentIndex(1)
    shop, woo = cells(d, "Shop"), cells(d, "Woo")
    assert (shop["Should show"], shop["Rule"], shop["Percent"]) == ("7", "75 %", "")
    assert (woo["Should show"], woo["Rule"], woo["Safety"]) == ("0", "safety 12", "12")


def test_web_fields_tab_saves_the_item_overrides_and_shows_the_new_rule(qtbot, rules_store):
    d = open_view(qtbot, rules_store)
    d.tabs.setCurrentIndex(1)
    m = d.web_model
    edit_cell(qtbot, d, "Shop", m.PERCENT, "50")
    edit_cell(qtbot, d, "Woo", m.MIN_QTY, "12")
    edit_cell(qtbot, d, "Woo", m.SAFETY, "3")
    with qtbot.waitSignal(d.shown, timeout=5000):  # saved, then read again
        qtbot.mouseClick(d.save_web_button, Qt.MouseButton.LeftButton)
    shop, woo = item_rules(rules_store, "Shop"), item_rules(rules_store, "Woo")
    assert (shop.percent, shop.min_qty, shop.safety) == (50, None, None)
    assert (woo.percent, woo.min_qty, woo.safety) == (None, 12, 3)
    assert (cells(d, "Shop")["Should show"], cells(d, "Shop")["Rule"]) == ("5", "50 %")
    assert (cells(d, "Woo")["Should show"], cells(d, "Woo")["Rule"]) == ("12", "minimum 12")
    assert (queued(rules_store, "Shop"), queued(rules_store, "Woo")) == (1, 1)
    # empty unsets: the cart's 75 % applies again
    edit_cell(qtbot, d, "Shop", m.PERCENT, "")
    with qtbot.waitSignal(d.shown, timeout=5000):
        qtbot.mouseClick(d.save_web_button, Qt.MouseButton.LeftButton)
    assert item_rules(rules_store, "Shop").percent is None
    assert (cells(d, "Shop")["Should show"], cells(d, "Shop")["Rule"]) == ("7", "75 %")


def cli_error(url, capsys, *args):
    from seom_desktop.cli import main

    capsys.readouterr()
    code = main(["--store", url, "webfields", "set", "P1", "--cart", "Woo", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("col,option,text", [
    ("PERCENT", "--percent", "101"),
    ("PERCENT", "--percent", "half"),
    ("MIN_QTY", "--min-qty", "-1"),
    ("SAFETY", "--safety", "-2"),
])
def test_web_fields_bad_override_refused_as_the_command_line_refuses_it(
        qtbot, rules_store, sqlite_url, capsys, col, option, text):
    code, err = cli_error(sqlite_url, capsys, option, text)
    assert code != 0 and err
    before = (item_rules(rules_store, "Woo"), queued(rules_store, "Woo"))
    d = open_view(qtbot, rules_store)
    d.tabs.setCurrentIndex(1)
    m = d.web_model
    edit_cell(qtbot, d, "Woo", getattr(m, col), text)
    with qtbot.assertNotEmitted(d.changed):
        qtbot.mouseClick(d.save_web_button, Qt.MouseButton.LeftButton)
    r = next(i for i, row in enumerate(m.rows) if row.cart == "Woo")
    message = m.errors[(r, getattr(m, col))]
    assert message in err  # the command line's words
    assert "Woo" in d.web_error.text() and "Nothing was saved" in d.web_error.text()
    assert (item_rules(rules_store, "Woo"), queued(rules_store, "Woo")) == before


def test_item_panel_shows_the_rule_that_decided_each_cart(qtbot, rules_store, make_window):
    w = make_window(rules_store)
    w.show()
    qtbot.waitUntil(lambda: w.selected_sku() == "P1")
    qtbot.waitUntil(lambda: w.carts_model.rowCount() == 2)
    m = w.carts_model
    show, rule = m.headers.index("Should show"), m.headers.index("Rule")
    got = {m.index(r, 0).data(): (m.index(r, show).data(), m.index(r, rule).data())
           for r in range(m.rowCount())}
    assert got == {"Shop": ("7", "75 %"), "Woo": ("10", "store QOH")}


# --- a kit's QOH ---------------------------------------------------------------------

@pytest.fixture
def kit_store(rules_store):
    with rules_store.write() as s:
        add_product(s, sku="CUP", name="Cup", qoh=9, actor=ACTOR)
        add_product(s, sku="SAUCER", name="Saucer", qoh=4, actor=ACTOR)
        set_kit(s, sku="TEA-SET", components=[("CUP", 2), ("SAUCER", 1)], actor=ACTOR)
    return rules_store


def test_view_inventory_shows_a_kits_derived_qoh_when_it_shows_the_kit(qtbot, kit_store):
    d = open_view(qtbot, kit_store, sku="TEA-SET")
    # at once (the Kit tab's own read may come later)
    assert d.qoh_label.text() == "4 (kit: derived from its components)"


def test_qoh_to_show_gives_a_kits_derived_qoh_and_why_it_cannot_be_adjusted(kit_store):
    from seom_desktop.app.product_detail import find_product, qoh_to_show
    from seom_desktop.inventory.errors import InventoryError
    from seom_desktop.inventory.operations import adjust

    kit = qoh_to_show(kit_store, sku="TEA-SET")
    assert (kit.qoh, kit.kit) == (4, True)
    with pytest.raises(InventoryError) as refused, kit_store.write() as s:
        adjust(s, sku="TEA-SET", delta=1, actor=ACTOR)
    assert kit.message == str(refused.value)  # the words the store refuses it with
    plain = qoh_to_show(kit_store, sku="CUP")
    assert (plain.qoh, plain.kit, plain.message) == (9, False, "")
    assert qoh_to_show(kit_store, sku="NOPE") is None
    assert find_product(kit_store, sku="TEA-SET").qoh == 4  # the SKU fields' look-up


def test_csv_export_writes_a_kits_derived_qoh(kit_store, tmp_path):
    from seom_desktop.app.inventory_list import export_qoh_csv

    out = tmp_path / "qoh.csv"
    assert export_qoh_csv(kit_store, path=str(out)) == 4
    with out.open(encoding="utf-8", newline="") as f:
        rows = {r["sku"]: r["qoh"] for r in csv.DictReader(f)}
    assert rows == {"CUP": "9", "P1": "10", "SAUCER": "4", "TEA-SET": "4"}
