"""The inventory list's model: plain InventoryRow rows (app/inventory_list.py) fetched a
page at a time on a pool thread, in SKU order, narrowed by a ListFilter (the search).
The QOH of the rows on screen is re-read on request."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from seom_desktop.app.inventory_list import (
    PAGE,
    InventoryRow,
    ListFilter,
    count_products,
    fetch_page,
    fetch_qoh,
)
from seom_desktop.ui.async_support import run_in_thread

__all__ = ["InventoryModel", "InventoryRow"]


class InventoryModel(QAbstractTableModel):
    HEADERS = ("SKU", "Name", "QOH", "Kit")
    SKU, NAME, QOH, KIT = range(4)

    loaded = Signal()  # a page arrived
    total_changed = Signal(int)  # products matching the search

    def __init__(self, store, parent=None, *, page_size: int = PAGE):
        super().__init__(parent)
        self.store = store
        self.page_size = page_size
        self.filter = ListFilter()
        self.rows: list[InventoryRow] = []
        self.total: int | None = None
        self._gen = 0
        self._loading = False
        self._exhausted = False
        self.error = ""

    # --- Qt model API --------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == self.SKU:
                return row.sku
            if col == self.NAME:
                return row.name
            if col == self.KIT:
                return "kit" if row.kit else ""
            return f"{row.qoh:,}"
        if role == Qt.ItemDataRole.ToolTipRole and row.kit and col in (self.QOH, self.KIT):
            return "A kit: its QOH is derived from its components (View Inventory, Kit tab)"
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.QOH:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == self.QOH:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or self._loading or self._exhausted:
            return
        self._fetch()

    # --- ours ----------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def row_at(self, i: int) -> InventoryRow | None:
        return self.rows[i] if 0 <= i < len(self.rows) else None

    @property
    def search(self) -> str:
        return self.filter.search

    def set_search(self, text: str) -> None:
        """Start again from the first page of what matches `text` (SKU prefix or a word
        of the name)."""
        self.set_filter(replace(self.filter, search=(text or "").strip()))

    def set_filter(self, flt: ListFilter) -> None:
        """Start again from the first page of what `flt` lets through."""
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        self._gen += 1
        # Rows removed, not a model reset: the view's current row goes too, and says so
        # (currentRowChanged), so nothing stays shown for an item no longer listed.
        if self.rows:
            self.beginRemoveRows(QModelIndex(), 0, len(self.rows) - 1)
            self.rows = []
            self.endRemoveRows()
        self._exhausted = False
        self._loading = False
        self.total = None
        self._fetch()  # the count is asked once the first page is here: it reads them all

    def _count(self) -> None:
        gen, store, flt = self._gen, self.store, self.filter
        run_in_thread(lambda: count_products(store, flt=flt), owner=self,
                      on_done=lambda n: self._got_total(gen, n), on_error=self._failed)

    def _fetch(self) -> None:
        self._loading = True
        gen, store, flt, size = self._gen, self.store, self.filter, self.page_size
        after = self.rows[-1].sku if self.rows else None
        run_in_thread(lambda: fetch_page(store, flt=flt, after=after, limit=size), owner=self,
                      on_done=lambda rows: self._got_page(gen, rows),
                      on_error=self._failed)

    def _got_total(self, gen: int, n: int) -> None:
        if gen == self._gen:
            self.total = n
            self.total_changed.emit(n)

    def _got_page(self, gen: int, rows: list[InventoryRow]) -> None:
        if gen != self._gen:
            return  # a page of an older search
        self._loading = False
        self._exhausted = len(rows) < self.page_size
        if not self.rows:
            self._count()
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit()

    def _failed(self, e: BaseException) -> None:
        self._loading = False
        self.error = f"{type(e).__name__}: {e}"
        self.loaded.emit()

    def refresh_qoh(self, first: int = 0, last: int | None = None) -> None:
        """Re-read the QOH of rows first..last (the visible ones) off the UI thread."""
        if not self.rows:
            return
        last = len(self.rows) - 1 if last is None else min(last, len(self.rows) - 1)
        first = max(0, first)
        if last < first:
            return
        ids = [r.id for r in self.rows[first:last + 1]]
        gen, store = self._gen, self.store
        run_in_thread(lambda: fetch_qoh(store, ids=ids), owner=self,
                      on_done=lambda qoh: self._got_qoh(gen, first, len(ids), qoh))

    def _got_qoh(self, gen: int, first: int, count: int, qoh: dict[int, int]) -> None:
        if gen != self._gen:
            return
        lo = hi = None
        for i in range(first, min(first + count, len(self.rows))):
            r = self.rows[i]
            new = qoh.get(r.id)
            if new is not None and new != r.qoh:
                self.rows[i] = replace(r, qoh=new)
                lo = i if lo is None else lo
                hi = i
        if lo is not None:
            self.dataChanged.emit(self.index(lo, self.QOH), self.index(hi, self.QOH))
