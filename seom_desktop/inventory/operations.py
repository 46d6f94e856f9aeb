"""The operations that change QOH. Each one runs inside the caller's transaction and,
in it, updates QOH atomically in SQL, writes the ledger row and enqueues the web stack
rows through stack/outbox.py (a transactional outbox): they commit together or not at
all."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from seom_desktop import logs
from seom_desktop.inventory import kits
from seom_desktop.inventory.actor import Actor
from seom_desktop.inventory.errors import InventoryError, QuantityError, UnknownSKUError
from seom_desktop.inventory.validation import MAX_QOH, check_sku, parse_quantity
from seom_desktop.inventory.warehouses import move_stock, warehouse_id
from seom_desktop.stack import outbox
from seom_desktop.stack.allocation import (
    order_warehouse_id,
    shown,
    stock_by_warehouse,
    warehouse_names,
)
from seom_desktop.stack.kit_qoh import kit_qoh, kits_containing
from seom_desktop.stack.location_sender import believe_own_change, off_target
from seom_desktop.stack.targets import in_doubt, shift_in_doubt
from seom_desktop.store.models import LedgerEntry, Product, WebField, utcnow
from seom_desktop.store.params import get_param

# Ledger sources
ADJUST = "adjust"
POS_SALE = "pos sale"
PO_RECEIPT = "po receipt"
ORDER = "order"
PULLED = "pulled from cart"
NEW_PRODUCT = "new product"


class ChangeResult(NamedTuple):  # a tuple: a Get QOH makes 100,000 of them
    sku: str
    delta: int
    qoh_after: int
    ledger_id: int | None
    stack_row_ids: tuple[int, ...]


def product_id_for(session: Session, sku: str) -> int:
    check_sku(sku)
    pid = session.scalar(select(Product.id).where(Product.sku == sku))
    if pid is None:
        raise UnknownSKUError(f"unknown SKU {sku!r}")
    return pid


def _locked_qoh(session: Session, product_id: int) -> int:
    # FOR UPDATE on PostgreSQL; on SQLite the write transaction (BEGIN IMMEDIATE)
    # already holds the lock.
    return session.execute(
        select(Product.qoh).where(Product.id == product_id).with_for_update()
    ).scalar_one()


def _apply_delta(session: Session, product_id: int, sku: str, delta: int, *,
                 allow_negative: bool) -> int:
    cond = [Product.id == product_id, Product.qoh + delta <= MAX_QOH, Product.qoh + delta >= -MAX_QOH]
    if not allow_negative and delta < 0:
        cond.append(Product.qoh + delta >= 0)
    new_qoh = session.execute(
        update(Product).where(*cond).values(qoh=Product.qoh + delta, updated_at=utcnow())
        .returning(Product.qoh)
    ).scalar_one_or_none()
    if new_qoh is None:
        have = _locked_qoh(session, product_id)
        if have + delta > MAX_QOH or have + delta < -MAX_QOH:
            raise QuantityError(f"QOH of {sku!r} would leave the allowed range ({have} {delta:+d})")
        raise QuantityError(
            f"QOH of {sku!r} would go below zero ({have} on hand, change {delta:+d}); "
            "negative QOH is not allowed (to allow it: AllowNegativeQOH in Set System Parameters)"
        )
    return new_qoh


def enqueue_refresh(session: Session, *, product_id: int, cart_id: int,
                    actor: Actor) -> int | None:
    """What a cart should show changed without a QOH change (its web fields changed):
    queue a row (change 0) so that the cart is brought in line, when it syncs."""
    return outbox.enqueue_for_cart(session, cart_id=cart_id, product_id=product_id,
                                   workstation=actor.workstation)


def change_qoh(session: Session, *, sku: str, actor: Actor, source: str, delta: int | None = None,
               set_to: int | None = None, reason: str = "", reference: str = "",
               origin_cart_id: int | None = None, send: bool = True,
               allow_negative: bool | None = None, kit_id: int | None = None,
               warehouse: str | None = None) -> ChangeResult:
    """The one path every QOH change takes. Give exactly one of `delta` or `set_to`.
    `warehouse`: where the stock moves (a name); none given: the warehouse the origin
    cart's orders ship from, else the default one. `set_to` with a warehouse sets that
    warehouse's QOH; without, the product's.
    A kit's QOH is never changed (it is derived): refused. `kit_id`: the change is a
    component's part of that kit's sale (its ledger row names the kit). Every kit that
    holds the product is re-queued for the carts with it."""
    if (delta is None) == (set_to is None):
        raise InventoryError("give either a change or a new QOH, not both")
    if delta is not None:
        delta = parse_quantity(delta, "change")
    if set_to is not None:
        set_to = parse_quantity(set_to, "new QOH")
    if allow_negative is None:
        allow_negative = bool(get_param(session, "AllowNegativeQOH"))
    if set_to is not None and set_to < 0 and not allow_negative:
        raise QuantityError(f"new QOH {set_to} is below zero; negative QOH is not allowed "
                            "(to allow it: AllowNegativeQOH in Set System Parameters)")
    if len(reason) > 2000:
        raise InventoryError("reason is longer than 2000 characters")
    pid = product_id_for(session, sku)
    if kits.is_kit(session, pid):
        raise kits.refuse_stock_change(sku)
    wid = _warehouse_for(session, warehouse, origin_cart_id)
    if set_to is not None:
        have = _locked_qoh(session, pid)
        delta = set_to - have
        if warehouse is not None:  # that warehouse's QOH becomes set_to
            delta = set_to - stock_by_warehouse(session, [pid])[pid][wid]
            set_to = have + delta
        session.execute(update(Product).where(Product.id == pid)
                        .values(qoh=set_to, updated_at=utcnow()))
        qoh_after = set_to
    else:
        if not allow_negative and delta < 0:
            _check_warehouse_holds(session, pid, sku, wid, delta)
        qoh_after = _apply_delta(session, pid, sku, delta, allow_negative=allow_negative)
    move_stock(session, pid, wid, delta)
    entry = LedgerEntry(product_id=pid, delta=delta, qoh_after=qoh_after, source=source,
                        reason=reason, reference=reference, origin_cart_id=origin_cart_id,
                        user=actor.user, workstation=actor.workstation, kit_id=kit_id,
                        warehouse_id=wid)
    session.add(entry)
    session.flush()
    rows: tuple[int, ...] = ()
    if send and delta != 0:
        rows = outbox.enqueue(session, product_id=pid, change=delta, ledger_id=entry.id,
                              origin_cart_id=origin_cart_id, workstation=actor.workstation)
        rows += kits.touch(session, kits_containing(session, [pid]), actor=actor)
    logs.qoh_change(session, user=actor.user, workstation=actor.workstation, sku=sku,
                    before=qoh_after - delta, after=qoh_after, source=source,
                    reference=reference, carts=len(rows), send=send)
    return ChangeResult(sku, delta, qoh_after, entry.id, rows)


def _warehouse_for(session: Session, name: str | None, origin_cart_id: int | None) -> int:
    if name is not None:
        return warehouse_id(session, name)
    return order_warehouse_id(session, origin_cart_id)


def _check_warehouse_holds(session: Session, pid: int, sku: str, wid: int, delta: int) -> None:
    """Negative QOH not allowed: the warehouse the stock leaves must hold it."""
    have = stock_by_warehouse(session, [pid])[pid]
    if len(have) > 1 and have[wid] + delta < 0:
        name = warehouse_names(session)[wid]
        raise QuantityError(
            f"warehouse {name!r} holds {have[wid]} of {sku!r} (change {delta:+d}); negative "
            "QOH is not allowed (to allow it: AllowNegativeQOH in Set System Parameters)")


def adjust(session: Session, *, sku: str, actor: Actor, delta: int | None = None,
           set_to: int | None = None, reason: str = "", send: bool = True,
           warehouse: str | None = None) -> ChangeResult:
    """Adjust Inventory: a change or a new QOH. `send` is "Send QOH changes to Web sites"."""
    if get_param(session, "TrackInventoryAdjustments") and not reason.strip():
        raise InventoryError("a reason is required for inventory adjustments "
                             "(parameter TrackInventoryAdjustments)")
    return change_qoh(session, sku=sku, actor=actor, source=ADJUST, delta=delta, set_to=set_to,
                      reason=reason, send=send, warehouse=warehouse)


def pos_sale(session: Session, *, sku: str, quantity: int, actor: Actor,
             reference: str = "", warehouse: str | None = None) -> ChangeResult:
    qty = parse_quantity(quantity, "quantity", minimum=1)
    kit = kits.kit_id_of(session, sku)
    if kit is not None:
        return _sell_kit(session, kit, sku, qty, actor=actor, source=POS_SALE,
                         reference=reference, reason="POS sale", warehouse=warehouse)
    return change_qoh(session, sku=sku, actor=actor, source=POS_SALE, delta=-qty,
                      reference=reference, reason="POS sale", warehouse=warehouse)


def receive_po(session: Session, *, sku: str, quantity: int, actor: Actor,
               po: str = "", warehouse: str | None = None) -> ChangeResult:
    qty = parse_quantity(quantity, "quantity", minimum=1)
    return change_qoh(session, sku=sku, actor=actor, source=PO_RECEIPT, delta=qty,
                      reference=po, reason="purchase order received", warehouse=warehouse)


def order_line(session: Session, *, sku: str, quantity: int, actor: Actor,
               origin_cart_id: int | None, order_id: str = "") -> ChangeResult:
    """An order line: the sale already happened, so QOH may go below zero; the cart it
    came from already decremented and is not told again (unless its web fields make
    what it should show differ from what it did: then it gets a correction)."""
    qty = parse_quantity(quantity, "quantity", minimum=1)
    kit = kits.kit_id_of(session, sku)
    if kit is not None:
        r = _sell_kit(session, kit, sku, qty, actor=actor, source=ORDER, reference=order_id,
                      reason="order", allow_negative=True,
                      warehouse=_order_warehouse_name(session, origin_cart_id))
    else:
        r = change_qoh(session, sku=sku, actor=actor, source=ORDER, delta=-qty,
                       reference=order_id, reason="order", origin_cart_id=origin_cart_id,
                       allow_negative=True)
    if origin_cart_id is not None:
        r = _origin_followup(session, r, origin_cart_id, actor, lambda believed: believed - qty)
    return r


def _order_warehouse_name(session: Session, cart_id: int | None) -> str:
    return warehouse_names(session)[order_warehouse_id(session, cart_id)]


def _sell_kit(session: Session, kit_id: int, sku: str, qty: int, *, actor: Actor, source: str,
              reference: str, reason: str, allow_negative: bool | None = None,
              warehouse: str | None = None) -> ChangeResult:
    """A kit sold: each stocked component taken (inner kits multiplied through), in this
    transaction, a ledger row per component naming the kit. Every synced cart hears of
    the components, the one that sold the kit too (it took the kit, not its parts)."""
    rows: list[int] = []
    for _pid, part, units in kits.sale_parts(session, kit_id, qty):
        r = change_qoh(session, sku=part, actor=actor, source=source, delta=-units,
                       reason=f"{reason}: kit {sku} x {qty}", reference=reference,
                       allow_negative=allow_negative, kit_id=kit_id, warehouse=warehouse)
        rows.extend(r.stack_row_ids)
    return ChangeResult(sku, -qty, kit_qoh(session, [kit_id])[kit_id], None,
                        tuple(dict.fromkeys(rows)))


def _origin_followup(session: Session, r: ChangeResult, cart_id: int, actor: Actor,
                     believe) -> ChangeResult:
    """The origin cart changed its own quantity: update what we believe it shows, and
    queue a correction when that is not what its web fields say it should show. (Get QOH
    From Website does this for its chunks in sync/pull_apply.py.)"""
    pid = product_id_for(session, r.sku)
    # its own order: taken at the location of its order warehouse
    believe_own_change(session, cart_id, pid, believe)
    wf = session.scalar(select(WebField).where(WebField.cart_id == cart_id,
                                               WebField.product_id == pid))
    if wf is None:
        return r
    shift_in_doubt(wf, believe)
    # A cart with mapped locations is judged location by location (the sale moved the
    # one its orders ship from); another by what it shows as a whole.
    off = off_target(session, cart_id, pid)
    if off is None and wf.last_cart_qoh is None:
        session.flush()
        return r
    if wf.last_cart_qoh is not None:
        wf.last_cart_qoh = believe(wf.last_cart_qoh)
        wf.last_cart_seen_at = utcnow()
    session.flush()
    # Rows for this cart waiting for this change of its own to be learnt: try them now.
    outbox.wake(session, cart_id=cart_id, product_ids=[pid])
    if off is None:  # a value in doubt (shifted by the sale) may be what it shows
        should = shown(session, cart_id, [pid])[pid].qty
        off = any(v != should for v in (wf.last_cart_qoh, *in_doubt(wf.attempted_qoh)))
    if not off or r.delta == 0:
        return r
    row = outbox.enqueue_for_cart(session, cart_id=cart_id, product_id=pid, change=r.delta,
                                  ledger_id=r.ledger_id, workstation=actor.workstation)
    if row is None:
        return r
    return ChangeResult(r.sku, r.delta, r.qoh_after, r.ledger_id, (*r.stack_row_ids, row))
