"""One product as the dialogs show it: found by SKU (or by a SKU typed in another letter
case when that names one product), the SKUs for the SKU fields' completer, names for
report rows, and View Inventory's item (its QOH, ledger and Web Fields) with the save
of its Web Fields (one transaction, each change re-queued for its cart)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from seom_desktop.app.ledger import LedgerRow, ledger_rows
from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.products import WebFieldView, set_web_fields, web_fields_of
from seom_desktop.store.models import Product

MAX_COMPLETER_SKUS = 50_000
IN_CHUNK = 500


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    qoh: int


@dataclass(frozen=True)
class ProductView:
    """View Inventory's item: the product, its newest ledger rows, its web fields."""

    product: ProductInfo
    ledger: tuple[LedgerRow, ...]
    web: tuple[WebFieldView, ...]


@dataclass(frozen=True)
class WebFieldChange:
    """One cart's web fields as the clerk set them (checked values)."""

    cart: str
    sync: bool
    cart_sku: str  # "" removes the alias
    reserve: int
    max_qty: int | None  # None: no cap


def find_product(store: StoreHandle, *, sku: str) -> ProductInfo | None:
    with store.read() as s:
        row = s.execute(select(Product.id, Product.sku, Product.name, Product.qoh)
                        .where(Product.sku == sku)).first()
    return None if row is None else ProductInfo(row[0], row[1], row[2] or "", row[3])


def all_skus(store: StoreHandle, *, limit: int = MAX_COMPLETER_SKUS) -> list[str]:
    """The store's SKUs in order (at most `limit`), for a SKU field's completer."""
    with store.read() as s:
        return list(s.scalars(select(Product.sku).order_by(Product.sku).limit(limit)))


def skus_differing_in_case(store: StoreHandle, *, sku: str) -> list[str]:
    """The store's SKUs equal to `sku` but for letter case (for a SKU field whose
    completer list has not arrived yet)."""
    with store.read() as s:
        found = s.scalars(select(Product.sku)
                          .where(func.lower(Product.sku) == sku.lower()).limit(50))
        return [k for k in found if k.casefold() == sku.casefold()]


def product_names(store: StoreHandle, *, skus: Iterable[str]) -> dict[str, str]:
    """SKU -> product name for the SKUs that are products of the store."""
    wanted = sorted(set(skus))
    out: dict[str, str] = {}
    with store.read() as s:
        for k in range(0, len(wanted), IN_CHUNK):
            out.update(s.execute(select(Product.sku, Product.name)
                                 .where(Product.sku.in_(wanted[k:k + IN_CHUNK]))).all())
    return {k: v or "" for k, v in out.items()}


def product_view(store: StoreHandle, *, sku: str, ledger_limit: int) -> ProductView | None:
    """The product `sku` for View Inventory (None: no such SKU)."""
    with store.read() as s:
        row = s.execute(select(Product.id, Product.sku, Product.name, Product.qoh)
                        .where(Product.sku == sku)).first()
        if row is None:
            return None
        web = tuple(web_fields_of(s, row[0]))
    ledger = ledger_rows(store, sku=row[1], limit=ledger_limit) or []
    return ProductView(ProductInfo(row[0], row[1], row[2] or "", row[3]), tuple(ledger), web)


def web_fields(store: StoreHandle, *, sku: str) -> tuple[WebFieldView, ...]:
    """The item's web fields per cart (what was last sent and seen included)."""
    with store.read() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == sku))
        return tuple(web_fields_of(s, pid)) if pid is not None else ()


def save_web_fields(store: StoreHandle, *, sku: str, changes: Sequence[WebFieldChange],
                    workstation: str) -> int:
    """Save every change in one transaction (none when one is refused: InventoryError or
    CartDefinitionError naming it); the number of carts changed."""
    actor = Actor.current(workstation)
    with store.write() as s:
        for c in changes:
            set_web_fields(s, sku=sku, cart=c.cart, sync=c.sync, cart_sku=c.cart_sku,
                           reserve=c.reserve, max_qty=c.max_qty, actor=actor)
    return len(changes)
