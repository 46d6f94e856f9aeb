"""One product as the dialogs show it: found by SKU (or by a SKU typed in another letter
case when that names one product), the SKUs for the SKU fields' completer, names for
report rows, and View Inventory's item (its QOH, ledger and Web Fields) with the save
of its Web Fields (one transaction, each change re-queued for its cart).

A kit's QOH here is always the derived one (stack/kit_qoh.py; its products.qoh stays 0),
and `qoh_to_show` says why a kit's own QOH cannot be adjusted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from seom_desktop.app.ledger import LedgerRow, ledger_rows
from seom_desktop.app.store_handle import StoreHandle
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.kits import refuse_stock_change
from seom_desktop.inventory.products import WebFieldView, set_web_fields, web_fields_of
from seom_desktop.inventory.rules import set_item_rules
from seom_desktop.stack.kit_qoh import kit_qoh
from seom_desktop.store.models import Product

MAX_COMPLETER_SKUS = 50_000
IN_CHUNK = 500


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    qoh: int  # a kit's: derived from its components
    kit: bool = False


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
    percent: int | None = None  # the item's overrides (None: the cart's applies)
    min_qty: int | None = None
    safety: int | None = None


@dataclass(frozen=True)
class ShownQoh:
    """The QOH a dialog shows for a SKU, and for a kit why its own cannot be adjusted."""

    sku: str
    qoh: int
    kit: bool
    message: str  # "" unless a kit


def _product(s, sku: str) -> ProductInfo | None:
    row = s.execute(select(Product.id, Product.sku, Product.name, Product.qoh, Product.is_kit)
                    .where(Product.sku == sku)).first()
    if row is None:
        return None
    pid, found, name, qoh, kit = row
    if kit:
        qoh = kit_qoh(s, [pid])[pid]
    return ProductInfo(pid, found, name or "", qoh, bool(kit))


def find_product(store: StoreHandle, *, sku: str) -> ProductInfo | None:
    """The product `sku` (a kit with its derived QOH), or None."""
    with store.read() as s:
        return _product(s, sku)


def qoh_to_show(store: StoreHandle, *, sku: str) -> ShownQoh | None:
    """The QOH to show for `sku` (a kit's derived from its components) and, for a kit,
    the message the store gives when its QOH is adjusted; None: no such SKU."""
    p = find_product(store, sku=sku)
    if p is None:
        return None
    return ShownQoh(p.sku, p.qoh, p.kit, str(refuse_stock_change(p.sku)) if p.kit else "")


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
        info = _product(s, sku)
        if info is None:
            return None
        web = tuple(web_fields_of(s, info.id))
    ledger = ledger_rows(store, sku=info.sku, limit=ledger_limit) or []
    return ProductView(info, tuple(ledger), web)


def web_fields(store: StoreHandle, *, sku: str) -> tuple[WebFieldView, ...]:
    """The item's web fields per cart (what was last sent and seen included)."""
    with store.read() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == sku))
        return tuple(web_fields_of(s, pid)) if pid is not None else ()


def save_web_fields(store: StoreHandle, *, sku: str, changes: Sequence[WebFieldChange],
                    workstation: str) -> int:
    """Save every change in one transaction (none when one is refused: InventoryError or
    CartDefinitionError naming it); the number of carts changed. The rules go through
    inventory/rules.set_item_rules and the rest through set_web_fields, as `webfields set`
    does: the item is re-queued for a cart only when the cart must hear of it."""
    actor = Actor.current(workstation)
    with store.write() as s:
        for c in changes:
            set_item_rules(s, sku=sku, cart=c.cart, actor=actor, rules={
                "reserve": c.reserve, "max_qty": c.max_qty, "percent": c.percent,
                "min_qty": c.min_qty, "safety": c.safety})
            set_web_fields(s, sku=sku, cart=c.cart, sync=c.sync, cart_sku=c.cart_sku,
                           actor=actor)
    return len(changes)
