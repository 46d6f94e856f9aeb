"""Receive Purchase Order: merchandise received from a supplier adds to QOH (and, with
real-time synchronization on, is sent to the carts). A purchase order has several
lines: [Add Line] (Alt+A) moves the SKU and quantity typed into the list, and
[Receive] receives every line (and the one still typed) in one transaction — all of
them or, when one is refused, none, with the line named."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from seom_desktop.app.errors import InventoryError
from seom_desktop.app.stock_changes import LineError, receive_purchase_order
from seom_desktop.ui.dialogs.fields import TuplesModel, check_quantity, plain_table
from seom_desktop.ui.dialogs.sku_quantity import SkuQuantityDialog


class ReceivePurchaseOrderDialog(SkuQuantityDialog):
    changed = Signal()
    title = "Receive Purchase Order"
    reference_label = "PO reference:"
    save_label = "Receive"

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None,
                 sku: str | None = None, **kw: Any):
        super().__init__(store, workstation=workstation, parent=parent, sku=sku, **kw)
        self.lines: list[tuple[str, str, int]] = []  # (sku, name, quantity)
        self.lines_model = TuplesModel(("SKU", "Name", "Quantity"))
        self.lines_view = plain_table(self.lines_model)
        self.lines_view.setAccessibleName("Lines to receive")
        self.lines_view.setMinimumHeight(110)
        self.add_button = QPushButton("&Add Line")
        self.add_button.setToolTip("Put the SKU and quantity typed into the list, and type "
                                   "the next line (Alt+A)")
        self.remove_button = QPushButton("Re&move Line")
        for b in (self.add_button, self.remove_button):
            b.setAutoDefault(False)  # Enter stays Receive
        self.add_button.clicked.connect(self.add_line)
        self.remove_button.clicked.connect(self.remove_line)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        box = QVBoxLayout()
        box.addLayout(row)
        box.addWidget(QLabel("Lines of this purchase order:"))
        box.addWidget(self.lines_view, 1)
        lay = self.layout()
        lay.insertLayout(1, box, 1)
        self.resize(520, 460)

    def _typed_line(self, sku_text: str, qty_text: str) -> tuple[str, str, int] | None:
        sku = self.sku_field.check(sku_text)
        qty = check_quantity(self.quantity, "quantity", minimum=1, text=qty_text)
        if sku is None or qty is None:
            return None
        item = self.sku_field.lookup(sku_text)
        return sku, item[1] if item else "", qty

    def add_line(self) -> None:
        """Once the SKU typed has its answer, the line as typed when Add was pressed
        (the next SKU typed meanwhile stays in the fields)."""
        qty = self.quantity.editor.text()
        self.when_looked_up(self.sku_field, lambda sku: self._add_line(sku, qty))

    def _add_line(self, sku_text: str, qty_text: str) -> None:
        line = self._typed_line(sku_text, qty_text)
        if line is None:
            return
        self.lines.append(line)
        self.lines_model.set_rows(list(self.lines))
        if (self.sku_field.sku(), self.quantity.editor.text()) == (sku_text, qty_text):
            self.sku_field.set_sku("")
            self.quantity.editor.clear()
            self.sku_field.line.setFocus()

    def remove_line(self) -> None:
        rows = self.lines_view.selectionModel().selectedRows()
        if rows:
            del self.lines[rows[0].row()]
            self.lines_model.set_rows(list(self.lines))

    def has_unsaved(self) -> bool:
        return bool(self.lines) or super().has_unsaved()

    def _save(self, sku_text: str, qty_text: str, ref_text: str) -> None:
        self.general_error.clear_error()
        typed = bool(sku_text.strip() or qty_text.strip())
        lines = list(self.lines)
        if typed or not lines:
            line = self._typed_line(sku_text, qty_text)
            if line is None:
                return
            lines.append(line)
        reference = ref_text.strip()
        if len(reference) > 255:
            self.reference.show_error("reference is longer than 255 characters")
            return
        store, ws = self.store, self.workstation
        self.run_save(lambda: receive_purchase_order(
            store, lines=[(sku, qty) for sku, _name, qty in lines], workstation=ws,
            reference=reference), done=self._received, failed=self._save_failed,
            buttons=(self.save_button, self.close_button, self.add_button,
                     self.remove_button))

    def _received(self, _changed) -> None:
        self.lines = []
        self.changed.emit()
        self.accept()

    def _save_failed(self, e: BaseException) -> None:
        if isinstance(e, LineError | InventoryError):
            self.general_error.show_error(f"{e}. Nothing was received.")
            self.fit_height()
        else:
            super()._save_failed(e)

    def write(self, sku: str, qty: int, reference: str):
        return receive_purchase_order(self.store, lines=[(sku, qty)],
                                      workstation=self.workstation, reference=reference)
