"""Sync Health, as plain data for the window and the tray: per cart, its pending rows over
time (health_samples), change-to-cart latency p50/p99 over the last hour and day (sent
web stack rows: sent_at - created_at), rows failed and bypassed, its last reconcile
(reconcile_runs), its oldest pending row and last error in plain words, and one state:

- stale controller: a shared stack controller is set and its lease heartbeat stopped
  (nothing is sent for anyone; it outranks the others),
- failing: rows failed or bypassed by the controller in the last 10 minutes, or the
  cart's last send errored,
- slow: p99 latency over the last hour above `slow_seconds`, or a row pending longer
  than a minute,
- healthy otherwise."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select

from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.stack.lease import lease_info
from seom_desktop.store.models import (
    BYPASSED,
    FAILED,
    NOT_SENT,
    PENDING,
    SENDING,
    SENT,
    Cart,
    HealthSample,
    Product,
    ReconcileRun,
    StackRow,
    utcnow,
)

HEALTHY, SLOW, FAILING, STALE = "healthy", "slow", "failing", "stale controller"
STATE_ORDER = (STALE, FAILING, SLOW, HEALTHY)  # most urgent first
SLOW_P99_SECONDS = 60.0  # p99 change-to-cart latency over the last hour above this: slow
PENDING_TOO_LONG = timedelta(minutes=1)
FAILING_WINDOW = timedelta(minutes=10)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@dataclass(frozen=True)
class Latency:
    count: int  # rows sent in the period
    p50: float | None  # seconds, None when nothing was sent
    p99: float | None


@dataclass(frozen=True)
class OldestPending:
    sku: str
    created_at: datetime
    age_seconds: float

    def describe(self) -> str:
        return f"{self.sku}, waiting {duration(self.age_seconds)}"


@dataclass(frozen=True)
class LastReconcile:
    id: int
    started_at: datetime
    checked: int
    different: int
    fixed: int
    error: str


@dataclass(frozen=True)
class CartHealth:
    cart_id: int
    name: str
    sync: bool
    state: str
    why: str  # the state's reason in plain words ("" when healthy)
    pending_series: tuple[tuple[datetime, int], ...]  # (sample time, pending rows)
    failed_series: tuple[tuple[datetime, int], ...]  # (sample time, failed rows)
    latency_hour: Latency
    latency_day: Latency
    pending: int  # rows not on the cart yet (pending or being sent)
    failed: int  # rows now failed (waiting for their next attempt)
    bypassed: int  # rows now bypassed
    last_bypassed_at: datetime | None  # the controller's newest bypass
    oldest_pending: OldestPending | None
    last_error: str  # the newest failure in plain words ("" if none)
    last_error_at: datetime | None
    last_send_failed: bool  # the cart's last send errored
    last_reconcile: LastReconcile | None


@dataclass(frozen=True)
class HealthReport:
    now: datetime
    carts: tuple[CartHealth, ...]
    controller: str  # who sends (stack/lease.py's description)
    controller_stale: bool

    def cart(self, name: str) -> CartHealth:
        return next(c for c in self.carts if c.name == name)

    def summary(self) -> str:
        """The tray's line: '3 carts: 2 healthy, 1 failing (Shopify) - 12 pending'."""
        if not self.carts:
            return "no carts"
        parts = []
        for state in reversed(STATE_ORDER):
            names = [c.name for c in self.carts if c.state == state]
            if names:
                who = "" if state == HEALTHY else f" ({', '.join(names)})"
                parts.append(f"{len(names)} {state}{who}")
        n = len(self.carts)
        pending = sum(c.pending for c in self.carts)
        return f"{n} cart{'s' if n != 1 else ''}: {', '.join(parts)} - {pending} pending"


def duration(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    if s < 2 * 86_400:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 86_400} days"


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


# Cart answers as the stack records them (last_response), and what they mean to a clerk.
# A status code counts only after "HTTP"/"status" ("cart shows 500" is a quantity).
_PLAIN = tuple((re.compile(pattern, re.IGNORECASE), meaning) for pattern, meaning in (
    (r"timed out|timeout", "the cart did not answer in time"),
    (r"connection refused|failed to establish|name or service not known|"
     r"max retries exceeded|connection reset|connection aborted",
     "the cart could not be reached"),
    (r"connection was lost", "the connection to the cart was lost"),
    (r"(http|status)\W{0,3}(401|403)\b|unauthori[sz]ed|forbidden|invalid api key|"
     r"access denied", "the cart refused our credentials"),
    (r"(http|status)\W{0,3}429\b|rate limit|throttled|too many requests",
     "the cart asked us to slow down"),
    (r"(http|status)\W{0,3}5\d\d\b|internal server error|service unavailable|bad gateway",
     "the cart had a server error"),
    (r"<html|not json|malformed", "the cart answered with something that is not its API"),
))


