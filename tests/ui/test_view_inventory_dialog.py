"""View Inventory filled through its widgets and checked in the store: the item, its
ledger and its web fields per cart; web fields edited and saved (Sync, cart SKU, reserve,
maximum, a cap cleared); bad input refused next to the cell, and nothing saved."""

from __future__ import annotations

import pytest
from clerk_kit import (
    click,
    snapshot,
    store_fixture,
    type_in_cell,
    view_dialog,
)
from pool_idle import idle
from PySide6.QtCore import Qt
from sqlalchemy import select

from seom_desktop.inventory.actor import Actor
from seom_desktop.store.models import Product

pytest.importorskip("pytestqt")


store = store_fixture(carts=(("Woo", "woocommerce"), ("Shop", "shopify")), p1_qoh=10)


def web_row(d, cart):
    return next(i for i, r in enumerate(d.web_model.rows) if r.cart == cart)


def web_fields(store, cart):
    with store.read() as s:
        from seom_desktop.inventory.products import web_fields_of

        pid = s.scalar(select(Product.id).where(Product.sku == "P1"))
        return next(v for v in web_fields_of(s, pid) if v.cart == cart)


def test_view_inventory_shows_item_and_ledger(qtbot, store):
    from seom_desktop.inventory.operations import receive_po

    with store.write() as s:
        receive_po(s, sku="P1", quantity=5, actor=Actor("maria", "back-office"), po="PO-9")
    d = view_dialog(qtbot, store)
    qtbot.keyClicks(d.sku_field.line, "P1")
    idle()
    with qtbot.waitSignal(d.shown, timeout=5000):
        click(qtbot, d.open_button)
    assert (d.sku_label.text(), d.name_label.text(), d.qoh_label.text()) == ("P1", "Widget", "15")
    rows = d.ledger_model.rows
    assert len(rows) == 2  # newest first
    assert rows[0][1:] == ("maria", "back-office", "po receipt", "+5", "15",
                           "purchase order received", "PO-9", "waiting")
    assert rows[1][3:6] == ("new product", "+10", "10")
    assert [r.cart for r in d.web_model.rows] == ["Shop", "Woo"]


def test_view_inventory_unknown_sku_is_refused(qtbot, store):
    d = view_dialog(qtbot, store)
    qtbot.keyClicks(d.sku_field.line, "NOPE")
    idle()
    click(qtbot, d.open_button)
    qtbot.waitUntil(lambda: d.sku_field.error.isVisible())
    assert d.sku_field.error.isVisible() and "unknown SKU" in d.sku_field.error.text()
    assert d.sku_label.text() == "—"


def test_web_fields_edited_and_saved(qtbot, store):
    d = view_dialog(qtbot, store, sku="P1")
    d.tabs.setCurrentIndex(1)
    r = web_row(d, "Woo")
    m = d.web_model
    type_in_cell(qtbot, d.web_view, r, m.CART_SKU, "WOO-P1")
    type_in_cell(qtbot, d.web_view, r, m.RESERVE, "2")
    type_in_cell(qtbot, d.web_view, r, m.MAX_QTY, "5")
    d.web_view.setCurrentIndex(m.index(web_row(d, "Shop"), m.SYNC))
    qtbot.keyClick(d.web_view, Qt.Key.Key_Space)  # Sync off for Shop
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_web_button)
    woo = web_fields(store, "Woo")
    assert (woo.sync, woo.cart_sku, woo.reserve, woo.max_qty) == (True, "WOO-P1", 2, 5)
    assert web_fields(store, "Shop").sync is False
    qtbot.waitUntil(lambda: "Saved" in d.web_status.text())  # read again after the save
    # the shaped quantities now follow: clearing the cap removes it
    r = web_row(d, "Woo")
    type_in_cell(qtbot, d.web_view, r, m.MAX_QTY, "")
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_web_button)
    assert web_fields(store, "Woo").max_qty is None


@pytest.mark.parametrize("col,text,words", [
    ("RESERVE", "lots", "whole number"),
    ("RESERVE", "-1", "at least 0"),
    ("MAX_QTY", "5000000000", "out of range"),
    ("CART_SKU", "x" * 256, "longer than 255"),
])
def test_web_fields_bad_input_refused_and_nothing_saved(qtbot, store, col, text, words):
    d = view_dialog(qtbot, store, sku="P1")
    d.tabs.setCurrentIndex(1)
    m = d.web_model
    before = snapshot(store)
    type_in_cell(qtbot, d.web_view, web_row(d, "Shop"), m.RESERVE, "3")  # a good change too
    type_in_cell(qtbot, d.web_view, web_row(d, "Woo"), getattr(m, col), text)
    with qtbot.assertNotEmitted(d.changed):
        click(qtbot, d.save_web_button)
    assert d.web_error.isVisible()
    assert words in d.web_error.text() and "Woo" in d.web_error.text()
    assert (web_row(d, "Woo"), getattr(m, col)) in m.errors  # the cell is marked
    assert snapshot(store) == before
