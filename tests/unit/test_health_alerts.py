"""The tray's notification rule (app/health_alerts.py) with an injected clock: a notice
when a cart starts failing, a row is bypassed, the shared controller goes stale or a
reconcile finds differences; at most one per cause per 10 minutes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from seom_desktop.app.health import (
    FAILING,
    HEALTHY,
    CartHealth,
    HealthReport,
    LastReconcile,
    Latency,
)
from seom_desktop.app.health_alerts import HealthWatcher, NotificationGate

T0 = datetime(2026, 12, 4, 9, 0, 0)
NONE = Latency(0, None, None)


def cart(cid, name, **kw):
    base = CartHealth(cart_id=cid, name=name, sync=True, state=HEALTHY, why="",
                      pending_series=(), failed_series=(), latency_hour=NONE,
                      latency_day=NONE, pending=0, failed=0, bypassed=0,
                      last_bypassed_at=None, oldest_pending=None, last_error="",
                      last_error_at=None, last_send_failed=False, last_reconcile=None)
    return replace(base, **kw)


def report(*carts, stale=False):
    return HealthReport(T0, tuple(carts), "shared stack controller WS1 (STALE)" if stale
                        else "local", stale)


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_the_gate_allows_one_notice_per_cause_per_ten_minutes():
    clock = Clock()
    gate = NotificationGate(clock=clock)
    assert gate.allow("failing:A") and gate.allow("failing:B")
    clock.t += 599
    assert not gate.allow("failing:A")
    clock.t += 1
    assert gate.allow("failing:A") and not gate.allow("failing:A")


def test_a_cart_that_starts_failing_is_noticed_once_per_ten_minutes():
    clock = Clock()
    w = HealthWatcher(clock=clock)
    ok, bad = cart(1, "Shopify"), cart(1, "Shopify", state=FAILING,
                                        last_error="S-1 failed (attempt 2): HTTP 503")
    assert w.update(report(ok)) == []
    got = w.update(report(bad))
    assert [(n.cause, n.title, n.message) for n in got] == [
        ("failing:Shopify", "Shopify is failing", "S-1 failed (attempt 2): HTTP 503")]
    assert w.update(report(bad)) == []  # still failing: not news
    clock.t += 60
    assert w.update(report(ok)) == []
    assert w.update(report(bad)) == []  # failing again within 10 min: held back
    assert [n.cause for n in w.suppressed] == ["failing:Shopify"]
    clock.t += 600
    w.update(report(ok))
    assert [n.cause for n in w.update(report(bad))] == ["failing:Shopify"]


def test_bypasses_stale_controller_and_reconcile_differences():
    clock = Clock()
    w = HealthWatcher(clock=clock)
    old_run = LastReconcile(7, T0 - timedelta(hours=1), 50, 4, 4, "")
    first = report(cart(1, "Woo", bypassed=2, last_bypassed_at=T0 - timedelta(days=1),
                        last_reconcile=old_run))
    assert w.update(first) == []  # old bypasses and an old reconcile are not news
    new_run = LastReconcile(8, T0, 50, 3, 3, "")
    second = report(cart(1, "Woo", bypassed=3, last_bypassed_at=T0, last_reconcile=new_run),
                    stale=True)
    got = {n.cause: n for n in w.update(second)}
    assert set(got) == {"stale", "bypassed:Woo", "reconcile:Woo"}
    assert got["reconcile:Woo"].message == ("The reconcile found 3 of 50 item(s) different; "
                                           "3 correction(s) queued.")
    assert got["bypassed:Woo"].message == "3 bypassed row(s) in the Stack Controller."
    clean_run = LastReconcile(9, T0, 50, 0, 0, "")
    third = report(cart(1, "Woo", bypassed=3, last_bypassed_at=T0, last_reconcile=clean_run))
    assert w.update(third) == []  # no differences, no new bypass, the controller is back


def test_the_first_report_tells_what_is_wrong_already():
    w = HealthWatcher(clock=Clock())
    got = w.update(report(cart(1, "Woo", state=FAILING, why="the last send errored"),
                          cart(2, "Shop"), stale=True))
    assert [n.cause for n in got] == ["stale", "failing:Woo"]
