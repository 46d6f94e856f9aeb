"""Several workstations on one PostgreSQL store, with a shared stack controller that
fails over (real PostgreSQL server, real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlalchemy import func, select

from seom_desktop.stack.rows import count_by_state
from seom_desktop.store.models import LedgerEntry, Product, StackRow
from seom_desktop.store.params import set_param
from seom_desktop.testing.shop import assert_nothing_applied_twice, build_shop

pytestmark = pytest.mark.pg

WORKER = textwrap.dedent("""
    import random, sys
    from seom_desktop.inventory import operations as ops
    from seom_desktop.inventory.actor import Actor
    from seom_desktop.store.engine import open_store
    url, ws, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = open_store(url)
    rng = random.Random(seed)
    actor = Actor("clerk", ws)
    total = {}
    for _ in range(n):
        sku = f"SKU-{rng.randrange(100):04d}"
        d = rng.choice([-1, 1, 2])
        with store.write() as s:
            ops.adjust(s, sku=sku, delta=d, actor=actor)
        total[sku] = total.get(sku, 0) + d
    print(repr(total))
""")


@pytest.fixture
def pg_shop(pg_url):
    shop = build_shop(pg_url, n=100, qoh=1000)
    yield shop
    shop.woo.stop()
    shop.shop.stop()
    shop.store.close()


def _counts(shop):
    with shop.store.read() as s:
        return count_by_state(s)


def _controller(url, ws, *extra, poll="0.2"):
    proc = subprocess.Popen(
        [sys.executable, "-m", "seom_desktop", "--store", url, "--workstation", ws,
         "controller", "--shared", "--poll", poll, "--claim-ttl", "5", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
    # Its output is read as it comes: a drain logs more than a pipe holds (64 KB), and a
    # full pipe would stop the controller mid-drain at its next log line.
    proc.lines = []
    proc.reader = threading.Thread(
        target=lambda: proc.lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    proc.reader.start()
    return proc


def _wait_drained(shop, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = _counts(shop)
        if c["pending"] == c["failed"] == c["sending"] == c["waiting"] == 0:
            return c
        time.sleep(0.3)
    return _counts(shop)


def _wait_for(condition, timeout=60.0):
    """Poll `condition` until it holds (the timeout only bounds a hang)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the awaited event did not happen"
        time.sleep(0.05)


def _lease(shop):
    from seom_desktop.stack.lease import lease_info
    with shop.store.read() as s:
        return lease_info(s)


def _listening(shop) -> int:
    """Connections LISTENing for stack changes (pg_stat_activity: their last statement)."""
    from sqlalchemy import text
    with shop.store.read() as s:
        return s.scalar(text("SELECT count(*) FROM pg_stat_activity "
                             "WHERE query ILIKE 'LISTEN %'"))


def _stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    proc.reader.join(30)
    return proc.returncode, "".join(proc.lines)


PER_WORKER = 1250  # adjustments by each of the four workstations, over 100 products
ADJUSTMENTS = 4 * PER_WORKER


def test_four_workstations_adjust_the_same_products_and_two_controllers_drain(pg_shop):
    shop = pg_shop
    with shop.store.write() as s:
        set_param(s, "SharedStackController", "WS1")
    before = {n: dict(e.applied) for n, e in shop.emulators().items()}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, shop.url, f"WS{i + 1}",
                                 str(PER_WORKER), str(i)], stdout=subprocess.PIPE, text=True)
               for i in range(4)]
    # the shared controller drains while the adjustments are made; a second would-be
    # shared controller for the same workstation waits for the lease and sends nothing
    first = _controller(shop.url, "WS1")
    _wait_for(lambda: _lease(shop).holder == "WS1" and _lease(shop).held)  # the lease row
    second = _controller(shop.url, "WS1")
    expected: dict[str, int] = {}
    for w in workers:
        out, _ = w.communicate(timeout=600)
        assert w.returncode == 0
        for sku, d in eval(out.strip()).items():  # noqa: S307 - our own worker's repr
            expected[sku] = expected.get(sku, 0) + d
    with shop.store.read() as s:
        qoh = dict(s.execute(select(Product.sku, Product.qoh)).all())
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 100 + ADJUSTMENTS
        rows = s.scalar(select(func.count()).select_from(StackRow))
    assert all(qoh[sku] == 1000 + expected.get(sku, 0) for sku in qoh)
    assert rows == 2 * ADJUSTMENTS  # one row per adjustment per cart
    c = _wait_drained(shop)
    code2, out2 = _stop(second)
    code1, out1 = _stop(first)
    assert code1 == 0 and code2 == 0, (out1[-1000:], out2[-1000:])
    assert "held by WS1" in out2  # the second never held the lease
    assert c["sent"] == 2 * ADJUSTMENTS and c["bypassed"] == 0
    with shop.store.read() as s:
        attempts = set(s.scalars(select(StackRow.attempts).distinct()))
    assert attempts == {1}  # each row sent once
    assert shop.actual() == shop.expected()
    for name, emu in shop.emulators().items():
        for sku in qoh:  # coalesced: never more writes than changes
            assert emu.applied[sku] - before[name].get(sku, 0) <= ADJUSTMENTS
    assert_nothing_applied_twice(shop.emulators())


