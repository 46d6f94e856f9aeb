"""View Inventory: one item's SKU, name and QOH with its ledger (General tab), and its
settings for each cart (Web Fields tab: Sync, Cart SKU, Reserve, Max qty shown), which
shape what each cart is sent. The tab names the product it shows; Save applies only
while the SKU box names that product; what was last sent and seen is refreshed while
the dialog is open; closing or showing another product with edits unsaved asks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.products import set_web_fields, web_fields_of
from seom_desktop.inventory.validation import MAX_QOH, check_sku, parse_quantity
from seom_desktop.store.carts import CartDefinitionError
from seom_desktop.store.models import Product
from seom_desktop.ui.dialogs.fields import (
    ErrorLabel,
    RowsModel,
    SkuField,
    StoreDialog,
    make_default,
    plain_table,
)
from seom_desktop.ui.dialogs.guard import UnsavedGuard
from seom_desktop.ui.dialogs.ledger import HEADERS as LEDGER_HEADERS
from seom_desktop.ui.dialogs.ledger import ledger_rows
from seom_desktop.ui.words import plural

LEDGER_ROWS = 200
REFRESH_MS = 2000  # Last sent / Last known cart QOH follow the stack controller
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


class WebFieldsModel(QAbstractTableModel):
    HEADERS = ("Cart", "Sync", "Cart SKU", "Reserve", "Max qty shown", "Last sent",
               "Last known cart QOH")
    CART, SYNC, CART_SKU, RESERVE, MAX_QTY, LAST_SENT, LAST_CART = range(7)
    EDITABLE = (CART_SKU, RESERVE, MAX_QTY)

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
        return (row.cart, "", row.cart_sku, row.reserve, row.max_qty, row.last_sent,
                row.last_cart_qoh)[col]

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        key = (index.row(), col)
        if role in (DISPLAY, EDIT):
            v = self._value(row, col)
            if col in (self.LAST_SENT, self.LAST_CART) and v is None:
                return "—"
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.CheckStateRole and col == self.SYNC:
            return Qt.CheckState.Checked if row.sync else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole and key in self.errors:
            return QBrush(QColor("#fde0e0"))
        if role == Qt.ItemDataRole.BackgroundRole and col in (self.CART, self.LAST_SENT,
                                                              self.LAST_CART):
            return QBrush(QColor("#f0f0f0"))  # read-only columns look read-only
        if role == Qt.ItemDataRole.ToolTipRole:
            if key in self.errors:
                return self.errors[key]
            if col == self.MAX_QTY:
                return "Empty: no cap on the quantity shown"
            if col == self.CART_SKU:
                return "Empty: the cart uses the store's SKU"
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
            name = {self.CART_SKU: "cart_sku", self.RESERVE: "reserve",
                    self.MAX_QTY: "max_qty"}[col]
            self.rows[r] = replace(row, **{name: str(value)})
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


class ViewInventoryDialog(UnsavedGuard, StoreDialog):
    changed = Signal()

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None,
                 sku: str | None = None, **kw):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle("View Inventory")
        self.current_sku: str | None = None

        self.sku_field = SkuField(store)
        self.open_button = QPushButton("Show")
        top = QHBoxLayout()
        top.addWidget(QLabel("SKU:"))
        top.addWidget(self.sku_field, 1)
        top.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)

        # General tab
        self.sku_label = QLabel("—")
        self.name_label = QLabel("—")
        self.name_label.setWordWrap(True)
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)  # a cart's HTML is data
        self.qoh_label = QLabel("—")
        self.qoh_label.setObjectName("qoh")
        for lab in (self.sku_label, self.name_label, self.qoh_label):
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info = QFormLayout()
        info.addRow("SKU:", self.sku_label)
        info.addRow("Name:", self.name_label)
        info.addRow("QOH:", self.qoh_label)
        self.ledger_model = RowsModel(LEDGER_HEADERS)
        self.ledger_view = plain_table(self.ledger_model)
        general = QWidget()
        g = QVBoxLayout(general)
        g.addLayout(info)
        g.addWidget(QLabel(f"Last changes (newest first, at most {LEDGER_ROWS}):"))
        g.addWidget(self.ledger_view, 1)
        self.ledger_button = QPushButton("QOH Ledger…")
        self.ledger_button.setAutoDefault(False)
        self.ledger_button.setToolTip("Every change of this item's QOH, by date and source")
        self.ledger_button.clicked.connect(self.open_ledger)
        g.addWidget(self.ledger_button, 0, Qt.AlignmentFlag.AlignRight)

        # Web Fields tab
        self.web_model = WebFieldsModel(self)
        self.web_view = plain_table(self.web_model)
        self.web_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                      | QAbstractItemView.EditTrigger.EditKeyPressed
                                      | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.web_error = ErrorLabel()
        self.web_note = QLabel("These settings shape what each cart is sent: review them "
                               "carefully. Reserve is kept back from the cart; Max qty shown "
                               "caps what it shows (empty: no cap).")
        self.web_note.setWordWrap(True)
        self.web_title = QLabel("No product shown.")
        self.web_title.setObjectName("webFieldsProduct")
        self.web_title.setTextFormat(Qt.TextFormat.PlainText)
        self.web_title.setStyleSheet("font-weight: bold;")
        self.save_web_button = QPushButton("Save Web Fields")
        self.save_web_button.setEnabled(False)
        self.web_status = QLabel("")
        web = QWidget()
        w = QVBoxLayout(web)
        w.addWidget(self.web_title)
        w.addWidget(self.web_note)
        w.addWidget(self.web_view, 1)
        w.addWidget(self.web_error)
        wb = QHBoxLayout()
        wb.addWidget(self.web_status, 1)
        wb.addWidget(self.save_web_button)
        w.addLayout(wb)

        self.tabs = QTabWidget()
        self.tabs.addTab(general, "General")
        self.tabs.addTab(web, "Web Fields")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(buttons)

        self.open_button.clicked.connect(self.show_typed)
        self.open_button.setDefault(True)  # Return in the SKU shows the item
        self.save_web_button.setAutoDefault(False)
        self.save_web_button.clicked.connect(self.save_web_fields)
        self.web_model.dataChanged.connect(lambda *_: self.web_status.setText(""))
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh_seen)
        self.refresh_timer.start()
        self.resize(860, 520)
        make_default(self.open_button)
        if sku:
            self.sku_field.set_sku(sku)
            self.show_typed()

    def open_ledger(self):
        """The QOH Ledger window for the item shown."""
        from seom_desktop.ui.dialogs.ledger import LedgerDialog

        dlg = LedgerDialog(self.store, workstation=self.workstation, parent=self,
                           sku=self.current_sku)
        dlg.show()
        self.ledger_dialog = dlg
        return dlg

    unsaved_text = "The web fields were changed but not saved. Save them first?"

    def has_unsaved(self) -> bool:
        return self.web_model.rows != self.web_model.saved

    def save_unsaved(self) -> None:
        self.save_web_fields()

    def show_typed(self) -> None:
        sku = self.sku_field.check()
        if sku is None:
            return
        if self.current_sku is not None and sku != self.current_sku:
            text = (f"The web fields of {self.current_sku} were changed but not saved. "
                    "Save them first?")
            typed = self.sku_field.sku()
            if self.has_unsaved():
                self.sku_field.set_sku(self.current_sku)  # a Save goes to the product shown
                if not self.settle_unsaved(text):
                    return
                self.sku_field.set_sku(typed)
        self.load(sku)

    def refresh_seen(self) -> None:
        """What was last sent to and seen on each cart, as the stack controller records it."""
        if self.current_sku is None or not self.isVisible():
            return
        with self.store.read() as s:
            pid = s.scalar(select(Product.id).where(Product.sku == self.current_sku))
            web = web_fields_of(s, pid) if pid is not None else []
        self.web_model.update_seen({v.cart: (v.last_sent_qoh, v.last_cart_qoh) for v in web})

    def load(self, sku: str) -> None:
        with self.store.read() as s:
            product = s.execute(select(Product.id, Product.sku, Product.name, Product.qoh)
                                .where(Product.sku == sku)).first()
            if product is None:
                self.sku_field.show_error(f"unknown SKU {sku!r}")
                return
            pid = product[0]
            web = web_fields_of(s, pid)
        self.current_sku = product[1]
        self.tabs.setTabText(1, f"Web Fields \u2014 {product[1]}")
        self.web_title.setText(f"Web fields of {product[1]} \u2014 {product[2] or ''}")
        self.sku_label.setText(product[1])
        self.name_label.setText(product[2] or "")
        self.qoh_label.setText(f"{product[3]:,}")
        self.ledger_model.set_rows([r.cells() for r in
                                    ledger_rows(self.store, product[1], limit=LEDGER_ROWS) or []])
        self.web_model.set_rows([
            WebRow(v.cart, v.sync, v.cart_sku or "", str(v.reserve),
                   "" if v.max_qty is None else str(v.max_qty), v.last_sent_qoh,
                   v.last_cart_qoh) for v in web])
        self.web_error.clear_error()
        self.web_status.setText("" if web else "No carts are defined.")
        self.save_web_button.setEnabled(bool(web))

    def _check_row(self, i: int, row: WebRow) -> dict | None:
        """The set_web_fields arguments for a row, or None with its problems marked."""
        m = self.web_model
        ok = True
        cart_sku = row.cart_sku.strip()
        if cart_sku:
            try:
                check_sku(cart_sku)
            except InventoryError as e:
                m.set_error(i, m.CART_SKU, f"Cart SKU: {e}")
                ok = False
        try:
            reserve = parse_quantity(row.reserve or "0", "reserve", minimum=0, maximum=MAX_QOH)
        except InventoryError as e:
            m.set_error(i, m.RESERVE, str(e))
            ok = False
        max_qty: int | None = None
        if row.max_qty.strip():
            try:
                max_qty = parse_quantity(row.max_qty, "max qty shown", minimum=0,
                                         maximum=MAX_QOH)
            except InventoryError as e:
                m.set_error(i, m.MAX_QTY, str(e))
                ok = False
        if not ok:
            return None
        return {"cart": row.cart, "sync": row.sync, "cart_sku": cart_sku, "reserve": reserve,
                "max_qty": max_qty}

    def save_web_fields(self) -> None:
        """Check every changed row, then save them all in one transaction."""
        m = self.web_model
        self.web_error.clear_error()
        m.errors.clear()
        changes = []
        for i, (row, before) in enumerate(zip(m.rows, m.saved, strict=True)):
            if row == before:
                continue
            args = self._check_row(i, row)
            if args is not None:
                changes.append(args)
        if m.errors:
            (r, _c), msg = sorted(m.errors.items())[0]
            more = f" (and {len(m.errors) - 1} more)" if len(m.errors) > 1 else ""
            self.web_error.show_error(f"{m.rows[r].cart}: {msg}{more}. Nothing was saved.")
            m.layoutChanged.emit()
            return
        if not changes or self.current_sku is None:
            self.web_status.setText("Nothing to save.")
            return
        typed = self.sku_field.sku().strip()
        found = self.sku_field.lookup()  # "p1" names P1 when no other SKU differs by case
        if (found[0] if found else typed) != self.current_sku:
            self.web_error.show_error(
                f"The SKU box names {typed or 'no product'}, but these are the web fields of "
                f"{self.current_sku}. Nothing was saved: type {self.current_sku} back in the "
                "SKU box to save them, or press Show to open the other product.")
            return
        try:
            with self.store.write() as s:
                for args in changes:
                    set_web_fields(s, sku=self.current_sku, **args)
        except (InventoryError, CartDefinitionError) as e:
            self.web_error.show_error(f"{e}. Nothing was saved.")
            return
        self.load(self.current_sku)
        self.web_status.setText(f"Saved the web fields of {plural(len(changes), 'cart')}.")
        self.changed.emit()
