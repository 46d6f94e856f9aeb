"""The runs of Advanced Cart Functions: [Send QOH To Website] and [Get QOH from Website]
(each previewed first: changes first, with product names, and run only when the
preview's Send/Take button is pressed), [Import Orders] and the [Drift Report]
(differences first). The drift report also shows the cart's last reconcile (when,
checked, different, fixed, error) in a panel of its own with [Reconcile now], which
queues corrections once the clerk confirms (sync/reconcile.py). Mixed into
AdvancedCartFunctionsDialog, which owns the other widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton
from qasync import asyncSlot

from seom_desktop.sync.drift import drift_rows
from seom_desktop.sync.reconcile import RunView, latest_run, reconcile
from seom_desktop.ui.dialogs.transfer_preview import PreviewDialog, with_names
from seom_desktop.ui.words import plural

WARN_ORDERS = ("Import all outstanding orders from every cart of this store before you "
               "send QOH from here to the Web sites.")


class CartTransfers:
    """Uses the dialog's store, cart_name(), _run(), confirm(), _say(), _show_rows()."""

    @asyncSlot()
    async def on_send(self) -> None:
        from seom_desktop.sync.send_qoh import send_qoh

        name, max_items = self.cart_name(), self.max_spin.value()
        if not name or self.running:
            return
        self._show_rows((), [])
        got = await self._run("Send QOH To Website — preview", with_names, send_qoh,
                              lambda r: [p.sku for p in r.dry_run or []], self.store, name,
                              max_items=max_items, dry_run=True)
        if got is None or got[0].cancelled:
            return
        preview, names = got
        if preview.error:
            self._say(f"{name} could not be read for the preview: {preview.error}", True)
            return
        rows = [(p.sku, names.get(p.sku, ""), p.cart_qoh, p.would_send, p.note)
                for p in preview.dry_run or []]
        changes = sum(1 for r in rows if r[2] != r[3])
        batches = -(-preview.total // max(preview.batch_size, 1)) if preview.total else 0
        dlg = PreviewDialog(
            "Send QOH To Website", f"{preview.total:,} items will be sent to {name} "
            f"({changes:,} would change), in {plural(batches, 'group')} of at most "
            f"{preview.batch_size}. {WARN_ORDERS}",
            ("SKU", "Name", "Cart now", "Would send", "Note"), rows,
            f"Send {preview.total:,} items", self, flag=lambda r: r[2] != r[3])
        if not await self.confirm(dlg):
            self._say("Nothing was sent.")
            return
        report = await self._run("Send QOH To Website", send_qoh, self.store, name,
                                 max_items=max_items)
        if report is None:
            return
        self.last_report = report
        what = f"{report.sent:,} of {report.total:,} items sent to {name} in {plural(report.requests, 'request')}"
        if report.cancelled:
            self._say(f"Cancelled: {what}; the rest was not sent.", True)
        elif report.error:
            self._say(f"Stopped: {report.error}. {what}.", True)
        else:
            self._say(f"Done: {what}." + (f" {len(report.refused)} refused." if report.refused else "")
                      + _managed_words(report.managed, "not sent"))
        self._show_rows(("SKU", "Cart SKU", "Not sent because"),
                        [(r.sku, r.cart_sku, r.message) for r in report.refused]
                        + [(r.sku, r.cart_sku, r.message) for r in report.managed])
        self.changed.emit()

    @asyncSlot()
    async def on_get(self) -> None:
        from seom_desktop.sync.get_qoh import get_qoh

        name, create = self.cart_name(), self.create_new_box.isChecked()
        if not name or self.running:
            return
        self._show_rows((), [])
        got = await self._run("Get QOH from Website — preview", with_names, get_qoh,
                              lambda r: [c["sku"] for c in r.changed], self.store, name,
                              create_new=create, dry_run=True)
        if got is None or got[0].cancelled:
            return
        preview, names = got
        if preview.error:
            self._say(f"{name} could not be read: {preview.error}", True)
            return
        rows = [(c["sku"], names.get(c["sku"], ""), c["store_qoh"], c["cart_qoh"],
                 "will change") for c in preview.changed]
        rows += [(c["sku"], "", None, c["cart_qoh"], "new product") for c in preview.created]
        rows += [(u["sku"], "", None, u["cart_qoh"], u["note"]) for u in preview.unknown]
        rows += [(m["sku"], names.get(m["sku"], ""), None, None, m["note"])
                 for m in preview.managed]
        dlg = PreviewDialog(
            "Get QOH from Website", f"{len(preview.changed):,} products of the store will take "
            f"the QOH {name} shows ({preview.unchanged:,} already agree)."
            + (" New products will be created." if create else ""),
            ("SKU", "Name", "Store now", "Cart shows", "Note"), rows,
            f"Take {len(preview.changed):,} quantities", self,
            flag=lambda r: r[4] in ("will change", "new product"))
        if not await self.confirm(dlg):
            self._say("Nothing was changed.")
            return
        report = await self._run("Get QOH from Website", get_qoh, self.store, name,
                                 create_new=create)
        if report is None:
            return
        self.last_report = report
        what = (f"{report.read:,} items read, {len(report.changed):,} quantities taken, "
                f"{len(report.created):,} products created")
        if report.cancelled or report.error:
            self._say(f"{'Cancelled' if report.cancelled else 'Stopped: ' + str(report.error)}"
                      f" — {what}.", True)
        else:
            self._say(f"Done: {what}." + _managed_words(report.managed, "left alone"))
        self._show_rows(("SKU", "Store was", "Cart shows", "Note"),
                        [(c["sku"], c["store_qoh"], c["cart_qoh"], "") for c in report.changed]
                        + [(m["sku"], None, None, m["note"]) for m in report.managed])
        self.changed.emit()

    @asyncSlot()
    async def on_import_orders(self) -> None:
        from seom_desktop.sync.orders import import_orders

        name = self.cart_name()
        if not name or self.running:
            return
        report = await self._run("Import Orders", import_orders, self.store, name)
        if report is None:
            return
        self.last_report = report
        text = (f"{plural(len(report.imported), 'order')} imported from {name}, "
                f"{len(report.skipped)} already imported, "
                f"{plural(report.lines_applied, 'line')} applied")
        self._say(("Stopped: " + report.error + ". " if report.error else "") + text + ".",
                  bool(report.error))
        self._show_rows(("Order", "SKU", "Quantity / problem"),
                        [(u["order_id"], u["sku"], u["quantity"]) for u in report.unknown_skus]
                        + [(p["order_id"], p["sku"], p["message"]) for p in report.problems])
        self.changed.emit()

    @asyncSlot()
    async def on_drift(self) -> None:
        name = self.cart_name()
        if not name or self.running:
            return
        got = await self._run("Drift Report", drift_and_last_run, self.store, name)
        if got is None:
            return
        rows, names, last = got
        drifted = [r for r in rows if r.drifted]
        self.last_report = rows
        self._say(f"{len(drifted):,} of {len(rows):,} synced products differ on {name}.",
                  bool(drifted))
        self._show_rows(("SKU", "Name", "Should show", "Cart shows"),
                        [(r.sku, names.get(r.sku, ""), r.should_show, r.cart_shows)
                         for r in rows], flag=lambda r: r[2] != r[3])
        self._drift = (name, [(r.sku, names.get(r.sku, ""), r.should_show, r.cart_shows)
                              for r in drifted])
        self._reconcile_panel().show_cart(name, last)

    @asyncSlot()
    async def on_reconcile(self) -> None:
        """Reconcile now: queue corrections for the cart of the last drift report, once
        the clerk confirms (the confirm lists what differs now)."""
        from seom_desktop.inventory.actor import Actor

        name, rows = getattr(self, "_drift", (None, []))
        if not name or self.running:
            return
        dlg = PreviewDialog(
            "Reconcile now", f"Reconcile {name}: its outstanding orders are imported first, "
            f"the whole cart is read again, and one correction is queued in the web stack for "
            f"each item that still differs ({len(rows):,} differ now). A difference that a "
            "sale on the cart explains (an order not imported yet) is left alone.",
            ("SKU", "Name", "Should show", "Cart shows"), rows, "Reconcile now", self)
        if not await self.confirm(dlg):
            self._say("Nothing was reconciled.")
            return
        got = await self._run("Reconcile", reconcile_and_last_run, self.store, name,
                              actor=Actor.current(self.workstation))
        if got is None:
            return
        result, last = got
        self.last_report = result
        self._say(("Stopped: " if result.error else "Reconciled ") + result.summary() + ".",
                  bool(result.error))
        self._show_rows(("SKU", "Cart showed", "Should show", "Outcome"),
                        [(f"{d.sku} at {d.location}" if d.location else d.sku, d.cart_qoh,
                          d.should_show, d.outcome) for d in result.different])
        self._drift = (name, [])
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


def drift_and_last_run(store, name: str, *, progress=None):
    """(drift rows, SKU -> product name, the cart's last reconcile or None); off the UI
    thread."""
    rows, names = with_names(drift_rows, lambda rows: [r.sku for r in rows], store, name,
                             progress=progress)
    return rows, names, latest_run(store, name)


def reconcile_and_last_run(store, name: str, *, progress=None, actor=None):
    """Reconcile with corrections, then read the run it recorded; off the UI thread."""
    result = reconcile(store, name, fix=True, progress=progress, actor=actor)
    return result, latest_run(store, name)


def _managed_words(managed: list, outcome: str) -> str:
    """" 2 items are set by the cart itself (managed by Shopify bundles): not sent." """
    if not managed:
        return ""
    first = managed[0]
    note = first.message if hasattr(first, "message") else first["note"]
    n = len(managed)
    return (f" {n} item{'s are' if n != 1 else ' is'} set by the cart itself "
            f"({note.split(':')[0]}): {outcome}.")
