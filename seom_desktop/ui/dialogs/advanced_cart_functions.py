"""Advanced Cart Functions: the manual QOH transfer of the reference page.

[Send QOH To Website] and [Get QOH from Website] are shown only when the cart can do
them (PUSH / PULL): a cart with neither does not support inventory synchronization; a
cart with one transfers QOH in that direction only. Both first show a preview (a dry
run: what would change) and ask, then run in the executor behind a cancellable progress
dialog (qasync). [Import Orders] for carts that can list orders, and a drift report
(store-shaped QOH against what the cart shows now). No button that sends to a cart is a
default button: Enter in "Maximum number of items to send" saves that number.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
)

from seom_desktop.app.carts import (
    MAX_ITEMS_LIMIT,
    ORDERS,
    PULL,
    PUSH,
    CartView,
    carts_and_synch,
    holds_stock_in_baskets,
    set_max_items,
)
from seom_desktop.ui import window_rules
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.cart_transfers import WARN_ORDERS, CartTransfers
from seom_desktop.ui.dialogs.progress import run_with_progress
from seom_desktop.ui.dialogs.transfer_preview import (
    ChangesOnlyTable,
    ask,
)
from seom_desktop.ui.models.rows import ReportModel, ReportRows

WARN_BASKETS = ("This cart holds stock in shopping baskets: make sure all baskets are "
                "emptied BEFORE sending QOH or turning on Synchronize Inventory.")
WARN_REALTIME = ("These buttons initialize inventory counts before Real-Time Inventory "
                 "Synchronization. They are not meant for use once it is on.")
WARN_REALTIME_ON = ("Synchronize Inventory is ON for this cart (and SynchQOH is TRUE): "
                    "real-time synchronization is active. Use these buttons only after "
                    "turning it off, outside normal business hours.")


class AdvancedCartFunctionsDialog(CartTransfers, QDialog):
    changed = Signal()

    def __init__(self, store, *, workstation: str, parent=None, cart: str | None = None):
        super().__init__(parent)
        window_rules.watch(self)  # also when made without a parent
        self.store = store
        self.workstation = workstation
        self.wanted_cart = cart
        self.carts: list[CartView] = []
        self.synch_qoh = False
        self.running = False
        self.last_report = None
        self.current_progress = None  # the ProgressDialog of the run in flight
        self.setObjectName("advancedCartFunctionsDialog")
        self.setWindowTitle("Advanced Cart Functions")
        self.resize(820, 620)

        self.cart_box = QComboBox()
        self.cart_box.setObjectName("cartBox")
        self.cart_box.setAccessibleName("Cart")
        self.cart_box.currentIndexChanged.connect(lambda *_: self._cart_changed())
        self.kind_label = QLabel("")
        self.kind_label.setObjectName("kindLabel")
        top = QHBoxLayout()
        top.addWidget(QLabel("Cart:"))
        top.addWidget(self.cart_box, 1)
        top.addWidget(self.kind_label, 2)

        self.warnings = QLabel("")
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("background: #fff8e1; border: 1px solid #e0c36a; "
                                    "padding: 6px;")

        qoh = QGroupBox("Manual QOH updates")
        self.send_button = QPushButton("Send QOH To Website")
        self.send_button.setObjectName("sendQoh")
        self.get_button = QPushButton("Get QOH from Website")
        self.get_button.setObjectName("getQoh")
        self.direction_label = QLabel("")
        self.direction_label.setObjectName("directionLabel")
        self.direction_label.setWordWrap(True)
        self.max_spin = QSpinBox()
        self.max_spin.setObjectName("maxItems")
        self.max_spin.setRange(1, MAX_ITEMS_LIMIT)
        self.max_spin.setAccessibleName("Maximum number of items to send")
        self.max_spin.setToolTip("Limits the records sent at one time, to prevent server "
                                 "time-outs. Do not alter it unless you see time-outs.")
        self.save_max_button = QPushButton("Save")
        self.save_max_button.setObjectName("saveMax")
        self.create_new_box = QCheckBox("Create Records for New Products")
        self.create_new_box.setObjectName("createNew")
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.get_button)
        buttons.addStretch(1)
        max_row = QHBoxLayout()
        max_row.addWidget(self.max_spin)
        max_row.addWidget(self.save_max_button)
        max_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Maximum number of items to send:", max_row)
        form.addRow("", self.create_new_box)
        ql = QVBoxLayout(qoh)
        ql.addLayout(buttons)
        ql.addWidget(self.direction_label)
        ql.addLayout(form)

        other = QHBoxLayout()
        self.orders_button = QPushButton("Import Orders")
        self.orders_button.setObjectName("importOrders")
        self.drift_button = QPushButton("Drift Report")
        self.drift_button.setObjectName("driftReport")
        self.drift_button.setToolTip("Compare what the cart should show with what it shows now")
        other.addWidget(self.orders_button)
        other.addWidget(self.drift_button)
        other.addStretch(1)

        self.message = QLabel("")
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.results = ReportModel(parent=self)
        self.results_table = QTableView()
        self.results_table.setObjectName("resultsTable")
        self.results_table.setAccessibleName("Results")
        self.results_table.setModel(self.results)
        self.results_table.verticalHeader().setVisible(False)
        self.results_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)
        self.changes_only = QCheckBox("Changes only")
        self.changes_only.setObjectName("changesOnly")
        self.changes_only.setAccessibleName("Changes only")
        self.results_rows = ChangesOnlyTable(self.results, self.changes_only)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)

        for b in (self.send_button, self.get_button, self.save_max_button,
                  self.orders_button, self.drift_button):
            b.setAccessibleName(b.text())
            b.setAutoDefault(False)  # Enter never starts a transfer
        self.send_button.clicked.connect(self.on_send)
        self.get_button.clicked.connect(self.on_get)
        self.orders_button.clicked.connect(self.on_import_orders)
        self.drift_button.clicked.connect(self.on_drift)
        self.save_max_button.clicked.connect(self.save_max_items)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.warnings)
        lay.addWidget(qoh)
        lay.addLayout(other)
        lay.addWidget(self.message)
        lay.addWidget(self.changes_only)
        lay.addWidget(self.results_table, 1)
        lay.addWidget(close)
        self.save_max_button.setDefault(True)  # Enter in the field saves it (once parented)
        self._set_enabled(False)
        self.reload()

    # --- carts ---------------------------------------------------------------------
    def reload(self) -> None:
        store = self.store
        run_in_thread(lambda: carts_and_synch(store), owner=self, on_done=self._got_carts,
                      on_error=lambda e: self._say(f"The carts could not be read: {e}", True))

    def _got_carts(self, loaded) -> None:
        carts, self.synch_qoh = loaded
        keep = self.cart_name() or self.wanted_cart
        self.carts = carts
        self.cart_box.blockSignals(True)
        self.cart_box.clear()
        for c in carts:
            self.cart_box.addItem(f"{c.name}  ({c.kind})", c.name)
        idx = self.cart_box.findData(keep) if keep else 0
        self.cart_box.setCurrentIndex(max(idx, 0))
        self.cart_box.blockSignals(False)
        if not carts:
            self._say("No shopping carts are defined: Settings > System Functions > "
                      "Shopping Carts.", True)
        self._cart_changed()

    def cart_name(self) -> str | None:
        return self.cart_box.currentData()

    def cart(self) -> CartView | None:
        name = self.cart_name()
        return next((c for c in self.carts if c.name == name), None)

    def _cart_changed(self) -> None:
        c = self.cart()
        caps = set(c.capabilities) if c else set()
        self.send_button.setVisible(PUSH in caps)
        self.get_button.setVisible(PULL in caps)
        self.max_spin.setEnabled(c is not None)
        self.create_new_box.setVisible(PULL in caps)
        self.orders_button.setVisible(ORDERS in caps)
        if c is None:
            self.kind_label.setText("")
            self.warnings.setText("")
            self._set_enabled(False)
            return
        self.kind_label.setText(f"{c.kind} — {c.url}")
        self.max_spin.setValue(c.max_items)
        if not caps & {PUSH, PULL}:
            self.direction_label.setText("This shopping cart does not support inventory "
                                         "synchronization: no QOH can be sent or read.")
        elif PUSH in caps and PULL in caps:
            self.direction_label.setText("QOH can be sent to this Web site and read from it.")
        else:
            way = "from the store to the Web site" if PUSH in caps else \
                  "from the Web site to the store"
            self.direction_label.setText(f"QOH is only transferred in one direction for "
                                         f"this cart: {way}.")
        lines = [WARN_ORDERS]
        if holds_stock_in_baskets(c.kind):
            lines.append(WARN_BASKETS)
        lines.append(WARN_REALTIME_ON if (c.sync and self.synch_qoh) else WARN_REALTIME)
        self.warnings.setText("<b>Very important:</b><ul>" +
                              "".join(f"<li>{t}</li>" for t in lines) + "</ul>")
        self._set_enabled(not self.running)

    def _set_enabled(self, on: bool) -> None:
        for b in (self.send_button, self.get_button, self.orders_button, self.drift_button,
                  self.save_max_button, self.cart_box):
            b.setEnabled(on)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e;" if error else "")

    def save_max_items(self) -> None:
        name, value, store = self.cart_name(), self.max_spin.value(), self.store
        if not name:
            return

        def done(view: CartView) -> None:
            self.carts = [view if c.name == view.name else c for c in self.carts]
            self._say(f"Maximum number of items to send for {name} saved: {view.max_items}.")
            self.changed.emit()

        run_in_thread(lambda: set_max_items(store, name=name, max_items=value), owner=self,
                      on_done=done,
                      on_error=lambda e: self._say(str(e), True))

    # --- running transfers ---------------------------------------------------------
    async def _run(self, title: str, fn, *args, **kw):
        """Run a transfer behind the progress dialog; None when it raised (said)."""
        self.running = True
        self._set_enabled(False)
        try:
            return await run_with_progress(self, title, fn, *args,
                                           on_dialog=self._progress_shown, **kw)
        except Exception as e:  # noqa: BLE001 - bad input / cart trouble: say it
            self._say(f"{title}: {e}", True)
            return None
        finally:
            self.current_progress = None
            self.running = False
            self._set_enabled(self.cart() is not None)

    def _progress_shown(self, dlg) -> None:
        self.current_progress = dlg

    async def confirm(self, dlg: QDialog) -> bool:
        """Ask (tests replace this)."""
        return await ask(dlg)

    def _show_rows(self, table: ReportRows) -> None:
        """Results, changes first ("Changes only" narrows them to the rows that change)."""
        self.results_rows.set_table(table)
