"""No store access on the UI thread (DESIGN.md invariant 6, issue 18): every SQL
statement the window runs is recorded with its thread (SQLAlchemy's public
`before_cursor_execute` event on the store's engine) while a clerk opens every screen of
window_dialogs.DIALOGS, types a SKU and saves where the screen saves; none may run on the
Qt main thread. Also: a SKU field never shows the product of a SKU typed before the one
in the field, and Enter pressed before the look-up answered acts on the SKU typed (also
when the SKU was typed again and its earlier answer is kept)."""

from __future__ import annotations

import threading
import traceback

import pytest
from clerk_boxes import quiet_close
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import event, select

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import add_product
from seom_desktop.store.carts import add_cart
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import Product, StackRow
from seom_desktop.store.params import set_param

pytest.importorskip("pytestqt")

WS = "front-desk"
ACTOR = Actor("setup", WS)
ENTER, TAB = Qt.Key.Key_Return, Qt.Key.Key_Tab


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with s.write() as ss:
        set_param(ss, "SynchQOH", True)
        add_cart(ss, name="Woo", kind="woocommerce", url="http://127.0.0.1:9", sync=False)
        add_product(ss, sku="P1", name="Widget", qoh=50, actor=ACTOR)
        add_product(ss, sku="P12", name="Gizmo", qoh=7, actor=ACTOR)
        add_product(ss, sku="Mixed", name="Case", qoh=3, actor=ACTOR)
        ss.query(StackRow).delete()
    yield s
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(10_000)
    s.close()


class Statements:
    """Statements run on the main thread while `recording`: (ui frame, SQL)."""

    def __init__(self):
        self.recording = False
        self.on_ui_thread: list[tuple[str, str]] = []

    def __call__(self, conn, cursor, statement, params, context, executemany):
        if not self.recording or threading.current_thread() is not threading.main_thread():
            return
        frames = [f for f in traceback.extract_stack()
                  if "seom_desktop/ui/" in f.filename.replace("\\", "/")]
        where = (f"{frames[-1].filename.rsplit('seom_desktop', 1)[-1]}:{frames[-1].lineno} "
                 f"{frames[-1].name}") if frames else "(outside ui/)"
        self.on_ui_thread.append((where, statement.split("\n")[0][:80]))

    def places(self) -> list[str]:
        return sorted({w for w, _ in self.on_ui_thread})


@pytest.fixture
def ui_thread_sql(store):
    seen = Statements()
    event.listen(store.engine, "before_cursor_execute", seen)
    yield seen
    event.remove(store.engine, "before_cursor_execute", seen)


def settle(qtbot, ms: int = 150) -> None:
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.wait(ms)


def qoh(store, sku):
    with store.read() as s:
        return s.scalar(select(Product.qoh).where(Product.sku == sku))


def close(qtbot, d) -> None:
    from shiboken6 import isValid

    settle(qtbot)
    if isValid(d) and d.isVisible():
        quiet_close(d)
    settle(qtbot, 50)


def type_sku_and_save(qtbot, d, sku: str, quantity: str) -> None:
    """Type the SKU, Tab, the quantity and Enter without waiting, as a fast clerk."""
    d.sku_field.line.setFocus()
    d.sku_field.line.selectAll()
    qtbot.keyClicks(d.sku_field.line, sku)
    d.quantity.editor.setFocus()
    qtbot.keyClicks(d.quantity.editor, quantity)
    qtbot.keyClick(d.quantity.editor, ENTER)


def test_no_store_access_on_the_ui_thread(qtbot, qasync_loop, store, make_window,
                                          ui_thread_sql):
    from seom_desktop.ui.dialogs.sync_warning import SyncWarningDialog
    from seom_desktop.ui.window_dialogs import DIALOGS

    # Start-up before the event loop runs is allowed nothing either: recording starts
    # before the window is made.
    ui_thread_sql.recording = True
    w = make_window(store, workstation=WS)
    w.show()
    qtbot.waitUntil(w.ready, timeout=10_000)
    opened = []
    for key in DIALOGS:
        d = w.open_dialog(key, sku="P1") if DIALOGS[key].for_selected_item \
            else w.open_dialog(key)
        opened.append(key)
        settle(qtbot)
        if key == "adjust_inventory":
            d.change_radio.setChecked(True)
            type_sku_and_save(qtbot, d, "P12", "2")
        elif key in ("receive_po", "pos_sale"):
            type_sku_and_save(qtbot, d, "P12", "1")
        elif key == "shopping_carts":
            d.list_view.selectRow(0)
            d.edit_selected()
            settle(qtbot)
            d.reload()
        elif key == "system_parameters":
            d.set_text("StackMaxAttempts", "11")
            d.save()
        settle(qtbot)
        close(qtbot, d)
    warn = SyncWarningDialog(store, cart_name="Woo", kind="woocommerce", parent=w)
    qtbot.addWidget(warn)
    warn.show()
    settle(qtbot)
    warn.close()
    settle(qtbot)
    ui_thread_sql.recording = False

    # the screens did their work (the saves above reached the store)
    assert qoh(store, "P12") == 7 + 2 + 1 - 1
    assert set(opened) == set(DIALOGS)
    assert ui_thread_sql.places() == [], "statements on the UI thread from:\n" + "\n".join(
        ui_thread_sql.places())


