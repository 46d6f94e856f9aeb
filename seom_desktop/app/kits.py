"""Kits as the window shows them: View Inventory's Kit tab (the kit's components, the
quantity of each per kit, each one's QOH and which one limits the kit) and the main
list's marks (which products on screen are kits, and their derived QOH)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.inventory.kits import ComponentView, KitView, kit_view
from seom_desktop.stack.kit_qoh import kit_qoh
from seom_desktop.store.models import Product

__all__ = ["ComponentView", "KitView", "kit_of", "kits_among"]

IN_CHUNK = 900


def kit_of(store: StoreHandle, *, product_id: int) -> KitView | None:
    """The product's kit (components, their QOH, the limiting one), or None when the
    product is no kit."""
    with store.read() as s:
        row = s.execute(select(Product.sku, Product.is_kit)
                        .where(Product.id == product_id)).first()
        if row is None or not row[1]:
            return None
        return kit_view(s, row[0])


def kits_among(store: StoreHandle, *, ids: Sequence[int]) -> dict[int, int]:
    """{product id: derived QOH} for the kits among `ids` (the rows on screen)."""
    ids = list(ids)
    found: list[int] = []
    with store.read() as s:
        for i in range(0, len(ids), IN_CHUNK):
            found.extend(s.scalars(select(Product.id).where(
                Product.id.in_(ids[i:i + IN_CHUNK]), Product.is_kit.is_(True))))
        return kit_qoh(s, found)
