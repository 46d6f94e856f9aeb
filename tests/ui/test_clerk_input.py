"""Input that must never go to the wrong place or be lost, driven by keys and clicks as
a clerk does, checked in the store afterwards: Enter in a field saves, Esc / Close / the
window's X with unsaved input ask Save / Don't Save / Cancel, a big QOH drop is shown
and asked about (No is the default), View Inventory saves web fields only for the
product its SKU box names (tests/ui/test_clerk_web_fields.py), nothing that sends to a cart is a default button, and the
Synchronize Inventory button turns it on."""

from __future__ import annotations

import pytest
from clerk_boxes import answer_box, open_boxes, tab_to
from clerk_kit import (
    ACTOR,
    ENTER,
    ESC,
    TAB,
    WS,
    click,
    saved,
    shown,
    store_fixture,
    view_dialog,
)
from pool_idle import idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from seom_desktop.inventory.products import add_product
from seom_desktop.store.carts import add_cart
from seom_desktop.store.models import LedgerEntry, Param, Product, StackRow

pytest.importorskip("pytestqt")


store = store_fixture()


def qoh(store, sku):
    with store.read() as s:
        return s.scalar(select(Product.qoh).where(Product.sku == sku))


def counts(store):
    with store.read() as s:
        return (s.scalar(select(func.count()).select_from(LedgerEntry)),
                s.scalar(select(func.count()).select_from(StackRow)))


def adjust_dialog(qtbot, store, **kw):
    from seom_desktop.ui.dialogs.adjust_inventory import AdjustInventoryDialog

    return shown(qtbot, AdjustInventoryDialog(store, workstation=WS, **kw))


def po_dialog(qtbot, store, **kw):
    from seom_desktop.ui.dialogs.receive_po import ReceivePurchaseOrderDialog

    return shown(qtbot, ReceivePurchaseOrderDialog(store, workstation=WS, **kw))


# --- item 2: Enter saves, closing with unsaved input asks --------------------------------

def test_adjust_enter_on_close_after_tabbing_asks_and_save_keeps_the_entry(qtbot, store):
    d = adjust_dialog(qtbot, store)
    qtbot.keyClicks(d.sku_field.line, "P1")
    click(qtbot, d.change_radio)
    qtbot.keyClicks(d.quantity.editor, "7")
    d.quantity.editor.setFocus()
    tab_to(qtbot, d, d.close_button)  # past Save, onto Close
    before = counts(store)
    seen = answer_box(qtbot, button="Cancel")
    qtbot.keyClick(d.close_button, ENTER)
    assert seen and "not been saved" in seen[0]
    assert d.isVisible() and qoh(store, "P1") == 50 and counts(store) == before
    seen = answer_box(qtbot, key=ENTER)  # Save is the default answer
    with saved(qtbot, d):
        qtbot.keyClick(d.close_button, ENTER)
    assert seen
    assert qoh(store, "P1") == 57 and not d.isVisible()


def test_enter_in_a_field_saves_after_tab_has_passed_save_and_close(qtbot, store):
    d = adjust_dialog(qtbot, store, sku="P1")
    click(qtbot, d.change_radio)
    qtbot.keyClicks(d.quantity.editor, "5")
    d.quantity.editor.setFocus()
    tab_to(qtbot, d, d.close_button)  # past Save and Close ...
    qtbot.keyClick(d.close_button, TAB)
    tab_to(qtbot, d, d.quantity.editor)  # ... and round to the quantity again
    closing = answer_box(qtbot, button="Cancel")  # were Enter to press Close instead
    with saved(qtbot, d):
        qtbot.keyClick(d.quantity.editor, ENTER)
    closing.stop()
    assert not closing and qoh(store, "P1") == 55 and not d.isVisible()
    p = po_dialog(qtbot, store, sku="P2")
    qtbot.keyClicks(p.quantity.editor, "3")
    tab_to(qtbot, p, p.close_button)
    qtbot.keyClick(p.close_button, TAB)
    tab_to(qtbot, p, p.quantity.editor)
    closing = answer_box(qtbot, button="Cancel")
    with saved(qtbot, p):
        qtbot.keyClick(p.quantity.editor, ENTER)
    closing.stop()
    assert not closing and qoh(store, "P2") == 3 and not p.isVisible()


