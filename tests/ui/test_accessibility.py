"""Every field, button and table has an accessible name equal to its visible label
(screen readers read it; a test can drive the window by it). Each window of the main
window is opened by its shortcut and every visible field, button and table checked."""

from __future__ import annotations

import pytest
from keys_released import release_modifiers  # noqa: F401 - an autouse fixture
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from seom_desktop.ui.actions import SPECS

OPENS_A_WINDOW = [s for s in SPECS if s.handler.startswith("open_")
                  and s.key not in ("export_csv", "open_log_folder")]
FIELDS = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit)


def words(text: str) -> str:
    """What a label says, read aloud: no "&" mnemonic, no closing colon, no markup."""
    if "<" in text:
        from PySide6.QtGui import QTextDocument

        d = QTextDocument()
        d.setHtml(text)
        text = d.toPlainText()
    return " ".join(text.replace("&", "").split()).rstrip(":").strip()


def parts(window: QWidget) -> list[tuple[str, QWidget]]:
    """(kind, widget) for each visible field, button and table a clerk can reach."""
    out = []
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) or w.objectName().startswith("qt_"):
            continue
        p, inside = w.parentWidget(), False
        while p is not None and p is not window:
            inside |= isinstance(p, (QComboBox, QAbstractSpinBox, QAbstractItemView))
            p = p.parentWidget()
        if inside:
            continue
        if isinstance(w, QAbstractButton):
            out.append(("button", w))
        elif isinstance(w, QAbstractItemView):
            out.append(("table", w))
        elif isinstance(w, FIELDS):
            out.append(("field", w))
    return out


def label_on_screen(w: QWidget, window: QWidget) -> str | None:
    """The label the screen shows for w: a button's own text, a form row's label, a
    label whose buddy it is (or holds it), a "Label:" just before it; None if none."""
    if isinstance(w, QAbstractButton) and words(w.text()):
        return words(w.text())
    holders = [w]
    p = w.parentWidget()
    while p is not None and p is not window and len(holders) < 3:
        holders.append(p)
        p = p.parentWidget()
    for label in window.findChildren(QLabel):
        if label.buddy() in holders and words(label.text()):
            return words(label.text())
    for form in window.findChildren(QFormLayout):
        for h in holders:
            label = form.labelForField(h)
            if isinstance(label, QLabel) and words(label.text()):
                return words(label.text())
    for lay in [window.layout(), *window.findChildren(QLayout)]:
        for h in holders:
            i = lay.indexOf(h) if lay is not None else -1
            before = lay.itemAt(i - 1).widget() if i > 0 else None
            if isinstance(before, QLabel) and before.text().strip().endswith(":"):
                return words(before.text())
    if isinstance(w, QLineEdit) and w.placeholderText():
        return words(w.placeholderText())
    return None


def check(window: QWidget) -> list[str]:
    wrong = []
    for kind, w in parts(window):
        name = w.accessibleName()
        label = label_on_screen(w, window)
        if label is not None and name != label:
            wrong.append(f"{window.windowTitle()}: {kind} {w.objectName() or type(w).__name__}"
                         f" shows {label!r} but is named {name!r}")
        elif not name:
            wrong.append(f"{window.windowTitle()}: {kind} {w.objectName() or type(w).__name__}"
                         " has no accessible name")
    return wrong


@pytest.fixture
def window(qtbot, sqlite_store, make_window, helpers):
    helpers.bulk_products(sqlite_store, 10)
    helpers.plain_cart(sqlite_store, "Demo WooCommerce")
    w = make_window(sqlite_store)
    with qtbot.waitActive(w):
        w.show()
    qtbot.waitUntil(w.ready)
    return w


def test_the_main_window_names_what_it_shows(window):
    assert check(window) == []
    assert window.search.accessibleName() == "Find"  # its label says "Find:"


@pytest.mark.parametrize("spec", OPENS_A_WINDOW, ids=[s.key for s in OPENS_A_WINDOW])
def test_every_dialog_names_its_fields_buttons_and_tables(qtbot, window, spec):
    before = set(map(id, QApplication.topLevelWidgets()))
    combo = QKeySequence(spec.shortcut)[0]
    qtbot.keyClick(window, combo.key(), combo.keyboardModifiers())
    qtbot.waitUntil(lambda: any(id(x) not in before and x.isVisible()
                                for x in QApplication.topLevelWidgets()))
    opened = [x for x in QApplication.topLevelWidgets()
              if id(x) not in before and x.isVisible()]
    wrong = []
    for dlg in opened:
        assert parts(dlg), f"{dlg.windowTitle()} shows nothing to check"
        wrong += check(dlg)
        dlg.close()
    assert wrong == []


def test_known_labels_by_name(qtbot, window):
    """A few checked by hand: the names a screen reader says are the words on screen."""
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    stack = window.dialogs["stack_controller"]
    assert stack.scope_box.accessibleName() == "Records"
    assert stack.state_box.accessibleName() == "State"
    assert stack.send_button.accessibleName() == "Send now"
    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    carts = window.dialogs["shopping_carts"]
    assert carts.kind_combo.accessibleName() == "Kind"
    assert carts.url.editor.accessibleName() == "URL"


def test_a_button_that_changes_its_words_changes_its_name(qtbot, window, tmp_path):
    """Import QOH from CSV's button says how many rows it will import once the file is
    checked; its name follows what it says."""
    path = tmp_path / "qoh.csv"
    path.write_text("sku,qoh\nP-000001,11\nP-000002,12\n", encoding="utf-8")
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    dlg = window.dialogs["import_csv"]
    assert dlg.import_button.accessibleName() == "Import"
    qtbot.keyClicks(dlg.path.editor, str(path))
    with qtbot.waitSignal(dlg.checked, timeout=5000):
        qtbot.keyClick(dlg.path.editor, Qt.Key.Key_Return)
    assert dlg.import_button.text() == "Import 2 rows"
    qtbot.waitUntil(lambda: dlg.import_button.accessibleName() == "Import 2 rows")
    dlg.close()
