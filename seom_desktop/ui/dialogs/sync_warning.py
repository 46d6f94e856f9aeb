"""The window shown when Synchronize Inventory is turned on for a cart: the reference
page's warnings (sending starts at once; the same beginning QOH everywhere; carts that
hold stock in baskets), what differs between the store and the cart, and the offer to
Send QOH To Website first (app/cart_compare.py, on pool threads: they reach the cart;
SynchQOH is read on a pool thread too)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from seom_desktop.app.cart_compare import Difference, differences, send_qoh_to_cart
from seom_desktop.app.carts import holds_stock_in_baskets, synch_qoh
from seom_desktop.ui.async_support import run_in_thread
from seom_desktop.ui.dialogs.fields import (
    ERROR_STYLE,
    NOTE_STYLE,
    OK_STYLE,
    TuplesModel,
    make_default,
    plain_table,
)
from seom_desktop.ui.words import plural

SYNC_WARNINGS = [
    "Follow these recommendations to avoid severe inventory management problems:",
    "It is strongly recommended that this is done outside of normal business hours.",
    "Ensure that all outstanding orders have been imported from each cart defined within "
    "this store before sending QOH from the store to those Web sites.",
    "seom-desktop begins transmitting inventory changes immediately after the Synchronize "
    "Inventory check box is selected and the cart is saved. If more than one site needs to "
    "be synchronized, make sure that products that appear on multiple sites all have the "
    "same beginning QOH before enabling this on each of the affected shopping carts.",
    "Inventory synchronization at the item level can be impacted by settings on the Web "
    "Fields tab of the View Inventory screen. Review them carefully.",
]
BASKET_WARNING = ("This shopping cart retains inventory in the shopping basket: ensure all "
                  "baskets are emptied BEFORE turning on this feature.")


class SyncWarningDialog(QDialog):
    """Shown when Synchronize Inventory is turned on: the warnings, what differs between
    the store and the cart, and [Send QOH To Website] to make them agree first."""

    drift_loaded = Signal()
    synch_read = Signal()  # SynchQOH was read: the note under the warnings is settled
    qoh_sent = Signal()

    def __init__(self, store, *, cart_name: str | None, kind: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.cart_name = cart_name
        self.setWindowTitle("Synchronize Inventory")
        items = "".join(f"<li>{w}</li>" for w in SYNC_WARNINGS[1:])
        self.warning = QLabel(f"<b>{SYNC_WARNINGS[0]}</b><ul>{items}</ul>")
        self.warning.setWordWrap(True)
        self.basket = QLabel(f"<b>{BASKET_WARNING}</b>")
        self.basket.setWordWrap(True)
        self.basket.setStyleSheet(ERROR_STYLE)
        self.basket.setVisible(holds_stock_in_baskets(kind))
        self.synch_note = QLabel("System parameter SynchQOH is FALSE: nothing is sent to any "
                                 "cart until it is set to TRUE (Set System Parameters, "
                                 "Program group).")
        self.synch_note.setWordWrap(True)
        self.synch_note.setStyleSheet(NOTE_STYLE)
        self.synch_note.setVisible(False)  # until SynchQOH is read (on a pool thread)
        run_in_thread(lambda: synch_qoh(store), owner=self, on_done=self._got_synch)

        self.drift_status = QLabel("")
        self.drift_status.setWordWrap(True)
        self.drift_model = TuplesModel(("SKU", "Name", "Should show", "Cart shows"))
        self.drift_view = plain_table(self.drift_model)
        self.drift_view.setMinimumHeight(140)
        self.drift_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.send_button = QPushButton("Send QOH To Website")
        self.send_button.setAutoDefault(False)  # a button that sends is never the default
        self.send_result = QLabel("")
        self.send_result.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        # the button does what it says: the cart is saved with Synchronize Inventory on
        turn_on = ("Turn on Synchronize Inventory" if cart_name is not None
                   else "Save the cart with Synchronize Inventory on")
        self.turn_on_button = self.buttons.addButton(turn_on,
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.turn_on_button.setAutoDefault(False)  # turning it on is never the default
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.send_button.clicked.connect(self.send)

        lay = QVBoxLayout(self)
        lay.addWidget(self.warning)
        lay.addWidget(self.basket)
        lay.addWidget(self.synch_note)
        lay.addWidget(QLabel("<b>Store and cart compared</b> (items whose QOH differ):"))
        lay.addWidget(self.drift_status)
        lay.addWidget(self.drift_view, 1)
        sb = QHBoxLayout()
        sb.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignTop)
        sb.addWidget(self.send_result, 1)
        lay.addLayout(sb)
        lay.addWidget(self.buttons)
        self.send_button.setEnabled(cart_name is not None)
        self.resize(640, 560)
        make_default(self.cancel_button)
        self.load_drift()

    def _got_synch(self, synch: bool) -> None:
        self.synch_note.setVisible(not synch)
        self.synch_read.emit()

    def load_drift(self) -> None:
        if self.cart_name is None:
            self.drift_status.setText(
                "The comparison and Send QOH To Website need a saved cart: save it with "
                "Synchronize Inventory cleared, then turn it on.")
            self.drift_view.setVisible(False)
            return
        self.drift_status.setText(f"Reading {self.cart_name}…")
        name, store = self.cart_name, self.store
        run_in_thread(lambda: differences(store, cart=name), owner=self,
                      on_done=self._drift_done, on_error=self._drift_failed)

    def _drift_done(self, differ: list[Difference]) -> None:
        self.drift_model.set_rows([(d.sku, d.name, str(d.should_show),
                                    "—" if d.cart_shows is None else str(d.cart_shows))
                                   for d in differ])
        self.drift_status.setText(
            f"{plural(len(differ), 'item')} {'differs' if len(differ) == 1 else 'differ'} "
            f"between the store and {self.cart_name}: use "
            "[Send QOH To Website] (or Get QOH From Website) before turning this on."
            if differ else f"The store and {self.cart_name} agree on every item compared.")
        self.drift_status.setStyleSheet(ERROR_STYLE if differ else OK_STYLE)
        self.drift_loaded.emit()

    def _drift_failed(self, e: BaseException) -> None:
        self.drift_status.setText(f"Could not compare with {self.cart_name}: {e}")
        self.drift_status.setStyleSheet(ERROR_STYLE)
        self.drift_loaded.emit()

    def send(self) -> None:
        if self.cart_name is None:
            return
        self.send_button.setEnabled(False)
        self.send_result.setStyleSheet(NOTE_STYLE)
        self.send_result.setText(f"Sending QOH to {self.cart_name}…")
        name, store = self.cart_name, self.store
        run_in_thread(lambda: send_qoh_to_cart(store, cart=name), owner=self,
                      on_done=self._sent, on_error=self._send_failed)

    def _sent(self, report) -> None:
        self.send_button.setEnabled(True)
        text = (f"Sent {report.sent} of {plural(report.total, 'item')} in "
                f"{plural(report.requests, 'request')}.")
        if report.refused:
            text += f" {len(report.refused)} refused (first: {report.refused[0].message})."
        if report.error:
            text += f" Stopped: {report.error}"
        ok = report.error is None and not report.refused
        self.send_result.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.send_result.setText(text)
        self.qoh_sent.emit()
        self.load_drift()

    def _send_failed(self, e: BaseException) -> None:
        self.send_button.setEnabled(True)
        self.send_result.setStyleSheet(ERROR_STYLE)
        self.send_result.setText(f"Send QOH To Website failed: {e}")
        self.qoh_sent.emit()
