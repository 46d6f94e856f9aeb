"""Adjust Inventory, Receive Purchase Order, POS Sale and View Inventory, filled through
their widgets and checked in the store: QOH, the ledger, and the web stack rows made (or
not made, when "Send QOH changes to Web sites" is cleared); bad input is refused next
to the field and writes nothing."""

from __future__ import annotations

import pytest
from clerk_boxes import answer_box, quiet_close
from pool_idle import idle
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.store.carts import add_cart
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import LedgerEntry, Product, StackRow, WebField
from seom_desktop.store.params import set_param

pytest.importorskip("pytestqt")

WS = "front-desk"
ACTOR = Actor("setup", WS)


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with s.write() as ss:
        set_param(ss, "SynchQOH", True)
        add_cart(ss, name="Woo", kind="woocommerce", url="http://127.0.0.1:9", sync=True)
        add_cart(ss, name="Shop", kind="shopify", url="http://127.0.0.1:9", sync=True)
        add_product(ss, sku="P1", name="Widget", qoh=10, actor=ACTOR)
        add_product(ss, sku="P2", name="Gadget", qoh=0, actor=ACTOR)
        ss.query(StackRow).delete()  # start from an empty web stack
    yield s
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(5000)
    s.close()


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


def snapshot(store):
    with store.read() as s:
        return (list(s.execute(select(Product.sku, Product.qoh).order_by(Product.sku))),
                s.scalar(select(func.count()).select_from(LedgerEntry)),
                s.scalar(select(func.count()).select_from(StackRow)),
                list(s.execute(select(WebField.cart_id, WebField.sync, WebField.cart_sku,
                                      WebField.reserve, WebField.max_qty))))


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


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


# --- View Inventory ---------------------------------------------------------------------

def open_view(qtbot, store, **kw):
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog

    d = ViewInventoryDialog(store, workstation=WS, **kw)
    qtbot.addWidget(d, before_close_func=quiet_close)
    if kw.get("sku"):
        with qtbot.waitSignal(d.shown, timeout=5000):  # read on a pool thread
            d.show()
            idle()
    else:
        d.show()
        idle()
    return d


def edit_cell(qtbot, view, row, col, text):
    """Type into a cell the way a clerk does: select it, type, press Enter."""
    from PySide6.QtWidgets import QLineEdit

    idx = view.model().index(row, col)
    view.setCurrentIndex(idx)
    view.edit(idx)
    editors = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.wait(1)  # let the event loop retire the closed editor, as it does for a clerk


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
    d = open_view(qtbot, store)
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
    d = open_view(qtbot, store)
    qtbot.keyClicks(d.sku_field.line, "NOPE")
    idle()
    click(qtbot, d.open_button)
    qtbot.waitUntil(lambda: d.sku_field.error.isVisible())
    assert d.sku_field.error.isVisible() and "unknown SKU" in d.sku_field.error.text()
    assert d.sku_label.text() == "—"


def test_web_fields_edited_and_saved(qtbot, store):
    d = open_view(qtbot, store, sku="P1")
    d.tabs.setCurrentIndex(1)
    r = web_row(d, "Woo")
    m = d.web_model
    edit_cell(qtbot, d.web_view, r, m.CART_SKU, "WOO-P1")
    edit_cell(qtbot, d.web_view, r, m.RESERVE, "2")
    edit_cell(qtbot, d.web_view, r, m.MAX_QTY, "5")
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
    edit_cell(qtbot, d.web_view, r, m.MAX_QTY, "")
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
    d = open_view(qtbot, store, sku="P1")
    d.tabs.setCurrentIndex(1)
    m = d.web_model
    before = snapshot(store)
    edit_cell(qtbot, d.web_view, web_row(d, "Shop"), m.RESERVE, "3")  # a good change too
    edit_cell(qtbot, d.web_view, web_row(d, "Woo"), getattr(m, col), text)
    with qtbot.assertNotEmitted(d.changed):
        click(qtbot, d.save_web_button)
    assert d.web_error.isVisible()
    assert words in d.web_error.text() and "Woo" in d.web_error.text()
    assert (web_row(d, "Woo"), getattr(m, col)) in m.errors  # the cell is marked
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
