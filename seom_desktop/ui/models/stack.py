"""The Stack Controller dialog's model: plain StackRowView rows (app/stack_view.py), newest
first until the clerk sorts by a column (the rows themselves are kept in the shown order,
so row i of the model is row i of the table). Times are shown in local time; the store
keeps UTC. A row of change 0 (a web-field save: bring the cart in line) reads "refresh".
A row being sent by a controller that died reads as such ("sending: held by WS2's
controller, which stopped responding 12 s ago"), in the failed colour."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from seom_desktop.app.stack_view import STATES, StackRowView

STATE_COLOURS = {"failed": "#b3261e", "bypassed": "#7a5c00", "sending": "#1a5fb4",
                 "sent": "#2e7d32", "pending": "#444444", "waiting": "#8a4b00"}
DEAD_HOLDER_COLOUR = "#b3261e"
DEAD_HOLDER_TIP = ("The controller sending this record stopped. The record goes back to "
                   "pending and is sent on the next pass of a running controller.")
REFRESH = "refresh"
REFRESH_TIP = ("A web-field save: the cart is brought in line with what it should show; "
               "the QOH did not change")
_OLDEST = datetime.min


def local_time(dt: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A stored UTC time (naive or aware) as this computer's local time."""
    if dt is None:
        return ""
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    return aware.astimezone().strftime(fmt)


def state_text(r: StackRowView) -> str:
    return f"{r.state}: {r.held_note}" if r.held_note else r.state


def change_text(change: int) -> str:
    return REFRESH if change == 0 else f"{change:+,}"


class StackModel(QAbstractTableModel):
    HEADERS = ("Cart", "SKU", "Change", "State", "Attempts", "Last Response",
               "Next attempt", "Workstation", "Created")
    CREATED = 8
    LAST_RESPONSE = 5

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[StackRowView] = []
        self.sort_column = self.CREATED
        self.sort_order = Qt.SortOrder.DescendingOrder

    # --- rows and their order --------------------------------------------------------
    def set_rows(self, rows: list[StackRowView]) -> None:
        rows = self._sorted(rows)
        if [_key(r) for r in rows] == [_key(r) for r in self.rows]:
            return  # nothing changed: keep the selection as it is
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.HEADERS):
            return
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old = list(self.rows)
        self.rows = self._sorted(self.rows)
        # Keep selections and the current row on the same records.
        where = {r.id: i for i, r in enumerate(self.rows)}
        for idx in self.persistentIndexList():
            r = old[idx.row()] if idx.row() < len(old) else None
            if r is not None:
                self.changePersistentIndex(idx, self.index(where[r.id], idx.column()))
        self.layoutChanged.emit()

    def _sorted(self, rows: list[StackRowView]) -> list[StackRowView]:
        col = self.sort_column
        descending = self.sort_order == Qt.SortOrder.DescendingOrder
        return sorted(rows, key=lambda r: (_sort_value(r, col), r.id), reverse=descending)

    def row_at(self, i: int) -> StackRowView | None:
        return self.rows[i] if 0 <= i < len(self.rows) else None

    # --- Qt's side -------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (r.cart, r.sku, change_text(r.change), state_text(r), str(r.attempts),
                      r.last_response, local_time(r.next_attempt_at) if r.state in
                      ("pending", "failed", "waiting", "sending") else "", r.origin_workstation,
                      local_time(r.created_at))
            return values[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.LAST_RESPONSE:
                return r.last_response
            if col == 2 and r.change == 0:
                return REFRESH_TIP
            if col == 3 and r.held_note:
                return f"{r.held_note[0].upper()}{r.held_note[1:]}. {DEAD_HOLDER_TIP}"
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            colour = DEAD_HOLDER_COLOUR if r.held_note else STATE_COLOURS.get(r.state, "#000000")
            return QBrush(QColor(colour))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


def _key(r: StackRowView) -> tuple:
    return (r.id, r.state, r.attempts, r.last_response, r.next_attempt_at, r.held_note)


def _sort_value(r: StackRowView, col: int):
    if col == 0:
        return r.cart.lower()
    if col == 1:
        return r.sku.lower()
    if col == 2:
        return r.change
    if col == 3:
        return STATES.index(r.state) if r.state in STATES else len(STATES)
    if col == 4:
        return r.attempts
    if col == 5:
        return r.last_response.lower()
    if col == 6:
        return r.next_attempt_at or _OLDEST
    if col == 7:
        return r.origin_workstation.lower()
    return r.created_at or _OLDEST
