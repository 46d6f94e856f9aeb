"""Fixtures for the window tests (pytest-qt, offscreen): a store with products, a
qasync event loop, QSettings in the test's folder, helpers to fill the store fast."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import insert, select

from seom_desktop.store.models import Cart, Product, StackRow, utcnow
from seom_desktop.sync.cart_setup import define_cart


@pytest.fixture(autouse=True)
def _drain_pool():
    """No background query of one test may outlive it."""
    yield
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(30_000)


@pytest.fixture
def qasync_loop(qapp):
    """A qasync loop marked running (pytest-qt runs Qt's loop); unset afterwards."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    # (nothing here runs work through run_in_executor: the loop starts no threads of its own)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    from seom_desktop.ui.main_window import MainWindow

    made = []

    def make(store, *, workstation="test-ws", start_controller=False, **kw):
        w = MainWindow(store, workstation=workstation, start_controller=start_controller,
                       settings=settings, **kw)
        qtbot.addWidget(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.stop_controller()


def bulk_products(store, n: int, *, prefix: str = "P-", qoh=lambda i: i % 97) -> None:
    rows = [{"sku": f"{prefix}{i:06d}", "name": f"Item number {i}", "qoh": qoh(i)}
            for i in range(n)]
    with store.write() as s:
        for k in range(0, n, 5000):
            s.execute(insert(Product), rows[k:k + 5000])


def product_ids(store) -> dict[str, int]:
    with store.read() as s:
        return dict(s.execute(select(Product.sku, Product.id)).all())


def cart_id(store, name: str) -> int:
    with store.read() as s:
        return s.scalar(select(Cart.id).where(Cart.name == name))


def bulk_stack_rows(store, rows: list[dict]) -> None:
    """rows: {"cart_id","product_id","change", optional "state","attempts",
    "last_response","origin_workstation"}."""
    now = utcnow()
    full = [{"state": "pending", "attempts": 0, "last_response": "",
             "origin_workstation": "test-ws", "next_attempt_at": now, "created_at": now,
             "updated_at": now, **r} for r in rows]
    with store.write() as s:
        for k in range(0, len(full), 5000):
            s.execute(insert(StackRow), full[k:k + 5000])


def woo_cart(store, emu, name: str = "Woo", *, sync: bool = False, max_items: int = 50) -> None:
    with store.write() as s:
        define_cart(s, name=name, kind="woocommerce", url=emu.url, key=emu.key,
                    secret=emu.secret, sync=sync, max_items=max_items)


def plain_cart(store, name: str, kind: str = "woocommerce", *, sync: bool = False) -> None:
    """A cart nobody answers for (port 1): for tests that never send."""
    with store.write() as s:
        define_cart(s, name=name, kind=kind, url="http://127.0.0.1:1", key="k", secret="s",
                    token="t", sync=sync)


@pytest.fixture
def helpers():
    """The helpers above, for test modules (a conftest is not imported by name)."""
    from types import SimpleNamespace

    return SimpleNamespace(bulk_products=bulk_products, product_ids=product_ids,
                           cart_id=cart_id, bulk_stack_rows=bulk_stack_rows,
                           woo_cart=woo_cart, plain_cart=plain_cart)


@pytest.fixture
def gate(store):
    """gate(sku) holds the store's look-up of that SKU text until gate.open is set
    (clerk_kit.Gate on the test module's `store`); every gate is opened afterwards."""
    from clerk_kit import Gate
    from sqlalchemy import event

    made = []

    def hold(sku: str) -> Gate:
        g = Gate(sku)
        event.listen(store.engine, "before_cursor_execute", g)
        made.append(g)
        return g

    yield hold
    for g in made:
        g.open.set()
        event.remove(store.engine, "before_cursor_execute", g)
