"""The Stack Controller dialog's model: plain StackRowView rows (stack/rows.py)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from seom_desktop.stack.rows import StackRowView

STATE_COLOURS = {"failed": "#b3261e", "bypassed": "#7a5c00", "sending": "#1a5fb4",
                 "sent": "#2e7d32", "pending": "#444444"}


def _when(dt) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S") if dt else ""


class StackModel(QAbstractTableModel):
    HEADERS = ("Cart", "SKU", "Change", "State", "Attempts", "Last Response",
               "Next attempt (UTC)", "Workstation")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[StackRowView] = []

    def set_rows(self, rows: list[StackRowView]) -> None:
        if [(r.id, r.state, r.attempts, r.last_response, r.next_attempt_at) for r in rows] == \
                [(r.id, r.state, r.attempts, r.last_response, r.next_attempt_at) for r in self.rows]:
            return  # nothing changed: keep the selection as it is
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, i: int) -> StackRowView | None:
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (r.cart, r.sku, f"{r.change:+,}", r.state, str(r.attempts),
                      r.last_response, _when(r.next_attempt_at) if r.state in
                      ("pending", "failed", "sending") else "", r.origin_workstation)
            text = values[col]
            if role == Qt.ItemDataRole.ToolTipRole and col != 5:
                return None
            return text
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            return QBrush(QColor(STATE_COLOURS.get(r.state, "#000000")))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None