def test_adjust_esc_and_x_with_input_ask_and_dont_save_drops_it(qtbot, store):
    d = adjust_dialog(qtbot, store, sku="P1")
    click(qtbot, d.change_radio)
    qtbot.keyClicks(d.quantity.editor, "3")
    before = counts(store)
    seen = answer_box(qtbot, key=ESC)  # Esc on the question is Cancel: stay
    qtbot.keyClick(d.quantity.editor, ESC)
    assert seen and d.isVisible()
    seen = answer_box(qtbot, button="Cancel")
    d.close()  # the window's X sends the same close event
    assert seen and d.isVisible()
    seen = answer_box(qtbot, button="Don't Save")
    qtbot.keyClick(d.quantity.editor, ESC)
    assert seen and not d.isVisible()
    assert qoh(store, "P1") == 50 and counts(store) == before


def test_receive_po_enter_on_close_asks_and_save_receives(qtbot, store):
    d = po_dialog(qtbot, store)
    qtbot.keyClicks(d.sku_field.line, "P2")
    qtbot.keyClicks(d.quantity.editor, "12")
    d.quantity.editor.setFocus()
    tab_to(qtbot, d, d.close_button)
    seen = answer_box(qtbot, button="Save")
    with saved(qtbot, d):
        qtbot.keyClick(d.close_button, ENTER)
    assert seen and qoh(store, "P2") == 12 and not d.isVisible()


def test_receive_po_save_that_fails_keeps_the_dialog_open(qtbot, store):
    d = po_dialog(qtbot, store)
    qtbot.keyClicks(d.sku_field.line, "NOPE")
    qtbot.keyClicks(d.quantity.editor, "12")
    before = counts(store)
    seen = answer_box(qtbot, button="Save")
    qtbot.keyClick(d.quantity.editor, ESC)
    idle()  # the SKU's look-up answered: the save then refused it
    assert seen and d.isVisible()
    assert "unknown SKU" in d.sku_field.error.text() and counts(store) == before


# --- item 3: the result is shown, a big drop asks with No as the default -----------------

def test_adjust_shows_the_result_and_asks_before_a_big_drop(qtbot, store):
    d = adjust_dialog(qtbot, store, sku="P1")
    assert d.new_qoh_radio.isChecked()
    qtbot.keyClicks(d.quantity.editor, "5")  # meant +5, typed in New QOH mode
    assert d.result_label.text() == "QOH 50 \u2192 5, -45"
    before = counts(store)
    seen = answer_box(qtbot, key=ENTER)  # Enter on the question: No (the default)
    qtbot.keyClick(d.quantity.editor, ENTER)
    assert seen and "50 to 5" in seen[0]
    assert d.isVisible() and qoh(store, "P1") == 50 and counts(store) == before
    click(qtbot, d.change_radio)  # what the clerk meant
    assert d.result_label.text() == "QOH 50 \u2192 55, +5"
    with saved(qtbot, d):
        qtbot.keyClick(d.quantity.editor, ENTER)
    assert not open_boxes() and qoh(store, "P1") == 55


def test_adjust_drop_to_zero_asked_and_yes_saves(qtbot, store):
    d = adjust_dialog(qtbot, store, sku="P1")
    qtbot.keyClicks(d.quantity.editor, "0")
    seen = answer_box(qtbot, button="Yes")
    with saved(qtbot, d):
        click(qtbot, d.save_button)
    assert seen and qoh(store, "P1") == 0 and counts(store)[1] == 1


def test_system_parameters_close_with_a_change_asks(qtbot, store):
    from seom_desktop.ui.dialogs.system_parameters import SystemParametersDialog

    d = shown(qtbot, SystemParametersDialog(store, workstation=WS))
    combo = d.fields["AllowNegativeQOH"].editor
    d.show_group(d.defs["AllowNegativeQOH"].group)
    assert combo.currentText() == "FALSE"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Up)
    assert combo.currentText() == "TRUE"
    seen = answer_box(qtbot, button="Cancel")
    click(qtbot, d.close_button)
    assert seen and d.isVisible()
    seen = answer_box(qtbot, button="Save")
    with saved(qtbot, d):
        qtbot.keyClick(combo, ESC)
    qtbot.waitUntil(lambda: not d.isVisible())  # closed once the save was written
    assert seen
    with store.read() as s:
        assert s.scalar(select(Param.value).where(Param.name == "AllowNegativeQOH")) in (
            "TRUE", "true", "1", True)


