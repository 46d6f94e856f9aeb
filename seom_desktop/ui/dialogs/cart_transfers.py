"""The runs of Advanced Cart Functions: [Send QOH To Website] and [Get QOH from Website]
(each previewed first: changes first, with product names, and run only when the
preview's Send/Take button is pressed), [Import Orders] and the [Drift Report]
(differences first). The drift report also shows the cart's last reconcile (when,
checked, different, fixed, error) in a panel of its own with [Reconcile now], which
queues corrections once the clerk confirms (sync/reconcile.py). Mixed into
AdvancedCartFunctionsDialog, which owns the other widgets. Each run and the rows it
shows are made on the transfer's thread (transfer_rows.py); the UI thread only shows
them."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton
from qasync import asyncSlot

from seom_desktop.sync.reconcile import RunView
from seom_desktop.ui.dialogs import transfer_rows
from seom_desktop.ui.dialogs.transfer_preview import PreviewDialog
from seom_desktop.ui.models.rows import ReportRows
from seom_desktop.ui.words import plural

WARN_ORDERS = ("Import all outstanding orders from every cart of this store before you "
               "send QOH from here to the Web sites.")


class CartTransfers:
    """Uses the dialog's store, cart_name(), _run(), confirm(), _say(), _show_rows()."""

    @asyncSlot()
    async def on_send(self) -> None:
        name, max_items = self.cart_name(), self.max_spin.value()
        if not name or self.running:
            return
        self._show_rows(ReportRows())
        got = await self._run("Send QOH To Website — preview", transfer_rows.send_preview,
                              self.store, name, max_items=max_items)
        if got is None or got[0].cancelled:
            return
        preview, table = got
        if preview.error:
            self._say(f"{name} could not be read for the preview: {preview.error}", True)
            return
        batches = -(-preview.total // max(preview.batch_size, 1)) if preview.total else 0
        dlg = PreviewDialog(
            "Send QOH To Website", f"{preview.total:,} items will be sent to {name} "
            f"({table.changes:,} would change), in {plural(batches, 'group')} of at most "
            f"{preview.batch_size}. {WARN_ORDERS}",
            table, f"Send {preview.total:,} items", self)
        if not await self.confirm(dlg):
            self._say("Nothing was sent.")
            return
        got = await self._run("Send QOH To Website", transfer_rows.send, self.store, name,
                              max_items=max_items)
        if got is None:
            return
        report, table = got
        self.last_report = report
        what = f"{report.sent:,} of {report.total:,} items sent to {name} in {plural(report.requests, 'request')}"
        if report.cancelled:
            self._say(f"Cancelled: {what}; the rest was not sent.", True)
        elif report.error:
            self._say(f"Stopped: {report.error}. {what}.", True)
        else:
            self._say(f"Done: {what}." + (f" {len(report.refused)} refused." if report.refused else "")
                      + _managed_words(report.managed, "not sent"))
        self._show_rows(table)
        self.changed.emit()

    @asyncSlot()
    async def on_get(self) -> None:
        name, create = self.cart_name(), self.create_new_box.isChecked()
        if not name or self.running:
            return
        self._show_rows(ReportRows())
        got = await self._run("Get QOH from Website — preview", transfer_rows.get_preview,
                              self.store, name, create_new=create)
        if got is None or got[0].cancelled:
            return
        preview, table = got
        if preview.error:
            self._say(f"{name} could not be read: {preview.error}", True)
            return
        dlg = PreviewDialog(
            "Get QOH from Website", f"{len(preview.changed):,} products of the store will take "
            f"the QOH {name} shows ({preview.unchanged:,} already agree)."
            + (" New products will be created." if create else ""),
            table, f"Take {len(preview.changed):,} quantities", self)
        if not await self.confirm(dlg):
            self._say("Nothing was changed.")
            return
        got = await self._run("Get QOH from Website", transfer_rows.get, self.store, name,
                              create_new=create)
        if got is None:
            return
        report, table = got
        self.last_report = report
        what = (f"{report.read:,} items read, {len(report.changed):,} quantities taken, "
                f"{len(report.created):,} products created")
        if report.cancelled or report.error:
            self._say(f"{'Cancelled' if report.cancelled else 'Stopped: ' + str(report.error)}"
                      f" — {what}.", True)
        else:
            self._say(f"Done: {what}." + _managed_words(report.managed, "left alone"))
        self._show_rows(table)
        self.changed.emit()

    @asyncSlot()
    async def on_import_orders(self) -> None:
        name = self.cart_name()
        if not name or self.running:
            return
        got = await self._run("Import Orders", transfer_rows.import_orders, self.store, name)
        if got is None:
            return
        report, table = got
        self.last_report = report
        text = (f"{plural(len(report.imported), 'order')} imported from {name}, "
                f"{len(report.skipped)} already imported, "
                f"{plural(report.lines_applied, 'line')} applied")
        self._say(("Stopped: " + report.error + ". " if report.error else "") + text + ".",
                  bool(report.error))
        self._show_rows(table)
        self.changed.emit()

    @asyncSlot()
    async def on_drift(self) -> None:
        name = self.cart_name()
        if not name or self.running:
            return
        got = await self._run("Drift Report", transfer_rows.drift_and_last_run, self.store,
                              name)
        if got is None:
            return
        rows, table, differ, last = got
        self.last_report = rows
        self._say(f"{differ.changes:,} of {len(rows):,} synced products differ on {name}.",
                  bool(differ.changes))
        self._show_rows(table)
        self._drift = (name, differ)
        self._reconcile_panel().show_cart(name, last)

    @asyncSlot()
    async def on_reconcile(self) -> None:
        """Reconcile now: queue corrections for the cart of the last drift report, once
        the clerk confirms (the confirm lists what differs now)."""
        from seom_desktop.inventory.actor import Actor

        name, differ = getattr(self, "_drift", (None, ReportRows()))
        if not name or self.running:
            return
        dlg = PreviewDialog(
            "Reconcile now", f"Reconcile {name}: its outstanding orders are imported first, "
            f"the whole cart is read again, and one correction is queued in the web stack for "
            f"each item that still differs ({differ.changes:,} differ now). A difference that a "
            "sale on the cart explains (an order not imported yet) is left alone.",
            differ, "Reconcile now", self)
        if not await self.confirm(dlg):
            self._say("Nothing was reconciled.")
            return
        got = await self._run("Reconcile", transfer_rows.reconcile_and_last_run, self.store,
                              name, actor=Actor.current(self.workstation))
        if got is None:
            return
        result, table, last = got
        self.last_report = result
        self._say(("Stopped: " if result.error else "Reconciled ") + result.summary() + ".",
                  bool(result.error))
        self._show_rows(table)
        self._drift = (name, ReportRows())
        self._reconcile_panel().show_cart(name, last)
        self.changed.emit()

    def _reconcile_panel(self) -> ReconcilePanel:
        """The drift report's panel (the cart's last reconcile, Reconcile now), under the
        message, made the first time a drift report is shown."""
        panel = getattr(self, "reconcile_panel", None)
        if panel is None:
            panel = ReconcilePanel(self)
            lay = self.layout()
            lay.insertWidget(lay.indexOf(self.message) + 1, panel)
            panel.button.clicked.connect(self.on_reconcile)
            self.reconcile_panel = panel
        return panel


class ReconcilePanel(QGroupBox):
    """The last reconcile of the cart (when, checked, different, fixed, error) and the
    [Reconcile now] button."""

    def __init__(self, parent=None):
        super().__init__("Reconcile", parent)
        self.setObjectName("reconcilePanel")
        self.last_label = QLabel("")
        self.last_label.setObjectName("lastReconcile")
        self.last_label.setWordWrap(True)
        self.last_label.setAccessibleName("Last reconcile")
        self.button = QPushButton("Reconcile now")
        self.button.setObjectName("reconcileNow")
        self.button.setAccessibleName("Reconcile now")
        self.button.setAutoDefault(False)  # Enter never starts it
        self.button.setToolTip("Import the cart's orders, read it again and queue a "
                               "correction for each difference (asks first)")
        lay = QHBoxLayout(self)
        lay.addWidget(self.last_label, 1)
        lay.addWidget(self.button)

    def show_cart(self, name: str, last: RunView | None) -> None:
        self.setTitle(f"Reconcile {name}")
        self.last_label.setText(last.describe() if last is not None
                                else f"{name} has never been reconciled.")
        self.show()


def _managed_words(managed: list, outcome: str) -> str:
    """" 2 items are set by the cart itself (managed by Shopify bundles): not sent." """
    if not managed:
        return ""
    first = managed[0]
    note = first.message if hasattr(first, "message") else first["note"]
    n = len(managed)
    return (f" {n} item{'s are' if n != 1 else ' is'} set by the cart itself "
            f"({note.split(':')[0]}): {outcome}.")
