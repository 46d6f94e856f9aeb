"""What a cart may sell and what it should show, read from the store: the warehouses a cart
sells from, the stock in them, its allocation rules and the items' overrides. In stack/
because the stack builds every write from it (inventory/ builds on it, never the reverse).

Stock per warehouse: `warehouse_stock` rows, with `products.qoh` the sum. The default
warehouse takes whatever QOH no warehouse row accounts for (a change that names no
warehouse is the default warehouse's), so its quantity is read as `products.qoh` minus
the other warehouses' rows; code that moves stock writes its row to that value too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from seom_desktop.stack.shaping import Rules, Shown, should_show
from seom_desktop.store.models import (
    Cart,
    CartLocation,
    CartWarehouse,
    Product,
    Warehouse,
    WarehouseStock,
    WebField,
)


def chunks(ids: Sequence[int], size: int = 900) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def default_warehouse_id(session: Session) -> int:
    return session.scalar(select(Warehouse.id).where(Warehouse.is_default.is_(True)))


def warehouse_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Warehouse.id, Warehouse.name)
                                .order_by(Warehouse.name)).all())


def cart_warehouse_ids(session: Session, cart_id: int) -> frozenset[int] | None:
    """The warehouses a cart sells from; None: all of them (it names none)."""
    ids = frozenset(session.scalars(select(CartWarehouse.warehouse_id)
                                    .where(CartWarehouse.cart_id == cart_id)))
    return ids or None


def stock_by_warehouse(session: Session, product_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """{product id: {warehouse id: QOH}} for every warehouse (0 where it holds none)."""
    default = default_warehouse_id(session)
    wids = list(warehouse_names(session))
    out: dict[int, dict[int, int]] = {}
    for chunk in chunks(product_ids):
        for pid, qoh in session.execute(select(Product.id, Product.qoh)
                                        .where(Product.id.in_(chunk))):
            out[pid] = dict.fromkeys(wids, 0) | {default: qoh}
        for pid, wid, qoh in session.execute(
                select(WarehouseStock.product_id, WarehouseStock.warehouse_id, WarehouseStock.qoh)
                .where(WarehouseStock.product_id.in_(chunk),
                       WarehouseStock.warehouse_id != default)):
            out[pid][wid] = qoh
            out[pid][default] -= qoh
    return out


def stock_in(session: Session, warehouse_ids: frozenset[int] | None,
             product_ids: Sequence[int] | None = None) -> dict[int, int]:
    """{product id: QOH summed over `warehouse_ids` (None: all, i.e. the product's QOH)}
    for the given products (None: all). Kits are plain products here (see available)."""
    base = select(Product.id, Product.qoh)
    if warehouse_ids is None:
        return _by_chunk(session, base, product_ids)
    default = default_warehouse_id(session)
    others = [w for w in warehouse_ids if w != default]
    picked = func.coalesce(func.sum(case((WarehouseStock.warehouse_id.in_(others),
                                          WarehouseStock.qoh), else_=0)), 0)
    q = (select(Product.id, Product.qoh, picked,
                func.coalesce(func.sum(WarehouseStock.qoh), 0))
         .outerjoin(WarehouseStock, and_(WarehouseStock.product_id == Product.id,
                                         WarehouseStock.warehouse_id != default))
         .group_by(Product.id, Product.qoh))
    out = {}
    for pid, qoh, in_others, not_default in _rows(session, q, product_ids):
        out[pid] = int(in_others) + (qoh - int(not_default) if default in warehouse_ids else 0)
    return out


def _rows(session: Session, q, product_ids: Sequence[int] | None):
    if product_ids is None:
        yield from session.execute(q)
        return
    for chunk in chunks(product_ids):
        yield from session.execute(q.where(Product.id.in_(chunk)))


def _by_chunk(session: Session, q, product_ids: Sequence[int] | None) -> dict[int, int]:
    return {pid: qoh for pid, qoh in _rows(session, q, product_ids)}


def available(session: Session, cart_id: int, product_ids: Sequence[int] | None = None,
              *, kits: Iterable[int] = ()) -> dict[int, int]:
    """{product id: what the cart may sell}: the sum of the cart's warehouses; for a kit
    (`kits`: the ids among them that are kits) its derived QOH from those warehouses."""
    scope = cart_warehouse_ids(session, cart_id)
    out = stock_in(session, scope, product_ids)
    kit_ids = [k for k in kits if k in out]
    if kit_ids:
        out.update(kit_available(session, kit_ids, lambda ids: stock_in(session, scope, ids)))
    return out


def kit_available(session: Session, kit_ids: Sequence[int], stocked) -> dict[int, int]:
    """The call point for kits: {kit id: derived QOH}, its components' quantities given
    by `stocked(product ids) -> {id: qoh}` (the cart's warehouses)."""
    from seom_desktop.stack.kit_qoh import kit_qoh

    return kit_qoh(session, kit_ids, available=stocked)


def cart_rules(session: Session, cart_id: int) -> Rules:
    c = session.get(Cart, cart_id)
    return Rules(c.reserve, c.max_qty, c.percent, c.min_qty, c.safety)


def shown(session: Session, cart_id: int,
          product_ids: Sequence[int] | None = None) -> dict[int, Shown]:
    """{product id: what the cart should show, and the rule that decided it}."""
    items, kits = _item_rules(session, cart_id, product_ids)
    have = available(session, cart_id, list(items), kits=kits)
    return {pid: should_show(have[pid], r) for pid, r in items.items()}


def _item_rules(session: Session, cart_id: int, product_ids: Sequence[int] | None
                ) -> tuple[dict[int, Rules], list[int]]:
    """({product id: its rules for the cart}, the kits among them)."""
    cart = cart_rules(session, cart_id)
    items: dict[int, Rules] = {}
    kits: list[int] = []
    q = (select(Product.id, Product.is_kit, WebField.reserve, WebField.max_qty,
                WebField.percent, WebField.min_qty, WebField.safety)
         .outerjoin(WebField, and_(WebField.product_id == Product.id,
                                   WebField.cart_id == cart_id)))
    for pid, is_kit, *rules in _rows(session, q, product_ids):
        items[pid] = Rules(*rules).over(cart)
        if is_kit:
            kits.append(pid)
    return items, kits


def cart_locations(session: Session, cart_id: int) -> dict[str, int]:
    """{the cart's location id: the warehouse mapped to it}; {} for an unmapped cart."""
    return dict(session.execute(select(CartLocation.location, CartLocation.warehouse_id)
                                .where(CartLocation.cart_id == cart_id)
                                .order_by(CartLocation.location)).all())


def shown_at_locations(session: Session, cart_id: int,
                       product_ids: Sequence[int] | None = None) -> dict[int, dict[str, Shown]]:
    """{product id: {location: what it should show}}: each mapped location is sent its own
    warehouse's quantity shaped by the same rules (an item's overriding the cart's)."""
    locs = cart_locations(session, cart_id)
    if not locs:
        return {}
    items, kits = _item_rules(session, cart_id, product_ids)
    out: dict[int, dict[str, Shown]] = {pid: {} for pid in items}
    for loc, wid in locs.items():
        scope = frozenset((wid,))
        have = stock_in(session, scope, list(items))
        kit_ids = [k for k in kits if k in have]
        if kit_ids:
            have.update(kit_available(session, kit_ids,
                                      lambda ids, s=scope: stock_in(session, s, ids)))
        for pid, r in items.items():
            out[pid][loc] = should_show(have[pid], r)
    return out


def shown_everywhere(session: Session, cart_id: int,
                     product_ids: Sequence[int] | None = None) -> dict[int, tuple]:
    """{product id: (quantity the cart should show, ((location, quantity), ...))}: what a
    change of rules, warehouses or mappings compares before and after."""
    at_cart = shown(session, cart_id, product_ids)
    at_locs = shown_at_locations(session, cart_id, product_ids)
    return {pid: (s.qty, tuple((loc, v.qty) for loc, v in at_locs.get(pid, {}).items()))
            for pid, s in at_cart.items()}


def shown_for(session: Session, cart_id: int,
              items: Sequence[tuple[int, int, bool, Rules]]) -> dict[int, Shown]:
    """What the cart should show for rows a caller already read: [(product id, its QOH,
    is a kit, the item's own rules)] -> {product id: Shown}. The QOH read is used as is
    when the cart sells from every warehouse (no second read of it)."""
    if not items:
        return {}
    cart = cart_rules(session, cart_id)
    scope = cart_warehouse_ids(session, cart_id)
    pids = [pid for pid, _q, _k, _r in items]
    have = ({pid: qoh for pid, qoh, _k, _r in items} if scope is None
            else stock_in(session, scope, pids))
    kits = [pid for pid, _q, kit, _r in items if kit]
    if kits:
        have.update(kit_available(session, kits, lambda ids: stock_in(session, scope, ids)))
    return {pid: should_show(have[pid], r.over(cart)) for pid, _q, _k, r in items}


def order_warehouse_id(session: Session, cart_id: int | None) -> int:
    """Where a cart's orders ship from (the default warehouse when it names none, or for
    no cart)."""
    wid = session.get(Cart, cart_id).order_warehouse_id if cart_id is not None else None
    return wid or default_warehouse_id(session)