def plain_error(text: str) -> str:
    """`text` (a stack row's last response) led by what it means in plain words."""
    text = " ".join((text or "").split())
    for pattern, meaning in _PLAIN:
        if pattern.search(text):
            return f"{meaning}: {text}"
    return text


def _seconds_taken(session, start, end):
    """`end - start` in seconds, computed by the database (no datetime per row here)."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86_400.0
    return func.extract("epoch", end - start)


def health_report(store: StoreHandle, *, now: datetime | None = None,
                  slow_seconds: float = SLOW_P99_SECONDS, history: timedelta = DAY,
                  charts: bool = True) -> HealthReport:
    """Everything the Sync Health window and the tray show, read in one transaction.
    `charts=False` (the tray): no pending history and no latency over the day (empty),
    which is what costs with a busy day's sent rows; the states are the same."""
    now = now or utcnow()
    with store.read() as s:
        lease = replace(lease_info(s), now=now)
        stale = bool(lease.designated) and lease.stale
        carts = s.execute(select(Cart.id, Cart.name, Cart.sync).order_by(Cart.name)).all()
        series: dict[int, list[tuple[datetime, int]]] = {}
        failed_series: dict[int, list[tuple[datetime, int]]] = {}
        for cid, at, pending, failed in s.execute(
                select(HealthSample.cart_id, HealthSample.at, HealthSample.pending,
                       HealthSample.failed)
                .where(HealthSample.at >= now - (history if charts else timedelta(0)),
                       HealthSample.at <= now)
                .order_by(HealthSample.at, HealthSample.id)):
            series.setdefault(cid, []).append((at, pending))
            failed_series.setdefault(cid, []).append((at, failed))
        hour: dict[int, list[float]] = {}
        day: dict[int, list[float]] = {}
        taken = _seconds_taken(s, StackRow.created_at, StackRow.sent_at)
        in_hour = StackRow.sent_at >= now - HOUR
        for cid, seconds, recent_hour in s.execute(
                select(StackRow.cart_id, taken, in_hour)
                .where(StackRow.state == SENT, StackRow.sent_at >= now - (DAY if charts else HOUR),
                       StackRow.sent_at <= now)):
            seconds = max(0.0, round(float(seconds), 3))
            if charts:
                day.setdefault(cid, []).append(seconds)
            if recent_hour:
                hour.setdefault(cid, []).append(seconds)
        counts: dict[tuple[int, str], int] = {}
        for cid, state, n in s.execute(
                select(StackRow.cart_id, StackRow.state, func.count())
                .where(StackRow.state.in_((PENDING, SENDING, FAILED, BYPASSED)), NOT_SENT)
                .group_by(StackRow.cart_id, StackRow.state)):
            counts[(cid, state)] = n
        recent = _recent_failures(s, now - FAILING_WINDOW)
        bypassed_at = dict(s.execute(
            select(StackRow.cart_id, func.max(StackRow.updated_at))
            .where(StackRow.state == BYPASSED, NOT_SENT, StackRow.attempts > 0)
            .group_by(StackRow.cart_id)).all())
        out = []
        for cid, name, sync in carts:
            oldest = _oldest_pending(s, cid, now)
            last_error, last_error_at, last_failed = _last_error(s, cid)
            p99_hour = percentile(hour.get(cid, ()), 99)
            lat_h = Latency(len(hour.get(cid, ())), percentile(hour.get(cid, ()), 50), p99_hour)
            lat_d = Latency(len(day.get(cid, ())), percentile(day.get(cid, ()), 50),
                            percentile(day.get(cid, ()), 99))
            state, why = _state(stale=stale, lease=lease.describe(), recent=recent.get(cid, 0),
                                last_failed=last_failed, p99_hour=p99_hour,
                                slow_seconds=slow_seconds, oldest=oldest)
            out.append(CartHealth(
                cart_id=cid, name=name, sync=bool(sync), state=state, why=why,
                pending_series=tuple(series.get(cid, ())),
                failed_series=tuple(failed_series.get(cid, ())), latency_hour=lat_h,
                latency_day=lat_d,
                pending=counts.get((cid, PENDING), 0) + counts.get((cid, SENDING), 0),
                failed=counts.get((cid, FAILED), 0), bypassed=counts.get((cid, BYPASSED), 0),
                last_bypassed_at=bypassed_at.get(cid), oldest_pending=oldest,
                last_error=last_error, last_error_at=last_error_at,
                last_send_failed=last_failed,
                last_reconcile=_last_reconcile(s, cid)))
        return HealthReport(now, tuple(out), lease.describe(), stale)


