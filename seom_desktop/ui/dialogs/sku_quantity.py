"""The SKU + quantity + reference dialogs (Receive Purchase Order, POS Sale): they
open on the item selected in the main window with the quantity focused, Enter in a
field saves (once the SKU typed has been looked up, on a pool thread like the save,
the buttons disabled until it answers), and closing
with input typed asks Save / Don't Save / Cancel."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from seom_desktop.app.errors import InventoryError, QuantityError, UnknownSKUError
from seom_desktop.ui.dialogs.fields import (
    NOTE_STYLE,
    StoreDialog,
    check_quantity,
    line_field,
    make_default,
)
from seom_desktop.ui.dialogs.guard import UnsavedGuard
from seom_desktop.ui.dialogs.sku_field import SkuField


class SkuQuantityDialog(UnsavedGuard, StoreDialog):
    """SKU, quantity and a reference, written by one operation (Receive Purchase
    Order, POS Sale). Subclasses set the titles and `write(sku, qty, ref)`, which runs
    the app/ function off the UI thread."""

    title = ""
    reference_label = "Reference:"
    save_label = "Save"

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None,
                 sku: str | None = None, **kw: Any):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle(self.title)
        if sku is None and hasattr(parent, "selected_sku"):
            sku = parent.selected_sku()  # the item selected in the main window
        self.sku_field = SkuField(store)
        self.item_name = QLabel("")
        self.item_name.setStyleSheet(NOTE_STYLE)
        self.current_qoh = QLabel("—")
        self.quantity = line_field("at least 1", name="quantity")
        self.reference = line_field("optional", name="reference")
        form = QFormLayout()
        form.addRow("SKU:", self.sku_field)
        form.addRow("", self.item_name)
        form.addRow("Current QOH:", self.current_qoh)
        form.addRow("Quantity:", self.quantity)
        form.addRow(self.reference_label, self.reference)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(self.save_label,
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.general_error)
        lay.addWidget(self.buttons)
        self.sku_field.line.textChanged.connect(lambda _t: self.refresh_item())
        self.sku_field.looked_up.connect(self.refresh_item)
        if sku:  # the item selected in the main window: the quantity is next
            self.sku_field.set_sku(sku)
            self.quantity.editor.setFocus()
        self.resize(440, self.sizeHint().height())
        make_default(self.save_button)

    def refresh_item(self) -> None:
        if self.sku_field.pending():
            self.item_name.setText("looking up…")
            self.current_qoh.setText("…")
            return
        item = self.sku_field.lookup()
        self.item_name.setText("" if item is None else item[1])
        self.current_qoh.setText("—" if item is None else f"{item[2]:,}")

    def write(self, sku: str, qty: int, reference: str):
        raise NotImplementedError

    def has_unsaved(self) -> bool:
        return bool(self.quantity.editor.text().strip()
                    or self.reference.editor.text().strip())

    def save_unsaved(self) -> None:
        self.save()

    def typed(self) -> tuple[str, str]:
        """The quantity and reference as typed now (when Enter is pressed)."""
        return self.quantity.editor.text(), self.reference.editor.text()

    def save(self) -> None:
        """Once the SKU typed has its answer: check every field as typed when Enter was
        pressed, then write."""
        qty, ref = self.typed()
        self.when_looked_up(self.sku_field, lambda sku: self._save_and_fit(sku, qty, ref))

    def _save_and_fit(self, sku: str, qty: str, ref: str) -> None:
        self._save(sku, qty, ref)
        self.fit_height()

    def _save(self, sku_text: str, qty_text: str, ref_text: str) -> None:
        self.general_error.clear_error()
        sku = self.sku_field.check(sku_text)
        qty = check_quantity(self.quantity, "quantity", minimum=1, text=qty_text)
        reference = ref_text.strip()
        if len(reference) > 255:
            self.reference.show_error("reference is longer than 255 characters")
            return
        if sku is None or qty is None:
            return
        self.run_save(lambda: self.write(sku, qty, reference), done=self._saved,
                      failed=self._save_failed, buttons=(self.save_button, self.close_button))

    def _saved(self, _result) -> None:
        self.changed.emit()
        self.accept()

    def _save_failed(self, e: BaseException) -> None:
        if isinstance(e, UnknownSKUError):
            self.sku_field.show_error(str(e))
        elif isinstance(e, QuantityError):
            self.quantity.show_error(str(e))
        elif isinstance(e, InventoryError):
            self.general_error.show_error(str(e))
        else:
            self.general_error.show_error(f"Not saved: {type(e).__name__}: {e}")
        self.fit_height()
