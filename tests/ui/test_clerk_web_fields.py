"""View Inventory's Web Fields are saved only for the product its SKU box names, as a
clerk types and clicks: another product typed but not shown refuses the save; a SKU typed
in another letter case names its product even when Save is pressed before the look-up
answered; showing another product or Esc with unsaved web fields asks first."""

from __future__ import annotations

import pytest
from clerk_boxes import answer_box
from clerk_kit import (
    ENTER,
    ESC,
    click,
    reserves,
    saved,
    store_fixture,
    type_in_cell,
    view_dialog,
)

pytest.importorskip("pytestqt")


store = store_fixture()


def test_web_fields_save_only_for_the_product_the_sku_box_names(qtbot, store):
    d = view_dialog(qtbot, store)
    qtbot.keyClicks(d.sku_field.line, "P2")
    with qtbot.waitSignal(d.shown, timeout=5000):
        qtbot.keyClick(d.sku_field.line, ENTER)  # Show
    assert d.tabs.tabText(1) == "Web Fields \u2014 P2"
    assert "P2" in d.web_title.text() and "Gadget" in d.web_title.text()
    d.sku_field.line.selectAll()
    qtbot.keyClicks(d.sku_field.line, "P1")  # typed, Show not pressed
    d.tabs.setCurrentIndex(1)
    type_in_cell(qtbot, d.web_view, 0, d.web_model.RESERVE, "4")
    before = reserves(store)
    click(qtbot, d.save_web_button)  # acts once the SKU typed is looked up
    qtbot.waitUntil(d.web_error.isVisible)
    assert "P1" in d.web_error.text() and "P2" in d.web_error.text()
    assert "Nothing was saved" in d.web_error.text() and "Saved" not in d.web_status.text()
    assert reserves(store) == before
    d.sku_field.line.selectAll()
    qtbot.keyClicks(d.sku_field.line, "P2")
    with saved(qtbot, d):
        click(qtbot, d.save_web_button)
    assert reserves(store) == [("P2", 4)]


def test_showing_another_product_with_unsaved_web_fields_asks(qtbot, store):
    d = view_dialog(qtbot, store, sku="P2")
    d.tabs.setCurrentIndex(1)
    type_in_cell(qtbot, d.web_view, 0, d.web_model.RESERVE, "6")
    d.sku_field.line.selectAll()
    qtbot.keyClicks(d.sku_field.line, "P1")
    seen = answer_box(qtbot, button="Save")
    with qtbot.waitSignal(d.shown, timeout=5000):  # saved, then P1 is read and shown
        click(qtbot, d.open_button)
    qtbot.waitUntil(lambda: d.current_sku == "P1")
    assert seen and "P2" in seen[0]
    assert reserves(store) == [("P2", 6)]  # saved to the product it was typed for
    assert d.current_sku == "P1" and d.tabs.tabText(1) == "Web Fields \u2014 P1"


def test_save_pressed_before_the_look_up_of_another_case_answered_saves(qtbot, store, gate):
    d = view_dialog(qtbot, store, sku="P1")
    d.tabs.setCurrentIndex(1)
    type_in_cell(qtbot, d.web_view, 0, d.web_model.RESERVE, "3")
    slow = gate("p1")  # "p1" names P1 (no other SKU differs only by case), answered late
    d.sku_field.line.selectAll()
    qtbot.keyClicks(d.sku_field.line, "p1")
    assert slow.held.wait(10)
    click(qtbot, d.save_web_button)
    assert not d.web_error.isVisible() and reserves(store) == []  # waits for the answer
    with saved(qtbot, d):
        slow.open.set()
    assert not d.web_error.isVisible(), d.web_error.text()
    assert reserves(store) == [("P1", 3)]


def test_view_inventory_esc_with_unsaved_web_fields_asks(qtbot, store):
    d = view_dialog(qtbot, store, sku="P1")
    d.tabs.setCurrentIndex(1)
    type_in_cell(qtbot, d.web_view, 0, d.web_model.RESERVE, "2")
    seen = answer_box(qtbot, button="Cancel")
    qtbot.keyClick(d.web_view, ESC)
    assert seen and d.isVisible() and reserves(store) == []
    seen = answer_box(qtbot, key=ENTER)  # Save, the default answer
    with saved(qtbot, d):
        qtbot.keyClick(d.web_view, ESC)
    qtbot.waitUntil(lambda: not d.isVisible())  # closed once the save was written
    assert seen and reserves(store) == [("P1", 2)]
