"""Products and their Web Fields (an item's settings per cart: sync, cart SKU, reserve,
maximum; with, as read, its overrides of the cart's other rules and what the cart should
show under them, from inventory/rules.item_allocation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.operations import (
    NEW_PRODUCT,
    change_qoh,
    enqueue_refresh,
    product_id_for,
)
from seom_desktop.inventory.rules import item_allocation
from seom_desktop.inventory.validation import MAX_QOH, check_sku, parse_quantity
from seom_desktop.stack.allocation import shown_everywhere
from seom_desktop.store.carts import cart_by_name
from seom_desktop.store.models import Cart, Product, WebField

MAX_NAME = 10_000


@dataclass(frozen=True)
class WebFieldView:
    cart: str
    sync: bool
    cart_sku: str | None
    reserve: int
    max_qty: int | None
    last_sent_qoh: int | None = None
    last_cart_qoh: int | None = None
    percent: int | None = None  # the item's overrides (None: the cart's applies)
    min_qty: int | None = None
    safety: int | None = None
    should_show: int | None = None  # what the cart should show (as read by web_fields_of)
    rule: str = ""  # what decided it, in a clerk's words ("safety 5", "store QOH")
    locations: dict[str, int] = field(default_factory=dict)  # per mapped location

    def as_json(self) -> dict:
        return {"cart": self.cart, "sync": self.sync, "cart_sku": self.cart_sku,
                "reserve": self.reserve, "max_qty": self.max_qty}

    def allocation_json(self) -> dict:
        """What `product show --json` adds to as_json(): rules.item_allocation's keys."""
        return {"should_show": self.should_show, "rule": self.rule, "percent": self.percent,
                "min_qty": self.min_qty, "safety": self.safety,
                "locations": dict(self.locations)}


def add_product(session: Session, *, sku: str, name: str, actor: Actor, qoh: int = 0) -> int:
    check_sku(sku)
    qoh = parse_quantity(qoh, "QOH")
    if qoh < 0:
        raise InventoryError(f"QOH of a new product cannot be below zero ({qoh})")
    if not isinstance(name, str):
        raise InventoryError("name must be text")
    if len(name) > MAX_NAME:
        raise InventoryError(f"name is longer than {MAX_NAME:,} characters")
    if "\x00" in name:
        raise InventoryError("name contains a NUL character")
    if session.scalar(select(Product.id).where(Product.sku == sku)) is not None:
        raise InventoryError(f"SKU {sku!r} already exists")
    product = Product(sku=sku, name=name, qoh=0)
    session.add(product)
    session.flush()
    if qoh:
        change_qoh(session, sku=sku, actor=actor, source=NEW_PRODUCT, delta=qoh,
                   reason="new product")
    return product.id


def web_fields_of(session: Session, product_id: int) -> list[WebFieldView]:
    """One entry per cart (defaults where the item has no row for that cart), with what
    the cart should show and the rule that decided it (rules.item_allocation: the one
    place that computes it, for `product show` too)."""
    rows = {wf.cart_id: wf for wf in session.scalars(
        select(WebField).where(WebField.product_id == product_id))}
    shown = item_allocation(session, product_id)
    out = []
    for cart in session.scalars(select(Cart).order_by(Cart.name)):
        wf = rows.get(cart.id)
        a = shown[cart.name]
        if wf is None:
            out.append(WebFieldView(cart.name, True, None, 0, None, should_show=a["should_show"],
                                    rule=a["rule"], locations=a["locations"]))
        else:
            out.append(WebFieldView(cart.name, wf.sync, wf.cart_sku, wf.reserve, wf.max_qty,
                                    wf.last_sent_qoh, wf.last_cart_qoh, wf.percent, wf.min_qty,
                                    wf.safety, a["should_show"], a["rule"], a["locations"]))
    return out


def set_web_fields(session: Session, *, sku: str, cart: str, sync: bool | None = None,
                   cart_sku: str | None = None, reserve: int | None = None,
                   max_qty: int | None | str = "keep", actor: Actor | None = None) -> WebFieldView:
    """Change an item's web fields for one cart; None (or "keep") leaves a field as is.
    An empty cart SKU removes the alias; max_qty None removes the cap."""
    pid = product_id_for(session, sku)
    c = cart_by_name(session, cart)
    if cart_sku:
        check_sku(cart_sku)
    if reserve is not None:
        reserve = parse_quantity(reserve, "reserve", minimum=0, maximum=MAX_QOH)
    if max_qty not in ("keep", None):
        max_qty = parse_quantity(max_qty, "max qty", minimum=0, maximum=MAX_QOH)
    wf = session.scalar(select(WebField).where(WebField.product_id == pid,
                                               WebField.cart_id == c.id))
    if wf is None:
        wf = WebField(product_id=pid, cart_id=c.id, sync=True, reserve=0)
        session.add(wf)
    before = (wf.sync, wf.cart_sku, wf.reserve, wf.max_qty)
    shown_before = shown_everywhere(session, c.id, [pid])
    if sync is not None:
        wf.sync = sync
    if cart_sku is not None and (cart_sku or None) != wf.cart_sku:
        # Another item on the cart: its id and what it shows are not known yet (a write
        # by the old item's id would land on the old item).
        wf.cart_sku = cart_sku or None
        wf.cart_item_id = None
        wf.last_cart_qoh = None
        wf.attempted_qoh = ""
    if reserve is not None:
        wf.reserve = reserve
    if max_qty != "keep":
        wf.max_qty = max_qty
    session.flush()
    # Re-queued when the cart must hear of it: synchronization turned on, another item
    # on the cart (its alias), or a reserve/maximum that moves what it should show.
    turned_on = wf.sync and not before[0]
    if (turned_on or wf.cart_sku != before[1]
            or shown_everywhere(session, c.id, [pid]) != shown_before):
        enqueue_refresh(session, product_id=pid, cart_id=c.id, actor=actor or Actor.current())
    return WebFieldView(c.name, wf.sync, wf.cart_sku, wf.reserve, wf.max_qty,
                        wf.last_sent_qoh, wf.last_cart_qoh)
