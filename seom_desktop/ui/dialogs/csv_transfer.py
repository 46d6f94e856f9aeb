"""QOH from and to CSV files. Import: the file is checked whole (off the UI thread) and
every problem is listed by line; nothing is written while the file has problems unless
the clerk chooses [Import the N good rows]; the rows go in through Adjust Inventory in
one transaction, so they reach the synced carts through the web stack. Export: sku,
name, qoh of every product."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.errors import InventoryError
from seom_desktop.app.inventory_list import export_qoh_csv as write_qoh_csv
from seom_desktop.app.stock_changes import check_qoh_file, import_qoh_rows
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import (
    ERROR_STYLE,
    NOTE_STYLE,
    OK_STYLE,
    StoreDialog,
    TuplesModel,
    line_field,
    plain_table,
)
from seom_desktop.ui.words import plural

CSV_FILTER = "CSV files (*.csv);;All files (*)"


class CsvImportDialog(StoreDialog):
    changed = Signal()
    checked = Signal()  # the file was read and checked (for tests and callers)
    finished_import = Signal(bool)

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None,
                 path: str | None = None, **kw):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle("Import QOH from CSV")
        self.result_file = None  # the QohFile checked last

        self.path = line_field("a CSV file with the columns sku,qoh", name="path")
        self.browse_button = QPushButton("Choose file…")
        self.check_button = QPushButton("Check file")
        top = QHBoxLayout()
        top.addWidget(QLabel("File:"))
        top.addWidget(self.path, 1)
        top.addWidget(self.browse_button)
        top.addWidget(self.check_button)
        help_text = QLabel("The first line must name the columns sku and qoh (other columns "
                           "are ignored). Each QOH becomes the item's new QOH through Adjust "
                           "Inventory (reason \u201cCSV import\u201d) and is sent to the synced "
                           "carts.")
        help_text.setWordWrap(True)
        help_text.setStyleSheet(NOTE_STYLE)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.problems_model = TuplesModel(("Line", "SKU", "Problem"))
        self.problems_view = plain_table(self.problems_model)
        self.problems_view.setAccessibleName("Problems")
        self.problems_view.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Import",
                                                    QDialogButtonBox.ButtonRole.ApplyRole)
        self.import_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(help_text)
        lay.addWidget(self.summary)
        lay.addWidget(self.problems_view, 1)
        lay.addWidget(self.general_error)
        lay.addWidget(self.buttons)

        self.browse_button.clicked.connect(self.browse)
        self.check_button.clicked.connect(self.check)
        # Return in the file name checks the file (never opens the file chooser)
        for b in (self.browse_button, self.import_button):
            b.setAutoDefault(False)
        self.check_button.setDefault(True)
        self.path.editor.textEdited.connect(lambda _t: self._reset())
        self.import_button.clicked.connect(self.do_import)
        self.resize(760, 480)
        if path:
            self.path.editor.setText(str(path))
            self.check()

    def _reset(self) -> None:
        self.result_file = None
        self.import_button.setEnabled(False)
        self.import_button.setText("Import")
        self.problems_model.set_rows([])
        self.summary.setText("")
        self.general_error.clear_error()

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import QOH from CSV", "", CSV_FILTER)
        if name:
            self.path.editor.setText(name)
            self.check()

    def check(self) -> None:
        self._reset()
        text = self.path.editor.text().strip()
        if not text:
            self.path.show_error("choose a CSV file")
            return
        if not Path(text).is_file():
            self.path.show_error(f"no such file: {text}")
            return
        self.path.clear_error()
        self.check_button.setEnabled(False)
        self.summary.setStyleSheet(NOTE_STYLE)
        self.summary.setText("Checking…")
        store = self.store
        run_in_thread(lambda: check_qoh_file(store, path=text), owner=self,
                      on_done=self._checked, on_error=self._check_failed)

    def _checked(self, result) -> None:
        self.check_button.setEnabled(True)
        self.result_file = result
        good, bad = len(result.rows), len(result.problems)
        self.problems_model.set_rows([(p.line or "", p.sku, p.problem)
                                      for p in result.problems])
        if result.fatal:
            self.summary.setText("This file cannot be imported: " + result.problems[0].problem)
            self.summary.setStyleSheet(ERROR_STYLE)
        elif bad:
            self.summary.setText(
                f"{plural(bad, 'line')} {'has' if bad == 1 else 'have'} problems (listed below) and "
                f"{plural(good, 'row')} {'is' if good == 1 else 'are'} good. "
                "Nothing is written unless you import the good rows; the lines listed are "
                "then left out.")
            self.summary.setStyleSheet(ERROR_STYLE)
            if good:
                self.import_button.setText(f"Import the {plural(good, 'good row')}")
                self.import_button.setEnabled(True)
        elif good:
            self.summary.setText(f"{plural(good, 'row')} checked, no problems.")
            self.summary.setStyleSheet(OK_STYLE)
            self.import_button.setText(f"Import {plural(good, 'row')}")
            self.import_button.setEnabled(True)
        else:
            self.summary.setText("The file has a header but no rows.")
            self.summary.setStyleSheet(NOTE_STYLE)
        self.checked.emit()

    def _check_failed(self, e: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.summary.setText(f"The file could not be checked: {e}")
        self.summary.setStyleSheet(ERROR_STYLE)
        self.checked.emit()

    def do_import(self) -> None:
        if self.result_file is None or not self.result_file.rows:
            return
        rows = list(self.result_file.rows)
        store, ws = self.store, self.workstation
        self.import_button.setEnabled(False)
        self.check_button.setEnabled(False)
        self.summary.setStyleSheet(NOTE_STYLE)
        self.summary.setText(f"Importing {len(rows)} rows…")
        run_in_thread(lambda: import_qoh_rows(store, rows=rows, workstation=ws), owner=self,
                      on_done=self._imported, on_error=self._import_failed)

    def _imported(self, results) -> None:
        self.check_button.setEnabled(True)
        changed = sum(1 for r in results if r.delta)
        sent = sum(len(r.stack_row_ids) for r in results)
        self.summary.setStyleSheet(OK_STYLE)
        self.summary.setText(f"Imported {plural(len(results), 'row')} ({changed} QOH changed, "
                             f"{plural(sent, 'web stack record')} queued for the carts).")
        self.import_button.setText("Import")
        self.result_file = None
        self.changed.emit()
        self.finished_import.emit(True)

    def _import_failed(self, e: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.import_button.setEnabled(True)
        msg = str(e) if isinstance(e, InventoryError) else f"{type(e).__name__}: {e}"
        self.general_error.show_error(f"Nothing was imported: {msg}")
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText("")
        self.finished_import.emit(False)


def export_qoh_csv(store, parent: QWidget | None = None, path: str | None = None) -> int | None:
    """Export QOH (sku,name,qoh) to `path`, asking for a file when none is given.
    Returns the number of products written, or None when the clerk cancelled."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, "Export QOH to CSV", "qoh.csv", CSV_FILTER)
        if not path:
            return None
    return write_qoh_csv(store, path=path)