# --- item 2: Shopping Carts, switching carts with unsaved input ----------------------------

def carts_dialog(qtbot, store):
    from seom_desktop.ui.dialogs.shopping_carts import ShoppingCartsDialog

    return shown(qtbot, ShoppingCartsDialog(store, workstation=WS))


def cart_urls(store):
    from seom_desktop.store.models import Cart

    with store.read() as s:
        return dict(s.execute(select(Cart.name, Cart.url)).all())


def test_switching_carts_with_unsaved_input_asks(qtbot, store):
    with store.write() as s:
        add_cart(s, name="Shop", kind="woocommerce", url="http://127.0.0.1:8")
    d = carts_dialog(qtbot, store)
    d.list_view.selectRow(1)  # Woo (sorted by name: Shop, Woo)
    click(qtbot, d.edit_button)
    assert d.editing.name == "Woo"
    d.url.editor.selectAll()
    qtbot.keyClicks(d.url.editor, "http://127.0.0.1:7")
    d.list_view.selectRow(0)
    seen = answer_box(qtbot, button="Cancel")
    click(qtbot, d.edit_button)
    assert seen and "cart Woo" in seen[0]
    assert d.editing.name == "Woo" and d.url.editor.text() == "http://127.0.0.1:7"
    seen = answer_box(qtbot, button="Save")
    with saved(qtbot, d):
        click(qtbot, d.edit_button)
    assert seen and d.editing.name == "Shop"
    assert cart_urls(store)["Woo"] == "http://127.0.0.1:7"
    d.url.editor.selectAll()
    qtbot.keyClicks(d.url.editor, "http://127.0.0.1:6")
    seen = answer_box(qtbot, button="Don't Save")
    qtbot.keyClick(d.url.editor, ESC)
    assert seen and not d.isVisible()
    assert cart_urls(store)["Shop"] == "http://127.0.0.1:8"


# --- item 5: the button turns Synchronize Inventory on -------------------------------------

def test_turn_on_synchronize_inventory_button_turns_it_on(qtbot, store):
    from PySide6.QtCore import QTimer

    from seom_desktop.store.models import Cart
    from seom_desktop.ui.dialogs.sync_warning import SyncWarningDialog

    with store.write() as s:
        add_cart(s, name="Shop", kind="woocommerce", url="http://127.0.0.1:8", sync=False)
    d = carts_dialog(qtbot, store)
    d.edit_cart("Shop")
    seen = {}

    def press_turn_on(n=0):
        w = d.findChild(SyncWarningDialog)
        if w is None or not w.isVisible():
            if n < 500:
                QTimer.singleShot(10, lambda: press_turn_on(n + 1))
            return
        seen["default"] = w.turn_on_button.isDefault()
        click(qtbot, w.turn_on_button)

    QTimer.singleShot(0, press_turn_on)
    with qtbot.waitSignal(d.changed, timeout=5000):  # turned on by a pool thread
        click(qtbot, d.sync_box)
    assert seen == {"default": False}
    with store.read() as s:
        assert s.scalar(select(Cart.sync).where(Cart.name == "Shop")) is True
    assert d.sync_box.isChecked()
    qtbot.keyClick(d.url.editor, ESC)  # nothing left unsaved: closes without asking
    assert not d.isVisible() and not open_boxes()


# --- item 11: Receive PO takes several lines; SKUs in any letter case ---------------------

