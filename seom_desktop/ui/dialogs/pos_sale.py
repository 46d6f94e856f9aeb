"""POS Sale: an item sold over the counter takes QOH down (and, with real-time
synchronization on, the carts hear of it)."""

from __future__ import annotations

from PySide6.QtCore import Signal

from seom_desktop.inventory.operations import pos_sale
from seom_desktop.ui.dialogs.sku_quantity import SkuQuantityDialog


class POSSaleDialog(SkuQuantityDialog):
    changed = Signal()
    title = "POS Sale"
    reference_label = "Reference:"
    save_label = "Sell"

    def write(self, session, sku: str, qty: int, reference: str) -> None:
        pos_sale(session, sku=sku, quantity=qty, actor=self.actor(), reference=reference)
