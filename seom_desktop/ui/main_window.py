"""The main window: the inventory list."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QMainWindow, QTableView
from sqlalchemy import select

from seom_desktop.store.models import Product


class InventoryModel(QAbstractTableModel):
    HEADERS = ("SKU", "Name", "QOH")

    def __init__(self, rows: list[tuple[str, str, int]]):
        super().__init__()
        self.rows = rows

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return str(self.rows[index.row()][index.column()])
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class MainWindow(QMainWindow):
    def __init__(self, store, *, workstation: str):
        super().__init__()
        self.store = store
        self.setWindowTitle(f"seom-desktop — {workstation}")
        with store.read() as s:
            rows = list(s.execute(select(Product.sku, Product.name, Product.qoh)
                                  .order_by(Product.sku).limit(1000)))
        self.table = QTableView()
        self.table.setModel(InventoryModel([tuple(r) for r in rows]))
        self.setCentralWidget(self.table)
        self.resize(900, 600)
        self.statusBar().showMessage(f"{len(rows)} products")
