"""Adjust Inventory, Receive Purchase Order and POS Sale, filled through
their widgets and checked in the store: QOH, the ledger, and the web stack rows made (or
not made, when "Send QOH changes to Web sites" is cleared); bad input is refused next
to the field and writes nothing. (View Inventory: test_view_inventory_dialog.py.)"""

from __future__ import annotations

import pytest
from clerk_boxes import answer_box, quiet_close
from clerk_kit import click, snapshot, store_fixture
from pool_idle import idle
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from seom_desktop.inventory.actor import Actor
from seom_desktop.store.models import LedgerEntry, Product, StackRow
from seom_desktop.store.params import set_param

pytest.importorskip("pytestqt")

WS = "front-desk"
ACTOR = Actor("setup", WS)


store = store_fixture(carts=(("Woo", "woocommerce"), ("Shop", "shopify")), p1_qoh=10)


def qoh(store, sku):
    with store.read() as s:
        return s.scalar(select(Product.qoh).where(Product.sku == sku))


def ledger(store, sku):
    with store.read() as s:
        return list(s.execute(
            select(LedgerEntry.delta, LedgerEntry.qoh_after, LedgerEntry.source,
                   LedgerEntry.reason, LedgerEntry.reference, LedgerEntry.workstation)
            .join(Product, Product.id == LedgerEntry.product_id)
            .where(Product.sku == sku).order_by(LedgerEntry.id)))


def stack_count(store):
    with store.read() as s:
        return s.scalar(select(func.count()).select_from(StackRow))


# --- Adjust Inventory ------------------------------------------------------------------

def open_adjust(qtbot, store, **kw):
    from seom_desktop.ui.dialogs.adjust_inventory import AdjustInventoryDialog

    d = AdjustInventoryDialog(store, workstation=WS, **kw)
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    idle()
    return d


def test_adjust_new_qoh_is_written_with_ledger_and_sent_to_every_synced_cart(qtbot, store):
    d = open_adjust(qtbot, store)
    qtbot.keyClicks(d.sku_field.line, "P1")
    idle()
    assert d.current_qoh.text() == "10"
    assert d.item_name.text() == "Widget"
    qtbot.keyClicks(d.quantity.editor, "25")
    qtbot.keyClicks(d.reason.editor, "stock count")
    assert d.send_box.isChecked()  # checked by default
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_button)
    assert qoh(store, "P1") == 25
    assert ledger(store, "P1")[-1] == (15, 25, "adjust", "stock count", "", WS)
    assert stack_count(store) == 2  # Woo and Shop
    assert d.result() == d.DialogCode.Accepted


def test_adjust_change_with_send_cleared_writes_no_stack_rows(qtbot, store):
    d = open_adjust(qtbot, store, sku="P1")
    assert d.sku_field.sku() == "P1" and d.current_qoh.text() == "10"
    click(qtbot, d.change_radio)
    qtbot.keyClicks(d.quantity.editor, "-4")
    click(qtbot, d.send_box)
    assert not d.send_box.isChecked()
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_button)
    assert qoh(store, "P1") == 6
    assert ledger(store, "P1")[-1][:3] == (-4, 6, "adjust")
    assert stack_count(store) == 0


@pytest.mark.parametrize("sku,qty,field,words", [
    ("P1", "ten", "quantity", "whole number"),
    ("P1", "2000000000", "quantity", "out of range"),
    ("P1", "", "quantity", "required"),
    ("NOPE", "5", "sku", "unknown SKU"),
    ("", "5", "sku", "SKU is empty"),
])
def test_adjust_bad_input_is_refused_next_to_the_field(qtbot, store, sku, qty, field, words):
    d = open_adjust(qtbot, store)
    before = snapshot(store)
    qtbot.keyClicks(d.sku_field.line, sku)
    idle()
    qtbot.keyClicks(d.quantity.editor, qty)
    with qtbot.assertNotEmitted(d.changed):
        click(qtbot, d.save_button)
        idle()  # the SKU's look-up answered, then the save checked
    target = d.sku_field if field == "sku" else d.quantity
    assert target.error.isVisible()
    assert words in target.error.text()
    assert d.isVisible()  # stays open for a correction
    assert snapshot(store) == before


