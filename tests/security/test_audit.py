"""Audit: every QOH change says who, on which workstation, when and why, whatever path it
took (adjust, receive, POS sale, order import, Get QOH From Website, CSV import); the
parameter TrackInventoryAdjustments makes a reason required (CLI and dialog); the QOH
Ledger window shows one item's ledger, filtered by dates and source, and opens from View
Inventory and from the main window's Inventory menu."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from seckit import cli, dump, start
from sqlalchemy import select

from seom_desktop.inventory.actor import Actor
from seom_desktop.store.engine import open_store
from seom_desktop.store.models import LedgerEntry, Product
from seom_desktop.sync.csv_qoh import apply_qoh_rows, check_qoh_file


def ledger(url: str, sku: str) -> list[SimpleNamespace]:
    cols = ("source", "delta", "qoh_after", "reason", "reference", "user", "workstation",
            "created_at", "origin_cart_id")
    store = open_store(url)
    try:
        with store.read() as s:
            pid = s.scalar(select(Product.id).where(Product.sku == sku))
            rows = s.execute(select(*(getattr(LedgerEntry, c) for c in cols))
                             .where(LedgerEntry.product_id == pid).order_by(LedgerEntry.id))
            return [SimpleNamespace(**dict(zip(cols, r, strict=True))) for r in rows]
    finally:
        store.close()


def test_every_path_records_who_where_when_why(store_url, tmp_path):
    me = getpass.getuser()
    t0 = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    c = start("woocommerce", items=1, orders=0)  # SEC-0, 10 on the cart
    try:
        ws = ["--workstation", "Counter-2"]
        assert cli(store_url, "cart", "add", "Web", *c.args).rc == 0
        assert cli(store_url, *ws, "get-qoh", "Web", "--create-new").rc == 0  # created + pulled
        assert cli(store_url, *ws, "adjust", "SEC-0", "--delta", "-2", "--reason", "damaged").rc == 0
        assert cli(store_url, *ws, "receive", "SEC-0", "5", "--po", "PO-77").rc == 0
        assert cli(store_url, *ws, "pos-sale", "SEC-0", "1").rc == 0
        c.emulator.place_order([("SEC-0", 3)])
        assert cli(store_url, *ws, "orders", "import", "Web").rc == 0
        c.emulator.add_item("SEC-0-b", 0)
        c.emulator.place_order([("SEC-0", 1)])  # the cart now shows 6: pulled again
        assert cli(store_url, *ws, "get-qoh", "Web").rc == 0
        csv = tmp_path / "qoh.csv"
        csv.write_text("sku,qoh\nSEC-0,40\n", encoding="utf-8")
        store = open_store(store_url)
        try:
            checked = check_qoh_file(store, csv)
            assert checked.ok, checked.problems
            apply_qoh_rows(store, checked.rows, actor=Actor(me, "Counter-2"))
        finally:
            store.close()
    finally:
        c.emulator.stop()

    entries = ledger(store_url, "SEC-0")
    got = [(e.source, e.delta, e.reason, e.reference) for e in entries]
    assert [g[0] for g in got] == ["pulled from cart", "adjust", "po receipt", "pos sale",
                                   "order", "pulled from cart", "adjust"], got
    assert got[1][1:3] == (-2, "damaged")
    assert got[2][1:] == (5, "purchase order received", "PO-77")
    assert got[4][1] == -3 and got[4][3]  # the order id is the reference
    assert got[6][2] == "CSV import"
    for e in entries:
        assert e.user == me and e.workstation == "Counter-2", (e.source, e.user, e.workstation)
        assert t0 <= e.created_at <= datetime.now(UTC).replace(tzinfo=None), e.created_at
        assert e.reason.strip(), f"{e.source} has no reason"
    assert entries[0].origin_cart_id is not None and entries[4].origin_cart_id is not None
    for before, e in zip(entries, entries[1:], strict=False):
        assert e.qoh_after == before.qoh_after + e.delta, e  # no change goes unrecorded
    assert entries[-1].qoh_after == 40


@pytest.fixture
def tracked_store(store_url):
    assert cli(store_url, "product", "add", "T-1", "--name", "Tracked", "--qoh", "10").rc == 0
    assert cli(store_url, "param", "set", "TrackInventoryAdjustments", "true").rc == 0
    return store_url


@pytest.mark.parametrize("reason", [None, "", "   ", "\t\n"])
def test_track_inventory_adjustments_requires_a_reason_cli(tracked_store, reason):
    before = dump(tracked_store)
    argv = ["adjust", "T-1", "--delta", "3"] + ([] if reason is None else [f"--reason={reason}"])
    r = cli(tracked_store, *argv)
    assert r.rc == 2, r
    assert r.err == ("error: a reason is required for inventory adjustments "
                     "(parameter TrackInventoryAdjustments)\n"), r.err
    assert dump(tracked_store) == before
    r = cli(tracked_store, "adjust", "T-1", "--set", "4", "--reason", "count")
    assert r.rc == 0
    assert ledger(tracked_store, "T-1")[-1].reason == "count"


def test_track_inventory_adjustments_requires_a_reason_dialog(tracked_store, qtbot):
    from seom_desktop.ui.dialogs.adjust_inventory import AdjustInventoryDialog

    store = open_store(tracked_store)
    try:
        d = AdjustInventoryDialog(store, workstation="Counter-3", sku="T-1")
        qtbot.addWidget(d)
        d.show()
        d.quantity.editor.setText("7")
        d.reason.editor.setText("   ")
        before = dump(tracked_store)
        d.save()  # acts once the SKU and the parameters are read (pool threads)
        qtbot.waitUntil(lambda: "reason is required" in d.reason.error.text(), timeout=5000)
        assert dump(tracked_store) == before
        d.reason.editor.setText("cycle count")
        d.save()
        qtbot.waitUntil(lambda: ledger(tracked_store, "T-1")[-1].reason == "cycle count",
                        timeout=5000)
        e = ledger(tracked_store, "T-1")[-1]
        assert (e.workstation, e.user, e.source) == ("Counter-3", getpass.getuser(), "adjust")
    finally:
        store.close()


# --- the QOH Ledger window --------------------------------------------------------------


@pytest.fixture
def history(store_url):
    """L-1 with changes from several sources, one of them dated last year."""
    for argv in (("product", "add", "L-1", "--name", "Ledger item", "--qoh", "10"),
                 ("product", "add", "L-2", "--name", "Other"),
                 ("adjust", "L-1", "--delta", "-1", "--reason", "broken"),
                 ("receive", "L-1", "4", "--po", "PO-1"), ("pos-sale", "L-1", "2")):
        assert cli(store_url, *argv).rc == 0
    store = open_store(store_url)
    with store.write() as s:
        first = s.scalar(select(LedgerEntry).order_by(LedgerEntry.id))
        first.created_at = datetime(2020, 3, 4, 12, 0)
    return store


def test_ledger_window_filters_by_dates_and_source(history, qtbot):
    from PySide6.QtCore import QDate, Qt

    from seom_desktop.ui.dialogs.ledger import ALL_SOURCES, HEADERS, LedgerDialog

    d = LedgerDialog(history, workstation="test-ws", sku="L-1")
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.model.rowCount() == 4)  # read on a pool thread
    assert tuple(d.model.headerData(i, Qt.Orientation.Horizontal)
                 for i in range(len(HEADERS))) == HEADERS
    first = [d.model.data(d.model.index(0, c)) for c in range(8)]
    assert first[3] == "pos sale" and first[4] == "-2" and first[5] == "11"
    assert first[1] == getpass.getuser() and first[2] == "test-ws" and first[6] == "POS sale"
    sources = [d.source_combo.itemText(i) for i in range(d.source_combo.count())]
    assert sources == [ALL_SOURCES, "adjust", "new product", "po receipt", "pos sale"]

    d.source_combo.setCurrentText("po receipt")
    qtbot.waitUntil(lambda: d.model.rowCount() == 1)
    assert d.model.data(d.model.index(0, 7)) == "PO-1"
    d.source_combo.setCurrentText(ALL_SOURCES)

    d.dates_box.setChecked(True)
    d.since_edit.setDate(QDate(2020, 1, 1))
    with qtbot.waitSignal(d.shown, timeout=5000):
        d.until_edit.setDate(QDate(2020, 12, 31))
    qtbot.waitUntil(lambda: d.model.rowCount() == 1)
    assert d.model.data(d.model.index(0, 3)) == "new product"
    d.since_edit.setDate(QDate(2021, 1, 1))
    d.until_edit.setDate(QDate.currentDate())
    qtbot.waitUntil(lambda: d.model.rowCount() == 3)
    d.since_edit.setDate(QDate.currentDate().addDays(1))  # From after To: refused
    assert d.model.rowCount() == 0
    assert "after" in d.filter_error.text() and d.filter_error.isVisible()
    d.dates_box.setChecked(False)
    qtbot.waitUntil(lambda: d.model.rowCount() == 4)
    assert not d.filter_error.text()

    d.sku_field.set_sku("NOPE")
    d.show_typed()
    qtbot.waitUntil(lambda: "unknown SKU" in d.sku_field.error.text())
    assert d.current_sku == "L-1"
    history.close()


def test_ledger_opens_from_view_inventory_and_the_inventory_menu(history, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from seom_desktop.ui.dialogs.ledger import LedgerDialog
    from seom_desktop.ui.dialogs.view_inventory import ViewInventoryDialog
    from seom_desktop.ui.main_window import MainWindow

    v = ViewInventoryDialog(history, workstation="test-ws", sku="L-1")
    qtbot.addWidget(v)
    with qtbot.waitSignal(v.shown, timeout=5000):  # read on a pool thread
        v.show()
    v.ledger_button.click()
    assert isinstance(v.ledger_dialog, LedgerDialog)
    qtbot.waitUntil(lambda: v.ledger_dialog.model.rowCount() == 4)
    assert v.ledger_dialog.current_sku == "L-1"
    v.ledger_dialog.close()

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(history, workstation="test-ws", start_controller=False, settings=settings)
    qtbot.addWidget(w)
    with qtbot.waitActive(w):
        w.show()
    qtbot.waitUntil(lambda: w.model.rowCount() == 2, timeout=10_000)
    w.table.selectRow(0)
    menu = next(m for m in w.menuBar().findChildren(type(w.menuBar().addMenu("x")))
                if m.title() == "&Inventory")
    assert w.actions_.ledger in menu.actions()
    assert w.actions_.ledger.shortcut().toString() == "Ctrl+Shift+L"
    w.actions_.ledger.trigger()
    dlg = w.dialogs["ledger"]
    qtbot.waitUntil(lambda: dlg.model.rowCount() >= 1)  # read on a pool thread
    assert isinstance(dlg, LedgerDialog) and dlg.current_sku == w.selected_sku()
    assert json.loads(json.dumps(dlg.model.rowCount())) >= 1
    dlg.close()
    w.stop_controller()
    history.close()