def test_killed_shared_controller_fails_over_and_does_not_double_send(pg_shop, tmp_path):
    """WS1 is killed while the carts hold its write requests (its signal, checked: rows
    held, no answer back); WS2 takes the lease and WS1's rows once WS1's heartbeat is
    silent, and the writes that landed unseen are not applied again."""
    shop = pg_shop
    with shop.store.write() as s:
        set_param(s, "SharedStackController", "WS1")
        set_param(s, "StackFailoverWorkstation", "WS2")
        set_param(s, "StackLeaseSeconds", 5)
    for e in shop.emulators().values():
        e.latency = 0.05
    standby = _controller(shop.url, "WS2")
    from seom_desktop.inventory import operations as ops
    from seom_desktop.testing.kills import REQUEST, assert_landed, kill_at
    from seom_desktop.testing.shop import ACTOR
    for sku in shop.skus[:40]:
        with shop.store.write() as s:
            ops.adjust(s, sku=sku, delta=5, actor=ACTOR)
    landing = kill_at(shop, REQUEST, tmp_path / "progress", workstation="WS1", shared=True,
                      heartbeat=1.0)
    assert_landed(landing)  # mid-drain: rows held, writes in the carts' hands, no answer
    for sku in shop.skus[40:80]:
        with shop.store.write() as s:
            ops.adjust(s, sku=sku, delta=7, actor=ACTOR)
    c = _wait_drained(shop, timeout=90)
    assert c["pending"] == c["failed"] == c["sending"] == c["waiting"] == 0, c
    from seom_desktop.stack.lease import lease_info
    with shop.store.read() as s:
        info = lease_info(s)
    assert info.holder == "WS2" and info.held
    # the first one, back again, waits: it does not send in parallel
    back = _controller(shop.url, "WS1")
    _wait_for(lambda: back.lines)  # it is up (and can be stopped) before we go on
    first_line = back.lines[0]
    for sku in shop.skus[80:]:
        with shop.store.write() as s:
            ops.adjust(s, sku=sku, delta=1, actor=ACTOR)
    c = _wait_drained(shop, timeout=60)
    code_b, out_b = _stop(back)
    code_s, out_s = _stop(standby)
    assert code_b == 0 and code_s == 0
    assert "held by WS2" in first_line + out_b
    with shop.store.read() as s:
        attempts = set(s.scalars(select(StackRow.attempts).distinct()))
    assert c["sent"] == 200 and attempts == {1}
    assert shop.actual() == shop.expected()
    assert_nothing_applied_twice(shop.emulators())


def test_notify_wakes_a_controller_in_another_process(pg_shop):
    shop = pg_shop
    with shop.store.write() as s:
        set_param(s, "SharedStackController", "WS1")
    ctl = _controller(shop.url, "WS1", poll="60")  # its poll is a minute away
    try:
        _wait_for(lambda: _listening(shop) > 0)  # seen listening before any change
        from seom_desktop.cli import main
        assert main(["--store", shop.url, "--workstation", "WS3", "adjust", "SKU-0007",
                     "--delta", "9"]) == 0
        _wait_for(lambda: shop.woo.quantity("SKU-0007") == shop.shop.quantity("SKU-0007") == 1009)
        # that pass is over and the controller waits out its minute-long poll: a second
        # change can reach the carts before the poll only through NOTIFY
        _wait_for(lambda: _counts(shop)["sent"] == 2)
        assert main(["--store", shop.url, "--workstation", "WS3", "adjust", "SKU-0008",
                     "--delta", "4"]) == 0
        _wait_for(lambda: shop.woo.quantity("SKU-0008") == shop.shop.quantity("SKU-0008") == 1004,
                  timeout=30)  # half the poll
    finally:
        _stop(ctl)
