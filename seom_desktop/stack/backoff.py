"""When a failed row is tried again: exponential back-off with jitter."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_DELAY = 3600.0


def backoff_seconds(attempts: int, base: float, *, rng: random.Random | None = None) -> float:
    """base * 2**(attempts-1), times a jitter in [0.5, 1.5), at most an hour; 0 if base is 0."""
    if base <= 0:
        return 0.0
    r = (rng or random).random()
    return min(MAX_DELAY, base * (2 ** max(0, attempts - 1)) * (0.5 + r))


def next_attempt(now: datetime, attempts: int, base: float, *, at_least: float = 0.0,
                 rng: random.Random | None = None) -> datetime:
    """The next try: the back-off, or the cart's own wait (Retry-After) if longer."""
    return now + timedelta(seconds=max(backoff_seconds(attempts, base, rng=rng), at_least))
