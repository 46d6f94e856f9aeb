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


def parse_utc(text: str) -> datetime:
    """An ISO-8601 time; naive means UTC. Raises ValueError."""
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
