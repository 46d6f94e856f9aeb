"""Two small rules for every field of every window (called by ui/window_rules.py):
- a drop-down list grows with what it lists: a cart name loaded after the window opened
  is not clipped (Qt sizes a combo box to its items once, at its first show);
- a number field says when a typed number is past its maximum, instead of silently
  refusing the digit (typing 99999 into a field of at most 10,000 left 9999)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtWidgets import QComboBox, QSpinBox, QToolTip, QWidget

from seom_desktop.ui.accessible import is_internal

WIDEST = 0.75  # of the screen: a drop-down never takes more to show its longest item
_WATCHED = "seomWidened"


def widen_combos(root: QWidget) -> None:
    for combo in root.findChildren(QComboBox):
        if is_internal(combo) or combo.property(_WATCHED):
            continue
        combo.setProperty(_WATCHED, True)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        model = combo.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset,
                       model.dataChanged):
            signal.connect(lambda *_, c=combo: fit_combo(c))
        fit_combo(combo)


def fit_combo(combo: QComboBox) -> None:
    """At least as wide as its longest item (up to WIDEST of the screen): the layout
    then gives it that room, however its stretch was set."""
    screen = combo.screen()
    cap = int(screen.availableGeometry().width() * WIDEST) if screen is not None else 600
    combo.setMinimumWidth(min(combo.sizeHint().width(), cap))


def typed_past_maximum(spin: QSpinBox, event: QEvent) -> int | None:
    """The number the key would make, when that is past the field's maximum."""
    text = event.text()
    if not text or not text.isdigit():
        return None
    edit = spin.lineEdit()
    current = edit.text()
    start, end = edit.selectionStart(), edit.selectionStart() + len(edit.selectedText())
    if start < 0:
        start = end = edit.cursorPosition()
    after = current[:start] + text + current[end:]
    digits = "".join(c for c in after.removeprefix(spin.prefix()).removesuffix(spin.suffix())
                     if c.isdigit())
    if not digits:
        return None
    value = int(digits)
    return value if value > spin.maximum() else None


def say_maximum(spin: QSpinBox, value: int) -> None:
    name = spin.accessibleName() or "This field"
    QToolTip.showText(spin.mapToGlobal(QPoint(0, spin.height())),
                      f"{name} is at most {spin.maximum():,} (not {value:,}).", spin)


def on_key(obj, event) -> None:  # noqa: ANN001
    if isinstance(obj, QSpinBox) and obj.isEnabled() and not obj.isReadOnly():
        value = typed_past_maximum(obj, event)
        if value is not None:
            say_maximum(obj, value)
