"""Store and cart compared before Synchronize Inventory is turned on: the items whose
cart quantity differs from what the cart should show (with the product names), and
Send QOH To Website for the whole cart. Both read or write the cart over the network:
the window runs them off the UI thread."""

from __future__ import annotations

from dataclasses import dataclass

from seom_desktop.app.product_detail import product_names
from seom_desktop.app.store_handle import StoreHandle


@dataclass(frozen=True)
class Difference:
    sku: str
    name: str
    should_show: int
    cart_shows: int | None  # None: not on the cart, or its stock is not tracked there


def differences(store: StoreHandle, *, cart: str) -> list[Difference]:
    """Every synced item whose cart quantity is not what it should show."""
    from seom_desktop.sync.drift import drift_report

    rows = [r for r in drift_report(store, cart) if r[1] != r[2]]
    names = product_names(store, skus=[r[0] for r in rows])
    return [Difference(sku, names.get(sku, ""), should, shows) for sku, should, shows in rows]


def send_qoh_to_cart(store: StoreHandle, *, cart: str):
    """Send QOH To Website for every item of `cart` (a SendReport: sent, total,
    requests, refused, error)."""
    from seom_desktop.sync.send_qoh import send_qoh

    return send_qoh(store, cart)