def test_receive_po_several_lines_in_one_go(qtbot, store):
    with store.write() as s:
        add_product(s, sku="P3", name="Gizmo", qoh=1, actor=ACTOR)
    d = po_dialog(qtbot, store)

    def line(sku, qty):
        d.sku_field.line.setFocus()
        qtbot.keyClicks(d.sku_field.line, sku)
        qtbot.keyClick(QApplication.focusWidget(), TAB)  # leaves the SKU (and its completer)
        assert d.focusWidget() is d.quantity.editor
        qtbot.keyClicks(d.quantity.editor, qty)

    line("p2", "12")  # typed in lower case: P2 is the only product with that SKU
    idle()
    assert d.item_name.text() == "Gadget"
    click(qtbot, d.add_button)
    idle()
    assert d.lines_model.rows == [("P2", "Gadget", 12)]
    assert d.sku_field.sku() == "" and qoh(store, "P2") == 0  # nothing received yet
    line("P3", "5")
    click(qtbot, d.add_button)
    idle()  # the line is added once its SKU's look-up answered
    line("P1", "2")
    qtbot.keyClicks(d.reference.editor, "PO-501")
    with saved(qtbot, d):
        qtbot.keyClick(d.reference.editor, ENTER)  # Receive: the two lines and the one typed
    assert not d.isVisible()
    assert (qoh(store, "P2"), qoh(store, "P3"), qoh(store, "P1")) == (12, 6, 52)
    with store.read() as s:
        assert s.scalars(select(LedgerEntry.reference).where(
            LedgerEntry.source == "po receipt")).all() == ["PO-501"] * 3


def test_receive_po_a_bad_line_receives_none(qtbot, store):
    from seom_desktop.inventory.validation import MAX_QOH

    d = po_dialog(qtbot, store)
    qtbot.keyClicks(d.sku_field.line, "P2")
    qtbot.keyClicks(d.quantity.editor, "4")
    click(qtbot, d.add_button)
    idle()  # the line is added once its SKU's look-up answered
    qtbot.keyClicks(d.sku_field.line, "P1")
    qtbot.keyClicks(d.quantity.editor, str(MAX_QOH))  # a quantity, but 50 + it is too many
    click(qtbot, d.add_button)
    idle()
    assert len(d.lines_model.rows) == 2
    before = counts(store)
    with saved(qtbot, d):
        qtbot.keyClick(d.sku_field.line, ENTER)
    assert d.isVisible() and counts(store) == before and qoh(store, "P2") == 0
    assert "Line 2 (P1)" in d.general_error.text()
    assert "Nothing was received" in d.general_error.text()


def test_read_only_fields_look_read_only(qtbot, store):
    from PySide6.QtGui import QPalette

    def looks_fixed(edit):
        pal = edit.palette()
        return pal.color(QPalette.ColorRole.Base) == pal.color(QPalette.ColorRole.Window)

    d = carts_dialog(qtbot, store)
    assert not d.name.editor.isReadOnly() and not looks_fixed(d.name.editor)  # Add Cart
    d.list_view.selectRow(0)
    click(qtbot, d.edit_button)
    assert d.name.editor.isReadOnly() and looks_fixed(d.name.editor)  # a cart's name is fixed
    click(qtbot, d.add_button)
    assert not looks_fixed(d.name.editor)
    v = view_dialog(qtbot, store, sku="P1")
    m = v.web_model
    fixed = m.index(0, m.LAST_SENT).data(Qt.ItemDataRole.BackgroundRole)
    assert fixed is not None and m.index(0, m.RESERVE).data(Qt.ItemDataRole.BackgroundRole) \
        is None


def test_new_cart_turn_on_button_saves_the_cart_with_sync_on(qtbot, store):
    from PySide6.QtCore import QTimer

    from seom_desktop.store.models import Cart
    from seom_desktop.ui.dialogs.sync_warning import SyncWarningDialog

    d = carts_dialog(qtbot, store)  # opens on Add Cart
    qtbot.keyClicks(d.name.editor, "New Shop")
    d.kind_combo.setCurrentText("woocommerce")
    qtbot.keyClicks(d.url.editor, "http://127.0.0.1:5")
    seen = {}

    def press_turn_on(n=0):
        w = d.findChild(SyncWarningDialog)
        if w is None or not w.isVisible():
            if n < 500:
                QTimer.singleShot(10, lambda: press_turn_on(n + 1))
            return
        seen["text"] = w.turn_on_button.text()
        click(qtbot, w.turn_on_button)

    QTimer.singleShot(0, press_turn_on)
    with saved(qtbot, d):
        click(qtbot, d.sync_box)
    assert seen["text"] == "Save the cart with Synchronize Inventory on"
    with store.read() as s:
        assert s.scalar(select(Cart.sync).where(Cart.name == "New Shop")) is True
    assert not d.has_unsaved()
