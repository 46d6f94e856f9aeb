"""QOH Ledger: every change of one item's quantity on hand — when, who, on which
workstation, from where (Adjust Inventory, POS sale, purchase order, an order from a
cart, Get QOH From Website, a CSV import), the change, the QOH after it, the reason and
the reference, and whether the change went to the Web sites ("not sent" when it was
saved with "Send QOH changes to Web sites" cleared, or no cart was synchronized) —
filtered by a date range and a source; read by app/ledger.py on a pool thread. Times
are shown in local time (the store keeps UTC). Read only: the ledger is the audit
trail, nothing here changes it."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.ledger import MAX_ROWS, LedgerRow, ledger_rows, ledger_sources
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import (
    ErrorLabel,
    StoreDialog,
    TuplesModel,
    make_default,
    plain_table,
)
from seom_desktop.ui.dialogs.sku_field import SkuField
from seom_desktop.ui.models.stack import local_time
from seom_desktop.ui.words import plural

ALL_SOURCES = "All sources"
HEADERS = ("When", "Who", "Workstation", "Source", "Change", "QOH after", "Reason",
           "Reference", "Web sites")


def ledger_cells(r: LedgerRow) -> tuple:
    """One ledger row as the table shows it (local time, signed change)."""
    return (local_time(r.when), r.who, r.workstation, r.source, f"{r.change:+,d}",
            f"{r.qoh_after:,}", r.reason, r.reference, r.web)


class LedgerDialog(StoreDialog):
    """QOH Ledger of one item (read on a pool thread: `shown` says the rows arrived)."""

    shown = Signal()

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None,
                 sku: str | None = None, **kw):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle("QOH Ledger")
        self.setAccessibleName("QOH Ledger")
        self.current_sku: str | None = None
        self.rows: list[LedgerRow] = []
        self._asked = 0

        self.sku_field = SkuField(store)
        self.show_button = QPushButton("Show")
        self.show_button.setDefault(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("SKU:"))
        top.addWidget(self.sku_field, 1)
        top.addWidget(self.show_button, 0, Qt.AlignmentFlag.AlignTop)

        today = QDate.currentDate()
        self.dates_box = QCheckBox("Only from")
        self.dates_box.setAccessibleName("Filter by date")
        self.since_edit = QDateEdit(today.addMonths(-1))
        self.until_edit = QDateEdit(today)
        for edit, name in ((self.since_edit, "From date"), (self.until_edit, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setEnabled(False)
        self.source_combo = QComboBox()
        self.source_combo.setAccessibleName("Source")
        self.source_combo.addItem(ALL_SOURCES)
        filters = QHBoxLayout()
        filters.addWidget(self.dates_box)
        filters.addWidget(self.since_edit)
        filters.addWidget(QLabel("to"))
        filters.addWidget(self.until_edit)
        filters.addSpacing(16)
        filters.addWidget(QLabel("Source:"))
        filters.addWidget(self.source_combo, 1)
        self.filter_error = ErrorLabel(self)

        self.title = QLabel("")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.model = TuplesModel(HEADERS)
        self.view = plain_table(self.model)
        self.view.setAccessibleName("Ledger entries")
        self.note = QLabel("")
        self.note.setTextFormat(Qt.TextFormat.PlainText)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(filters)
        lay.addWidget(self.filter_error)
        lay.addWidget(self.title)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.note)
        lay.addWidget(buttons)

        self.show_button.clicked.connect(self.show_typed)
        self.dates_box.toggled.connect(self._dates_toggled)
        self.dates_box.toggled.connect(lambda _on: self.reload())
        self.since_edit.dateChanged.connect(lambda _d: self.reload())
        self.until_edit.dateChanged.connect(lambda _d: self.reload())
        self.source_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.resize(920, 520)
        make_default(self.show_button)
        if sku:
            self.sku_field.set_sku(sku)
            self.show_typed()

    def _dates_toggled(self, on: bool) -> None:
        self.since_edit.setEnabled(on)
        self.until_edit.setEnabled(on)

    def show_typed(self) -> None:
        if self.sku_field.pending():  # its look-up runs on a pool thread: show it then
            self.sku_field.when_ready(self.show_typed)
            return
        sku = self.sku_field.check()
        if sku is not None:
            self.load(sku)

    def load(self, sku: str) -> None:
        """Show the ledger of `sku` (the source list is that item's)."""
        store = self.store
        run_in_thread(lambda: (ledger_rows(store, sku=sku, limit=1) is not None,
                               ledger_sources(store, sku=sku)),
                      owner=self, on_done=lambda got: self._loaded(sku, *got),
                      on_error=lambda e: self.filter_error.show_error(
                          f"The ledger could not be read: {e}"))

    def _loaded(self, sku: str, known: bool, sources: list[str]) -> None:
        if not known:
            self.sku_field.show_error(f"unknown SKU {sku!r}")
            return
        self.current_sku = sku
        self.source_combo.blockSignals(True)
        keep = self.source_combo.currentText()
        self.source_combo.clear()
        self.source_combo.addItem(ALL_SOURCES)
        self.source_combo.addItems(sources)
        self.source_combo.setCurrentText(keep if self.source_combo.findText(keep) >= 0
                                         else ALL_SOURCES)
        self.source_combo.blockSignals(False)
        self.reload()

    def filters(self) -> dict | None:
        """The chosen filters, or None (with the error shown) when they make no sense."""
        self.filter_error.clear_error()
        since = until = None
        if self.dates_box.isChecked():
            since, until = self.since_edit.date().toPython(), self.until_edit.date().toPython()
            if since > until:
                self.filter_error.show_error("the From date is after the To date")
                return None
        source = self.source_combo.currentText()
        return {"since": since, "until": until,
                "source": None if source in ("", ALL_SOURCES) else source}

    def reload(self) -> None:
        if self.current_sku is None:
            return
        chosen = self.filters()
        if chosen is None:
            self.model.set_rows([])
            self.note.setText("")
            return
        self._asked += 1
        asked, store, sku = self._asked, self.store, self.current_sku
        run_in_thread(lambda: ledger_rows(store, sku=sku, **chosen) or [], owner=self,
                      on_done=lambda rows: self._show_rows(asked, sku, rows),
                      on_error=lambda e: self.filter_error.show_error(
                          f"The ledger could not be read: {e}"))

    def _show_rows(self, asked: int, sku: str, rows: list[LedgerRow]) -> None:
        if asked != self._asked:
            return  # an older choice of filters
        self.rows = rows
        self.title.setText(f"{sku}: {plural(len(rows), 'change')}, newest first")
        self.model.set_rows([ledger_cells(r) for r in rows])
        self.note.setText(f"Only the newest {MAX_ROWS:,} are shown: narrow the dates."
                          if len(rows) >= MAX_ROWS else "")
        self.shown.emit()
