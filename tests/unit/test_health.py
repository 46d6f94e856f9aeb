"""app/health.py's figures against rows planted in a real SQLite store: latency
percentiles per cart and period, pending over time, failures, bypasses, the last
reconcile, the oldest pending row, the last error in plain words, and each cart's state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seom_desktop.app.health import (
    FAILING,
    HEALTHY,
    SLOW,
    STALE,
    Latency,
    health_report,
    percentile,
    plain_error,
)
from seom_desktop.store.models import (
    Cart,
    ControllerLease,
    HealthSample,
    Product,
    ReconcileRun,
    StackRow,
    utcnow,
)
from seom_desktop.store.params import set_param

NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def ids(store):
    with store.write() as s:
        carts = [Cart(name=n, kind="woocommerce", url="https://x.test", sync=True)
                 for n in ("Alpha", "Beta", "Gamma")]
        prods = [Product(sku=f"SKU-{i}", name=f"Item {i}", qoh=5) for i in range(3)]
        s.add_all(carts + prods)
        s.flush()
        return {**{c.name: c.id for c in carts}, **{p.sku: p.id for p in prods}}


def _row(store, ids, cart, sku, state, *, created, sent=None, updated=None, attempts=1,
         response=""):
    with store.write() as s:
        s.add(StackRow(cart_id=ids[cart], product_id=ids[sku], change=1, state=state,
                       created_at=created, sent_at=sent, updated_at=updated or sent or created,
                       attempts=attempts, last_response=response))


def test_latency_p50_p99_per_cart_for_the_hour_and_the_day(store, ids):
    for sec in range(1, 101):  # sent 10 min ago, latency 1..100 s
        sent = NOW - timedelta(minutes=10)
        _row(store, ids, "Alpha", "SKU-0", "sent", created=sent - timedelta(seconds=sec),
             sent=sent)
    for _ in range(10):  # sent 5 h ago, 1000 s each: in the day only
        sent = NOW - timedelta(hours=5)
        _row(store, ids, "Alpha", "SKU-1", "sent",
             created=sent - timedelta(seconds=1000), sent=sent)
    sent = NOW - timedelta(days=2)  # outside both periods
    _row(store, ids, "Alpha", "SKU-2", "sent", created=sent - timedelta(hours=9),
         sent=sent)
    report = health_report(store, now=NOW)
    alpha = report.cart("Alpha")
    assert alpha.latency_hour == Latency(100, 50.0, 99.0)
    # 110 values: rank 55 is 55 s, rank 109 is one of the 1000 s rows
    assert alpha.latency_day == Latency(110, 55.0, 1000.0)
    assert report.cart("Beta").latency_hour == Latency(0, None, None)


def test_percentile_is_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([7.0], 99) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 99) == 4.0
    assert percentile([50.0, 10.0, 40.0, 20.0, 30.0], 50) == 30.0  # rank ceil(2.5) = 3
    assert percentile([float(i) for i in range(1, 201)], 99) == 198.0  # rank 198


def test_pending_over_time_comes_from_the_samples_of_the_last_day(store, ids):
    with store.write() as s:
        for minutes, pending in ((1500, 99), (30, 4), (20, 7), (10, 2)):
            s.add(HealthSample(at=NOW - timedelta(minutes=minutes), cart_id=ids["Beta"],
                               pending=pending, failed=pending // 2))
        s.add(HealthSample(at=NOW - timedelta(minutes=20), cart_id=ids["Alpha"], pending=1))
    report = health_report(store, now=NOW)
    assert report.cart("Beta").pending_series == tuple(
        (NOW - timedelta(minutes=m), p) for m, p in ((30, 4), (20, 7), (10, 2)))
    assert report.cart("Beta").failed_series == tuple(
        (NOW - timedelta(minutes=m), f) for m, f in ((30, 2), (20, 3), (10, 1)))
    assert report.cart("Alpha").pending_series == ((NOW - timedelta(minutes=20), 1),)
    assert report.cart("Alpha").failed_series == ((NOW - timedelta(minutes=20), 0),)
    assert report.cart("Gamma").pending_series == ()


def test_states_oldest_pending_last_error_and_last_reconcile(store, ids):
    # Alpha: sent quickly; an old failure was followed by a success.
    _row(store, ids, "Alpha", "SKU-0", "failed", created=NOW - timedelta(hours=2),
         updated=NOW - timedelta(hours=1), attempts=1, response="HTTP 503 Service Unavailable")
    _row(store, ids, "Alpha", "SKU-1", "sent", created=NOW - timedelta(minutes=5, seconds=2),
         sent=NOW - timedelta(minutes=5), response="cart shows 500")
    # Beta: a row failed 2 min ago; a row bypassed after its attempts.
    _row(store, ids, "Beta", "SKU-0", "bypassed", created=NOW - timedelta(hours=3),
         updated=NOW - timedelta(hours=2), attempts=10, response="item not found")
    _row(store, ids, "Beta", "SKU-1", "failed", created=NOW - timedelta(minutes=3),
         updated=NOW - timedelta(minutes=2), attempts=2,
         response="HTTP 401 Unauthorized: check the key")
    # Gamma: nothing failed, one row pending for 5 minutes.
    _row(store, ids, "Gamma", "SKU-2", "pending", created=NOW - timedelta(minutes=5),
         attempts=0)
    _row(store, ids, "Gamma", "SKU-1", "pending", created=NOW - timedelta(seconds=5),
         attempts=0)
    with store.write() as s:
        s.add_all([ReconcileRun(cart_id=ids["Beta"], started_at=NOW - timedelta(hours=2),
                                checked=20, different=0),
                   ReconcileRun(cart_id=ids["Beta"], started_at=NOW - timedelta(minutes=30),
                                checked=20, different=3, fixed=3)])
    r = health_report(store, now=NOW)
    alpha, beta, gamma = r.cart("Alpha"), r.cart("Beta"), r.cart("Gamma")
    assert (alpha.state, alpha.last_send_failed, alpha.failed) == (HEALTHY, False, 1)
    assert alpha.last_error == ("SKU-0 failed (attempt 1): the cart had a server error: "
                                "HTTP 503 Service Unavailable")
    assert alpha.last_error_at == NOW - timedelta(hours=1)
    assert beta.state == FAILING and "1 row(s) failed or bypassed" in beta.why
    assert beta.last_error == ("SKU-1 failed (attempt 2): the cart refused our credentials: "
                               "HTTP 401 Unauthorized: check the key")
    assert beta.last_send_failed and beta.last_error_at == NOW - timedelta(minutes=2)
    assert (beta.failed, beta.bypassed) == (1, 1)
    assert beta.last_bypassed_at == NOW - timedelta(hours=2)
    assert (beta.last_reconcile.different, beta.last_reconcile.fixed) == (3, 3)
    assert alpha.last_reconcile is None
    assert gamma.state == SLOW and gamma.pending == 2
    assert gamma.oldest_pending.sku == "SKU-2"
    assert gamma.oldest_pending.describe() == "SKU-2, waiting 5 min"
    assert r.summary() == "3 carts: 1 healthy, 1 slow (Gamma), 1 failing (Beta) - 2 pending"


def test_a_slow_p99_over_the_hour_makes_a_cart_slow(store, ids):
    sent = NOW - timedelta(minutes=1)
    _row(store, ids, "Alpha", "SKU-0", "sent", created=sent - timedelta(seconds=90),
         sent=sent)
    assert health_report(store, now=NOW).cart("Alpha").state == SLOW
    assert health_report(store, now=NOW, slow_seconds=120).cart("Alpha").state == HEALTHY


def test_the_last_send_errored_long_ago_is_still_failing(store, ids):
    _row(store, ids, "Alpha", "SKU-0", "sent", created=NOW - timedelta(hours=3),
         sent=NOW - timedelta(hours=3))
    _row(store, ids, "Alpha", "SKU-1", "failed", created=NOW - timedelta(hours=2),
         updated=NOW - timedelta(hours=1), attempts=4, response="Read timed out. (read timeout=30)")
    alpha = health_report(store, now=NOW).cart("Alpha")
    assert (alpha.state, alpha.why) == (FAILING, "the last send errored")
    assert "the cart did not answer in time" in alpha.last_error


def test_a_stale_shared_controller_marks_every_cart(store, ids):
    with store.write() as s:
        set_param(s, "SharedStackController", "WS1")
        s.add(ControllerLease(name="shared", holder="WS1", token="t",
                              acquired_at=NOW - timedelta(hours=1),
                              heartbeat_at=NOW - timedelta(minutes=5),
                              expires_at=NOW - timedelta(minutes=4)))
    r = health_report(store, now=NOW)
    assert r.controller_stale and {c.state for c in r.carts} == {STALE}
    assert "STALE" in r.cart("Alpha").why
    # the same lease, still within its time: running
    r = health_report(store, now=NOW - timedelta(minutes=5))
    assert not r.controller_stale and {c.state for c in r.carts} == {HEALTHY}


def test_plain_words_only_for_what_the_cart_said():
    assert plain_error("cart shows 500, expected 3") == "cart shows 500, expected 3"
    assert plain_error("HTTP 429 Too Many Requests").startswith("the cart asked us to slow down")
    assert plain_error("status 502").startswith("the cart had a server error")
    assert plain_error("could not send: Connection refused").startswith(
        "the cart could not be reached")


def test_the_trays_report_has_the_same_states_without_the_charts(store, ids):
    with store.write() as s:
        s.add(HealthSample(at=NOW - timedelta(minutes=5), cart_id=ids["Alpha"], pending=3))
    sent = NOW - timedelta(hours=2)
    _row(store, ids, "Alpha", "SKU-0", "sent", created=sent - timedelta(seconds=30), sent=sent)
    sent = NOW - timedelta(minutes=2)
    _row(store, ids, "Alpha", "SKU-1", "sent", created=sent - timedelta(seconds=90), sent=sent)
    full = health_report(store, now=NOW)
    light = health_report(store, now=NOW, charts=False)
    assert [c.state for c in light.carts] == [c.state for c in full.carts] == [SLOW, HEALTHY,
                                                                             HEALTHY]
    assert light.summary() == full.summary()
    alpha_full, alpha_light = full.cart("Alpha"), light.cart("Alpha")
    assert alpha_light.latency_hour == alpha_full.latency_hour == Latency(1, 90.0, 90.0)
    assert alpha_full.latency_day == Latency(2, 30.0, 90.0)
    assert alpha_light.latency_day == Latency(0, None, None)
    assert alpha_full.pending_series and not alpha_light.pending_series
