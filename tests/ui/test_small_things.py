"""The small things a clerk notices: counts in words ("1 product", never "1 products"),
F1 opens Help (as in Windows programs; About stays in the Help menu), the title says the
program's name once, a cart drop-down shows the whole cart name, and a number typed past
the maximum of "Maximum number of items to send" is named instead of silently cut."""

from __future__ import annotations

import pytest
from keys_released import release_modifiers  # noqa: F401 - an autouse fixture
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionComboBox, QToolTip

from seom_desktop.store.carts import MAX_ITEMS_LIMIT
from seom_desktop.ui.help import HelpWindow

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
LONG_CART = "Demo WooCommerce (the main web store, all departments)"


@pytest.fixture
def window(qtbot, sqlite_store, make_window, helpers):
    def make(products: int = 1):
        helpers.bulk_products(sqlite_store, products)
        helpers.plain_cart(sqlite_store, LONG_CART)
        w = make_window(sqlite_store)
        with qtbot.waitActive(w):
            w.show()
        qtbot.waitUntil(w.ready)
        return w
    return make


def test_one_product_is_one_product(window, qtbot, tmp_path):
    w = window(1)
    qtbot.waitUntil(lambda: w.count_label.text() != "")
    assert w.count_label.text() == "1 product"
    w.open_export_csv(str(tmp_path / "one.csv"))  # Export QOH to CSV, its file chosen
    qtbot.waitUntil(lambda: w.last_notice != "")
    assert w.last_notice == f"1 product exported to {tmp_path / 'one.csv'}"
    assert w.statusBar().currentMessage() == w.last_notice


def test_f1_opens_help_and_about_stays_in_the_help_menu(window, qtbot):
    w = window()
    boxes: list[str] = []

    def close_a_modal_box() -> None:  # (an About box would wait for its OK)
        box = QApplication.activeModalWidget()
        if box is not None:
            boxes.append(box.windowTitle())
            box.close()

    QTimer.singleShot(300, close_a_modal_box)
    qtbot.keyClick(w, Qt.Key.Key_F1)
    assert boxes == []
    helps = [x for x in QApplication.topLevelWidgets()
             if isinstance(x, HelpWindow) and x.isVisible()]
    assert len(helps) == 1
    text = helps[0].browser.toPlainText()
    assert "Stack Controller" in text and "Ctrl+Shift+S" in text and "log" in text
    qtbot.keyClick(w, Qt.Key.Key_F1)  # again: the same window, not a second one
    assert [x for x in QApplication.topLevelWidgets()
            if isinstance(x, HelpWindow) and x.isVisible()] == helps
    menus = {a.text().replace("&", ""): a.menu() for a in w.menuBar().actions()}
    items = [a.text().replace("&", "") for a in menus["Help"].actions() if a.text()]
    assert items[0] == "seom-desktop Help" and "About seom-desktop" in items
    assert w.actions_.help.shortcut().toString() == "F1"
    assert w.actions_.about.shortcut().toString() != "F1"
    helps[0].close()


def test_the_title_does_not_repeat_the_program_name(window):
    w = window()
    # The system adds the program's display name after the window's own title.
    assert "seom-desktop" not in w.windowTitle()
    assert w.windowTitle() == "Inventory — test-ws"


def _advanced(qtbot, w):
    qtbot.keyClick(w, Qt.Key.Key_F, CTRL_SHIFT)
    dlg = w.dialogs["advanced_cart_functions"]
    qtbot.waitUntil(lambda: dlg.cart_box.count() > 0)
    return dlg


def test_the_cart_drop_down_shows_the_whole_cart_name(window, qtbot):
    w = window()
    dlg = _advanced(qtbot, w)
    box = dlg.cart_box
    assert LONG_CART in box.currentText()
    qtbot.waitUntil(lambda: box.width() >= max(box.minimumWidth(), 1) and box.isVisible())
    opt = QStyleOptionComboBox()
    box.initStyleOption(opt)
    field = box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                       QStyle.SubControl.SC_ComboBoxEditField, box)
    assert box.fontMetrics().horizontalAdvance(box.currentText()) <= field.width()


def test_a_number_past_the_maximum_is_named_not_silently_cut(window, qtbot):
    w = window()
    dlg = _advanced(qtbot, w)
    spin = dlg.max_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "99999")
    assert QToolTip.isVisible()
    assert QToolTip.text() == (f"Maximum number of items to send is at most "
                               f"{MAX_ITEMS_LIMIT:,} (not 99,999).")
    QToolTip.hideText()


def test_one_of_a_thing_is_said_in_the_singular(window, qtbot, sqlite_store, tmp_path):
    """Import QOH from CSV of a one-row file, then the QOH Ledger of that item."""
    w = window(1)
    path = tmp_path / "one.csv"
    path.write_text("sku,qoh\nP-000000,11\n", encoding="utf-8")
    qtbot.keyClick(w, Qt.Key.Key_I, CTRL_SHIFT)
    d = w.dialogs["import_csv"]
    qtbot.keyClicks(d.path.editor, str(path))
    with qtbot.waitSignal(d.checked, timeout=5000):
        qtbot.keyClick(d.path.editor, Qt.Key.Key_Return)
    assert d.summary.text() == "1 row checked, no problems."
    assert d.import_button.text() == "Import 1 row"
    with qtbot.waitSignal(d.changed, timeout=5000):
        qtbot.mouseClick(d.import_button, Qt.MouseButton.LeftButton)
    assert d.summary.text().startswith("Imported 1 row (1 QOH changed, ")
    d.close()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    qtbot.keyClick(w, Qt.Key.Key_L, CTRL_SHIFT)
    ledger = w.dialogs["ledger"]
    qtbot.waitUntil(lambda: "P-000000:" in ledger.title.text())
    assert ledger.title.text() == "P-000000: 1 change, newest first"
