"""A cart's allocation: the warehouses it sells from, its locations mapped to warehouses,
its rules (reserve, maximum, percent, minimum, safety) and an item's overrides of them.

Every change re-queues exactly the items whose shown quantity moved (at the cart, or at
one of its mapped locations), for that cart only. Bad input raises InventoryError before
anything is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.operations import product_id_for
from seom_desktop.inventory.validation import MAX_QOH, parse_quantity
from seom_desktop.inventory.warehouses import warehouse_by_name
from seom_desktop.stack import allocation, outbox
from seom_desktop.stack.shaping import RULE_NAMES
from seom_desktop.store.carts import cart_by_name
from seom_desktop.store.models import Cart, CartLocation, CartWarehouse, WebField
from seom_desktop.store.params import get_param

KEEP = "keep"
CLEAR = None
MAX_LOCATION = 255


def parse_rule(name: str, value: object) -> int | None:
    """A rule as typed: a whole number (percent 0-100, the others 0 or more), or
    `none` (unset)."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    what = {"max_qty": "maximum", "min_qty": "minimum"}.get(name, name)
    return parse_quantity(value, what, minimum=0, maximum=100 if name == "percent" else MAX_QOH)


def parse_location_for(text: str) -> tuple[str, str]:
    """WAREHOUSE=LOCATION (an empty LOCATION removes the warehouse's mapping)."""
    if "=" not in text:
        raise InventoryError(f"--location-for takes WAREHOUSE=LOCATION, not {text!r}")
    wh, loc = text.split("=", 1)
    loc = loc.strip()
    if len(loc) > MAX_LOCATION or any(ord(c) < 32 for c in loc):
        raise InventoryError(f"location {loc!r} must be at most {MAX_LOCATION} characters, "
                             "without control characters")
    return wh.strip(), loc


@dataclass(frozen=True)
class CartAllocation:
    cart: str
    warehouses: tuple[str, ...]  # () = all
    locations: dict[str, str]  # warehouse name -> the cart's location id
    rules: dict[str, int | None]
    order_warehouse: str  # where its orders ship from
    requeued: int = 0

    def as_json(self) -> dict:
        return {"cart": self.cart, "warehouses": list(self.warehouses),
                "locations": self.locations, "order_warehouse": self.order_warehouse,
                **self.rules, "requeued": self.requeued}


def view(session: Session, cart: Cart, requeued: int = 0) -> CartAllocation:
    names = allocation.warehouse_names(session)
    scope = allocation.cart_warehouse_ids(session, cart.id) or ()
    locs = {names[w]: loc for w, loc in session.execute(
        select(CartLocation.warehouse_id, CartLocation.location)
        .where(CartLocation.cart_id == cart.id))}
    ships = cart.order_warehouse_id or allocation.default_warehouse_id(session)
    return CartAllocation(cart.name, tuple(sorted(names[w] for w in scope)),
                          dict(sorted(locs.items())),
                          {r: getattr(cart, r) for r in RULE_NAMES}, names[ships], requeued)


def set_order_warehouse(session: Session, name: str, warehouse: str) -> None:
    """The warehouse a cart's orders ship from ('none': the default warehouse)."""
    cart = cart_by_name(session, name)
    cart.order_warehouse_id = (None if warehouse.strip().lower() == "none"
                               else warehouse_by_name(session, warehouse).id)


def set_cart(session: Session, name: str, *, warehouses: Sequence[str] | None = None,
             locations: Sequence[tuple[str, str]] = (),
             rules: Mapping[str, object] | None = None, actor: Actor) -> CartAllocation:
    """Change a cart's warehouses (None: keep; []: all), location mappings
    ((warehouse, location) pairs; location "" removes the mapping) and rules ({name:
    value or None to clear}; absent: keep)."""
    cart = cart_by_name(session, name)
    parsed = {r: parse_rule(r, v) for r, v in (rules or {}).items()}
    unknown = set(parsed) - set(RULE_NAMES)
    if unknown:
        raise InventoryError(f"unknown rule(s): {', '.join(sorted(unknown))}")
    wids = None if warehouses is None else [warehouse_by_name(session, w).id
                                            for w in dict.fromkeys(warehouses)]
    maps: dict[int, str] = {}
    for wh, loc in locations:
        wid = warehouse_by_name(session, wh).id
        if wid in maps:
            raise InventoryError(f"warehouse {wh!r} is given two locations")
        maps[wid] = loc
    taken = [loc for loc in maps.values() if loc]
    if len(taken) != len(set(taken)):
        twice = next(loc for loc in taken if taken.count(loc) > 1)
        raise InventoryError(f"location {twice!r} is mapped to two warehouses")

    before = _shown(session, cart.id)
    for r, v in parsed.items():
        setattr(cart, r, v)
    if wids is not None:
        session.execute(delete(CartWarehouse).where(CartWarehouse.cart_id == cart.id))
        session.add_all(CartWarehouse(cart_id=cart.id, warehouse_id=w) for w in wids)
    for wid, loc in maps.items():
        session.execute(delete(CartLocation).where(CartLocation.cart_id == cart.id,
                                                   CartLocation.warehouse_id == wid))
        session.flush()
        if loc:
            other = session.scalar(select(CartLocation.warehouse_id).where(
                CartLocation.cart_id == cart.id, CartLocation.location == loc))
            if other is not None:
                wname = allocation.warehouse_names(session)[other]
                raise InventoryError(f"location {loc!r} is already mapped to warehouse "
                                     f"{wname!r}")
            session.add(CartLocation(cart_id=cart.id, warehouse_id=wid, location=loc))
    session.flush()
    _check_locations_sold_from(session, cart.id)
    moved = _requeue(session, cart.id, before, _shown(session, cart.id), actor)
    return view(session, cart, moved)


