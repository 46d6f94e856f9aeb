"""Checking what a clerk or a script typed: SKUs and quantities."""

from __future__ import annotations

import unicodedata

from seom_desktop.inventory.errors import InventoryError, QuantityError

MAX_QOH = 1_000_000_000  # carts keep stock in 32-bit integers; stay well inside
MAX_SKU = 255


def check_sku(sku: object) -> str:
    """A SKU as typed: not empty, no surrounding spaces, no control characters."""
    if not isinstance(sku, str) or not sku:
        raise InventoryError("SKU is empty")
    if sku != sku.strip():
        raise InventoryError(f"SKU {sku!r} has spaces at its start or end")
    if len(sku) > MAX_SKU:
        raise InventoryError(f"SKU is longer than {MAX_SKU} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in sku):
        raise InventoryError(f"SKU {sku!r} contains control characters")
    return sku


def parse_quantity(value: object, what: str = "quantity", *, minimum: int | None = None,
                   maximum: int = MAX_QOH) -> int:
    """A whole number within bounds, from an int or from text like '12', '+3', '-2'."""
    if isinstance(value, bool):
        raise QuantityError(f"{what} must be a whole number, not {value!r}")
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip()
        shown = text if len(text) <= 30 else text[:27] + "…"
        if len(text) > 30 and text.lstrip("+-").isdigit():  # a whole number, far too big
            raise QuantityError(f"{what} {shown} is out of range "
                                f"(at most {maximum:,} either way)")
        try:
            n = int(text, 10)
        except ValueError:
            raise QuantityError(f"{what} must be a whole number, not {shown!r}") from None
    if abs(n) > maximum:
        raise QuantityError(f"{what} {n} is out of range (at most {maximum:,} either way)")
    if minimum is not None and n < minimum:
        raise QuantityError(f"{what} must be at least {minimum}, not {n}")
    return n
