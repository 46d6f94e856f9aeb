"""View Inventory's Web Fields table: one row per cart (Sync, Cart SKU and the item's
rules as typed: Reserve, Max shown, Percent, Min shown, Safety; read-only: what the cart
should show and the rule that decided it, as last read; Last sent and Last seen,
refreshed while edits stay), with the cells a save refused marked in red."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole


@dataclass(frozen=True)
class WebRow:
    """One cart's web fields as shown and edited (text as typed)."""

    cart: str
    sync: bool
    cart_sku: str
    reserve: str
    max_qty: str
    last_sent: int | None
    last_cart_qoh: int | None
    percent: str = ""  # "" : the cart's rule applies
    min_qty: str = ""
    safety: str = ""
    should_show: int | None = None  # as last read (a save reads it again)
    rule: str = ""


TIPS = {
    3: "Kept back from the cart (0: the cart's reserve applies)",
    4: "Empty: the cart's maximum (or no cap)",
    5: "Percentage of what is available to show, 0-100, rounded down (empty: the cart's)",
    6: "The cart shows at least this much (empty: the cart's minimum)",
    7: "The cart shows 0 when what is available is at or below this (empty: the cart's)",
    8: "What the cart should show under these rules (as saved)",
    9: "The rule that decided what the cart should show",
    11: "The quantity last read from the cart",
}


class WebFieldsModel(QAbstractTableModel):
    HEADERS = ("Cart", "Sync", "Cart SKU", "Reserve", "Max shown", "Percent", "Min shown",
               "Safety", "Should show", "Rule", "Last sent", "Last seen")
    (CART, SYNC, CART_SKU, RESERVE, MAX_QTY, PERCENT, MIN_QTY, SAFETY, SHOULD_SHOW, RULE,
     LAST_SENT, LAST_CART) = range(12)
    EDITABLE = (CART_SKU, RESERVE, MAX_QTY, PERCENT, MIN_QTY, SAFETY)
    READ_ONLY = (CART, SHOULD_SHOW, RULE, LAST_SENT, LAST_CART)
    NAMES = {CART_SKU: "cart_sku", RESERVE: "reserve", MAX_QTY: "max_qty", PERCENT: "percent",
             MIN_QTY: "min_qty", SAFETY: "safety"}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[WebRow] = []
        self.saved: list[WebRow] = []
        self.errors: dict[tuple[int, int], str] = {}

    def set_rows(self, rows: list[WebRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.saved = list(rows)
        self.errors = {}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def flags(self, index):
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.SYNC:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        elif index.column() in self.EDITABLE:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def _value(self, row: WebRow, col: int) -> Any:
        return (row.cart, "", row.cart_sku, row.reserve, row.max_qty, row.percent,
                row.min_qty, row.safety, row.should_show, row.rule, row.last_sent,
                row.last_cart_qoh)[col]

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        key = (index.row(), col)
        if role in (DISPLAY, EDIT):
            v = self._value(row, col)
            if col in (self.SHOULD_SHOW, self.LAST_SENT, self.LAST_CART) and v is None:
                return "—"
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.CheckStateRole and col == self.SYNC:
            return Qt.CheckState.Checked if row.sync else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole and key in self.errors:
            return QBrush(QColor("#fde0e0"))
        if role == Qt.ItemDataRole.BackgroundRole and col in self.READ_ONLY:
            return QBrush(QColor("#f0f0f0"))  # read-only columns look read-only
        if role == Qt.ItemDataRole.ToolTipRole:
            if key in self.errors:
                return self.errors[key]
            if col == self.CART_SKU:
                return "Empty: the cart uses the store's SKU"
            return TIPS.get(col)
        return None

    def setData(self, index, value, role=EDIT) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        r, col = index.row(), index.column()
        row = self.rows[r]
        if role == Qt.ItemDataRole.CheckStateRole and col == self.SYNC:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
            self.rows[r] = replace(row, sync=bool(checked))
        elif role == EDIT and col in self.EDITABLE:
            self.rows[r] = replace(row, **{self.NAMES[col]: str(value)})
        else:
            return False
        self.errors.pop((r, col), None)
        self.dataChanged.emit(index, index)
        return True

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def update_seen(self, seen: dict[str, tuple[int | None, int | None]]) -> None:
        """New Last sent / Last known cart QOH by cart (read-only columns: edits stay)."""
        for i, row in enumerate(self.rows):
            if row.cart not in seen:
                continue
            sent, cart_qoh = seen[row.cart]
            if (row.last_sent, row.last_cart_qoh) == (sent, cart_qoh):
                continue
            self.rows[i] = replace(row, last_sent=sent, last_cart_qoh=cart_qoh)
            if i < len(self.saved):
                self.saved[i] = replace(self.saved[i], last_sent=sent, last_cart_qoh=cart_qoh)
            self.dataChanged.emit(self.index(i, self.LAST_SENT), self.index(i, self.LAST_CART))

    def set_error(self, row: int, col: int, message: str) -> None:
        self.errors[(row, col)] = message
        idx = self.index(row, col)
        self.dataChanged.emit(idx, idx)
