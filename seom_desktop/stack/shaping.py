"""What a cart should show for an item: what it may sell (`available`: the sum of the
cart's warehouses, or a kit's derived QOH) shaped by the allocation rules, the item's web
field overriding the cart's. Pure: no store, no Qt.

    0 when available <= safety; else floor((available - reserve) * percent / 100),
    capped at the maximum, raised to the minimum, never below 0. Unset rules do nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

RULE_NAMES = ("reserve", "max_qty", "percent", "min_qty", "safety")


@dataclass(frozen=True)
class Rules:
    """Allocation rules; None = unset."""

    reserve: int | None = None
    max_qty: int | None = None
    percent: int | None = None
    min_qty: int | None = None
    safety: int | None = None

    def over(self, cart: Rules) -> Rules:
        """These (an item's web field) over the cart's: each set one wins. An item's
        reserve of 0 is the web field's default, so it is unset too."""
        mine = {f.name: getattr(self, f.name) for f in fields(self)}
        if mine["reserve"] == 0:
            mine["reserve"] = None
        return Rules(**{k: v if v is not None else getattr(cart, k) for k, v in mine.items()})


@dataclass(frozen=True)
class Shown:
    qty: int  # what the cart should show
    rule: str  # what decided it, in a clerk's words: "safety 5", "maximum 10", "75 %", ...


def should_show(available: int, rules: Rules = Rules()) -> Shown:
    """What a cart should show when `available` can be sold, and the rule that decided it."""
    r = rules
    if r.safety is not None and available <= r.safety:
        return Shown(0, f"safety {r.safety}")
    n, rule = available, "store QOH"
    if r.reserve:
        n, rule = available - r.reserve, f"reserve {r.reserve}"
    if r.percent is not None and r.percent != 100:
        n, rule = n * r.percent // 100, f"{r.percent} %"  # // floors: rounds down
    if r.max_qty is not None and n > r.max_qty:
        n, rule = r.max_qty, f"maximum {r.max_qty}"
    if r.min_qty is not None and n < r.min_qty:
        n, rule = r.min_qty, f"minimum {r.min_qty}"
    return Shown(max(0, n), rule)


def shaped_qoh(qoh: int, reserve: int = 0, max_qty: int | None = None) -> int:
    """Store QOH minus the reserve, capped by the max shown, never below 0 (the rules
    before percent, minimum and safety: `should_show` with only those two)."""
    return should_show(qoh, Rules(reserve=reserve or None, max_qty=max_qty)).qty
