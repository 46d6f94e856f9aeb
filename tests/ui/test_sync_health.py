"""The Sync Health dialog (ui/dialogs/sync_health.py) on a real store: its charts hold the
recorded points (read back from the plot items), the table says each cart's state,
Refresh reads the history again, and the charts have accessible names."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from PySide6.QtCore import Qt

from seom_desktop.store.models import (
    Cart,
    HealthSample,
    Product,
    ReconcileRun,
    StackRow,
    utcnow,
)
from seom_desktop.ui.dialogs.sync_health import SyncHealthDialog

NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def planted(sqlite_store):
    """Two carts with history: Woo sent quickly, Shop has failures and a reconcile."""
    with sqlite_store.write() as s:
        woo = Cart(name="Woo", kind="woocommerce", url="https://w.test", sync=True)
        shop = Cart(name="Shop", kind="shopify", url="https://s.test", sync=True)
        items = [Product(sku=f"S-{i}", name=f"Item {i}", qoh=4) for i in range(4)]
        s.add_all([woo, shop, *items])
        s.flush()
        ids = {"Woo": woo.id, "Shop": shop.id}
        samples = {"Woo": [(40, 3), (30, 8), (20, 5), (10, 0)], "Shop": [(30, 12), (10, 9)]}
        for cart, points in samples.items():
            for minutes, pending in points:
                s.add(HealthSample(at=NOW - timedelta(minutes=minutes), cart_id=ids[cart],
                                   pending=pending, failed=pending % 3))
        for sec in (2, 4, 6, 8):  # Woo: sent 5 min ago, 2..8 s after the change
            sent = NOW - timedelta(minutes=5)
            s.add(StackRow(cart_id=ids["Woo"], product_id=items[0].id, change=1, state="sent",
                           attempts=1, created_at=sent - timedelta(seconds=sec), sent_at=sent,
                           updated_at=sent))
        sent = NOW - timedelta(hours=3)  # Woo: 100 s, in the day only
        s.add(StackRow(cart_id=ids["Woo"], product_id=items[1].id, change=1, state="sent",
                       attempts=1, created_at=sent - timedelta(seconds=100), sent_at=sent,
                       updated_at=sent))
        for n, state in enumerate(("failed", "failed", "bypassed")):
            s.add(StackRow(cart_id=ids["Shop"], product_id=items[n].id, change=1, state=state,
                           attempts=3, created_at=NOW - timedelta(minutes=4),
                           updated_at=NOW - timedelta(minutes=3 - n),
                           last_response="HTTP 503 Service Unavailable"))
        s.add(ReconcileRun(cart_id=ids["Shop"], started_at=NOW - timedelta(minutes=50),
                           checked=4, different=2, fixed=2))
    return sqlite_store


def _open(qtbot, store):
    d = SyncHealthDialog(store, workstation="test-ws")
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=20_000):
        d.show()
    return d


def _epoch(minutes_ago):
    return (NOW - timedelta(minutes=minutes_ago)).replace(tzinfo=UTC).timestamp()


def test_the_charts_hold_the_recorded_points(qtbot, planted):
    d = _open(qtbot, planted)
    for cart, points in {"Woo": [(40, 3), (30, 8), (20, 5), (10, 0)],
                         "Shop": [(30, 12), (10, 9)]}.items():
        xs, ys = d.pending_curves[cart].getData()
        assert list(xs) == [_epoch(m) for m, _ in points]
        assert list(ys) == [p for _, p in points]
        xs, ys = d.failed_curves[cart].getData()
        assert list(xs) == [_epoch(m) for m, _ in points]
        assert list(ys) == [p % 3 for _, p in points]
    carts = [c.name for c in d.report.carts]  # in name order: Shop, Woo
    assert carts == ["Shop", "Woo"]

    def heights(bars, label):
        return list(bars[label].opts["height"])

    # Woo: 2, 4, 6, 8 s in the hour (p50 4, p99 8); with the 100 s row in the day.
    assert heights(d.latency_bars, "p50, last hour") == [0.0, 4.0]
    assert heights(d.latency_bars, "p99, last hour") == [0.0, 8.0]
    assert heights(d.latency_bars, "p50, last day") == [0.0, 6.0]
    assert heights(d.latency_bars, "p99, last day") == [0.0, 100.0]
    assert heights(d.failure_bars, "Failed") == [2.0, 0.0]
    assert heights(d.failure_bars, "Bypassed") == [1.0, 0.0]
    assert list(d.reconcile_bars.opts["height"]) == [2.0, 0.0]
    assert d.bar_carts == carts  # the bars' x-axis labels, in the bars' order


def test_the_table_says_each_carts_state_and_last_error(qtbot, planted):
    d = _open(qtbot, planted)
    m = d.model
    rows = {m.index(r, 0).data(): [m.index(r, c).data() for c in range(m.columnCount())]
            for r in range(m.rowCount())}
    assert rows["Shop"][1] == "failing"
    assert rows["Shop"][5].endswith("S-2 bypassed: the cart had a server error: "
                                    "HTTP 503 Service Unavailable")
    assert rows["Shop"][4].endswith("2 different of 4, 2 fixed")
    assert rows["Woo"][1:6] == ["healthy", "", "none", "never", "none"]
    assert d.summary.text().startswith("2 carts: 1 healthy, 1 failing (Shop) - 0 pending")


def test_refresh_reads_the_history_again(qtbot, planted):
    d = _open(qtbot, planted)
    with planted.write() as s:
        woo = s.query(Cart).filter_by(name="Woo").one()
        s.add(HealthSample(at=NOW - timedelta(minutes=1), cart_id=woo.id, pending=7))
    with qtbot.waitSignal(d.loaded, timeout=20_000):
        qtbot.mouseClick(d.refresh_button, Qt.MouseButton.LeftButton)
    xs, ys = d.pending_curves["Woo"].getData()
    assert list(ys) == [3, 8, 5, 0, 7] and xs[-1] == _epoch(1)


def test_charts_and_table_have_accessible_names(qtbot, planted):
    d = _open(qtbot, planted)
    names = {w.accessibleName() for w in (d.pending_chart, d.latency_chart, d.failure_chart,
                                          d.reconcile_chart, d.table, d.refresh_button)}
    assert names == {"Pending rows over time chart", "Change-to-cart time chart",
                     "Failed and bypassed rows chart", "Last reconcile: differences chart",
                     "Carts", "Refresh"}
    assert "Woo: hour p50 4 s p99 8 s, day p50 6 s p99 100 s" in (
        d.latency_chart.accessibleDescription())


def test_web_store_menu_opens_sync_health(qtbot, planted, make_window):
    w = make_window(planted)
    with qtbot.waitActive(w):
        w.show()
    web = next(m.menu() for m in w.menuBar().actions() if m.text() == "&Web Store")
    action = next(a for a in web.actions() if a.text() == "Sync &Health…")
    action.trigger()
    d = w.dialogs["sync_health"]
    assert isinstance(d, SyncHealthDialog) and d.windowTitle() == "Sync Health"
    qtbot.waitUntil(lambda: d.report is not None, timeout=20_000)
    assert d.bar_carts == ["Shop", "Woo"]
    d.close()


def test_gui_screenshot_opens_sync_health(tmp_path, planted):
    """`seom-desktop gui --screenshot PNG --open sync-health`, headless in a subprocess."""
    import os
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    url = str(planted.engine.url)
    png = tmp_path / "health.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    r = subprocess.run([sys.executable, "-m", "seom_desktop", "--store", url, "gui",
                        "--screenshot", str(png), "--open", "sync-health"],
                       env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    image = QImage(str(png))
    assert not image.isNull() and image.width() >= 1000 and image.height() >= 600
