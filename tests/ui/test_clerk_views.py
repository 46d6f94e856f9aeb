"""What the clerk sees must be current and true, checked through the main window and
its dialogs (keys and clicks) against the store: the item panel when Find matches
nothing, "not sent" for an adjustment saved with "Send QOH changes to Web sites"
cleared (item panel and ledger), Web Fields' Last sent after the stack controller sent,
Receive PO / POS Sale opening on the selected item, times in local time."""

from __future__ import annotations

from datetime import datetime

import pytest
from clerk_boxes import quiet_close
from PySide6.QtCore import Qt
from sqlalchemy import select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.operations import adjust
from seom_desktop.store.models import LedgerEntry, Product
from seom_desktop.store.params import set_param

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
ENTER = Qt.Key.Key_Return


@pytest.fixture
def window(qtbot, sqlite_store, helpers, make_window):
    helpers.bulk_products(sqlite_store, 5, qoh=lambda i: 20 + i)
    helpers.plain_cart(sqlite_store, "Woo", sync=True)
    with sqlite_store.write() as s:
        set_param(s, "SynchQOH", True)
    w = make_window(sqlite_store)
    with qtbot.waitActive(w):
        w.show()
    qtbot.waitUntil(lambda: w.selected_sku() == "P-000000")
    return w


def opened(qtbot, w, key, cls_name):
    """Press Ctrl+Shift+`key` in the window; the dialog it opened."""
    from PySide6.QtWidgets import QDialog

    if not w.isActiveWindow():
        with qtbot.waitActive(w):
            w.activateWindow()
    qtbot.keyClick(w.table, key, CTRL_SHIFT)
    d = next(d for d in w.findChildren(QDialog)
             if type(d).__name__ == cls_name and d.isVisible())
    qtbot.addWidget(d, before_close_func=quiet_close)
    return d


def test_item_panel_when_find_matches_nothing(qtbot, window):
    w = window
    qtbot.waitUntil(lambda: w.carts_model.rowCount() == 1)
    assert w.item_title.text().startswith("P-000000")
    qtbot.keyClicks(w.search, "no-such-thing")
    qtbot.keyClick(w.search, ENTER)
    qtbot.waitUntil(lambda: w.model.total == 0 and not w.model.loading)
    assert "P-000000" not in w.item_title.text()  # no longer shows an item not listed
    assert w.carts_model.rowCount() == 0 and w.selected_sku() is None


