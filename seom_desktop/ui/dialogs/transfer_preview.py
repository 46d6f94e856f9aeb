"""What a manual transfer (Send QOH To Website, Get QOH from Website) would change,
shown before it runs, and the drift report's rows: changes first, product names beside
the SKUs, and "Changes only" on by default so that the few rows that change are not
lost among thousands that do not (the rows come ordered from `report_rows`, made on the
transfer's thread, not the UI thread's). Nothing here sends: the preview's default button is
Cancel, and [Send]/[Take] must be pressed (or clicked) on purpose."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
)

from seom_desktop.app.product_detail import product_names
from seom_desktop.ui.dialogs.fields import make_default
from seom_desktop.ui.models.rows import ReportModel, ReportRows


def with_names(fn: Callable, skus_of: Callable, *args, progress=None, **kw):
    """Run `fn` (in the executor) and read the names of the SKUs its result lists."""
    result = fn(*args, progress=progress, **kw)
    try:
        skus = list(skus_of(result))
    except (AttributeError, TypeError):  # a cancelled or failed run lists nothing
        skus = []
    return result, product_names(args[0], skus=skus)


async def ask(dlg: QDialog) -> bool:
    """Open `dlg` window-modal and wait for the answer without a nested event loop."""
    fut = asyncio.get_running_loop().create_future()
    dlg.finished.connect(lambda r: None if fut.done() else fut.set_result(r))
    dlg.open()
    return await fut == QDialog.DialogCode.Accepted


class ChangesOnlyTable:
    """A ReportModel whose rows can be narrowed to the ones that change (the table comes
    ordered and counted from report_rows, made off the UI thread)."""

    def __init__(self, model: ReportModel, box: QCheckBox):
        self.model, self.box = model, box
        self.table = ReportRows()
        box.setChecked(True)
        box.toggled.connect(lambda _on: self._show())

    def set_table(self, table: ReportRows) -> None:
        self.table = table
        self._show()

    def _show(self) -> None:
        self.model.show(self.table, changes_only=self.box.isChecked())


class PreviewDialog(QDialog):
    """What a transfer would change, and a confirm (Cancel is the default button)."""

    def __init__(self, title: str, intro: str, table: ReportRows, ok_text: str, parent=None):
        super().__init__(parent)
        self.setObjectName("previewDialog")
        self.setWindowTitle(title)
        self.resize(640, 480)
        label = QLabel(intro)
        label.setWordWrap(True)
        model = ReportModel(parent=self)
        self.changes_only = QCheckBox("Changes only")
        self.changes_only.setAccessibleName("Changes only")
        self.table_rows = ChangesOnlyTable(model, self.changes_only)
        self.table_rows.set_table(table)
        table = QTableView()
        table.setObjectName("previewTable")
        table.setAccessibleName("Preview")
        table.setModel(model)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.model = model
        box = QDialogButtonBox()
        self.ok_button = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setAutoDefault(False)  # a button that sends is never the default
        self.cancel_button = box.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(label)
        lay.addWidget(self.changes_only)
        lay.addWidget(table, 1)
        lay.addWidget(box)
        make_default(self.cancel_button)
