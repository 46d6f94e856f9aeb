"""The cart form's Rules and warehouses tab (Shopping Carts > Edit Cart), driven by keys and
clicks on a real SQLite store: it shows the cart's rules, warehouses, order warehouse and
locations, saves them as `cart set` does (the same function: the item whose shown
quantity moved is queued for that cart only), refuses bad input in `cart set`'s words,
offers locations only to kinds that have them, and counts as unsaved when changed."""

from __future__ import annotations

import pytest
from clerk_boxes import quiet_close
from PySide6.QtCore import Qt, QThreadPool
from sqlalchemy import func, select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.products import add_product
from seom_desktop.inventory.rules import parse_rule, set_cart, view
from seom_desktop.inventory.warehouses import add_warehouse
from seom_desktop.store.carts import add_cart, cart_by_name
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Cart, StackRow
from seom_desktop.store.params import set_param

pytest.importorskip("pytestqt")

WS = "front-desk"
ACTOR = Actor("setup", WS)


@pytest.fixture
def store(tmp_path):
    """Warehouses Main (the default) and Back; P1 (QOH 10, in Main); Shop (Shopify) with a
    safety of 3, Woo (WooCommerce); both synchronized."""
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with s.write() as ss:
        set_param(ss, "SynchQOH", True)
        add_warehouse(ss, "Back")
        add_cart(ss, name="Shop", kind="shopify", url="http://127.0.0.1:9", sync=True)
        add_cart(ss, name="Woo", kind="woocommerce", url="http://127.0.0.1:9", sync=True)
        add_product(ss, sku="P1", name="Widget", qoh=10, actor=ACTOR)
        set_cart(ss, "Shop", rules={"safety": 3}, actor=ACTOR)
        ss.query(StackRow).delete()  # start from an empty web stack
    yield s
    QThreadPool.globalInstance().waitForDone(5000)
    s.close()


@pytest.fixture
def dialog(qtbot, store):
    from seom_desktop.ui.dialogs.shopping_carts import ShoppingCartsDialog

    d = ShoppingCartsDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    with qtbot.waitActive(d):
        d.show()
    return d


