"""View Inventory's Reorder point row (ui/dialogs/reorder_point.py) on a real store:
shows the item's reorder point and LOW STOCK, saves a new one (typed, then Save),
refuses a bad one with the error under the field and the store unchanged, and an empty
field clears it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from seom_desktop.store.models import Product
from seom_desktop.ui.dialogs.reorder_point import ReorderPointRow


def _point(store, sku):
    with store.read() as s:
        return s.scalar(select(Product.reorder_point).where(Product.sku == sku))


def test_show_save_refuse_and_clear(qtbot, sqlite_store):
    with sqlite_store.write() as s:
        s.add(Product(sku="R-1", name="Rope", qoh=3, reorder_point=5))
    row = ReorderPointRow(sqlite_store)
    qtbot.addWidget(row)
    row.show()
    with qtbot.waitSignal(row.loaded, timeout=20_000):
        row.load("R-1", qoh=3)
    assert row.edit.text() == "5" and row.state.text() == "LOW STOCK"

    row.edit.selectAll()
    qtbot.keyClicks(row.edit, "2")
    assert row.has_unsaved()
    with qtbot.waitSignal(row.saved, timeout=20_000) as got:
        qtbot.mouseClick(row.save_button, Qt.MouseButton.LeftButton)
    assert got.args == [2] and _point(sqlite_store, "R-1") == 2
    assert row.state.text() == "" and not row.has_unsaved()

    row.edit.selectAll()
    qtbot.keyClicks(row.edit, "-4")
    qtbot.mouseClick(row.save_button, Qt.MouseButton.LeftButton)
    assert "must be 0 or more" in row.field.error.message
    assert _point(sqlite_store, "R-1") == 2

    row.edit.clear()
    with qtbot.waitSignal(row.saved, timeout=20_000) as got:
        qtbot.keyClick(row.edit, Qt.Key.Key_Return)
    assert got.args == [None] and _point(sqlite_store, "R-1") is None


def test_low_stock_filter_and_status_bar_count(qtbot, sqlite_store, make_window):
    with sqlite_store.write() as s:
        s.add_all([Product(sku="A-1", name="Anchor", qoh=2, reorder_point=2),
                   Product(sku="B-2", name="Buoy", qoh=9, reorder_point=3),
                   Product(sku="C-3", name="Cleat", qoh=0, reorder_point=1),
                   Product(sku="D-4", name="Davit", qoh=0)])
    w = make_window(sqlite_store)
    with qtbot.waitActive(w):
        w.show()
    qtbot.waitUntil(lambda: w.model.rowCount() == 4)
    qtbot.waitUntil(lambda: w.status.low_stock_label.text() == "Low stock: 2", timeout=20_000)
    qtbot.mouseClick(w.low_stock_box, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.model.rowCount() == 2)
    assert [w.model.row_at(i).sku for i in range(2)] == ["A-1", "C-3"]
    qtbot.waitUntil(lambda: w.count_label.text() == "2 products found")
    qtbot.keyClicks(w.search, "C-")
    qtbot.waitUntil(lambda: w.model.rowCount() == 1)
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # the box's mnemonic
    qtbot.waitUntil(lambda: not w.low_stock_box.isChecked() and w.model.rowCount() == 1)
    w.search.clear()
    qtbot.waitUntil(lambda: w.model.rowCount() == 4)


def test_view_inventory_shows_and_saves_the_reorder_point(qtbot, sqlite_store):
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog

    with sqlite_store.write() as s:
        s.add(Product(sku="V-1", name="Valve", qoh=4, reorder_point=6))
    d = ViewInventoryDialog(sqlite_store, workstation="test-ws", sku="V-1")
    qtbot.addWidget(d)
    d.show()
    row = d.reorder_row
    qtbot.waitUntil(lambda: row.isEnabled() and row.edit.text() == "6", timeout=20_000)
    assert row.state.text() == "LOW STOCK"
    row.edit.selectAll()
    qtbot.keyClicks(row.edit, "3")
    with qtbot.assertNotEmitted(d.shown, wait=500):  # Enter is not the dialog's Show
        with qtbot.waitSignal(row.saved, timeout=20_000):
            qtbot.keyClick(row.edit, Qt.Key.Key_Return)
    assert _point(sqlite_store, "V-1") == 3 and row.state.text() == ""
