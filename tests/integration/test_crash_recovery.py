"""A controller killed with SIGKILL mid-pass costs no claim time: its rows are sent on the
next pass of a controller of the same workstation (its process is gone), or of another
workstation's once the dead one's heartbeat is 3 beats silent, although every claim
here lasts 120 s. Each kill lands at a known point (seom_desktop/testing/kills.py): after
the claim before any request, while the cart holds the write request, after the cart's
answer before it is recorded; each is checked where it landed. In the end the carts
show the store's QOH and each change was applied exactly once. SQLite and PostgreSQL.
The seconds recovery takes are measured in bench/recovery.py, not here."""

from __future__ import annotations

import json
import random
import threading

import pytest
from sqlalchemy import func, select

from seom_desktop.cli import main
from seom_desktop.inventory import operations as ops
from seom_desktop.inventory.actor import Actor
from seom_desktop.stack import holders
from seom_desktop.stack.controller import StackController
from seom_desktop.stack.lease import LeaseRefused
from seom_desktop.stack.rows import count_by_state
from seom_desktop.store.models import StackHolder
from seom_desktop.store.params import set_param
from seom_desktop.testing.kills import (
    KILL_POINTS,
    HeldWrites,
    applied,
    assert_landed,
    held_rows,
    kill_at,
)

CLAIM_TTL = 120.0  # never runs out during a test: recovery cannot come from it


def _adjust(shop, skus, rng, workstation):
    actor = Actor("clerk", workstation)
    with shop.store.write() as s:
        for sku in skus:
            ops.adjust(s, sku=sku, delta=rng.choice([1, 2, 3]), actor=actor, reason="test")


def assert_each_change_applied_once(shop, before, skus) -> None:
    for name, e in shop.emulators().items():
        for sku in skus:
            assert e.applied[sku] - before[name].get(sku, 0) == 1, (name, sku)


def _counts(shop):
    with shop.store.read() as s:
        return count_by_state(s)


def _rounds(kills_per_point):
    return [p for _ in range(kills_per_point) for p in KILL_POINTS]


@pytest.mark.parametrize("kills_per_point", [
    pytest.param(4, id="12-kills"),
    pytest.param(30, id="90-kills", marks=pytest.mark.slow),
])
def test_a_restarted_controller_sends_a_killed_ones_rows_on_its_first_pass(
        any_shop, tmp_path, capsys, kills_per_point):
    """Every other round the next pass is `stack run --once` on the command line."""
    shop = any_shop
    rng = random.Random(19)
    for n, point in enumerate(_rounds(kills_per_point)):
        skus = rng.sample(shop.skus, 6)
        before = applied(shop)
        _adjust(shop, skus, rng, "test-ws")
        landing = kill_at(shop, point, tmp_path / f"progress-{n}", workstation="test-ws")
        assert_landed(landing)
        claimed = _next_pass(shop, capsys, command_line=n % 2 == 1)  # not waiting 120 s
        c = _counts(shop)
        assert c["sending"] == c["pending"] == c["failed"] == c["bypassed"] == 0, (point, c)
        assert claimed >= landing.sending
        assert shop.actual() == shop.expected(), point
        assert_each_change_applied_once(shop, before, skus)
    with shop.store.read() as s:
        assert s.scalar(select(func.count()).select_from(StackHolder)) == 0  # all forgotten


def _next_pass(shop, capsys, *, command_line: bool) -> int:
    """One pass of a controller of the same workstation; the rows it claimed."""
    if command_line:
        capsys.readouterr()
        assert main(["--store", shop.url, "--workstation", "test-ws", "stack", "run",
                     "--once", "--json"]) == 0
        return json.loads(capsys.readouterr().out)["claimed"]
    ctl = StackController(shop.store, workstation="test-ws", claim_ttl=CLAIM_TTL)
    try:
        return ctl.run_once().claimed
    finally:
        ctl.close()


