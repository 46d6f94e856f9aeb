"""Small readers of cart answers shared by the connectors."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any


def as_int(value: Any) -> int | None:
    """A whole number from JSON (int, integral float, or digits in a string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


MAX_QUANTITY = 2**63 - 1  # the most a store can hold (BIGINT)


def quantity(value: Any) -> int:
    """A quantity a cart sends as a number or its decimal text (Magento: 2, 2.0, "2.0000"),
    rounded to a whole number; ValueError (or OverflowError) when it is none, or when no
    store could hold it. A whole number is kept exactly (through a float, a number past
    2**53 is not: 9223372036854775296 becomes 2**63)."""
    n = as_int(value)
    if n is None:
        n = int(round(float(value)))
    if not -MAX_QUANTITY <= n <= MAX_QUANTITY:
        raise ValueError(f"quantity {n} is out of range")
    return n


def parse_utc(text: str) -> datetime:
    """An ISO-8601 time; naive means UTC. Raises ValueError."""
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
