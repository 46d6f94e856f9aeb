"""What a cart should show for an item: the store's QOH shaped by its web fields."""

from __future__ import annotations


def shaped_qoh(qoh: int, reserve: int = 0, max_qty: int | None = None) -> int:
    """Store QOH minus the reserve, capped by the max shown, never below 0."""
    n = qoh - (reserve or 0)
    if max_qty is not None:
        n = min(n, max_qty)
    return max(0, n)
