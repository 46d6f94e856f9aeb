"""The main window's product list: plain (id, sku, name, qoh, kit) rows in SKU order, a page
at a time (keyset paging: `sku > last`, so the 200th page costs what the first does),
the count that matches, the QOH of the rows on screen, and the CSV export of the list.
100,000 products never become 100,000 ORM objects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from seom_desktop.app.low_stock import low_stock_condition
from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.stack.kit_qoh import kit_qoh
from seom_desktop.store.models import Product

PAGE = 500
IN_CHUNK = 900


@dataclass(frozen=True)
class InventoryRow:
    id: int
    sku: str
    name: str
    qoh: int  # a kit's: derived from its components
    kit: bool = False


@dataclass(frozen=True)
class ListFilter:
    """What the list shows: products whose SKU starts with, or whose name holds,
    `search` (empty: every product); with `low_stock`, only those at or below their
    reorder point (app/low_stock.py)."""

    search: str = ""
    low_stock: bool = False

    @property
    def narrowed(self) -> bool:
        return bool(self.search.strip()) or self.low_stock


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(q, flt: ListFilter, session):
    s = flt.search.strip()
    if s:
        pat = _like(s)
        q = q.where(or_(Product.sku.ilike(f"{pat}%", escape="\\"),
                        Product.name.ilike(f"%{pat}%", escape="\\")))
    if flt.low_stock:
        q = q.where(low_stock_condition(session))
    return q


def count_products(store: StoreHandle, *, flt: ListFilter = ListFilter()) -> int:
    """How many products the filter lets through."""
    with store.read() as s:
        return s.scalar(_filtered(select(func.count(Product.id)), flt, s)) or 0


def fetch_page(store: StoreHandle, *, flt: ListFilter = ListFilter(), after: str | None = None,
               limit: int = PAGE) -> list[InventoryRow]:
    """The next `limit` rows after SKU `after` (None: from the first)."""
    with store.read() as s:
        q = _filtered(select(Product.id, Product.sku, Product.name, Product.qoh,
                             Product.is_kit).order_by(Product.sku), flt, s)
        if after is not None:
            q = q.where(Product.sku > after)
        found = s.execute(q.limit(limit)).all()
        kits = kit_qoh(s, [i for i, *_rest, kit in found if kit])
        return [InventoryRow(i, sku, name or "", kits.get(i, qoh), bool(kit))
                for i, sku, name, qoh, kit in found]


def fetch_qoh(store: StoreHandle, *, ids: Sequence[int]) -> dict[int, int]:
    """product id -> QOH now (the rows on screen, re-read every few seconds)."""
    out: dict[int, int] = {}
    ids = list(ids)
    kits: list[int] = []
    with store.read() as s:
        for i in range(0, len(ids), IN_CHUNK):
            for pid, qoh, kit in s.execute(select(Product.id, Product.qoh, Product.is_kit)
                                           .where(Product.id.in_(ids[i:i + IN_CHUNK]))):
                out[pid] = qoh
                if kit:
                    kits.append(pid)
        out.update(kit_qoh(s, kits))
    return out


def export_qoh_csv(store: StoreHandle, *, path: str) -> int:
    """Write sku, name, qoh of every product to `path`; the number of products."""
    from seom_desktop.sync.csv_qoh import write_qoh_csv

    return write_qoh_csv(store, path)