def test_adjust_below_zero_is_refused_by_the_store_next_to_the_quantity(qtbot, store):
    d = open_adjust(qtbot, store, sku="P1")
    click(qtbot, d.change_radio)
    qtbot.keyClicks(d.quantity.editor, "-11")
    before = snapshot(store)
    with qtbot.waitSignal(d.save_finished, timeout=5000) as saved:  # refused off the UI thread
        click(qtbot, d.save_button)
    assert saved.args == [False]
    assert "below zero" in d.quantity.error.text() and d.quantity.error.isVisible()
    assert d.save_button.isEnabled() and d.isVisible()  # open again for a correction
    assert snapshot(store) == before


def test_adjust_reason_required_when_track_inventory_adjustments(qtbot, store):
    with store.write() as s:
        set_param(s, "TrackInventoryAdjustments", True)
    d = open_adjust(qtbot, store, sku="P1")
    qtbot.keyClicks(d.quantity.editor, "3")
    before = snapshot(store)
    click(qtbot, d.save_button)
    assert d.reason.error.isVisible() and "reason is required" in d.reason.error.text()
    assert snapshot(store) == before
    qtbot.keyClicks(d.reason.editor, "damaged")
    asked = answer_box(qtbot, button="Yes")  # 10 -> 3 drops by more than half
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_button)
    assert asked
    assert qoh(store, "P1") == 3
    assert ledger(store, "P1")[-1][3] == "damaged"


# --- Receive Purchase Order / POS Sale --------------------------------------------------

def test_receive_po_adds_and_records_the_po(qtbot, store):
    from seom_desktop.ui.dialogs.receive_po import ReceivePurchaseOrderDialog

    d = ReceivePurchaseOrderDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    idle()
    qtbot.keyClicks(d.sku_field.line, "P2")
    idle()
    qtbot.keyClicks(d.quantity.editor, "100")
    qtbot.keyClicks(d.reference.editor, "PO-77")
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_button)
    assert qoh(store, "P2") == 100
    assert ledger(store, "P2")[-1][:5] == (100, 100, "po receipt", "purchase order received",
                                           "PO-77")
    assert stack_count(store) == 2


def test_pos_sale_takes_off_and_records_the_reference(qtbot, store):
    from seom_desktop.ui.dialogs.pos_sale import POSSaleDialog

    d = POSSaleDialog(store, workstation=WS, sku="P1")
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    idle()
    assert d.current_qoh.text() == "10"
    qtbot.keyClicks(d.quantity.editor, "3")
    qtbot.keyClicks(d.reference.editor, "till 2")
    with qtbot.waitSignal(d.changed, timeout=2000):
        click(qtbot, d.save_button)
    assert qoh(store, "P1") == 7
    assert ledger(store, "P1")[-1][:5] == (-3, 7, "pos sale", "POS sale", "till 2")
    assert stack_count(store) == 2


