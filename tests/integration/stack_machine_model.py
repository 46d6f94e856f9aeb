"""The state machine's world (tests/integration/test_stack_state_machine.py): its products,
kits, warehouses and carts, the test's own model of every warehouse's stock and of what
each cart (each mapped location) should show under the rules (stack/shaping.should_show,
not the sender's code), and a connector that runs a step once a write was answered."""

from __future__ import annotations

from hypothesis import strategies as st

from seom_desktop.inventory.actor import Actor
from seom_desktop.stack.shaping import should_show

ACTOR = Actor("clerk", "test-ws")
N = 6
SKUS = [f"SKU-{i:04d}" for i in range(N)]
WAREHOUSES = ("Main", "East")
CARTS = ("woo", "shop")
KITS = {"SET": [(SKUS[2], 2), (SKUS[3], 1)], "BOX": [("SET", 2), (SKUS[4], 1)]}
ITEMS = SKUS + list(KITS)
rule_values = st.one_of(st.none(), st.integers(0, 12))
percents = st.one_of(st.none(), st.integers(0, 100))


class ThenImport:
    """A connector that, once a write request has been answered, runs `after(results)`
    before handing the answer back to the sender."""

    def __init__(self, conn, after):
        self._conn, self._after = conn, after

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def set_qoh(self, updates):
        results = self._conn.set_qoh(updates)
        self._after(results)
        return results


class StoreModel:
    """Mixed into the state machine, which keeps `stock` {sku: {warehouse: qty}},
    `cart_rules`, `item_rules`, `sells_from`, `locations` and `shop`."""

    @property
    def model(self) -> dict[str, int]:
        return {sku: sum(per.values()) for sku, per in self.stock.items()}

    def _take_kit(self, kit, qty, wh):
        for comp, n in KITS[kit]:
            if comp in KITS:
                self._take_kit(comp, qty * n, wh)
            else:
                self.stock[comp][wh] -= qty * n

    def _have(self, sku, warehouses) -> int:
        """A product's stock in these warehouses; a kit's, derived from its components'."""
        if sku in KITS:
            return min(max(self._have(c, warehouses), 0) // q for c, q in KITS[sku])
        return sum(self.stock[sku][w] for w in warehouses)

    def expected(self) -> dict[str, dict[str, int]]:
        """What each cart shows per SKU (Shopify with mapped locations: per SKU and
        location id), from the model."""
        out: dict[str, dict] = {}
        for cart in CARTS:
            out[cart] = {}
            for sku in ITEMS:
                rules = self.item_rules[(cart, sku)].over(self.cart_rules[cart])
                if cart == "shop" and self.locations:
                    for wh, loc in self.locations.items():
                        out[cart][(sku, loc)] = should_show(self._have(sku, (wh,)), rules).qty
                else:
                    have = self._have(sku, self.sells_from[cart])
                    out[cart][sku] = should_show(have, rules).qty
        return out

    def actual(self) -> dict[str, dict[str, int]]:
        emus = self.shop.emulators()
        return {cart: {k: (emus[cart].quantity(*k) if isinstance(k, tuple)
                           else emus[cart].quantity(k)) for k in want}
                for cart, want in self.expected().items()}
