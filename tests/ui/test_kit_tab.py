"""Kits in the window: the main list marks kits and shows their derived QOH (following a
component's change); View Inventory's Kit tab lists a kit's components, the quantity of
each per kit, each one's QOH and which one limits the kit."""

from __future__ import annotations

from PySide6.QtCore import Qt

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.kits import set_kit
from seom_desktop.inventory.operations import adjust
from seom_desktop.inventory.products import add_product

ACTOR = Actor("clerk", "test-ws")


def _tea(store):
    with store.write() as s:
        for sku, qoh in (("CUP", 9), ("SAUCER", 3), ("SPOON", 50)):
            add_product(s, sku=sku, name=sku.title(), qoh=qoh, actor=ACTOR)
        set_kit(s, sku="TEA-SET", components=[("CUP", 2), ("SAUCER", 1)], actor=ACTOR)
        set_kit(s, sku="GIFT", components=[("TEA-SET", 1), ("SPOON", 10)], actor=ACTOR)


def _cells(model):
    return {model.index(r, 0).data(): tuple(model.index(r, c).data()
                                            for c in range(1, model.columnCount()))
            for r in range(model.rowCount())}


def test_the_main_list_marks_kits_with_their_derived_qoh(qtbot, sqlite_store, make_window):
    _tea(sqlite_store)
    w = make_window(sqlite_store)
    w.show()
    qtbot.waitUntil(lambda: w.model.rowCount() == 5)
    assert w.model.headerData(3, Qt.Orientation.Horizontal) == "Kit"
    cells = _cells(w.model)
    assert cells["TEA-SET"] == ("TEA-SET", "3", "kit")
    assert cells["GIFT"] == ("GIFT", "3", "kit")
    assert cells["CUP"] == ("Cup", "9", "")
    with sqlite_store.write() as s:
        adjust(s, sku="SAUCER", delta=-2, actor=ACTOR)
    w.model.refresh_qoh()
    qtbot.waitUntil(lambda: _cells(w.model)["TEA-SET"][1] == "1")
    assert _cells(w.model)["GIFT"][1] == "1"


def _kit_rows(tab):
    m = tab.model
    return [tuple(m.index(r, c).data() for c in range(m.columnCount()))
            for r in range(m.rowCount())]


def test_view_inventory_kit_tab_shows_components_and_the_one_that_limits(qtbot, sqlite_store):
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog

    _tea(sqlite_store)
    d = ViewInventoryDialog(sqlite_store, workstation="test-ws", sku="GIFT")
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.kit_tab.loaded, timeout=5000):  # read on a pool thread
        d.show()
    tab_bar = d.tabs.tabBar()
    qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton,
                     pos=tab_bar.tabRect(d.tabs.indexOf(d.kit_tab)).center())
    assert d.tabs.currentWidget() is d.kit_tab and d.tabs.tabText(2) == "Kit"
    assert d.kit_tab.title.text() == "Kit GIFT: QOH 3 (derived from 2 component(s))"
    # GIFT = 1 TEA-SET (3: SAUCER 3 // 1 limits it) + 10 SPOON (50 // 10 = 5)
    assert _kit_rows(d.kit_tab) == [("SPOON", "10", "50", "5", ""),
                                    ("TEA-SET", "1", "3", "3", "\u2190 limits the kit")]
    assert d.qoh_label.text() == "3 (kit: derived from its components)"

    d.sku_field.line.selectAll()  # the SKU box: another kit, then a part
    qtbot.keyClicks(d.sku_field.line, "TEA-SET")
    with qtbot.waitSignal(d.kit_tab.loaded, timeout=5000):
        qtbot.mouseClick(d.open_button, Qt.MouseButton.LeftButton)
    assert _kit_rows(d.kit_tab) == [("CUP", "2", "9", "4", ""),
                                    ("SAUCER", "1", "3", "3", "\u2190 limits the kit")]
    d.sku_field.line.selectAll()
    qtbot.keyClicks(d.sku_field.line, "CUP")
    with qtbot.waitSignal(d.kit_tab.loaded, timeout=5000):
        qtbot.mouseClick(d.open_button, Qt.MouseButton.LeftButton)
    assert d.kit_tab.title.text() == "CUP is not a kit."
    assert _kit_rows(d.kit_tab) == []
    assert d.qoh_label.text() == "9"


def test_adjust_inventory_of_a_kit_is_refused_and_changes_nothing(qtbot, sqlite_store):
    from clerk_boxes import quiet_close
    from sqlalchemy import func, select

    from seom_desktop.store.models import LedgerEntry
    from seom_desktop.ui.dialogs.adjust_inventory import AdjustInventoryDialog

    _tea(sqlite_store)
    with sqlite_store.read() as s:
        before = s.scalar(select(func.count(LedgerEntry.id)))
    d = AdjustInventoryDialog(sqlite_store, workstation="test-ws", sku="TEA-SET")
    qtbot.addWidget(d, before_close_func=quiet_close)  # typed input: no Save question
    d.show()
    qtbot.keyClicks(d.quantity.editor, "25")
    with qtbot.waitSignal(d.save_finished, timeout=5000) as saved:  # refused off the UI thread
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [False]
    shown = [e.text() for e in (d.general_error, d.quantity.error, d.sku_field.error)
             if e.isVisible()]
    assert any("'TEA-SET' is a kit: its QOH comes from its components" in t for t in shown)
    with sqlite_store.read() as s:
        assert s.scalar(select(func.count(LedgerEntry.id))) == before
