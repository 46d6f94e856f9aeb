"""The tray (ui/tray.py) driven on a real store: its tooltip is the health line, and a
cart that starts failing brings one notification, not another within 10 minutes of the
injected clock. Offscreen there is usually no system tray: the tray then draws nothing
but still works out and keeps what it would show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from seom_desktop.store.models import Cart, Product, StackRow, utcnow
from seom_desktop.ui.tray import HealthTray


@pytest.fixture
def shop_store(sqlite_store):
    with sqlite_store.write() as s:
        s.add_all([Cart(name="Shopify", kind="shopify", url="https://s.test", sync=True),
                   Cart(name="Woo", kind="woocommerce", url="https://w.test", sync=True),
                   Product(sku="T-1", name="Teapot", qoh=3)])
    return sqlite_store


def _add_row(store, cart, state, **kw):
    with store.write() as s:
        cid = s.query(Cart.id).filter_by(name=cart).scalar()
        pid = s.query(Product.id).filter_by(sku="T-1").scalar()
        row = StackRow(cart_id=cid, product_id=pid, change=1, state=state, **kw)
        s.add(row)
        s.flush()
        return row.id


def _set_state(store, row_id, state):
    with store.write() as s:
        s.get(StackRow, row_id).state = state


def _take(qtbot, tray):
    with qtbot.waitSignal(tray.updated, timeout=20_000):
        tray.refresh()


def test_tooltip_and_one_notification_per_cause(qtbot, shop_store):
    now = [0.0]
    tray = HealthTray(shop_store, clock=lambda: now[0])
    tray.start()
    try:
        assert tray.available == QSystemTrayIcon.isSystemTrayAvailable()
        assert (tray.icon is None) == (not tray.available)
        qtbot.waitUntil(lambda: tray.report is not None, timeout=20_000)
        assert tray.tooltip == "seom-desktop - 2 carts: 2 healthy - 0 pending"
        assert tray.shown == []
        for _ in range(3):
            _add_row(shop_store, "Woo", "pending", attempts=0)
        failed = _add_row(shop_store, "Shopify", "failed", attempts=2,
                          updated_at=utcnow() - timedelta(minutes=1),
                          last_response="HTTP 503 Service Unavailable")
        _take(qtbot, tray)
        assert tray.tooltip == ("seom-desktop - 2 carts: 1 healthy, 1 failing (Shopify) "
                                "- 3 pending")
        if tray.icon is not None:
            assert tray.icon.toolTip() == tray.tooltip
        assert [(n.cause, n.title) for n in tray.shown] == [
            ("failing:Shopify", "Shopify is failing")]
        assert "the cart had a server error" in tray.shown[0].message
        _take(qtbot, tray)  # still failing: nothing new
        _set_state(shop_store, failed, "sent")
        _take(qtbot, tray)
        _set_state(shop_store, failed, "failed")
        now[0] = 599.0
        _take(qtbot, tray)  # failing again within 10 minutes: held back
        assert len(tray.shown) == 1
        _set_state(shop_store, failed, "sent")
        _take(qtbot, tray)
        _set_state(shop_store, failed, "failed")
        now[0] = 600.0
        _take(qtbot, tray)
        assert [n.cause for n in tray.shown] == ["failing:Shopify", "failing:Shopify"]
    finally:
        tray.stop()


def test_the_main_window_starts_the_tray(qtbot, shop_store, make_window):
    w = make_window(shop_store)
    w.show()
    qtbot.waitUntil(lambda: w.tray.report is not None, timeout=20_000)
    assert w.tray.tooltip == "seom-desktop - 2 carts: 2 healthy - 0 pending"
    w.tray.open_health.emit()  # the icon or a notification clicked
    assert w.dialogs["sync_health"].isVisible()
    w.close()
    assert not w.tray.timer.isActive()