def test_a_late_answer_for_an_earlier_sku_is_not_shown(qtbot, store, gate):
    from seom_desktop.ui.dialogs.pos_sale import POSSaleDialog

    d = POSSaleDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    slow = gate("P1")  # the answer for "P1" comes after the one for "P12"
    qtbot.keyClicks(d.sku_field.line, "P1")
    assert slow.held.wait(10)
    qtbot.keyClicks(d.sku_field.line, "2")
    qtbot.waitUntil(lambda: d.item_name.text() == "Gizmo")
    slow.open.set()
    settle(qtbot)
    assert (d.item_name.text(), d.current_qoh.text()) == ("Gizmo", "7")
    assert d.sku_field.lookup() == ("P12", "Gizmo", 7)


def test_enter_before_the_look_up_answered_sells_the_sku_typed(qtbot, store, gate):
    from seom_desktop.ui.dialogs.pos_sale import POSSaleDialog

    d = POSSaleDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    with qtbot.waitActive(d):
        d.show()
    slow = gate("P12")
    d.sku_field.line.setFocus()
    qtbot.keyClicks(d.sku_field.line, "P12")
    qtbot.keyClick(QApplication.focusWidget(), TAB)  # leaves the SKU (and its completer)
    assert d.focusWidget() is d.quantity.editor
    qtbot.keyClicks(d.quantity.editor, "2")
    qtbot.keyClick(d.quantity.editor, ENTER)
    assert slow.held.wait(10)
    assert d.isVisible() and qoh(store, "P12") == 7  # waits for the answer
    with qtbot.waitSignal(d.save_finished, timeout=10_000):
        slow.open.set()
    assert qoh(store, "P12") == 5 and qoh(store, "P1") == 50


def test_enter_while_a_sku_typed_again_is_looked_up_sells_it(qtbot, store, gate):
    from seom_desktop.ui.dialogs.pos_sale import POSSaleDialog

    d = POSSaleDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    with qtbot.waitActive(d):
        d.show()
    qtbot.keyClicks(d.sku_field.line, "P12")
    qtbot.waitUntil(lambda: d.item_name.text() == "Gizmo")
    slow = gate("P12")  # typed again: its second look-up is held, the first was answered
    d.sku_field.line.selectAll()
    qtbot.keyClicks(d.sku_field.line, "P12")
    assert slow.held.wait(10) and d.sku_field.pending()
    d.quantity.editor.setFocus()
    qtbot.keyClicks(d.quantity.editor, "2")
    qtbot.keyClick(d.quantity.editor, ENTER)  # acts on the answer kept for "P12"
    with qtbot.waitSignal(d.save_finished, timeout=10_000):
        slow.open.set()  # (the sale's own read of P12 meets the gate too)
    settle(qtbot)
    assert qoh(store, "P12") == 5 and qoh(store, "P1") == 50


def test_add_line_then_the_next_sku_typed_at_once_keeps_both(qtbot, store, gate):
    from seom_desktop.ui.dialogs.receive_po import ReceivePurchaseOrderDialog

    d = ReceivePurchaseOrderDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    slow = gate("P12")
    qtbot.keyClicks(d.sku_field.line, "P12")
    qtbot.keyClicks(d.quantity.editor, "3")
    qtbot.mouseClick(d.add_button, Qt.MouseButton.LeftButton)
    assert slow.held.wait(10)
    d.sku_field.set_sku("")  # the clerk goes on with the next line meanwhile
    d.quantity.editor.clear()
    qtbot.keyClicks(d.sku_field.line, "P1")
    qtbot.keyClicks(d.quantity.editor, "4")
    slow.open.set()
    settle(qtbot)
    assert d.lines_model.rows == [("P12", "Gizmo", 3)]
    assert (d.sku_field.sku(), d.quantity.editor.text()) == ("P1", "4")


def test_adjust_inventory_shows_a_kits_derived_qoh_and_that_it_cannot_be_adjusted(
        qtbot, store):
    from seom_desktop.inventory.kits import set_kit
    from seom_desktop.ui.dialogs.adjust_inventory import AdjustInventoryDialog

    with store.write() as s:  # P1 50 / 2 = 25 kits, P12 7 / 1 = 7: the kit's QOH is 7
        set_kit(s, sku="PAIR", components=[("P1", 2), ("P12", 1)], actor=ACTOR)
    d = AdjustInventoryDialog(store, workstation=WS)
    qtbot.addWidget(d, before_close_func=quiet_close)
    d.show()
    qtbot.keyClicks(d.sku_field.line, "PAIR")
    settle(qtbot)
    assert d.current_qoh.text() == "7 (derived)"
    assert "is a kit: its QOH comes from its components" in d.item_name.text()  # the
    # store's refusal (inventory refuse_stock_change), shown before any Save
    d.sku_field.set_sku("P1")
    settle(qtbot)
    assert (d.current_qoh.text(), d.item_name.text()) == ("50", "Widget")
