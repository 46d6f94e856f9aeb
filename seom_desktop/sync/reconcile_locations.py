"""Reconcile of a cart whose own locations are mapped to warehouses (cart set
--location-for): each mapped location should show its own warehouse's quantity shaped by
the cart's rules (stack/allocation.py), and the stack believes and sends per location
(stack/location_sender.py). So each (item, location) is compared: the catalog is read
once naming the locations (drift.read_items: a bulk read for many SKUs), and what a
location was seen showing is recorded where the location sender looks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seom_desktop.stack import allocation, location_sender
from seom_desktop.stack.targets import cart_targets
from seom_desktop.store.engine import Store
from seom_desktop.store.models import WebField, WebFieldLocation
from seom_desktop.sync.drift import read_items
from seom_desktop.sync.progress import CartRef, Progress


@dataclass(frozen=True)
class Seen:
    """One synchronized item at one place of the cart, as read and as it should be."""

    pid: int
    sku: str
    cart_sku: str
    location: str  # "" = the cart as a whole (no mapped locations)
    should_show: int
    cart_shows: int | None  # None: not there, or its stock not tracked
    managed: str = ""

    @property
    def drifted(self) -> bool:
        return not self.managed and self.cart_shows != self.should_show


def mapped_locations(store: Store, cart_id: int) -> tuple[str, ...]:
    with store.read() as s:
        return tuple(allocation.cart_locations(s, cart_id))


def read_locations(store: Store, cart: CartRef, locations: Sequence[str],
                   progress: Progress) -> list[Seen]:
    """Every synchronized item at every mapped location; raises a CartError when the
    cart cannot be read."""
    with store.read() as s:
        targets = {t.cart_sku: t for t in cart_targets(s, cart.id)}
        shown = allocation.shown_at_locations(s, cart.id, [t.product_id for t in
                                                            targets.values()])
    now = read_items(cart, list(targets), progress, locations=locations)
    out = []
    for cart_sku, t in targets.items():
        item = now.get(cart_sku)
        at = shown.get(t.product_id, {})
        for loc in locations:
            if loc not in at:
                continue
            shows = item.locations.get(loc) if item is not None and item.tracked else None
            out.append(Seen(t.product_id, t.sku, cart_sku, loc, at[loc].qty, shows,
                            item.managed if item is not None else ""))
    return out


def location_states(session: Session, cart_id: int,
                    pids: Sequence[int]) -> dict[tuple[int, str], tuple]:
    """{(product id, location): (last seen showing, last sent at, last seen at)}."""
    out = {}
    for part in allocation.chunks(list(pids)):
        for pid, loc, last, sent, seen in session.execute(
                select(WebField.product_id, WebFieldLocation.location,
                       WebFieldLocation.last_cart_qoh, WebFieldLocation.last_sent_at,
                       WebFieldLocation.last_cart_seen_at)
                .join(WebField, WebField.id == WebFieldLocation.web_field_id)
                .where(WebField.cart_id == cart_id, WebField.product_id.in_(part))):
            out[(pid, loc)] = (last, sent, seen)
    return out


def should_show_now(session: Session, cart_id: int, pids: Sequence[int]) -> dict[tuple, int]:
    """{(product id, location): what it should show now}."""
    return {(pid, loc): v.qty
            for pid, at in allocation.shown_at_locations(session, cart_id, pids).items()
            for loc, v in at.items()}


def record_seen_at(session: Session, cart_id: int, pid: int, location: str,
                   qoh: int | None) -> None:
    location_sender.record_seen(session, cart_id, pid, location, qoh)
