"""Pacing Shopify requests by the cost bucket, so a request is not sent into a THROTTLED
answer.

Shopify meters the Admin GraphQL API with a leaky bucket of cost points (shopify.dev,
"GraphQL Admin API rate limits"): a query is admitted when the bucket holds its
*requested* cost (the difference to the actual cost is refunded afterwards), and every
answer, a THROTTLED one included, carries `extensions.cost` with `requestedQueryCost` and
`throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}`.

The pacer keeps the last throttle status with the monotonic time it was seen, and the
requested cost last seen for each kind of request. Before a request it estimates what the
bucket holds now (what it held then plus the restore since, capped at the maximum); if
that is less than the request's expected cost it sleeps the difference when that is short
(at most `max_wait` seconds), else it raises RateLimitedError with the computed wait
without sending anything, so the caller (the web stack) pauses the cart instead.

A manual transfer (someone is waiting for it, and nothing else waits on it) makes the
pacer patient (`watch`): it then waits however long the bucket needs, saying so through
`say(message)` before each wait longer than `max_wait`, in short steps so that a cancel
is heard; a cancel during a wait raises RateLimitedError (nothing was sent).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from typing import Any

from seom_desktop.carts.base import RateLimitedError


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


class CostPacer:
    max_wait = 2.0  # seconds worth sleeping in the request; longer waits are raised

    def __init__(self, name: str, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.name = name
        self.clock, self.sleep = clock, sleep
        self.costs: dict[Hashable, float] = {}  # request kind -> requestedQueryCost seen
        self.status: tuple[float, float, float, float] | None = None  # avail, rate, max, at
        self.waited = 0.0  # seconds slept so far (for tests and logs)
        self.say: Callable[[str], None] | None = None  # set: patient (a manual transfer)
        self.cancelled: Callable[[], bool] = lambda: False

    def watch(self, say: Callable[[str], None], cancelled: Callable[[], bool]) -> None:
        """Wait out the bucket however long, telling `say`, until `cancelled()`."""
        self.say, self.cancelled = say, cancelled

    @property
    def patient(self) -> bool:
        return self.say is not None

    def wait(self, seconds: float, why: str) -> None:
        """Sleep `seconds` (a patient pacer's wait), said first when it is long enough to
        notice; a cancel ends it with RateLimitedError."""
        seconds = max(0.0, float(seconds))
        if self.say is not None and seconds > self.max_wait:
            self.say(f"waiting {seconds:.0f} s for Shopify's rate limit ({why})")
        left = seconds
        while left > 0:
            if self.cancelled():
                raise RateLimitedError(f"{self.name}: cancelled while waiting for Shopify's "
                                       "rate limit (nothing was sent)", delay=left,
                                       status=None, code="COST_BUDGET")
            step = min(left, 0.25)
            self.sleep(step)
            self.waited += step
            left -= step

    def available(self) -> float | None:
        """What the bucket is estimated to hold now; None before any answer said."""
        if self.status is None:
            return None
        available, rate, maximum, at = self.status
        return min(maximum, available + max(0.0, self.clock() - at) * rate)

    def before(self, kind: Hashable, default_cost: float) -> None:
        """Wait (briefly) or raise until a request of `kind` fits in the bucket."""
        now = self.available()
        if now is None or self.status is None:
            return
        _avail, rate, maximum, _at = self.status
        need = min(self.costs.get(kind, default_cost), maximum)
        if now >= need:
            return
        wait = (need - now) / rate
        if wait <= self.max_wait:
            self.sleep(wait)
            self.waited += wait
            return
        if self.patient:
            self.wait(wait, f"its cost bucket holds about {now:.0f} of {maximum:g} points, the "
                            f"next request needs {need:g} and it refills {rate:g} a second")
            return
        raise RateLimitedError(
            f"{self.name}: Shopify's cost bucket holds about {now:.0f} of {maximum:g} points "
            f"and the next request needs {need:g}; it refills {rate:g} a second, so the "
            f"request waits {wait:.1f} s (nothing was sent)",
            delay=wait, status=None, code="COST_BUDGET")

    def seen(self, body: Any, kind: Hashable) -> None:
        """Remember the cost and throttle status an answer reports."""
        ext = body.get("extensions") if isinstance(body, dict) else None
        cost = ext.get("cost") if isinstance(ext, dict) else None
        if not isinstance(cost, dict):
            return
        requested = _number(cost.get("requestedQueryCost"))
        if requested is not None and requested >= 0:
            self.costs[kind] = requested
        status = cost.get("throttleStatus")
        if not isinstance(status, dict):
            return
        available = _number(status.get("currentlyAvailable"))
        rate = _number(status.get("restoreRate"))
        maximum = _number(status.get("maximumAvailable"))
        if available is None or rate is None or maximum is None or rate <= 0 or maximum <= 0:
            return
        self.status = (max(0.0, min(available, maximum)), rate, maximum, self.clock())


__all__ = ["CostPacer"]
