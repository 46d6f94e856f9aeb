"""View Inventory's Reorder point row: the item's low-stock alert level (empty: no
alert), read and saved through app/low_stock.py on a pool thread, the Save button
disabled while the save runs and the error shown under the field."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from seom_desktop.app.errors import InventoryError
from seom_desktop.app.low_stock import parse_reorder_point, reorder_point_of, set_reorder_point
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import Field


class PointEdit(QLineEdit):
    """Enter saves the reorder point, and only that: the key does not go on to the
    dialog's default button."""

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class ReorderPointRow(QWidget):
    """`loaded` when the item's reorder point is shown, `saved(value)` once written."""

    loaded = Signal()
    saved = Signal(object)

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.sku: str | None = None
        self.stored: int | None = None
        self.qoh: int | None = None  # the item's QOH, for the LOW STOCK mark
        self.edit = PointEdit()
        self.edit.setPlaceholderText("none: no low-stock alert")
        self.edit.setAccessibleName("Reorder point")
        self.field = Field(self.edit)
        self.save_button = QPushButton("Save reorder point")
        self.save_button.setAccessibleName("Save reorder point")
        self.state = QLabel("")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.field, 1)
        lay.addWidget(self.save_button)
        lay.addWidget(self.state)
        self.edit.textEdited.connect(lambda _t: self.field.clear_error())
        self.edit.returnPressed.connect(self.save)
        self.save_button.clicked.connect(self.save)
        self.setEnabled(False)

    def load(self, sku: str | None, qoh: int | None = None) -> None:
        self.sku = sku
        self.qoh = qoh
        self.field.clear_error()
        self.edit.clear()
        self.state.setText("")
        self.setEnabled(False)
        if sku is None:
            return
        store = self.store
        run_in_thread(lambda: reorder_point_of(store, sku=sku), owner=self,
                      on_done=lambda point: self._show(sku, point, qoh),
                      on_error=lambda e: self.field.show_error(
                          f"The reorder point could not be read: {e}"))

    def _show(self, sku: str, point: int | None, qoh: int | None) -> None:
        if sku != self.sku:
            return  # another item was chosen meanwhile
        self.stored = point
        self.edit.setText("" if point is None else str(point))
        self._low(point, qoh)
        self.setEnabled(True)
        self.loaded.emit()

    def _low(self, point: int | None, qoh: int | None) -> None:
        low = point is not None and qoh is not None and qoh <= point
        self.state.setText("LOW STOCK" if low else "")

    def has_unsaved(self) -> bool:
        return self.sku is not None and self.edit.text().strip() != (
            "" if self.stored is None else str(self.stored))

    def save(self) -> None:
        if self.sku is None:
            return
        try:
            value = parse_reorder_point(self.edit.text())
        except InventoryError as e:
            self.field.show_error(str(e))
            return
        store, sku = self.store, self.sku
        self.save_button.setEnabled(False)

        def done(point) -> None:
            self.save_button.setEnabled(True)
            self.stored = point
            self._low(point, self.qoh)
            self.saved.emit(point)

        def failed(e: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.field.show_error(f"Not saved: {e}")

        run_in_thread(lambda: set_reorder_point(store, sku=sku, value=value), owner=self,
                      on_done=done, on_error=failed)