def _recent_failures(s, since: datetime) -> dict[int, int]:
    """Per cart: rows the controller failed or bypassed since `since` (a clerk's Bypass
    of a row never tried is no failure: attempts > 0)."""
    return dict(s.execute(
        select(StackRow.cart_id, func.count())
        .where(StackRow.state.in_((FAILED, BYPASSED)), NOT_SENT, StackRow.attempts > 0,
               StackRow.updated_at >= since)
        .group_by(StackRow.cart_id)).all())


def _oldest_pending(s, cart_id: int, now: datetime) -> OldestPending | None:
    row = s.execute(
        select(Product.sku, StackRow.created_at).join(Product, Product.id == StackRow.product_id)
        .where(StackRow.cart_id == cart_id, StackRow.state.in_((PENDING, SENDING)), NOT_SENT)
        .order_by(StackRow.created_at, StackRow.id).limit(1)).first()
    if row is None:
        return None
    return OldestPending(row.sku, row.created_at, (now - row.created_at).total_seconds())


def _last_error(s, cart_id: int) -> tuple[str, datetime | None, bool]:
    """The cart's newest failure in plain words ("" when none) and its time, and
    whether its last send errored: the row the controller touched last (sent, failed, or
    bypassed after an attempt) did not go through."""
    row = s.execute(
        select(StackRow.state, StackRow.last_response, StackRow.attempts,
               StackRow.updated_at, Product.sku)
        .join(Product, Product.id == StackRow.product_id)
        .where(StackRow.cart_id == cart_id, StackRow.attempts > 0,
               StackRow.state.in_((FAILED, BYPASSED)), NOT_SENT)
        .order_by(StackRow.updated_at.desc(), StackRow.id.desc()).limit(1)).first()
    if row is None:
        return "", None, False
    # A sent row's sent_at is its last update (indexed: the newest is found at once).
    last_sent = s.scalar(select(StackRow.sent_at)
                         .where(StackRow.cart_id == cart_id, StackRow.state == SENT)
                         .order_by(StackRow.sent_at.desc()).limit(1))
    what = "bypassed" if row.state == BYPASSED else f"failed (attempt {row.attempts})"
    return (f"{row.sku} {what}: {plain_error(row.last_response)}", row.updated_at,
            last_sent is None or last_sent <= row.updated_at)


def _last_reconcile(s, cart_id: int) -> LastReconcile | None:
    r = s.scalars(select(ReconcileRun).where(ReconcileRun.cart_id == cart_id)
                  .order_by(ReconcileRun.started_at.desc(), ReconcileRun.id.desc())
                  .limit(1)).first()
    if r is None:
        return None
    return LastReconcile(r.id, r.started_at, r.checked, r.different, r.fixed, r.error)


def _state(*, stale: bool, lease: str, recent: int, last_failed: bool, p99_hour: float | None,
           slow_seconds: float, oldest: OldestPending | None) -> tuple[str, str]:
    if stale:
        return STALE, lease
    if recent:
        return FAILING, (f"{recent} row(s) failed or bypassed in the last "
                         f"{int(FAILING_WINDOW.total_seconds() // 60)} min")
    if last_failed:
        return FAILING, "the last send errored"
    if p99_hour is not None and p99_hour > slow_seconds:
        return SLOW, (f"p99 change-to-cart time over the last hour is {duration(p99_hour)} "
                      f"(above {duration(slow_seconds)})")
    if oldest is not None and oldest.age_seconds > PENDING_TOO_LONG.total_seconds():
        return SLOW, f"a row has waited {duration(oldest.age_seconds)} to be sent"
    return HEALTHY, ""

