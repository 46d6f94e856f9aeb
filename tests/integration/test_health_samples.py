"""Sync Health history kept by the stack controller (stack/health_samples.py): a sample
per cart at most once per HealthSampleSeconds, and history older than HealthHistoryDays
pruned; driven through a real controller pass against the emulated carts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from stack_kit import adjust

from seom_desktop.stack.controller import StackController
from seom_desktop.stack.health_samples import HealthSampler, sample_and_prune
from seom_desktop.store.models import (
    HealthSample,
    Product,
    ReconcileRun,
    StackRow,
    utcnow,
)
from seom_desktop.store.params import set_param


def _plant(shop, cart, sku, state, **kw):
    with shop.store.write() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == sku))
        row = StackRow(cart_id=shop.cart_id(cart), product_id=pid, change=1, state=state,
                       origin_workstation="test-ws", **kw)
        s.add(row)
        s.flush()
        return row.id


def _samples(shop):
    with shop.store.read() as s:
        return [(r.at, r.cart_id, r.pending, r.waiting, r.failed, r.bypassed)
                for r in s.scalars(select(HealthSample).order_by(HealthSample.id))]


def test_a_pass_records_each_carts_counts_once_per_period(any_shop):
    shop = any_shop
    later = utcnow() + timedelta(hours=1)  # not due: stays pending through the pass
    _plant(shop, "woo", "SKU-0001", "pending", next_attempt_at=later)
    _plant(shop, "woo", "SKU-0002", "pending", next_attempt_at=later)
    _plant(shop, "woo", "SKU-0003", "failed", attempts=2, next_attempt_at=later)
    _plant(shop, "shop", "SKU-0004", "bypassed", attempts=10)
    _plant(shop, "shop", "SKU-0005", "waiting", next_attempt_at=later)
    adjust(shop, "SKU-0006", +1)  # due now: sent by the pass, before the sample
    ctl = StackController(shop.store, workstation="test-ws")
    try:
        ctl.run_once()
        first = _samples(shop)
        ctl.run_once()  # a moment later: no second sample
        assert _samples(shop) == first
    finally:
        ctl.close()
    by_cart = {cid: counts for _at, cid, *counts in first}
    assert by_cart == {shop.cart_id("woo"): [2, 0, 1, 0], shop.cart_id("shop"): [0, 1, 0, 1]}
    assert len({at for at, *_ in first}) == 1


def test_the_store_decides_when_the_next_sample_is_due(shop):
    with shop.store.write() as s:
        set_param(s, "HealthSampleSeconds", 120)
    t0 = utcnow()
    assert sample_and_prune(shop.store, t0).sampled == 2
    assert sample_and_prune(shop.store, t0 + timedelta(seconds=119)).sampled == 0
    assert sample_and_prune(shop.store, t0 + timedelta(seconds=120)).sampled == 2
    assert len(_samples(shop)) == 4


def test_the_sampler_asks_the_store_once_per_period(shop):
    clock = [1000.0]
    when = [utcnow()]
    sampler = HealthSampler(shop.store, clock=lambda: clock[0], now=lambda: when[0])
    assert sampler.maybe_sample().sampled == 2
    clock[0] += 59
    when[0] += timedelta(seconds=59)
    assert sampler.maybe_sample() is None  # not even a look at the store
    clock[0] += 1
    when[0] += timedelta(seconds=1)
    assert sampler.maybe_sample().sampled == 2


def test_history_older_than_the_period_is_pruned(any_shop):
    shop = any_shop
    now = utcnow()
    old, recent = now - timedelta(days=8), now - timedelta(days=6)
    with shop.store.write() as s:
        set_param(s, "HealthHistoryDays", 7)
        woo = shop.cart_id("woo")
        s.add_all([HealthSample(at=old, cart_id=woo, pending=5),
                   HealthSample(at=recent, cart_id=woo, pending=6),
                   ReconcileRun(cart_id=woo, started_at=old, checked=3),
                   ReconcileRun(cart_id=woo, started_at=recent, checked=4)])
    old_sent = _plant(shop, "woo", "SKU-0001", "sent", created_at=old, sent_at=old)
    new_sent = _plant(shop, "woo", "SKU-0002", "sent", created_at=recent, sent_at=recent)
    old_failed = _plant(shop, "woo", "SKU-0003", "failed", created_at=old, attempts=3,
                        next_attempt_at=now + timedelta(hours=1))
    result = sample_and_prune(shop.store, now)
    assert (result.pruned_samples, result.pruned_runs, result.pruned_rows) == (1, 1, 1)
    with shop.store.read() as s:
        kept = sorted(p for (p,) in s.execute(select(HealthSample.pending)
                                              .where(HealthSample.at < now)))
        runs = sorted(s.scalars(select(ReconcileRun.checked)))
        ids = set(s.scalars(select(StackRow.id)))
    assert kept == [6] and runs == [4]
    assert new_sent in ids and old_failed in ids and old_sent not in ids
