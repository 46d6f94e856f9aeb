"""The selected item, cart by cart (the main window's side panel): what the cart should
show (what it may sell shaped by its rules and the item's overrides) and the rule that
decided it (stack/targets.Target.rule), what was last sent, what the
cart was last seen showing, what (in the demo) the emulated cart shows now, and what
became of the item's last QOH change on that cart (app/ledger.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from seom_desktop.app.ledger import NOT_SENT, last_change_by_cart
from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.stack.targets import cart_targets
from seom_desktop.store.models import Cart

CartProbe = Callable[[str, str], "int | None"]  # (cart name, cart SKU) -> QOH on the cart


@dataclass(frozen=True)
class ItemCartRow:
    cart: str
    synchronized: bool  # the cart's Synchronize Inventory and the item's web field
    should_show: int
    last_sent: int | None
    last_seen: int | None
    live: int | None = None
    last_change: str = ""  # "not sent", "waiting", "sent", "bypassed", "from this cart"
    rule: str = ""  # what decided should_show, in a clerk's words ("safety 5", "store QOH")


def item_cart_rows(store: StoreHandle, *, product_id: int,
                   probe: CartProbe | None = None) -> list[ItemCartRow]:
    with store.read() as s:
        carts = s.execute(select(Cart.id, Cart.name, Cart.sync).order_by(Cart.name)).all()
        changes = last_change_by_cart(s, product_id)
        rows = []
        for cid, name, sync in carts:
            targets = cart_targets(s, cid, [product_id], synced_only=False)
            if not targets:
                continue
            t = targets[0]
            last = "" if changes is None else changes.get(cid, NOT_SENT)
            rows.append((name, bool(sync) and t.sync, t.shaped, t.last_sent, t.last_cart_qoh,
                         t.cart_sku, last, t.rule))
    out = []
    for name, synced, shaped, sent, seen, cart_sku, last, rule in rows:
        live = None
        if probe is not None:
            try:
                live = probe(name, cart_sku)
            except Exception:  # noqa: BLE001 - a probe is a nicety
                live = None
        out.append(ItemCartRow(name, synced, shaped, sent, seen, live, last, rule))
    return out