def edit(qtbot, d, name):
    """Select the cart in the list and press Edit Cart; wait for its rules."""
    qtbot.waitUntil(lambda: d.list_model.rowCount() == 2 and d.list_view.isEnabled())
    row = next(i for i, r in enumerate(d.list_model.rows) if r[0] == name)
    d.list_view.selectRow(row)
    with qtbot.waitSignal(d.rules_tab.loaded, timeout=5000):
        qtbot.mouseClick(d.edit_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(d, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # &Rules and warehouses
    assert d.form_tabs.currentWidget() is d.rules_page


def type_in(qtbot, field, text):
    field.editor.setFocus()
    field.editor.selectAll()
    qtbot.keyClick(field.editor, Qt.Key.Key_Delete)
    qtbot.keyClicks(field.editor, text)


def allocation(store, name):
    with store.read() as s:
        return view(s, cart_by_name(s, name))


def queued(store):
    with store.read() as s:
        return dict(s.execute(select(Cart.name, func.count()).select_from(StackRow)
                              .join(Cart, Cart.id == StackRow.cart_id)
                              .group_by(Cart.name)).all())


def test_rules_tab_shows_the_carts_allocation(qtbot, dialog, store):
    d = dialog
    edit(qtbot, d, "Shop")
    t = d.rules_tab
    assert {r: f.editor.text() for r, f in t.fields.items()} == {
        "reserve": "", "max_qty": "", "percent": "", "min_qty": "", "safety": "3"}
    assert [t.warehouse_list.item(i).text() for i in range(t.warehouse_list.count())] == [
        "Back", "Main"]
    assert t.order_combo.currentText() == "(default warehouse: Main)"
    assert t.locations_box.isVisible() and set(t.location_fields) == {"Back", "Main"}
    assert not d.has_unsaved()  # what was read is the saved state
    focus = [t.order_combo.nextInFocusChain(),
             t.location_fields["Back"].editor.nextInFocusChain()]
    assert focus == [t.location_fields["Back"].editor, t.location_fields["Main"].editor]
    type_in(qtbot, t.fields["percent"], "50")
    assert d.has_unsaved()


def test_rules_and_warehouses_saved_as_cart_set_saves_them(qtbot, dialog, store):
    d = dialog
    edit(qtbot, d, "Shop")
    t = d.rules_tab
    type_in(qtbot, t.fields["percent"], "50")
    type_in(qtbot, t.fields["safety"], "")
    main = t.warehouse_list.findItems("Main", Qt.MatchFlag.MatchExactly)[0]
    t.warehouse_list.setFocus()
    t.warehouse_list.setCurrentItem(main)
    qtbot.keyClick(t.warehouse_list, Qt.Key.Key_Space)  # sells from Main only
    assert main.checkState() == Qt.CheckState.Checked
    t.order_combo.setFocus()
    qtbot.keyClicks(t.order_combo, "Back")
    type_in(qtbot, t.location_fields["Main"], "gid-1")
    with qtbot.waitSignal(d.changed, timeout=5000):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    a = allocation(store, "Shop")
    assert a.rules == {"reserve": None, "max_qty": None, "percent": 50, "min_qty": None,
                       "safety": None}
    assert (a.warehouses, a.order_warehouse, a.locations) == (("Main",), "Back",
                                                              {"Main": "gid-1"})
    assert queued(store) == {"Shop": 1}  # P1 now shows 5 on Shop; Woo is not told
    # the form shows what was saved, read again
    qtbot.waitUntil(lambda: "Saved cart Shop" in d.status.text())
    qtbot.waitUntil(lambda: t.isEnabled() and t.fields["percent"].editor.text() == "50")
    assert not d.has_unsaved()


@pytest.mark.parametrize("rule,text", [("percent", "150"), ("safety", "-1"),
                                       ("max_qty", "lots")])
def test_bad_rule_refused_in_cart_set_words_and_nothing_saved(qtbot, dialog, store, rule,
                                                              text):
    with pytest.raises(InventoryError) as cli_words:
        parse_rule(rule, text)  # what `cart set --percent/--safety/--max-qty` says
    d = dialog
    edit(qtbot, d, "Shop")
    before = allocation(store, "Shop")
    type_in(qtbot, d.rules_tab.fields[rule], text)
    d.form_tabs.setCurrentIndex(0)
    with qtbot.assertNotEmitted(d.changed, wait=200):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    f = d.rules_tab.fields[rule]
    assert f.error.isVisible() and f.error.text() == str(cli_words.value)
    assert d.form_tabs.currentWidget() is d.rules_page  # the problem is shown
    assert allocation(store, "Shop") == before and queued(store) == {}


def test_locations_only_for_kinds_with_locations(qtbot, dialog):
    d = dialog
    edit(qtbot, d, "Woo")
    assert not d.rules_tab.locations_box.isVisible()
    assert d.rules_tab.warehouse_list.count() == 2  # warehouses are for every kind


def test_a_location_of_a_warehouse_not_sold_from_is_refused_and_nothing_saved(qtbot, dialog,
                                                                              store):
    d = dialog
    edit(qtbot, d, "Shop")
    t = d.rules_tab
    before = allocation(store, "Shop")
    main = t.warehouse_list.findItems("Main", Qt.MatchFlag.MatchExactly)[0]
    main.setCheckState(Qt.CheckState.Checked)  # sells from Main only
    type_in(qtbot, t.fields["percent"], "50")
    type_in(qtbot, t.location_fields["Back"], "gid-2")
    with qtbot.assertNotEmitted(d.changed, wait=500):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.form_error.isVisible())
    assert d.form_error.text() == ("a location is mapped to warehouse 'Back', which the cart "
                                   "does not sell from. Nothing was saved.")
    assert allocation(store, "Shop") == before and queued(store) == {}  # not the percent


def test_a_new_cart_is_saved_with_its_rules(qtbot, dialog, store):
    d = dialog
    qtbot.waitUntil(lambda: d.rules_tab.isEnabled())
    qtbot.keyClicks(d.name.editor, "Web Two")
    d.kind_combo.setCurrentText("woocommerce")
    qtbot.keyClicks(d.url.editor, "https://shop.example.com")
    qtbot.keyClicks(d.key.editor, "ck_1")
    qtbot.keyClicks(d.secret.editor, "cs_1")
    qtbot.keyClick(d, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert not d.rules_tab.locations_box.isVisible()  # WooCommerce has no locations
    type_in(qtbot, d.rules_tab.fields["max_qty"], "5")
    with qtbot.waitSignal(d.changed, timeout=5000):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    a = allocation(store, "Web Two")
    assert (a.rules["max_qty"], a.warehouses, a.locations) == (5, (), {})
