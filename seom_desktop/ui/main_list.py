"""The main window's central area: the Find box, the inventory list (paged, filtered
through the model's ListFilter) and the selected item cart by cart beside it; the QOH of
the rows on screen is re-read every few seconds. Mixed into MainWindow."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.item_carts import item_cart_rows
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.models.inventory import InventoryModel
from seom_desktop.ui.models.item_carts import ItemCartsModel
from seom_desktop.ui.words import plural

SEARCH_DELAY_MS = 250


class MainList:
    """Uses MainWindow's store, cart_probe, open_view_inventory and list_shown."""

    def _build_central(self, banner: str) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 4)
        if banner:
            b = QLabel(banner)
            b.setObjectName("banner")
            b.setWordWrap(True)
            b.setStyleSheet("background: #eef4fb; border: 1px solid #b6cbe6; padding: 6px;")
            outer.addWidget(b)
        outer.addLayout(self._build_filters())
        self.model = InventoryModel(self.store, self)
        self.model.total_changed.connect(self._show_total)
        self.model.loaded.connect(self._first_page)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("mainSplitter")
        split.addWidget(self._build_table())
        split.addWidget(self._build_item_panel())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 520])
        self.splitter = split
        outer.addWidget(split, 1)
        self.setCentralWidget(central)

    def _build_filters(self) -> QHBoxLayout:
        """The row above the list: Find, Low stock only, and the count of products shown."""
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search by SKU or name  (Ctrl+F)")
        self.search.setAccessibleName("Search inventory by SKU or name")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel("")
        self.count_label.setObjectName("productCount")
        top.addWidget(QLabel("Find:"))
        top.addWidget(self.search, 1)
        self.low_stock_box = QCheckBox("&Low stock only")
        self.low_stock_box.setObjectName("lowStockFilter")
        self.low_stock_box.setToolTip("Only products whose QOH is at or below their reorder "
                                      "point (set in View Inventory)")
        self.low_stock_box.toggled.connect(
            lambda on: self.model.set_filter(replace(self.model.filter, low_stock=on)))
        top.addWidget(self.low_stock_box)
        top.addWidget(self.count_label)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)
        return top

    def _build_table(self) -> QTableView:
        self.table = QTableView()
        self.table.setObjectName("inventoryTable")
        self.table.setAccessibleName("Inventory list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 160)
        self.table.setColumnWidth(2, 90)
        self.table.doubleClicked.connect(lambda idx: self.open_view_inventory())
        self.table.activated.connect(lambda idx: self.open_view_inventory())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        return self.table

    def _build_item_panel(self) -> QWidget:
        side = QWidget()
        sv = QVBoxLayout(side)
        sv.setContentsMargins(0, 0, 0, 0)
        self.item_title = QLabel("Select an item to see it cart by cart.")
        self.item_title.setObjectName("itemTitle")
        self.item_title.setWordWrap(True)
        self.item_title.setStyleSheet("font-weight: bold;")
        self.carts_model = ItemCartsModel(self, live=self.cart_probe is not None)
        self.carts_table = QTableView()
        self.carts_table.setObjectName("itemCartsTable")
        self.carts_table.setAccessibleName("Selected item on each cart")
        self.carts_table.setModel(self.carts_model)
        self.carts_table.verticalHeader().setVisible(False)
        ch = self.carts_table.horizontalHeader()
        ch.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        ch.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.carts_table.verticalHeader().setDefaultSectionSize(22)
        self.carts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        hint = QLabel("Should show: the QOH of the cart's warehouses (a kit's: derived) "
                      "shaped by the cart's rules and the item's Web Fields; Rule: what "
                      "decided it. "
                      "Sent: the last quantity the cart accepted. Seen: the last quantity "
                      "read from the cart."
                      + (" Live: what the emulated cart shows now." if self.cart_probe else ""))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        sv.addWidget(self.item_title)
        sv.addWidget(self.carts_table, 1)
        sv.addWidget(hint)
        return side

    def _first_page(self) -> None:
        self.list_shown()  # WindowController: its thread starts after the first page
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        elif not self.model.rowCount():
            self._selection_changed()  # Find matched nothing: the item panel says so

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.model.set_search(self.search.text())

    def _show_total(self, n: int) -> None:
        narrowed = self.model.filter.narrowed
        self.count_label.setText(plural(n, "product") + (" found" if narrowed else ""))

    # --- selection and refresh -------------------------------------------------------
    def selected_sku(self) -> str | None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        return row.sku if row else None

    def _selection_changed(self) -> None:
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        if row is None:
            none = self.model.filter.narrowed and not self.model.rowCount()
            self.item_title.setText(f"No product matches \u201c{self.model.search}\u201d."
                                    if none else "Select an item to see it cart by cart.")
            self.carts_model.set_rows([])
            return
        self.item_title.setText(f"{row.sku} — {row.name}   (QOH {row.qoh:,})")
        self._load_item_carts(row.id)

    def _load_item_carts(self, product_id: int) -> None:
        store, probe = self.store, self.cart_probe
        run_in_thread(lambda: item_cart_rows(store, product_id=product_id, probe=probe),
                      owner=self, on_done=self.carts_model.set_rows)

    def visible_rows(self) -> tuple[int, int]:
        vp = self.table.viewport()
        first = self.table.rowAt(0)
        last = self.table.rowAt(vp.height() - 1)
        if first < 0:
            return 0, -1
        return first, (last if last >= 0 else self.model.rowCount() - 1)

    def refresh_visible(self) -> None:
        first, last = self.visible_rows()
        if last >= first:
            self.model.refresh_qoh(first, last)
        idx = self.table.currentIndex()
        row = self.model.row_at(idx.row()) if idx.isValid() else None
        if row is not None:
            self.item_title.setText(f"{row.sku} — {row.name}   (QOH {row.qoh:,})")
            self._load_item_carts(row.id)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
