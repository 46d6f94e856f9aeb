"""View Inventory's Kit tab: a kit's components, how many of each one kit takes, each
one's QOH, and which one limits the kit (its QOH is the least of floor(component QOH /
quantity per kit)). Read on a pool thread from app/kits.py; a product that is no kit
says so."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from seom_desktop.app.kits import KitView, kit_of
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import TuplesModel, plain_table

HEADERS = ("Component SKU", "Qty per kit", "QOH", "Kits it covers", "Limits the kit")
LIMITS = "\u2190 limits the kit"


def component_cells(view: KitView) -> list[tuple]:
    return [(c.sku, c.qty, c.qoh, max(c.qoh, 0) // c.qty, LIMITS if c.limits else "")
            for c in view.components]


class KitTab(QWidget):
    """The tab's widgets; `show_product` reads the product's kit and fills them."""

    loaded = Signal(object)  # the KitView shown, or None (no kit)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("No product shown.")
        self.title.setObjectName("kitTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: bold;")
        self.note = QLabel("A kit holds no stock of its own: its QOH is the least, over its "
                           "components, of the component's QOH divided by the quantity one "
                           "kit takes (rounded down). Selling a kit takes its components.")
        self.note.setWordWrap(True)
        self.model = TuplesModel(HEADERS)
        self.view = plain_table(self.model)
        self.view.setAccessibleName("Kit components")
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.note)
        lay.addWidget(self.view, 1)
        self.product_id: int | None = None

    def show_product(self, store, product_id: int, sku: str) -> None:
        self.product_id = product_id
        run_in_thread(lambda: kit_of(store, product_id=product_id), owner=self,
                      on_done=lambda kit: self._show(product_id, sku, kit),
                      on_error=lambda e: self.title.setText(f"The kit could not be read: {e}"))

    def _show(self, product_id: int, sku: str, kit: KitView | None) -> None:
        if product_id != self.product_id:
            return  # another product was asked for since
        if kit is None:
            self.title.setText(f"{sku} is not a kit.")
            self.model.set_rows([])
        else:
            self.title.setText(f"Kit {kit.sku}: QOH {kit.qoh:,} "
                               f"(derived from {len(kit.components)} component(s))")
            self.model.set_rows(component_cells(kit))
        self.loaded.emit(kit)