@pytest.mark.parametrize("dialog", ["receive_po", "pos_sale"])
@pytest.mark.parametrize("sku,qty,field,words", [
    ("P1", "0", "quantity", "at least 1"),
    ("P1", "-5", "quantity", "at least 1"),
    ("P1", "1.5", "quantity", "whole number"),
    ("P1", "99999999999", "quantity", "out of range"),
    ("ZZZ", "1", "sku", "unknown SKU"),
])
def test_po_and_pos_bad_input_refused(qtbot, store, dialog, sku, qty, field, words):
    from seom_desktop.ui.dialogs.pos_sale import POSSaleDialog
    from seom_desktop.ui.dialogs.receive_po import ReceivePurchaseOrderDialog

    cls = ReceivePurchaseOrderDialog if dialog == "receive_po" else POSSaleDialog
    d = cls(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    idle()
    before = snapshot(store)
    qtbot.keyClicks(d.sku_field.line, sku)
    idle()
    qtbot.keyClicks(d.quantity.editor, qty)
    with qtbot.assertNotEmitted(d.changed):
        click(qtbot, d.save_button)
        idle()  # the SKU's look-up answered, then the save checked
    target = d.sku_field if field == "sku" else d.quantity
    assert target.error.isVisible() and words in target.error.text()
    assert snapshot(store) == before


def test_pos_sale_more_than_on_hand_is_refused(qtbot, store):
    from seom_desktop.ui.dialogs.pos_sale import POSSaleDialog

    d = POSSaleDialog(store, workstation=WS, sku="P2")
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    idle()
    qtbot.keyClicks(d.quantity.editor, "1")
    before = snapshot(store)
    with qtbot.waitSignal(d.save_finished, timeout=5000):
        click(qtbot, d.save_button)
    assert d.quantity.error.isVisible() and "below zero" in d.quantity.error.text()
    assert snapshot(store) == before


def test_adjust_saves_off_the_ui_thread_while_the_store_is_locked(qtbot, store):
    """The write runs on a pool thread: while another connection holds SQLite's write
    lock the dialog keeps answering (its buttons disabled, typing still works), and the
    ledger row is inserted by a thread other than the UI thread."""
    import threading

    from sqlalchemy import event

    writers: list[int] = []

    def note_writer(_conn, _cursor, statement, *_a) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO LEDGER"):
            writers.append(threading.get_ident())

    event.listen(store.engine, "before_cursor_execute", note_writer)
    lock = store.engine.raw_connection()  # another workstation holding the write lock
    try:
        d = open_adjust(qtbot, store, sku="P1")
        click(qtbot, d.change_radio)
        qtbot.keyClicks(d.quantity.editor, "2")
        lock.cursor().execute("BEGIN IMMEDIATE")
        click(qtbot, d.save_button)
        qtbot.wait(300)  # the UI thread runs meanwhile: the write waits for the lock
        assert d.saving and not d.save_button.isEnabled() and not d.close_button.isEnabled()
        qtbot.keyClicks(d.reason.editor, "counted")  # the dialog still takes keys
        assert d.reason.editor.text() == "counted"
        asked = answer_box(qtbot, button="Cancel")
        qtbot.keyClick(d.reason.editor, Qt.Key.Key_Escape)  # Esc waits for the save
        asked.stop()
        assert not asked and d.isVisible()
        assert writers == [] and qoh(store, "P1") == 10
        with qtbot.waitSignal(d.changed, timeout=10_000):
            lock.rollback()
    finally:
        lock.close()
        event.remove(store.engine, "before_cursor_execute", note_writer)
    assert qoh(store, "P1") == 12
    assert writers and threading.main_thread().ident not in writers
    assert d.result() == d.DialogCode.Accepted


def test_sku_field_reads_its_completer_list_off_the_ui_thread(qtbot, store):
    """The SKU list arrives later; until it has, a SKU typed in another letter case is
    still matched (asked of the store), and the completer then offers every SKU."""
    from seom_desktop.ui.dialogs.sku_field import SkuField

    f = SkuField(store)
    qtbot.addWidget(f)
    assert f.completer.model().stringList() == []  # nothing read on the UI thread
    f.set_sku("p2")
    idle()  # the look-up and the completer's list answered
    assert f.lookup() == ("P2", "Gadget", 0)
    assert f.completer.model().stringList() == ["P1", "P2"]
    f.set_sku("p1")
    idle()
    assert f.lookup() == ("P1", "Widget", 10)
    f.set_sku("p3")
    idle()
    assert f.check() is None and "unknown SKU 'p3'" in f.error.text()
