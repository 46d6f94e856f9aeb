"""View Inventory: one item's SKU, name and QOH with its ledger (General tab), and its
settings for each cart (Web Fields tab: Sync, Cart SKU and the item's rules -- Reserve,
Max shown, Percent, Min shown, Safety -- with what each cart should show under them and
the rule that decided it), which shape what each cart is sent. A kit's QOH is derived
from its components. The tab names the product it shows; Save applies only
while the SKU box names that product; what was last sent and seen is refreshed while
the dialog is open; closing or showing another product with edits unsaved asks. The
item is read (app/product_detail.product_view) and its Web Fields saved on a pool
thread; `shown` says an item arrived."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
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

from seom_desktop.app.errors import CartDefinitionError, InventoryError
from seom_desktop.app.product_detail import (
    ProductView,
    WebFieldChange,
    product_view,
    save_web_fields,
    web_fields,
)
from seom_desktop.inventory.rules import parse_rule
from seom_desktop.inventory.validation import MAX_QOH, check_sku, parse_quantity
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import (
    ErrorLabel,
    StoreDialog,
    TuplesModel,
    make_default,
    plain_table,
)
from seom_desktop.ui.dialogs.guard import UnsavedGuard
from seom_desktop.ui.dialogs.kit_tab import KitTab
from seom_desktop.ui.dialogs.ledger import HEADERS as LEDGER_HEADERS
from seom_desktop.ui.dialogs.ledger import LedgerDialog, ledger_cells
from seom_desktop.ui.dialogs.reorder_point import ReorderPointRow
from seom_desktop.ui.dialogs.sku_field import SkuField
from seom_desktop.ui.models.web_fields import WebFieldsModel, WebRow
from seom_desktop.ui.words import plural

LEDGER_ROWS = 200
REFRESH_MS = 2000  # Last sent / Last seen follow the stack controller
KIT_NOTE = " (kit: derived from its components)"


def _text(v: int | None) -> str:
    return "" if v is None else str(v)


class ViewInventoryDialog(UnsavedGuard, StoreDialog):
    changed = Signal()
    shown = Signal()  # an item was read and is shown

    def __init__(self, store, *, workstation: str, parent: QWidget | None = None,
                 sku: str | None = None, **kw):
        super().__init__(store, workstation=workstation, parent=parent, **kw)
        self.setWindowTitle("View Inventory")
        self.current_sku: str | None = None
        self._seen_busy = False

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
        self.reorder_row = ReorderPointRow(store)  # saved on its own, off the UI thread
        info.addRow("Reorder point:", self.reorder_row)
        self.ledger_model = TuplesModel(LEDGER_HEADERS)
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
                               "carefully. Reserve is kept back from the cart; Max shown caps "
                               "what it shows; Percent shows that share of what is available; "
                               "Min shown is the least it shows; Safety: at or below it the "
                               "cart shows 0. Empty: the cart's own rule applies (Shopping "
                               "Carts). Should show and Rule: what the cart should show and "
                               "what decided it, as saved.")
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
        self.kit_tab = KitTab()  # Kit tab: a kit's components and which one limits it
        self.kit_tab.loaded.connect(self._kit_shown)
        self.tabs.addTab(self.kit_tab, "Kit")

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
        if self.sku_field.pending():  # its look-up runs on a pool thread: show it then
            self.sku_field.when_ready(self.show_typed)
            return
        sku = self.sku_field.check()
        if sku is None:
            return
        if self.current_sku is not None and sku != self.current_sku:
            text = (f"The web fields of {self.current_sku} were changed but not saved. "
                    "Save them first?")
            typed = self.sku_field.sku()
            if self.has_unsaved():
                self.sku_field.set_sku(self.current_sku)  # a Save goes to the product shown

                def then() -> None:  # the save was written: show the product asked for
                    self.sku_field.set_sku(typed)
                    self.load(sku)

                if not self.settle_unsaved(text, then=then):
                    return
                self.sku_field.set_sku(typed)
        self.load(sku)

    def refresh_seen(self) -> None:
        """What was last sent to and seen on each cart, as the stack controller records it."""
        if self.current_sku is None or not self.isVisible() or self._seen_busy:
            return
        self._seen_busy = True
        store, sku = self.store, self.current_sku

        def got(web) -> None:
            self._seen_busy = False
            if sku == self.current_sku:
                self.web_model.update_seen({v.cart: (v.last_sent_qoh, v.last_cart_qoh)
                                            for v in web})

        run_in_thread(lambda: web_fields(store, sku=sku), owner=self, on_done=got,
                      on_error=lambda _e: setattr(self, "_seen_busy", False))

    def load(self, sku: str, note: str = "") -> None:
        """Read the product `sku` on a pool thread, then show it (and `note` under its
        Web Fields)."""
        store = self.store
        run_in_thread(lambda: product_view(store, sku=sku, ledger_limit=LEDGER_ROWS),
                      owner=self, on_done=lambda view: self._show_product(sku, view, note),
                      on_error=lambda e: self.web_error.show_error(
                          f"The product could not be read: {e}"))

    def _show_product(self, sku: str, view: ProductView | None, note: str = "") -> None:
        if view is None:
            self.sku_field.show_error(f"unknown SKU {sku!r}")
            return
        p, web = view.product, view.web
        self.current_sku = p.sku
        self.tabs.setTabText(1, f"Web Fields \u2014 {p.sku}")
        self.web_title.setText(f"Web fields of {p.sku} \u2014 {p.name}")
        self.sku_label.setText(p.sku)
        self.name_label.setText(p.name)
        self.qoh_label.setText(f"{p.qoh:,}" + (KIT_NOTE if p.kit else ""))
        self.kit_tab.show_product(self.store, p.id, p.sku)
        self.reorder_row.load(p.sku, p.qoh)
        self.ledger_model.set_rows([ledger_cells(r) for r in view.ledger])
        self.web_model.set_rows([
            WebRow(v.cart, v.sync, v.cart_sku or "", str(v.reserve), _text(v.max_qty),
                   v.last_sent_qoh, v.last_cart_qoh, _text(v.percent), _text(v.min_qty),
                   _text(v.safety), v.should_show, v.rule) for v in web])
        self.web_error.clear_error()
        self.web_status.setText(note if web else "No carts are defined.")
        self.save_web_button.setEnabled(bool(web))
        self.shown.emit()

    def _kit_shown(self, kit) -> None:
        """A kit's QOH is derived: the General tab shows that one, and says so."""
        if kit is not None and kit.sku == self.current_sku:
            self.qoh_label.setText(f"{kit.qoh:,}{KIT_NOTE}")

    def _check_row(self, i: int, row: WebRow) -> WebFieldChange | None:
        """The row's checked values, or None with its problems marked."""
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
        rules: dict[str, int | None] = {}
        for col in (m.MAX_QTY, m.PERCENT, m.MIN_QTY, m.SAFETY):
            name = m.NAMES[col]
            text = getattr(row, name).strip()
            try:  # as `webfields set --max-qty/--percent/--min-qty/--safety` reads them
                rules[name] = parse_rule(name, text) if text else None
            except InventoryError as e:
                m.set_error(i, col, str(e))
                ok = False
        if not ok:
            return None
        return WebFieldChange(row.cart, row.sync, cart_sku, reserve, **rules)

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
        self.when_looked_up(self.sku_field, lambda text: self._save_web_for(text, changes))

    def _save_web_for(self, text: str, changes: list[WebFieldChange]) -> None:
        """Save `changes` if the SKU box (its text at the press: `text`, looked up) still
        names the product shown; "p1" names P1 when no other SKU differs only by case."""
        typed = text.strip()
        found = self.sku_field.lookup(text)
        if (found[0] if found else typed) != self.current_sku:
            self.web_error.show_error(
                f"The SKU box names {typed or 'no product'}, but these are the web fields of "
                f"{self.current_sku}. Nothing was saved: type {self.current_sku} back in the "
                "SKU box to save them, or press Show to open the other product.")
            return
        store, sku, ws = self.store, self.current_sku, self.workstation
        self.run_save(lambda: save_web_fields(store, sku=sku, changes=changes, workstation=ws),
                      done=lambda n: self._web_saved(sku, n), failed=self._web_save_failed,
                      buttons=(self.save_web_button, self.open_button))

    def _web_saved(self, sku: str, n: int) -> None:
        self.web_model.saved = list(self.web_model.rows)  # written: nothing left unsaved
        self.load(sku, note=f"Saved the web fields of {plural(n, 'cart')}.")
        self.changed.emit()

    def _web_save_failed(self, e: BaseException) -> None:
        if isinstance(e, InventoryError | CartDefinitionError):
            self.web_error.show_error(f"{e}. Nothing was saved.")
        else:
            self.web_error.show_error(f"Nothing was saved: {type(e).__name__}: {e}")