def test_adjustment_not_sent_says_so_in_item_panel_and_ledger(qtbot, window, sqlite_store):
    w = window
    d = opened(qtbot, w, Qt.Key.Key_A, "AdjustInventoryDialog")
    assert d.sku_field.sku() == "P-000000"
    qtbot.mouseClick(d.change_radio, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(d.quantity.editor, "-3")
    d.send_box.setFocus()
    qtbot.keyClick(d.send_box, Qt.Key.Key_Space)  # Send QOH changes to Web sites: cleared
    assert not d.send_box.isChecked()
    with qtbot.waitSignal(d.save_finished, timeout=5000):  # written on a pool thread
        qtbot.keyClick(d.quantity.editor, ENTER)
    with sqlite_store.read() as s:
        assert s.scalar(select(Product.qoh).where(Product.sku == "P-000000")) == 17
    qtbot.waitUntil(lambda: w.carts_model.rowCount() == 1
                    and w.carts_model.rows[0].last_change == "not sent")
    col = w.carts_model.headers.index("Last change")
    assert w.carts_model.index(0, col).data() == "not sent"
    led = opened(qtbot, w, Qt.Key.Key_L, "LedgerDialog")
    web = led.model.headers.index("Web sites")
    qtbot.waitUntil(lambda: bool(led.model.rows))
    assert [r[web] for r in led.model.rows] == ["not sent"]
    led.close()
    # the same with the box left checked: queued for the cart
    d = opened(qtbot, w, Qt.Key.Key_A, "AdjustInventoryDialog")
    qtbot.mouseClick(d.change_radio, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(d.quantity.editor, "1")
    qtbot.keyClick(d.quantity.editor, ENTER)
    qtbot.waitUntil(lambda: w.carts_model.rows and w.carts_model.rows[0].last_change == "waiting")


def test_receive_po_and_pos_sale_open_on_the_selected_item(qtbot, window, sqlite_store):
    w = window
    w.table.setFocus()
    qtbot.keyClick(w.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: w.selected_sku() == "P-000001")
    d = opened(qtbot, w, Qt.Key.Key_R, "ReceivePurchaseOrderDialog")
    assert d.sku_field.sku() == "P-000001"
    qtbot.waitUntil(lambda: d.current_qoh.text() == "21")  # looked up on a pool thread
    assert d.focusWidget() is d.quantity.editor  # the quantity is next
    qtbot.keyClicks(d.quantity.editor, "4")
    with qtbot.waitSignal(d.save_finished, timeout=5000):
        qtbot.keyClick(d.quantity.editor, ENTER)
    d = opened(qtbot, w, Qt.Key.Key_O, "POSSaleDialog")
    assert d.sku_field.sku() == "P-000001"
    qtbot.keyClicks(d.quantity.editor, "2")
    with qtbot.waitSignal(d.save_finished, timeout=5000):
        qtbot.keyClick(d.quantity.editor, ENTER)
    with sqlite_store.read() as s:
        assert s.scalar(select(Product.qoh).where(Product.sku == "P-000001")) == 23


def test_ledger_times_are_local(qtbot, window, sqlite_store, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")  # UTC+05:30, no daylight saving
    time.tzset()
    try:
        with sqlite_store.write() as s:
            adjust(s, sku="P-000000", delta=1, actor=Actor("maria", "test-ws"))
            e = s.scalar(select(LedgerEntry).join(Product, Product.id == LedgerEntry.product_id)
                         .where(Product.sku == "P-000000"))
            e.created_at = datetime(2026, 1, 2, 20, 0, 0)  # stored UTC
        led = opened(qtbot, window, Qt.Key.Key_L, "LedgerDialog")
        assert led.model.headers[0] == "When"
        qtbot.waitUntil(lambda: bool(led.model.rows))
        assert led.model.rows[0][0] == "2026-01-03 01:30:00"
        # the date filter takes local days too: the change was on the 3rd here
        from PySide6.QtCore import QDate, QPoint

        qtbot.mouseClick(led.dates_box, Qt.MouseButton.LeftButton,
                         pos=QPoint(8, led.dates_box.height() // 2))
        led.since_edit.setDate(QDate(2026, 1, 3))
        led.until_edit.setDate(QDate(2026, 1, 3))
        qtbot.waitUntil(lambda: led.model.rowCount() == 1)
        with qtbot.waitSignal(led.shown, timeout=5000):
            led.since_edit.setDate(QDate(2026, 1, 2))
        with qtbot.waitSignal(led.shown, timeout=5000):
            led.until_edit.setDate(QDate(2026, 1, 2))
        assert led.model.rowCount() == 0
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    with sqlite_store.read() as s:  # the store keeps UTC
        assert s.scalar(select(LedgerEntry.created_at)) == datetime(2026, 1, 2, 20, 0, 0)


def test_web_fields_last_sent_follows_the_stack_controller(qtbot, sqlite_store, helpers):
    from PySide6.QtWidgets import QLineEdit

    from seom_desktop.emulators.woocommerce import WooCommerceEmulator
    from seom_desktop.stack.controller import StackController
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog

    emu = WooCommerceEmulator().start()
    try:
        helpers.bulk_products(sqlite_store, 1, qoh=lambda i: 10)
        emu.add_item("P-000000", 0)
        helpers.woo_cart(sqlite_store, emu, sync=True)
        with sqlite_store.write() as s:
            set_param(s, "SynchQOH", True)
        d = ViewInventoryDialog(sqlite_store, workstation="test-ws", sku="P-000000")
        qtbot.addWidget(d, before_close_func=quiet_close)
        with qtbot.waitActive(d):
            d.show()
        d.tabs.setCurrentIndex(1)
        m = d.web_model
        qtbot.waitUntil(lambda: m.rowCount() == 1)  # read on a pool thread
        assert m.index(0, m.LAST_SENT).data() == "\u2014"
        d.web_view.setFocus()
        d.web_view.setCurrentIndex(m.index(0, m.RESERVE))
        qtbot.keyClick(d.web_view, Qt.Key.Key_F2)
        editor = next(e for e in d.web_view.viewport().findChildren(QLineEdit) if e.isVisible())
        editor.selectAll()
        qtbot.keyClicks(editor, "3")
        qtbot.keyClick(editor, ENTER)
        qtbot.wait(1)  # the closed editor is retired by the event loop, as for a clerk
        qtbot.mouseClick(d.save_web_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Saved" in d.web_status.text())
        StackController(sqlite_store, workstation="test-ws").run_once()  # sends 10 - 3
        assert emu.quantity("P-000000") == 7
        qtbot.waitUntil(lambda: m.index(0, m.LAST_SENT).data() == "7", timeout=10_000)
        assert not d.has_unsaved()  # the refresh is not an edit: closing does not ask
    finally:
        emu.stop()


def test_the_item_panel_repaints_only_what_changed(qtbot, window, sqlite_store):
    """The item's carts are read again every few seconds and after each controller pass:
    the same rows again leave the table alone (a reset would make the view ask again for
    every header and cell); a new figure on the same cart repaints its cells."""
    w = window
    qtbot.waitUntil(lambda: w.carts_model.rowCount() == 1)
    m = w.carts_model
    resets, changed = [], []
    m.modelReset.connect(lambda: resets.append(1))
    m.dataChanged.connect(lambda *a: changed.append(a))
    was = m.rows[0].should_show
    m.set_rows(list(m.rows))  # read again, nothing new
    assert not resets and not changed
    with sqlite_store.write() as s:
        adjust(s, sku="P-000000", delta=4, actor=Actor("maria", "test-ws"))
    w.refresh_visible()
    qtbot.waitUntil(lambda: bool(changed))
    assert m.rows[0].should_show == was + 4
    assert not resets
    col = m.headers.index("Should show")
    assert m.index(0, col).data() == f"{was + 4:,}"