def _check_locations_sold_from(session: Session, cart_id: int) -> None:
    scope = allocation.cart_warehouse_ids(session, cart_id)
    if scope is None:
        return
    names = allocation.warehouse_names(session)
    for (wid,) in session.execute(select(CartLocation.warehouse_id)
                                  .where(CartLocation.cart_id == cart_id)):
        if wid not in scope:
            raise InventoryError(f"a location is mapped to warehouse {names[wid]!r}, which "
                                 "the cart does not sell from")


def set_item_rules(session: Session, *, sku: str, cart: str, rules: Mapping[str, object],
                   actor: Actor) -> dict[str, int | None]:
    """An item's overrides of the cart's rules ({name: value or None to clear}; absent:
    keep). An item's reserve cleared is 0 (the web field's default: the cart's applies).
    The item is re-queued for that cart if what it should show moved."""
    pid = product_id_for(session, sku)
    c = cart_by_name(session, cart)
    parsed = {r: parse_rule(r, v) for r, v in rules.items()}
    wf = session.scalar(select(WebField).where(WebField.product_id == pid,
                                               WebField.cart_id == c.id))
    before = _shown(session, c.id, [pid])
    if wf is None:
        wf = WebField(product_id=pid, cart_id=c.id, sync=True, reserve=0, attempted_qoh="")
        session.add(wf)
    for r, v in parsed.items():
        setattr(wf, r, 0 if r == "reserve" and v is None else v)
    session.flush()
    _requeue(session, c.id, before, _shown(session, c.id, [pid]), actor)
    return {r: getattr(wf, r) for r in RULE_NAMES}


def _shown(session: Session, cart_id: int, product_ids: Sequence[int] | None = None) -> dict:
    """{product id: (shown at the cart, ((location, shown), ...))}."""
    return allocation.shown_everywhere(session, cart_id, product_ids)


def _requeue(session: Session, cart_id: int, before: dict, after: dict, actor: Actor) -> int:
    """Queue a refresh (change 0) for that cart of each item whose shown quantity moved,
    unless the cart, the item's web field or SynchQOH says not to sync. How many."""
    moved = [pid for pid in sorted(after) if before.get(pid) != after[pid]]
    if not moved or not session.get(Cart, cart_id).sync or not get_param(session, "SynchQOH"):
        return 0
    off = set(session.scalars(select(WebField.product_id).where(
        WebField.cart_id == cart_id, WebField.sync.is_(False))))
    rows = [(cart_id, pid, 0, None) for pid in moved if pid not in off]
    return len(outbox.enqueue_many(session, rows, workstation=actor.workstation))


def item_allocation(session: Session, product_id: int) -> dict[str, dict]:
    """{cart name: {"should_show", "rule", "percent", "min_qty", "safety", "locations":
    {location: quantity}}} for one product on every cart: what product show adds to each
    web field (percent, min_qty, safety: the item's overrides, None = the cart's)."""
    wf = {cid: (p, m, s) for cid, p, m, s in session.execute(
        select(WebField.cart_id, WebField.percent, WebField.min_qty, WebField.safety)
        .where(WebField.product_id == product_id))}
    out = {}
    for cart in session.scalars(select(Cart).order_by(Cart.name)):
        shown = allocation.shown(session, cart.id, [product_id])[product_id]
        locs = allocation.shown_at_locations(session, cart.id, [product_id]).get(product_id, {})
        p, m, s = wf.get(cart.id, (None, None, None))
        out[cart.name] = {"should_show": shown.qty, "rule": shown.rule, "percent": p,
                          "min_qty": m, "safety": s,
                          "locations": {loc: v.qty for loc, v in locs.items()}}
    return out


def stock_by_name(session: Session, product_id: int) -> dict[str, int]:
    """{warehouse name: the product's QOH there} (every warehouse, by name)."""
    names = allocation.warehouse_names(session)
    stock = allocation.stock_by_warehouse(session, [product_id])[product_id]
    return {names[w]: stock[w] for w in names}
