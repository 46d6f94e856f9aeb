"""The SKU + quantity + reference dialogs (Receive Purchase Order, POS Sale): they
open on the item selected in the main window with the quantity focused, Enter in a
field saves, and closing with input typed asks Save / Don't Save / Cancel."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from seom_desktop.inventory.errors import InventoryError, QuantityError, UnknownSKUError
from seom_desktop.ui.dialogs.fields import (
    NOTE_STYLE,
    SkuField,
    StoreDialog,
    check_quantity,
    line_field,
    make_default,
)
from seom_desktop.ui.dialogs.guard import UnsavedGuard


class SkuQuantityDialog(UnsavedGuard, StoreDialog):
    """SKU, quantity and a reference, written by one operation (Receive Purchase
    Order, POS Sale). Subclasses set the titles and `write(session, sku, qty, ref)`."""

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
        if sku:  # the item selected in the main window: the quantity is next
            self.sku_field.set_sku(sku)
            self.quantity.editor.setFocus()
        self.resize(440, self.sizeHint().height())
        make_default(self.save_button)

    def refresh_item(self) -> None:
        item = self.sku_field.lookup()
        self.item_name.setText("" if item is None else item[1])
        self.current_qoh.setText("—" if item is None else f"{item[2]:,}")

    def write(self, session, sku: str, qty: int, reference: str) -> None:
        raise NotImplementedError

    def has_unsaved(self) -> bool:
        return bool(self.quantity.editor.text().strip()
                    or self.reference.editor.text().strip())

    def save_unsaved(self) -> None:
        self.save()

    def save(self) -> None:
        self._save()
        self.fit_height()

    def _save(self) -> None:
        self.general_error.clear_error()
        sku = self.sku_field.check()
        qty = check_quantity(self.quantity, "quantity", minimum=1)
        reference = self.reference.editor.text().strip()
        if len(reference) > 255:
            self.reference.show_error("reference is longer than 255 characters")
            return
        if sku is None or qty is None:
            return
        try:
            with self.store.write() as s:
                self.write(s, sku, qty, reference)
        except UnknownSKUError as e:
            self.sku_field.show_error(str(e))
            return
        except QuantityError as e:
            self.quantity.show_error(str(e))
            return
        except InventoryError as e:
            self.general_error.show_error(str(e))
            return
        self.changed.emit()
        self.accept()
