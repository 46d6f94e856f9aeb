"""Receive Purchase Order: merchandise received from a supplier adds to QOH (and, with
real-time synchronization on, is sent to the carts)."""

from __future__ import annotations

from PySide6.QtCore import Signal

from seom_desktop.inventory.operations import receive_po
from seom_desktop.ui.dialogs.fields import SkuQuantityDialog


class ReceivePurchaseOrderDialog(SkuQuantityDialog):
    changed = Signal()
    title = "Receive Purchase Order"
    reference_label = "PO reference:"
    save_label = "Receive"

    def write(self, session, sku: str, qty: int, reference: str) -> None:
        receive_po(session, sku=sku, quantity=qty, actor=self.actor(), po=reference)
