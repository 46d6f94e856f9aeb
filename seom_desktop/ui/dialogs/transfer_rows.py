"""The transfers of Advanced Cart Functions with the rows each one shows, made on the
transfer's own thread (run_with_progress), never on the UI thread.

Each function runs the transfer (sync/), reads the product names its rows need, and
hands back the report with a `ReportRows` already ordered changes first
(models/rows.py `report_rows`). Built on the UI thread, a Get QOH preview of 50,000
items (its rows, then ordered and flagged) held the window 40-70 ms in one go, and the
results of the pull as long again (bench/README.md, "Issue 23: the UI heartbeat")."""

from __future__ import annotations

from seom_desktop.sync.drift import drift_rows
from seom_desktop.sync.reconcile import latest_run, reconcile
from seom_desktop.ui.dialogs.transfer_preview import with_names
from seom_desktop.ui.models.rows import ReportRows, report_rows

SEND_PREVIEW = ("SKU", "Name", "Cart now", "Would send", "Note")
SEND_RESULT = ("SKU", "Cart SKU", "Not sent because")
GET_PREVIEW = ("SKU", "Name", "Store now", "Cart shows", "Note")
GET_RESULT = ("SKU", "Store was", "Cart shows", "Note")
ORDERS_RESULT = ("Order", "SKU", "Quantity / problem")
DRIFT = ("SKU", "Name", "Should show", "Cart shows")
RECONCILED = ("SKU", "Cart showed", "Should show", "Outcome")


def _stopped(report) -> bool:
    return bool(getattr(report, "cancelled", False) or getattr(report, "error", None))


def send_preview(store, name: str, *, max_items: int, progress=None):
    """Send QOH's dry run: (report, rows: what the cart shows now, what would be sent)."""
    from seom_desktop.sync.send_qoh import send_qoh

    preview, names = with_names(send_qoh, lambda r: [p.sku for p in r.dry_run or []], store,
                                name, max_items=max_items, dry_run=True, progress=progress)
    if _stopped(preview):
        return preview, ReportRows()
    rows = [(p.sku, names.get(p.sku, ""), p.cart_qoh, p.would_send, p.note)
            for p in preview.dry_run or []]
    return preview, report_rows(SEND_PREVIEW, rows, lambda r: r[2] != r[3])


def send(store, name: str, *, max_items: int, progress=None):
    """Send QOH: (report, rows: the items not sent and why)."""
    from seom_desktop.sync.send_qoh import send_qoh

    report = send_qoh(store, name, max_items=max_items, progress=progress)
    rows = ([(r.sku, r.cart_sku, r.message) for r in report.refused]
            + [(r.sku, r.cart_sku, r.message) for r in report.managed])
    return report, report_rows(SEND_RESULT, rows)


def get_preview(store, name: str, *, create_new: bool, progress=None):
    """Get QOH's dry run: (report, rows: the store's QOH beside the cart's, a note)."""
    from seom_desktop.sync.get_qoh import get_qoh

    preview, names = with_names(get_qoh, lambda r: [c["sku"] for c in r.changed + r.kits],
                                store, name, create_new=create_new, dry_run=True,
                                progress=progress)
    if _stopped(preview):
        return preview, ReportRows()
    rows = [(c["sku"], names.get(c["sku"], ""), c["store_qoh"], c["cart_qoh"], "will change")
            for c in preview.changed]
    rows += [(c["sku"], "", None, c["cart_qoh"], "new product") for c in preview.created]
    rows += [(u["sku"], "", None, u["cart_qoh"], u["note"]) for u in preview.unknown]
    rows += [(m["sku"], names.get(m["sku"], ""), None, None, m["note"])
             for m in preview.managed]
    rows += [(k["sku"], names.get(k["sku"], ""), None, k["cart_qoh"], k["note"])
             for k in preview.kits]  # never pulled: "kit: derived from its components"
    return preview, report_rows(GET_PREVIEW, rows,
                                lambda r: r[4] in ("will change", "new product"))


def get(store, name: str, *, create_new: bool, progress=None):
    """Get QOH: (report, rows: the quantities taken, the items the cart sets itself, the
    kits it lists: never pulled)."""
    from seom_desktop.sync.get_qoh import get_qoh

    report = get_qoh(store, name, create_new=create_new, progress=progress)
    rows = ([(c["sku"], c["store_qoh"], c["cart_qoh"], "") for c in report.changed]
            + [(m["sku"], None, None, m["note"]) for m in report.managed]
            + [(k["sku"], None, k["cart_qoh"], k["note"]) for k in report.kits])
    return report, report_rows(GET_RESULT, rows)


def import_orders(store, name: str, *, progress=None):
    """Import Orders: (report, rows: unknown SKUs and problems)."""
    from seom_desktop.sync.orders import import_orders as run

    report = run(store, name, progress=progress)
    rows = ([(u["order_id"], u["sku"], u["quantity"]) for u in report.unknown_skus]
            + [(p["order_id"], p["sku"], p["message"]) for p in report.problems])
    return report, report_rows(ORDERS_RESULT, rows)


def drift_and_last_run(store, name: str, *, progress=None):
    """(drift rows, their table, the table of those that drifted, the cart's last
    reconcile or None)."""
    rows, names = with_names(drift_rows, lambda rows: [r.sku for r in rows], store, name,
                             progress=progress)
    cells = [(r.sku, names.get(r.sku, ""), r.should_show, r.cart_shows) for r in rows]
    table = report_rows(DRIFT, cells, lambda r: r[2] != r[3])
    differ = report_rows(DRIFT, [c for c, r in zip(cells, rows, strict=True) if r.drifted])
    return rows, table, differ, latest_run(store, name)


def reconcile_and_last_run(store, name: str, *, progress=None, actor=None):
    """Reconcile with corrections: (result, its table, the run it recorded)."""
    result = reconcile(store, name, fix=True, progress=progress, actor=actor)
    rows = [(f"{d.sku} at {d.location}" if d.location else d.sku, d.cart_qoh,
             d.should_show, d.outcome) for d in result.different]
    return result, report_rows(RECONCILED, rows), latest_run(store, name)
