"""Scheduled reconciles (ReconcileMinutes): the headless stack controller
(`seom-desktop controller`, a real process) reconciles every synchronized cart while it
drains real-time rows, on a thread beside its send loop; the drain finishes with every
cart showing what it should. Only the controller that sends for this workstation
reconciles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select
from stack_kit import ACTOR, adjust, count_by_state_of

from seom_desktop.carts.base import QohUpdate
from seom_desktop.connect import connect
from seom_desktop.stack.lease import acquire
from seom_desktop.store.models import Cart, ReconcileRun, StackRow
from seom_desktop.store.params import set_param
from seom_desktop.sync.progress import CartRef
from seom_desktop.sync.reconcile_schedule import (
    YieldToStack,
    sends_for_this_workstation,
    stack_busy,
)

BOUND = 120  # seconds: a bound on waiting, not a measured figure


def _runs(store) -> list[tuple[str, int, int, str]]:
    with store.read() as s:
        return [tuple(r) for r in s.execute(
            select(Cart.name, ReconcileRun.different, ReconcileRun.fixed, ReconcileRun.error)
            .join(Cart, Cart.id == ReconcileRun.cart_id)
            .where(ReconcileRun.finished_at.is_not(None)).order_by(ReconcileRun.id))]


def _edit_on_cart(store, cart: str, sku: str, qoh: int) -> None:
    with store.read() as s:
        c = s.scalar(select(Cart).where(Cart.name == cart))
        ref = CartRef(c.id, c.name, c.kind, c.url, c.location or "", c.credential_ref or "",
                      c.max_items, c.orders_cursor or "")
    conn = connect(ref)
    try:
        assert conn.set_qoh([QohUpdate(sku=sku, qoh=qoh)])[0].ok
    finally:
        conn.close()


def _hold_writes_until_a_run(shop) -> list[int]:
    """The WooCommerce cart answers no write until a reconcile run is recorded: the
    controller is then still draining when the scheduled reconcile starts."""
    emu, handle, held = shop.woo, shop.woo.handle, []

    def held_handle(req):
        if req.method != "GET" and not held:
            deadline = time.monotonic() + BOUND
            while time.monotonic() < deadline:
                with shop.store.read() as s:
                    if s.scalar(select(func.count(ReconcileRun.id))):
                        break
                time.sleep(0.05)
            with shop.store.read() as s:
                held.append(s.scalar(select(func.count(StackRow.id))
                                     .where(StackRow.state.in_(("pending", "sending")))))
        return handle(req)

    emu.handle = held_handle
    return held


def test_a_scheduled_reconcile_runs_while_the_controller_drains(shop):
    _edit_on_cart(shop.store, "woo", "SKU-0003", 40)  # drift: edited in the cart's admin
    for _ in range(3):
        for sku in shop.skus:
            adjust(shop, sku, -1)
    with shop.store.write() as s:
        set_param(s, "ReconcileMinutes", 1)
    held = _hold_writes_until_a_run(shop)
    proc = subprocess.Popen([sys.executable, "-m", "seom_desktop", "--store", shop.url,
                             "controller", "--poll", "0.1"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
    try:
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline:
            counts = count_by_state_of(shop)
            runs = _runs(shop.store)
            if len(runs) == 2 and counts["pending"] == counts["sending"] == counts["failed"] == counts["waiting"] == 0:
                break
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert held and held[0] > 0, out  # rows were still to send when the reconcile began
    runs = _runs(shop.store)
    assert [name for name, *_ in runs] == ["shop", "woo"], out  # every synced cart, in turn
    assert all(error == "" for *_, error in runs), runs
    assert runs[1][1] == 1 and runs[1][2] == 1  # woo: SKU-0003 found and corrected
    assert "reconcile woo: 20 checked, 1 different, 1 corrections queued" in out
    assert shop.actual() == shop.expected()
    assert shop.woo.quantity("SKU-0003") == 7


def test_only_the_controller_that_sends_for_this_workstation_reconciles(shop):
    assert sends_for_this_workstation(shop.store, shared=False)  # local: each sends its own
    with shop.store.write() as s:
        set_param(s, "SharedStackController", ACTOR.workstation)
    assert not sends_for_this_workstation(shop.store, shared=False)
    assert not sends_for_this_workstation(shop.store, shared=True, token="tok")  # no lease yet
    acquire(shop.store, workstation=ACTOR.workstation, token="tok")
    assert sends_for_this_workstation(shop.store, shared=True, token="tok")
    assert not sends_for_this_workstation(shop.store, shared=True, token="another")


def test_the_windows_controller_thread_runs_the_scheduled_reconciles(qtbot, shop):
    from seom_desktop.ui.controller_thread import ControllerThread

    _edit_on_cart(shop.store, "shop", "SKU-0005", 2)
    with shop.store.write() as s:
        set_param(s, "ReconcileMinutes", 1)
    t = ControllerThread(shop.store, workstation=ACTOR.workstation, poll_seconds=0.1)
    heard: list[dict] = []
    t.reconciled.connect(heard.append)
    t.start()
    try:
        qtbot.waitUntil(lambda: len(heard) == 2, timeout=BOUND * 1000)
        qtbot.waitUntil(lambda: shop.actual() == shop.expected(), timeout=BOUND * 1000)
    finally:
        assert t.stop()
    assert [(h["cart"], h["different"], h["fixed"], h["error"]) for h in heard] == [
        ("shop", 1, 1, ""), ("woo", 0, 0, "")]
    assert shop.shop.quantity("SKU-0005") == 10


def test_the_scheduled_reconcile_gives_way_while_the_stack_has_rows_to_send(shop):
    flag = YieldToStack(lambda: stack_busy(shop.store), every=0.0)
    assert flag.cancelled is False and flag.paused == 0  # nothing to send: no pause
    adjust(shop, "SKU-0001", -1)  # two rows due
    assert flag.cancelled is False and flag.paused > 0  # it gave way
    flag.cancel()
    assert flag.cancelled is True
