"""QOH Ledger: every change of one item's quantity on hand — when, who, on which
workstation, from where (Adjust Inventory, POS sale, purchase order, an order from a
cart, Get QOH From Website, a CSV import), the change, the QOH after it, the reason and
the reference, and whether the change went to the Web sites ("not sent" when it was
saved with "Send QOH changes to Web sites" cleared, or no cart was synchronized) —
filtered by a date range and a source. Times are shown in local time (the store keeps
UTC). Read only: the ledger is the audit trail, nothing here changes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, Qt
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
from sqlalchemy import func, select

from seom_desktop.store.models import Cart, LedgerEntry, Product, StackRow
from seom_desktop.ui.dialogs.fields import (
    ErrorLabel,
    RowsModel,
    SkuField,
    StoreDialog,
    make_default,
    plain_table,
)
from seom_desktop.ui.models.stack import local_time
from seom_desktop.ui.words import plural

MAX_ROWS = 5000
ALL_SOURCES = "All sources"
HEADERS = ("When", "Who", "Workstation", "Source", "Change", "QOH after", "Reason",
           "Reference", "Web sites")
IN_CHUNK = 500


def web_notes(session, entries: list[tuple[int, int]]) -> dict[int, str]:
    """(ledger id, change) -> what the Web sites were told of it: "not sent" when no
    web stack row was made for it, else "sent", "waiting" or "bypassed" per its rows."""
    ids = [i for i, delta in entries if delta]
    states: dict[int, dict[str, int]] = {}
    for k in range(0, len(ids), IN_CHUNK):
        for lid, state, n in session.execute(
                select(StackRow.ledger_id, StackRow.state, func.count())
                .where(StackRow.ledger_id.in_(ids[k:k + IN_CHUNK]))
                .group_by(StackRow.ledger_id, StackRow.state)):
            states.setdefault(lid, {})[state] = n
    out = {}
    for lid, delta in entries:
        got = states.get(lid, {})
        if not delta:
            out[lid] = ""
        elif not got:
            out[lid] = "not sent"
        elif set(got) == {"sent"}:
            out[lid] = "sent"
        elif set(got) <= {"sent", "bypassed"}:
            out[lid] = "bypassed"
        else:
            out[lid] = "waiting"
    return out


@dataclass(frozen=True)
class LedgerRow:
    when: datetime | None
    who: str
    workstation: str
    source: str
    change: int
    qoh_after: int
    reason: str
    reference: str
    web: str = ""

    def cells(self) -> tuple:
        return (local_time(self.when), self.who, self.workstation, self.source,
                f"{self.change:+,d}", f"{self.qoh_after:,}", self.reason, self.reference,
                self.web)


def ledger_sources(store, sku: str) -> list[str]:
    """The sources found in the item's ledger (for the source filter)."""
    with store.read() as s:
        return sorted(s.scalars(select(LedgerEntry.source).join(Product)
                                .where(Product.sku == sku).distinct()))


def _utc_midnight(day: date) -> datetime:
    """The start of a local day as the store's naive UTC time."""
    return datetime.combine(day, time.min).astimezone().astimezone(UTC).replace(tzinfo=None)


def ledger_rows(store, sku: str, *, since: date | None = None, until: date | None = None,
                source: str | None = None, limit: int = MAX_ROWS) -> list[LedgerRow] | None:
    """The item's ledger, newest first (None: no such SKU). `since`/`until` are local
    days, both included."""
    with store.read() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == sku))
        if pid is None:
            return None
        q = (select(LedgerEntry.created_at, LedgerEntry.user, LedgerEntry.workstation,
                    LedgerEntry.source, LedgerEntry.delta, LedgerEntry.qoh_after,
                    LedgerEntry.reason, LedgerEntry.reference, Cart.name, LedgerEntry.id)
             .outerjoin(Cart, Cart.id == LedgerEntry.origin_cart_id)
             .where(LedgerEntry.product_id == pid))
        if since is not None:
            q = q.where(LedgerEntry.created_at >= _utc_midnight(since))
        if until is not None:
            q = q.where(LedgerEntry.created_at < _utc_midnight(until + timedelta(days=1)))
        if source:
            q = q.where(LedgerEntry.source == source)
        rows = s.execute(q.order_by(LedgerEntry.id.desc()).limit(limit)).all()
        web = web_notes(s, [(r[9], r[4]) for r in rows])
    return [LedgerRow(when, who or "", ws or "", f"{src} ({cart})" if cart else src,
                      delta, after, reason or "", ref or "", web[lid])
            for when, who, ws, src, delta, after, reason, ref, cart, lid in rows]


class LedgerDialog(StoreDialog):
    """QOH Ledger of one item."""

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None,
                 sku: str | None = None, **kw):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle("QOH Ledger")
        self.setAccessibleName("QOH Ledger")
        self.current_sku: str | None = None

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
        self.model = RowsModel(HEADERS)
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
        sku = self.sku_field.check()
        if sku is not None:
            self.load(sku)

    def load(self, sku: str) -> None:
        """Show the ledger of `sku` (the source list is that item's)."""
        if ledger_rows(self.store, sku, limit=1) is None:
            self.sku_field.show_error(f"unknown SKU {sku!r}")
            return
        self.current_sku = sku
        self.source_combo.blockSignals(True)
        keep = self.source_combo.currentText()
        self.source_combo.clear()
        self.source_combo.addItem(ALL_SOURCES)
        self.source_combo.addItems(ledger_sources(self.store, sku))
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
        rows = ledger_rows(self.store, self.current_sku, **chosen) or []
        self.title.setText(f"{self.current_sku}: {plural(len(rows), 'change')}, newest first")
        self.model.set_rows([r.cells() for r in rows])
        self.note.setText(f"Only the newest {MAX_ROWS:,} are shown: narrow the dates."
                          if len(rows) >= MAX_ROWS else "")


def open_ledger(window) -> LedgerDialog:
    """Inventory > QOH Ledger… of the main window: the selected item's ledger."""
    sku = window.selected_sku() if hasattr(window, "selected_sku") else None
    dlg = LedgerDialog(window.store, workstation=window.workstation, parent=window, sku=sku)
    dialogs = getattr(window, "dialogs", None)
    if isinstance(dialogs, dict):
        dialogs["ledger"] = dlg
    dlg.show()
    return dlg
