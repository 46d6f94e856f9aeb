"""What each cart should show: the store's QOH shaped by the item's web fields, under the
cart's SKU; and what was last sent to / seen on the cart."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from seom_desktop.inventory.shaping import shaped_qoh
from seom_desktop.store.models import Product, WebField, utcnow


@dataclass(frozen=True)
class Target:
    product_id: int
    sku: str  # the store's SKU
    cart_sku: str  # the SKU on the cart (the alias, else the store's)
    qoh: int  # the store's QOH
    shaped: int  # what the cart should show
    sync: bool  # the item's web field for this cart
    item_id: str  # the cart's own id, when known
    last_sent: int | None
    last_cart_qoh: int | None  # what we believe the cart shows
    attempted: tuple[int, ...] = ()  # written with no answer yet, newest last


def cart_targets(session: Session, cart_id: int, product_ids: Sequence[int] | None = None, *,
                 synced_only: bool = True) -> list[Target]:
    """One Target per product (all, or the given ones), in SKU order."""
    q = (select(Product.id, Product.sku, Product.qoh, WebField.sync, WebField.cart_sku,
                WebField.reserve, WebField.max_qty, WebField.cart_item_id,
                WebField.last_sent_qoh, WebField.last_cart_qoh, WebField.attempted_qoh)
         .outerjoin(WebField, and_(WebField.product_id == Product.id, WebField.cart_id == cart_id))
         .order_by(Product.sku))
    out: list[Target] = []
    for chunk in _chunks(product_ids):
        qq = q if chunk is None else q.where(Product.id.in_(chunk))
        for (pid, sku, qoh, sync, cart_sku, reserve, max_qty, item_id, last_sent, last_cart,
             attempted) in session.execute(qq):
            sync = True if sync is None else bool(sync)
            if synced_only and not sync:
                continue
            out.append(Target(pid, sku, cart_sku or sku, qoh,
                              shaped_qoh(qoh, reserve or 0, max_qty), sync, item_id or "",
                              last_sent, last_cart, _in_doubt(attempted)))
    if product_ids is not None:
        out.sort(key=lambda t: t.sku)
    return out


def _chunks(ids: Sequence[int] | None, size: int = 900) -> Iterable[Sequence[int] | None]:
    if ids is None:
        yield None
        return
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _web_field(session: Session, cart_id: int, product_id: int) -> WebField:
    wf = session.scalar(select(WebField).where(WebField.cart_id == cart_id,
                                               WebField.product_id == product_id))
    if wf is None:
        wf = WebField(cart_id=cart_id, product_id=product_id, sync=True, reserve=0)
        session.add(wf)
    return wf


def record_sent(session: Session, cart_id: int, product_id: int, qoh: int,
                item_id: str = "") -> None:
    """The cart now shows `qoh` (it said so, or accepted it)."""
    wf = _web_field(session, cart_id, product_id)
    now = utcnow()
    wf.last_sent_qoh = qoh
    wf.last_sent_at = now
    wf.last_cart_qoh = qoh
    wf.last_cart_seen_at = now
    wf.attempted_qoh = ""
    if item_id:
        wf.cart_item_id = item_id


def record_attempt(session: Session, cart_id: int, product_id: int, qoh: int) -> None:
    """About to write `qoh`: if no answer comes, a read-back showing it means it landed."""
    wf = _web_field(session, cart_id, product_id)
    values = [v for v in _in_doubt(wf.attempted_qoh) if v != qoh][-(MAX_IN_DOUBT - 1):]
    wf.attempted_qoh = ",".join(str(v) for v in (*values, qoh))


MAX_IN_DOUBT = 8


def _in_doubt(text: str | None) -> tuple[int, ...]:
    out = []
    for part in (text or "").split(","):
        try:
            out.append(int(part))
        except ValueError:
            continue
    return tuple(out)


def record_seen(session: Session, cart_id: int, product_id: int, qoh: int | None,
                item_id: str = "") -> None:
    """The cart was read and showed `qoh`."""
    wf = _web_field(session, cart_id, product_id)
    wf.last_cart_qoh = qoh
    wf.last_cart_seen_at = utcnow()
    if item_id:
        wf.cart_item_id = item_id
