"""Advanced Cart Functions as a clerk drives it with the keyboard, against the
WooCommerce emulator: Enter never sends (no sending button is a default button; Enter
in "Maximum number of items to send" saves it), a preview leads with what changes (with
product names, "Changes only" on by default) and leaves nothing behind when cancelled,
and the Drift Report leads with the products that differ."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from seom_desktop.emulators.woocommerce import WooCommerceEmulator
from seom_desktop.store.models import Cart
from seom_desktop.ui.dialogs.advanced_cart_functions import AdvancedCartFunctionsDialog
from seom_desktop.ui.dialogs.transfer_preview import PreviewDialog

ENTER = Qt.Key.Key_Return


@pytest.fixture
def woo3(sqlite_store, helpers):
    """Three products (QOH 1, 2, 3); the cart shows 1, 0, 0: the first already agrees."""
    emu = WooCommerceEmulator().start()
    helpers.bulk_products(sqlite_store, 3, qoh=lambda i: i + 1)
    emu.add_item("P-000000", 1)
    emu.add_item("P-000001", 0)
    emu.add_item("P-000002", 0)
    helpers.woo_cart(sqlite_store, emu, max_items=50)
    yield emu
    emu.stop()


def open_dialog(qtbot, store):
    dlg = AdvancedCartFunctionsDialog(store, workstation="test-ws")
    qtbot.addWidget(dlg)
    with qtbot.waitActive(dlg):
        dlg.show()
    qtbot.waitUntil(lambda: dlg.cart_box.count() > 0 and dlg.send_button.isEnabled())
    return dlg


def preview_of(qtbot, dlg) -> PreviewDialog:
    qtbot.waitUntil(lambda: any(p.isVisible() for p in dlg.findChildren(PreviewDialog)),
                    timeout=20_000)
    return next(p for p in dlg.findChildren(PreviewDialog) if p.isVisible())


def tick(qtbot, box):
    """Click a check box on its box (a wide check box's middle is empty space)."""
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def cart_quantities(emu):
    return [emu.quantity(f"P-{i:06d}") for i in range(3)]


def test_enter_in_maximum_items_saves_it_and_never_sends(qtbot, qasync_loop, sqlite_store,
                                                          woo3):
    dlg = open_dialog(qtbot, sqlite_store)
    assert not any(b.isDefault() or b.autoDefault() for b in
                   (dlg.send_button, dlg.get_button, dlg.orders_button))
    editor = dlg.max_spin.lineEdit()
    dlg.max_spin.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "2")
    qtbot.keyClick(editor, ENTER)
    qtbot.waitUntil(lambda: "saved" in dlg.message.text(), timeout=5000)
    qtbot.keyClick(editor, ENTER)  # a second Enter: saved again, still nothing sent
    qtbot.waitUntil(lambda: "saved" in dlg.message.text(), timeout=5000)
    with sqlite_store.read() as s:
        assert s.scalar(select(Cart.max_items).where(Cart.name == "Woo")) == 2
    assert not dlg.findChildren(PreviewDialog)
    assert cart_quantities(woo3) == [1, 0, 0] and sum(woo3.applied.values()) == 0


def test_send_preview_leads_with_changes_and_enter_cancels(qtbot, qasync_loop, sqlite_store,
                                                           woo3):
    dlg = open_dialog(qtbot, sqlite_store)
    qtbot.mouseClick(dlg.send_button, Qt.MouseButton.LeftButton)
    p = preview_of(qtbot, dlg)
    assert p.changes_only.isChecked()
    assert p.model.rows == [("P-000001", "Item number 1", 0, 2, ""),
                            ("P-000002", "Item number 2", 0, 3, "")]
    tick(qtbot, p.changes_only)  # all rows, changes first
    assert [r[0] for r in p.model.rows] == ["P-000001", "P-000002", "P-000000"]
    assert p.cancel_button.isDefault() and not p.ok_button.isDefault()
    qtbot.keyClick(p, ENTER)  # Enter in the preview: Cancel, the default
    qtbot.waitUntil(lambda: dlg.message.text() == "Nothing was sent.", timeout=5000)
    assert cart_quantities(woo3) == [1, 0, 0] and sum(woo3.applied.values()) == 0
    assert dlg.results.rowCount() == 0  # no stale preview left in the results


def test_drift_report_leads_with_what_differs(qtbot, qasync_loop, sqlite_store, woo3):
    dlg = open_dialog(qtbot, sqlite_store)
    qtbot.mouseClick(dlg.drift_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "differ" in dlg.message.text(), timeout=20_000)
    assert dlg.changes_only.isChecked()
    assert dlg.results.headers == ("SKU", "Name", "Should show", "Cart shows")
    assert dlg.results.rows == [("P-000001", "Item number 1", 2, 0),
                                ("P-000002", "Item number 2", 3, 0)]
    tick(qtbot, dlg.changes_only)
    assert [r[0] for r in dlg.results.rows] == ["P-000001", "P-000002", "P-000000"]