@pytest.mark.parametrize("kills_per_point", [
    pytest.param(1, id="3-kills"),
    pytest.param(10, id="30-kills", marks=pytest.mark.slow),
])
def test_another_workstation_sends_them_once_the_dead_ones_heartbeat_is_stale(
        any_shop, tmp_path, kills_per_point):
    """The shared controller WS1 is killed; the failover WS2 takes the lease and WS1's
    rows once WS1's heartbeat (every 0.3 s here) is 3 beats silent."""
    shop = any_shop
    with shop.store.write() as s:
        set_param(s, "SharedStackController", "WS1")
        set_param(s, "StackFailoverWorkstation", "WS2")
        set_param(s, "StackLeaseSeconds", 5)
    rng = random.Random(20)
    for n, point in enumerate(_rounds(kills_per_point)):
        skus = rng.sample(shop.skus, 6)
        before = applied(shop)
        _adjust(shop, skus, rng, "WS3")
        landing = kill_at(shop, point, tmp_path / f"progress-{n}", workstation="WS1",
                          shared=True, heartbeat=0.3)
        assert_landed(landing)
        standby = StackController(shop.store, workstation="WS2", shared=True,
                                  claim_ttl=CLAIM_TTL)
        try:
            result = _first_pass_with_the_lease(standby)
        finally:
            standby.close()
        c = _counts(shop)
        assert c["sending"] == c["pending"] == c["failed"] == c["bypassed"] == 0, (point, c)
        assert result.claimed >= landing.sending
        assert shop.actual() == shop.expected(), point
        assert_each_change_applied_once(shop, before, skus)


def _first_pass_with_the_lease(ctl, tries=200):
    stop = threading.Event()
    for _ in range(tries):  # the dead holder's lease lasts its 5 s (or 3 beats)
        try:
            return ctl.run_once()
        except LeaseRefused:
            stop.wait(0.1)
    raise AssertionError("the standby never took the lease")


def test_a_live_controller_keeps_its_rows_through_a_slow_request(any_shop, tmp_path):
    """Its write held by the cart for longer than 3 heartbeats, the controller's claim
    stays its own: another workstation's pass does not take the rows."""
    shop = any_shop
    rng = random.Random(21)
    skus = rng.sample(shop.skus, 4)
    before = applied(shop)
    _adjust(shop, skus, rng, "test-ws")
    ctl = StackController(shop.store, workstation="test-ws", claim_ttl=0.5,
                          heartbeat_seconds=0.2)
    with HeldWrites(shop.woo) as held:
        passing = threading.Thread(target=ctl.run_once)
        passing.start()
        try:
            assert held.arrived.wait(60)
            with shop.store.read() as s:
                first = s.scalar(select(StackHolder.heartbeat_at)
                                 .where(StackHolder.claimer == ctl.claimer))
            _wait_heartbeat_past(shop, ctl.claimer, first, seconds=1.0)  # > 3 beats, > TTL
            assert holders.requeue_orphans(shop.store, claimer="WS2:other",
                                           workstation="WS2") == 0
            assert held_rows(shop) > 0
        finally:
            held.release()
            passing.join(60)
    ctl.close()
    c = _counts(shop)
    assert c["sending"] == c["pending"] == c["failed"] == c["waiting"] == 0, c
    assert shop.actual() == shop.expected()
    assert_each_change_applied_once(shop, before, skus)


def _wait_heartbeat_past(shop, claimer, first, seconds, tries=600):
    """Until the holder has beaten `seconds` after `first`: it stayed alive that long."""
    stop = threading.Event()
    for _ in range(tries):
        with shop.store.read() as s:
            now = s.scalar(select(StackHolder.heartbeat_at).where(StackHolder.claimer == claimer))
        if now is not None and (now - first).total_seconds() >= seconds:
            return
        stop.wait(0.05)
    raise AssertionError("the holder's heartbeat did not go on during the request")
