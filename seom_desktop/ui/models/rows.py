"""A report's table model: headers and rows set together (a preview, a drift report, a
transfer's results), the rows that change shown first and in red.

`report_rows` orders and counts the rows once, off the UI thread (the transfer's own
thread): a Get QOH preview of 50,000 items ordered and flagged on the UI thread held it
40-70 ms. The model then shows the table, or only its changes, as a slice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor


def cell(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "Yes" if v else "No"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


@dataclass(frozen=True)
class ReportRows:
    """A report's table as the window shows it: the rows that change first, then the
    others (each group in its own order); `rows[:changes]` are the ones that change."""

    headers: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()
    changes: int = 0


def report_rows(headers: Sequence[str], rows: Sequence[tuple],
                changes: Callable[[tuple], bool] | None = None) -> ReportRows:
    """Order `rows` changes first (every row changes when `changes` is None). Called off
    the UI thread, where the rows are made."""
    rows = [tuple(r) for r in rows]
    if changes is None:
        return ReportRows(tuple(headers), tuple(rows), len(rows))
    first = [r for r in rows if changes(r)]
    return ReportRows(tuple(headers), tuple(first + [r for r in rows if not changes(r)]),
                      len(first))


class ReportModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.headers: tuple[str, ...] = ()
        self.rows: list[tuple] = []
        self.flagged = 0  # the first `flagged` rows change: shown in red

    def show(self, table: ReportRows, changes_only: bool = False) -> None:
        """The table, or only the rows that change: a slice, nothing evaluated per row."""
        self.beginResetModel()
        self.headers = table.headers
        self.rows = list(table.rows[:table.changes] if changes_only else table.rows)
        self.flagged = table.changes
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt names
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        v = row[index.column()] if index.column() < len(row) else None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell(v)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(v, int) \
                and not isinstance(v, bool):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.row() < self.flagged:
            return QBrush(QColor("#b3261e"))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section] if section < len(self.headers) else None
        return None
