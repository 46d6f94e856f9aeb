"""Warehouses: define them, look them up, and move a product's stock in one of them.

A product's QOH is the sum of its stock in every warehouse (`products.qoh` kept equal to
it in the same transaction). Exactly one warehouse is the default: a change that names
no warehouse is its (stack/allocation.py reads the default's quantity as the product's
QOH minus the other warehouses' rows, so code that changes only `products.qoh` keeps the
sum right).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.stack import allocation, outbox
from seom_desktop.stack.allocation import default_warehouse_id
from seom_desktop.stack.kit_qoh import kits_containing
from seom_desktop.store.models import (
    Cart,
    LedgerEntry,
    Product,
    Warehouse,
    WarehouseStock,
)

MAX_NAME = 100


@dataclass(frozen=True)
class WarehouseView:
    name: str
    default: bool

    def as_json(self) -> dict:
        return {"name": self.name, "default": self.default}


def check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InventoryError("warehouse name is empty")
    if name != name.strip() or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise InventoryError(f"warehouse name {name!r} must be at most {MAX_NAME} characters, "
                             "without control characters or surrounding spaces")
    return name


def list_warehouses(session: Session) -> list[WarehouseView]:
    return [WarehouseView(n, bool(d)) for n, d in session.execute(
        select(Warehouse.name, Warehouse.is_default).order_by(Warehouse.name))]


def warehouse_by_name(session: Session, name: str) -> Warehouse:
    w = session.scalar(select(Warehouse).where(Warehouse.name == name))
    if w is None:
        known = ", ".join(v.name for v in list_warehouses(session))
        raise InventoryError(f"unknown warehouse {name!r} (warehouses: {known})")
    return w


def warehouse_id(session: Session, name: str | None) -> int:
    """The named warehouse's id; the default warehouse's when `name` is None."""
    if name is None:
        return default_warehouse_id(session)
    return warehouse_by_name(session, name).id


def add_warehouse(session: Session, name: str, *, default: bool = False) -> WarehouseView:
    check_name(name)
    if session.scalar(select(Warehouse.id).where(Warehouse.name == name)) is not None:
        raise InventoryError(f"warehouse {name!r} already exists")
    w = Warehouse(name=name, is_default=False)
    session.add(w)
    session.flush()
    if default:
        make_default(session, w.id)
    return WarehouseView(name, default)


def make_default(session: Session, new_id: int) -> None:
    """Make `new_id` the default warehouse. The old default's quantity (the QOH its rows
    do not show; see the module docstring) is written to its rows first, so no stock
    moves."""
    old = default_warehouse_id(session)
    if old == new_id:
        return
    settle(session, old)
    session.execute(text("UPDATE warehouses SET is_default = :no WHERE id = :old"),
                    {"no": False, "old": old})
    session.flush()
    session.execute(text("UPDATE warehouses SET is_default = :yes WHERE id = :new"),
                    {"yes": True, "new": new_id})


def settle(session: Session, default_id: int, product_ids: list[int] | None = None) -> None:
    """Write the default warehouse's rows to its quantity: the product's QOH minus the
    other warehouses' rows (every product, or the given ones)."""
    only = "" if product_ids is None else " AND p.id IN ({})".format(
        ", ".join(str(int(p)) for p in product_ids))
    session.execute(text("DELETE FROM warehouse_stock WHERE warehouse_id = :d"
                         + ("" if product_ids is None else " AND product_id IN ({})".format(
                             ", ".join(str(int(p)) for p in product_ids)))),
                    {"d": default_id})
    session.execute(text(
        "INSERT INTO warehouse_stock (product_id, warehouse_id, qoh) "
        "SELECT p.id, :d, p.qoh - COALESCE((SELECT SUM(s.qoh) FROM warehouse_stock s "
        "WHERE s.product_id = p.id AND s.warehouse_id <> :d), 0) FROM products p "
        "WHERE 1 = 1" + only), {"d": default_id})


