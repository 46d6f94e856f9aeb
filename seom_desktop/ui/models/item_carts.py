"""The main window's side panel model: the selected item cart by cart, plain
ItemCartRow rows read by app/item_carts.py (should show and the rule that decided it,
sent, seen, the fate of the last QOH change, and in the demo what the emulated cart
shows now)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from seom_desktop.app.item_carts import CartProbe, ItemCartRow

__all__ = ["CartProbe", "ItemCartRow", "ItemCartsModel"]


def _n(v: int | None) -> str:
    return "—" if v is None else f"{v:,}"


class ItemCartsModel(QAbstractTableModel):
    def __init__(self, parent=None, *, live: bool = False):
        super().__init__(parent)
        self.live = live
        self.rows: list[ItemCartRow] = []

    @property
    def headers(self) -> tuple[str, ...]:
        base = ("Cart", "Sync", "Should show", "Rule", "Sent", "Seen", "Last change")
        return (*base, "Live") if self.live else base

    def set_rows(self, rows: list[ItemCartRow]) -> None:
        """Show these rows. The same rows again (the window re-reads them every few
        seconds and after each controller pass) change nothing; the same carts with new
        figures repaint their cells; only other carts reset the table (a reset makes the
        view ask again for every header and cell, each a call into Python)."""
        rows = list(rows)
        if rows == self.rows:
            return
        if [r.cart for r in rows] == [r.cart for r in self.rows]:
            self.rows = rows
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(rows) - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (r.cart, "Yes" if r.synchronized else "No", _n(r.should_show),
                      r.rule or "—", _n(r.last_sent), _n(r.last_seen), r.last_change or "—",
                      _n(r.live))
            return values[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 4, 5, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 6 and r.last_change == "not sent":
            return QBrush(QColor("#b3261e"))
        if role == Qt.ItemDataRole.ToolTipRole and col == 6 and r.last_change == "not sent":
            return "The item's last QOH change was not sent to this cart"
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return "The rule that decided what this cart should show"
        if role == Qt.ItemDataRole.ForegroundRole and col == 7 and r.live is not None:
            ok = r.live == r.should_show
            return QBrush(QColor("#2e7d32" if ok else "#b3261e"))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None
