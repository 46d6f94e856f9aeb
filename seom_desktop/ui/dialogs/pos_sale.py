"""POS Sale: an item sold over the counter takes QOH down (and, with real-time
synchronization on, the carts hear of it)."""

from __future__ import annotations

from PySide6.QtCore import Signal

from seom_desktop.app.stock_changes import sell_at_pos
from seom_desktop.ui.dialogs.sku_quantity import SkuQuantityDialog


class POSSaleDialog(SkuQuantityDialog):
    changed = Signal()
    title = "POS Sale"
    reference_label = "Reference:"
    save_label = "Sell"

    def write(self, sku: str, qty: int, reference: str):
        return sell_at_pos(self.store, sku=sku, quantity=qty, workstation=self.workstation,
                           reference=reference)
