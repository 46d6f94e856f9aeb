"""What the tray tells a clerk, and how often: from one Sync Health report to the next
(app/health.py), a notice when a cart starts failing, a row is bypassed, the shared
stack controller goes stale, or a reconcile finds differences; at most one notice per
cause (the kind and the cart) per 10 minutes. Qt-free, with an injectable clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from seom_desktop.app.health import FAILING, HealthReport

PERIOD_SECONDS = 600.0
FAILING_CAUSE, BYPASSED_CAUSE, STALE_CAUSE, RECONCILE_CAUSE = (
    "failing", "bypassed", "stale", "reconcile")


@dataclass(frozen=True)
class Notice:
    cause: str  # the kind and the cart: "failing:Shopify", "stale"
    title: str
    message: str


class NotificationGate:
    """At most one notice per cause per `period` seconds of `clock`."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 period: float = PERIOD_SECONDS):
        self.clock = clock
        self.period = period
        self._last: dict[str, float] = {}

    def allow(self, cause: str) -> bool:
        now = self.clock()
        last = self._last.get(cause)
        if last is not None and now - last < self.period:
            return False
        self._last[cause] = now
        return True


class HealthWatcher:
    """Feed it each report (`update`); it returns the notices to show now. The first
    report notices what is wrong already (a failing cart, a stale controller) and takes
    bypasses and reconciles as they stand (old news)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 period: float = PERIOD_SECONDS):
        self.gate = NotificationGate(clock=clock, period=period)
        self._previous: HealthReport | None = None
        self.suppressed: list[Notice] = []  # held back by the gate (for the log and tests)

    def update(self, report: HealthReport) -> list[Notice]:
        found = self._changes(self._previous, report)
        self._previous = report
        out = []
        for n in found:
            (out if self.gate.allow(n.cause) else self.suppressed).append(n)
        return out

    @staticmethod
    def _changes(before: HealthReport | None, now: HealthReport) -> list[Notice]:
        out = []
        if now.controller_stale and (before is None or not before.controller_stale):
            out.append(Notice(STALE_CAUSE, "Shared stack controller stopped",
                              f"{now.controller}. Nothing is sent to the carts until it runs "
                              "again."))
        old = {c.cart_id: c for c in before.carts} if before is not None else {}
        for c in now.carts:
            was = old.get(c.cart_id)
            if c.state == FAILING and (was is None or was.state != FAILING):
                out.append(Notice(f"{FAILING_CAUSE}:{c.name}", f"{c.name} is failing",
                                  c.last_error or c.why))
            if before is None:
                continue
            seen = was.last_bypassed_at if was is not None else None
            if c.last_bypassed_at is not None and (seen is None or c.last_bypassed_at > seen):
                out.append(Notice(f"{BYPASSED_CAUSE}:{c.name}", f"A row to {c.name} was bypassed",
                                  f"{c.bypassed} bypassed row(s) in the Stack Controller. "
                                  f"{c.last_error}".strip()))
            r = c.last_reconcile
            seen_run = was.last_reconcile.id if was is not None and was.last_reconcile else None
            if r is not None and r.id != seen_run and r.different:
                out.append(Notice(f"{RECONCILE_CAUSE}:{c.name}",
                                  f"{c.name} differs from the store",
                                  f"The reconcile found {r.different} of {r.checked} item(s) "
                                  f"different; {r.fixed} correction(s) queued."))
        return out
