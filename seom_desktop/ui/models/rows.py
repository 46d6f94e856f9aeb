"""A report's table model: headers and rows set together (a preview, a drift report, a
transfer's results), rows a test flags shown in red."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


class ReportModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str] = (), parent=None, *,
                 flag: Callable[[tuple], bool] | None = None):
        super().__init__(parent)
        self.headers = tuple(headers)
        self.rows: list[tuple] = []
        self.flag = flag  # rows it returns True for are shown in red

    def set_rows(self, headers: Sequence[str], rows: Sequence[tuple],
                 flag: Callable[[tuple], bool] | None = None) -> None:
        self.beginResetModel()
        self.headers = tuple(headers)
        self.rows = [tuple(r) for r in rows]
        self.flag = flag
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
        if role == Qt.ItemDataRole.ForegroundRole and self.flag is not None and self.flag(row):
            return QBrush(QColor("#b3261e"))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section] if section < len(self.headers) else None
        return None
