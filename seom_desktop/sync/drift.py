"""The drift report: for each synced product, what a cart should show (the store's QOH
shaped by the item's Web Fields) against what the cart shows now (read from the cart).
Reads only: nothing is written to the store or the cart. Run it off the UI thread.
Many SKUs read the whole cart (`list_items`: a bulk operation on Shopify), a few are asked
by SKU; a cart's rate limit is waited out, with the wait said through the progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seom_desktop.carts.base import CartItem
from seom_desktop.stack.targets import cart_targets
from seom_desktop.store.carts import cart_by_name
from seom_desktop.store.engine import Store
from seom_desktop.sync.progress import (
    CartRef,
    NullProgress,
    Progress,
    open_connector,
    with_rate_limit,
)

LIST_ALL_FROM = 1000  # this many SKUs or more: page through the cart instead of asking by SKU
ASK_CHUNK = 250


@dataclass(frozen=True)
class DriftRow:
    sku: str
    should_show: int
    cart_shows: int | None  # None: not on the cart, or its stock is not tracked there
    cart_sku: str = ""
    managed: str = ""  # the cart sets this item itself ("managed by Shopify bundles")

    @property
    def drifted(self) -> bool:
        """A managed item never drifts: the cart derives it, nothing of ours could fix it."""
        return not self.managed and self.cart_shows != self.should_show


def read_items(cart: CartRef, skus: Sequence[str], progress: Progress, *,
               locations: Sequence[str] = ()) -> dict[str, CartItem]:
    """The cart's items for `skus` (cart SKU -> item; a SKU not on the cart is absent),
    each with its quantity at every one of `locations` when given. Many SKUs read the
    whole cart, a few are asked by SKU; a rate limit is waited out and said. Raises a
    CartError when the cart cannot be read; a cancelled progress stops the read early."""
    locs = tuple(locations)
    kw = {"locations": locs} if locs else {}
    progress.update(0, len(skus), f"reading {cart.name}")
    conn = open_connector(cart, progress)
    now: dict[str, CartItem] = {}
    try:
        if len(skus) >= LIST_ALL_FROM:
            wanted = set(skus)
            for item in conn.list_items(**kw):
                if item.sku in wanted:
                    now.setdefault(item.sku, item)
                if progress.cancelled:
                    break
        else:
            for i in range(0, len(skus), ASK_CHUNK):
                if progress.cancelled:
                    break
                chunk = list(skus[i:i + ASK_CHUNK])
                now.update(with_rate_limit(lambda c=chunk: conn.get_items(c, **kw), progress))
                progress.update(min(i + ASK_CHUNK, len(skus)), len(skus),
                                f"reading {cart.name}")
    finally:
        conn.close()
    return now


def drift_rows(store: Store, cart_name: str, *, progress: Progress | None = None,
               only_drifted: bool = False) -> list[DriftRow]:
    progress = progress or NullProgress()
    with store.read() as s:
        cart = cart_by_name(s, cart_name)  # CartDefinitionError when unknown
        ref = CartRef(cart.id, cart.name, cart.kind, cart.url, cart.location or "",
                      cart.credential_ref or "", cart.max_items, cart.orders_cursor or "")
        targets = cart_targets(s, cart.id)
    now = read_items(ref, [t.cart_sku for t in targets], progress)
    out = []
    for t in targets:
        item = now.get(t.cart_sku)
        shows = item.qoh if item is not None and item.tracked else None
        row = DriftRow(t.sku, t.shaped, shows, t.cart_sku, item.managed if item else "")
        if not only_drifted or row.drifted:
            out.append(row)
    progress.update(len(targets), len(targets), "drift report ready")
    return out


def drift_report(store: Store, cart_name: str, *,
                 progress: Progress | None = None) -> list[tuple[str, int, int | None]]:
    """[(sku, should_show, cart_shows)] for every synced product of the store; cart_shows
    is None when the item is not on the cart or its stock is not tracked there. Items the
    cart sets itself (a Shopify bundle parent) are left out: they cannot drift.
    Raises CartDefinitionError (unknown cart) or a CartError (the cart could not be read)."""
    return [(r.sku, r.should_show, r.cart_shows)
            for r in drift_rows(store, cart_name, progress=progress) if not r.managed]
