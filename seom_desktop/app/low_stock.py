"""Low-stock alerts: a product's reorder point (NULL: no alert), set from the command line
and View Inventory, and the products at or below it. A kit counts with its derived QOH
(stack/kit_qoh.py), as everywhere else its QOH is shown."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.inventory.errors import InventoryError
from seom_desktop.inventory.operations import product_id_for
from seom_desktop.stack.kit_qoh import kit_qoh
from seom_desktop.store.models import Product

MAX_REORDER_POINT = 10**12
NONE_WORDS = {"none", ""}


class ReorderPointError(InventoryError):
    """A reorder point that is not a whole number >= 0 (or 'none')."""


@dataclass(frozen=True)
class LowStockRow:
    id: int
    sku: str
    name: str
    qoh: int
    reorder_point: int
    kit: bool


def parse_reorder_point(value: str | int | None) -> int | None:
    """A whole number >= 0, or None for 'none' / empty (no alert)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ReorderPointError(f"the reorder point must be a whole number, not {value!r}")
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip()
        if text.lower() in NONE_WORDS:
            return None
        try:
            n = int(text)
        except ValueError:
            raise ReorderPointError(f"the reorder point must be a whole number >= 0 or 'none', "
                                    f"not {text[:40]!r}") from None
    if n < 0:
        raise ReorderPointError(f"the reorder point must be 0 or more, not {n}")
    if n > MAX_REORDER_POINT:
        raise ReorderPointError(f"the reorder point must be at most {MAX_REORDER_POINT}, not {n}")
    return n


def set_reorder_point(store: StoreHandle, *, sku: str, value: str | int | None) -> int | None:
    """Store `sku`'s reorder point (None: no alert); returns it. Raises InventoryError
    (unknown SKU, bad value) with nothing changed."""
    point = parse_reorder_point(value)
    with store.write() as s:
        product = s.get(Product, product_id_for(s, sku))
        product.reorder_point = point
    return point


def reorder_point_of(store: StoreHandle, *, sku: str) -> int | None:
    with store.read() as s:
        return s.get(Product, product_id_for(s, sku)).reorder_point


def low_stock_rows(session: Session) -> list[LowStockRow]:
    """Products whose QOH is at or below their reorder point, in SKU order."""
    found = session.execute(
        select(Product.id, Product.sku, Product.name, Product.qoh, Product.reorder_point,
               Product.is_kit)
        .where(Product.reorder_point.is_not(None),
               or_(Product.is_kit, Product.qoh <= Product.reorder_point))
        .order_by(Product.sku)).all()
    kits = kit_qoh(session, [r.id for r in found if r.is_kit])
    rows = [LowStockRow(r.id, r.sku, r.name, kits.get(r.id, r.qoh), r.reorder_point,
                        bool(r.is_kit)) for r in found]
    return [r for r in rows if r.qoh <= r.reorder_point]


def _low_kit_ids(session: Session) -> list[int]:
    kits = session.execute(select(Product.id, Product.reorder_point)
                           .where(Product.is_kit, Product.reorder_point.is_not(None))).all()
    derived = kit_qoh(session, [k for k, _ in kits])
    return [k for k, point in kits if derived.get(k, 0) <= point]


def low_stock_condition(session: Session):
    """A WHERE clause for products at or below their reorder point (the main list's Low
    Stock filter): plain products in SQL, kits by their derived QOH worked out here."""
    plain = and_(Product.reorder_point.is_not(None), Product.is_kit.is_(False),
                 Product.qoh <= Product.reorder_point)
    kits = _low_kit_ids(session)
    return or_(plain, Product.id.in_(kits)) if kits else plain


def count_low_stock(session: Session) -> int:
    return session.scalar(select(func.count(Product.id))
                          .where(low_stock_condition(session))) or 0


def low_stock(store: StoreHandle) -> list[LowStockRow]:
    with store.read() as s:
        return low_stock_rows(s)


def low_stock_count(store: StoreHandle) -> int:
    """For the status bar."""
    with store.read() as s:
        return count_low_stock(s)
