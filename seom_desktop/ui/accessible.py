"""Accessible names equal to the visible labels, for every window at once.

A screen reader reads a field by its accessible name, and so can a test that drives the
window by name. Rather than every dialog naming each widget by hand (and drifting from
what the screen shows), `name_widgets(window)` gives each field, button and table the
words a clerk sees next to it:
- a button or check box: its text, without the "&" of its keyboard mnemonic;
- a field: the text of its label (a QFormLayout row's label, a QLabel whose buddy it is,
  or a "Label:" just before it in the same layout), without "&" and the colon; with no
  label, its placeholder text;
- a table: the heading just above it in its layout, else the title of its group box or
  tab; with none of these, the name its dialog gave it is kept.
`ui/window_rules.py` runs it each time a window is shown (and a button or label that
changes its words is named again when it repaints)."""

from __future__ import annotations

import re
from html import unescape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTabWidget,
    QTextEdit,
    QWidget,
)

FIELD_TYPES = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit,
               QDateTimeEdit)
HEADING_MAX = 80  # a longer label above a table is a paragraph, not its heading

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """A label's words as read: rich text without tags, no mnemonic "&", no colon."""
    if "<" in text and ">" in text:
        text = unescape(_TAG.sub("", text))
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return " ".join(text.split()).rstrip(":").strip()


def is_internal(w: QWidget) -> bool:
    """A part Qt builds inside another widget (a combo box's line edit, a spin box's
    editor, a table's corner button, a tool bar's extension arrow)."""
    if w.objectName().startswith("qt_"):
        return True
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, (QAbstractSpinBox, QComboBox, QAbstractItemView)):
            return True
        if p.isWindow() and p.windowType() != Qt.WindowType.Popup:
            return False  # (a combo box's list is a pop-up window of its own)
        p = p.parentWidget()
    return False


def kind_of(w: QWidget) -> str | None:
    """"button", "field", "table", or None for anything else."""
    if is_internal(w):
        return None
    if isinstance(w, QAbstractButton):
        return "button"
    if isinstance(w, QAbstractItemView):
        return "table"
    if isinstance(w, FIELD_TYPES):
        return "field"
    return None


def _editor_in(w: QWidget) -> QWidget | None:
    """The one field or table a buddy container (a field with its error line) holds."""
    if kind_of(w) is not None:
        return w
    found = [c for c in w.findChildren(QWidget) if kind_of(c) in ("field", "table")
             or (isinstance(c, QAbstractButton) and not c.text())]
    return found[0] if len(found) == 1 else None


def _first_field(lay: QLayout) -> QWidget | None:
    """A form row whose field is a row of widgets: the first field in it."""
    for i in range(lay.count()):
        w = lay.itemAt(i).widget()
        if w is not None and kind_of(w) == "field":
            return w
    return None


def _labels(root: QWidget) -> dict[int, QLabel]:
    """id(widget) -> the label naming it: buddies, form rows, "Label:" before a field."""
    out: dict[int, QLabel] = {}
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        target = _editor_in(buddy) if buddy is not None else None
        if target is not None and plain(label.text()):
            out[id(target)] = label
    for lay in [root.layout(), *root.findChildren(QLayout)]:
        if lay is None:
            continue
        if isinstance(lay, QFormLayout):
            for row in range(lay.rowCount()):
                li = lay.itemAt(row, QFormLayout.ItemRole.LabelRole)
                fi = lay.itemAt(row, QFormLayout.ItemRole.FieldRole)
                label = li.widget() if li is not None else None
                field = fi.widget() if fi is not None else None
                target = _editor_in(field) if field is not None else None
                if target is None and fi is not None and fi.layout() is not None:
                    target = _first_field(fi.layout())
                if isinstance(label, QLabel) and target is not None and plain(label.text()):
                    out.setdefault(id(target), label)
            continue
        widgets = [lay.itemAt(i).widget() for i in range(lay.count())]
        for before, after in zip(widgets, widgets[1:], strict=False):
            if not isinstance(before, QLabel) or after is None or before.buddy() is not None:
                continue
            text = before.text().strip()
            target = _editor_in(after)
            if target is None:
                continue
            if text.endswith(":") or (kind_of(target) == "table" and 0 < len(plain(text))
                                      <= HEADING_MAX and not before.wordWrap()):
                out.setdefault(id(target), before)
    return out


def _container_title(w: QWidget) -> str:
    """The group box title or tab text of the nearest container holding only this table."""
    child, p = w, w.parentWidget()
    while p is not None and not p.isWindow():
        if isinstance(p, QGroupBox) and p.title():
            views = [v for v in p.findChildren(QAbstractItemView) if not is_internal(v)]
            return plain(p.title()) if len(views) == 1 else ""
        if isinstance(p, QStackedWidget) and isinstance(p.parentWidget(), QTabWidget):
            tabs = p.parentWidget()
            i = tabs.indexOf(child)
            views = [v for v in child.findChildren(QAbstractItemView) if not is_internal(v)]
            if i >= 0 and len(views) == 1:
                return plain(tabs.tabText(i))
            return ""
        child, p = p, p.parentWidget()
    return ""


def visible_label(w: QWidget, labels: dict[int, QLabel] | None = None) -> str:
    """The words a clerk sees for this widget ("" when the screen shows none)."""
    if labels is None:
        labels = _labels(w.window())
    kind = kind_of(w)
    if kind == "button":
        text = plain(w.text())  # type: ignore[attr-defined]
        if text:
            return text
    label = labels.get(id(w))
    if label is not None:
        return plain(label.text())
    if kind == "field":
        editor = w.lineEdit() if isinstance(w, QComboBox) and w.isEditable() else w
        if isinstance(editor, QLineEdit | QPlainTextEdit | QTextEdit):
            return plain(editor.placeholderText())
    if kind == "table":
        return _container_title(w)
    return ""


def name_widgets(root: QWidget) -> int:
    """Name every field, button and table of `root` after its visible label; returns how
    many names changed. A widget with no visible label keeps the name it was given."""
    labels = _labels(root)
    changed = 0
    for w in [root, *root.findChildren(QWidget)]:
        if kind_of(w) is None:
            continue
        text = visible_label(w, labels)
        if text and w.accessibleName() != text:
            w.setAccessibleName(text)
            changed += 1
    return changed


def name_one(w: QWidget) -> None:
    """A button whose words changed (or a label whose words changed: its field)."""
    if isinstance(w, QLabel):
        buddy = w.buddy()
        target = _editor_in(buddy) if buddy is not None else None
        if target is not None and plain(w.text()) and target.accessibleName() != plain(w.text()):
            target.setAccessibleName(plain(w.text()))
        return
    if kind_of(w) == "button":
        text = plain(w.text())  # type: ignore[attr-defined]
        if text and w.accessibleName() != text:
            w.setAccessibleName(text)