def move_stock(session: Session, product_id: int, wid: int, delta: int) -> None:
    """Put a change of `delta` to a product's QOH in warehouse `wid`. Call it after
    `products.qoh` changed by `delta` in this transaction: the default warehouse's row
    is then written to what is left."""
    default = default_warehouse_id(session)
    session.flush()
    if wid != default and delta:
        row = session.get(WarehouseStock, (product_id, wid))
        if row is None:
            session.add(WarehouseStock(product_id=product_id, warehouse_id=wid, qoh=delta))
        else:
            row.qoh += delta
        session.flush()
    settle(session, default, [product_id])


TRANSFER = "transfer"  # ledger source


@dataclass(frozen=True)
class TransferResult:
    sku: str
    qty: int
    source: str
    target: str
    warehouses: dict[str, int]  # the product's QOH per warehouse, after
    stack_row_ids: tuple[int, ...]


def transfer(session: Session, *, sku: str, qty: object, source: str, target: str,
             actor: Actor) -> TransferResult:
    """Move `qty` of a product from one warehouse to another in one transaction: two
    ledger rows (one per warehouse), the product's QOH unchanged. A cart re-hears of the
    product (or of a kit holding it) only if what it should show moved: nothing for a
    cart that sells from both warehouses."""
    from seom_desktop.inventory.operations import product_id_for
    from seom_desktop.inventory.validation import parse_quantity

    n = parse_quantity(qty, "quantity to transfer", minimum=1)
    src, dst = warehouse_by_name(session, source), warehouse_by_name(session, target)
    if src.id == dst.id:
        raise InventoryError(f"transfer from {source!r} to itself")
    pid = product_id_for(session, sku)
    product = session.execute(select(Product).where(Product.id == pid)
                              .with_for_update()).scalar_one()
    if product.is_kit:
        raise InventoryError(f"{sku!r} is a kit: it holds no stock of its own "
                             "(transfer its components)")
    have = allocation.stock_by_warehouse(session, [pid])[pid]
    if have[src.id] < n:
        raise InventoryError(f"warehouse {source!r} holds {have[src.id]} of {sku!r}, "
                             f"less than {n}")
    affected = [pid, *sorted(kits_containing(session, [pid]))]
    carts = list(session.scalars(select(Cart.id).where(Cart.sync.is_(True)).order_by(Cart.id)))
    before = {c: allocation.shown_everywhere(session, c, affected) for c in carts}
    for wid, delta in ((src.id, -n), (dst.id, n)):
        _put(session, pid, wid, have[wid] + delta)
    ledger = []
    for wid, delta, other in ((src.id, -n, target), (dst.id, n, source)):
        e = LedgerEntry(product_id=pid, delta=delta, qoh_after=product.qoh, source=TRANSFER,
                        reason=f"transfer {'to' if delta < 0 else 'from'} {other}",
                        warehouse_id=wid, user=actor.user, workstation=actor.workstation)
        session.add(e)
        ledger.append(e)
    session.flush()
    rows = []
    for c in carts:
        after = allocation.shown_everywhere(session, c, affected)
        for p in affected:
            if before[c][p] != after[p]:
                rid = outbox.enqueue_for_cart(session, cart_id=c, product_id=p,
                                              ledger_id=ledger[1].id,
                                              workstation=actor.workstation)
                if rid is not None:
                    rows.append(rid)
    names = allocation.warehouse_names(session)
    now = allocation.stock_by_warehouse(session, [pid])[pid]
    return TransferResult(sku, n, source, target, {names[w]: now[w] for w in names},
                          tuple(rows))


def _put(session: Session, product_id: int, wid: int, qoh: int) -> None:
    """Write a product's row in one warehouse (its QOH there: `qoh`)."""
    row = session.get(WarehouseStock, (product_id, wid))
    if row is None:
        session.add(WarehouseStock(product_id=product_id, warehouse_id=wid, qoh=qoh))
    else:
        row.qoh = qoh
    session.flush()
