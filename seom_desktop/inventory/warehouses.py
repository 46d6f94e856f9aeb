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

from seom_desktop.inventory.errors import InventoryError
from seom_desktop.stack.allocation import default_warehouse_id
from seom_desktop.store.models import Warehouse, WarehouseStock

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
