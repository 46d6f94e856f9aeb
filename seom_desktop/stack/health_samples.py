"""The Sync Health window's history, kept by the stack controller: every
`HealthSampleSeconds` (default 60) one health_samples row per cart with its web stack
rows pending, waiting, failed and bypassed; and the pruning of what is older than
`HealthHistoryDays` (default 30): samples, reconcile runs and `sent` web stack rows.

The store decides whether a sample is due (the newest sample's time), so two controllers
(two workstations, or a restart) do not sample twice a minute; the controller only asks
the store once per period (HealthSampler)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from seom_desktop.store.engine import Store
from seom_desktop.store.models import (
    BYPASSED,
    FAILED,
    NOT_SENT,
    PENDING,
    SENDING,
    SENT,
    WAITING,
    Cart,
    HealthSample,
    ReconcileRun,
    StackRow,
    utcnow,
)
from seom_desktop.store.params import get_param

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SampleResult:
    sampled: int = 0  # health_samples rows written (one per cart), 0 when not due
    pruned_samples: int = 0
    pruned_runs: int = 0
    pruned_rows: int = 0  # sent web stack rows


def counts_by_cart(session: Session) -> dict[int, dict[str, int]]:
    """Per cart id: its rows pending (a row being sent counts as pending: it is not on the
    cart yet), waiting, failed and bypassed. Every cart is there, with zeros."""
    out = {cid: dict.fromkeys((PENDING, WAITING, FAILED, BYPASSED), 0)
           for cid in session.scalars(select(Cart.id))}
    q = (select(StackRow.cart_id, StackRow.state, func.count())
         .where(StackRow.state.in_((PENDING, SENDING, WAITING, FAILED, BYPASSED)), NOT_SENT)
         .group_by(StackRow.cart_id, StackRow.state))
    for cid, state, n in session.execute(q):
        key = PENDING if state == SENDING else state
        if cid in out:
            out[cid][key] += n
    return out


def sample_due(session: Session, now: datetime, every_seconds: int) -> bool:
    newest = session.scalar(select(func.max(HealthSample.at)))
    return newest is None or newest <= now - timedelta(seconds=every_seconds) or newest > now


def record_sample(session: Session, now: datetime) -> int:
    """One health_samples row per cart at `now`; returns how many."""
    rows = [HealthSample(at=now, cart_id=cid, pending=c[PENDING], waiting=c[WAITING],
                         failed=c[FAILED], bypassed=c[BYPASSED])
            for cid, c in counts_by_cart(session).items()]
    session.add_all(rows)
    session.flush()
    return len(rows)


def prune(session: Session, before: datetime) -> tuple[int, int, int]:
    """Delete samples, reconcile runs and sent web stack rows older than `before`."""
    samples = session.execute(delete(HealthSample).where(HealthSample.at < before)).rowcount
    runs = session.execute(delete(ReconcileRun).where(ReconcileRun.started_at < before)).rowcount
    rows = session.execute(delete(StackRow).where(StackRow.state == SENT,
                                                  StackRow.sent_at < before)).rowcount
    return samples, runs, rows


def sample_and_prune(store: Store, now: datetime | None = None) -> SampleResult:
    """Record a sample if one is due, and prune, in one transaction."""
    now = now or utcnow()
    with store.write() as s:
        every = get_param(s, "HealthSampleSeconds")
        days = get_param(s, "HealthHistoryDays")
        if not sample_due(s, now, every):
            return SampleResult()
        n = record_sample(s, now)
        samples, runs, rows = prune(s, now - timedelta(days=days))
    if samples or runs or rows:
        log.info("sync health history: pruned %d sample(s), %d reconcile run(s), "
                 "%d sent web stack record(s) older than %d days", samples, runs, rows, days)
    return SampleResult(n, samples, runs, rows)


class HealthSampler:
    """What the controller's pass loop calls each pass: asks the store at most once per
    `HealthSampleSeconds` (read again each time it asks), never raises."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = utcnow):
        self.store = store
        self.clock = clock
        self.now = now
        self._next = -1e18  # the clock's time of the next look

    def maybe_sample(self) -> SampleResult | None:
        t = self.clock()
        if t < self._next:
            return None
        try:
            with self.store.read() as s:
                every = get_param(s, "HealthSampleSeconds")
            result = sample_and_prune(self.store, self.now())
            # Not due: another controller sampled a moment ago; look again sooner.
            self._next = t + (every if result.sampled else min(every, 15))
            return result
        except Exception:  # noqa: BLE001 - history must never stop the sending
            log.exception("recording the sync health sample failed")
            self._next = t + 10.0
            return None
