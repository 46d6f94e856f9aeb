"""The outbox: the one module that creates web stack rows. An operation that changes QOH
calls it inside its own transaction (the rows commit with the ledger row, or not at
all); every row is born `pending` (states.INITIAL), due now. It also wakes the rows of
a cart that wait for an order import when that cart's own change is learnt. A commit
that added rows is announced (`session.info["stack_rows_added"]`, NOTIFY on PostgreSQL)
so that the stack controllers look at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from seom_desktop.stack.states import FAILED, INITIAL, PENDING, WAITING, move
from seom_desktop.store.models import Cart, StackRow, WebField, utcnow
from seom_desktop.store.notify import notify_stack
from seom_desktop.store.params import get_param
from seom_desktop.store.raw import Raw, insert_rows

_S = StackRow.__table__


def mark_enqueued(session: Session) -> None:
    """Tell whoever listens for commits (the stack controller) that rows were added."""
    session.info["stack_rows_added"] = True
    notify_stack(session)


def _new_row_values(workstation: str, at) -> dict[str, Any]:
    """Every column of a new row but cart, product, change and ledger (no default runs
    per row)."""
    return {"origin_workstation": workstation, "state": INITIAL, "attempts": 0,
            "next_attempt_at": at, "last_response": "", "claimed_by": "",
            "claimed_until": None, "created_at": at, "updated_at": at, "sent_at": None}


def enqueue(session: Session, *, product_id: int, change: int, ledger_id: int | None,
            origin_cart_id: int | None, workstation: str) -> tuple[int, ...]:
    """One row per synced cart that should hear of `change` to the product: every cart
    that syncs, other than `origin_cart_id`, whose web field for the product syncs (or
    that has none); none when SynchQOH is off. The new rows' ids, in cart id order."""
    if not get_param(session, "SynchQOH"):
        return ()
    q = (select(Cart.id)
         .outerjoin(WebField, and_(WebField.cart_id == Cart.id,
                                   WebField.product_id == product_id))
         .where(Cart.sync.is_(True), or_(WebField.id.is_(None), WebField.sync.is_(True)))
         .order_by(Cart.id))
    if origin_cart_id is not None:
        q = q.where(Cart.id != origin_cart_id)
    now = utcnow()
    rows = [StackRow(cart_id=cid, product_id=product_id, change=change, ledger_id=ledger_id,
                     origin_workstation=workstation, next_attempt_at=now, created_at=now)
            for cid in session.scalars(q)]
    if not rows:
        return ()
    session.add_all(rows)
    session.flush()
    mark_enqueued(session)
    return tuple(r.id for r in rows)


def enqueue_for_cart(session: Session, *, cart_id: int, product_id: int, change: int = 0,
                     ledger_id: int | None = None, workstation: str) -> int | None:
    """A row for one cart: a refresh (change 0: what it should show changed without a
    QOH change) or a correction of what it shows. None, and no row, when the cart does
    not sync, its web field for the product says no sync, or SynchQOH is off."""
    cart = session.get(Cart, cart_id)
    wf_sync = session.scalar(select(WebField.sync).where(WebField.cart_id == cart_id,
                                                         WebField.product_id == product_id))
    if (cart is None or not cart.sync or wf_sync is False
            or not get_param(session, "SynchQOH")):
        return None
    row = StackRow(cart_id=cart_id, product_id=product_id, change=change, ledger_id=ledger_id,
                   origin_workstation=workstation)
    session.add(row)
    session.flush()
    mark_enqueued(session)
    return row.id


def enqueue_many(session: Session, rows: Sequence[tuple[int, int, int, int | None]], *,
                 workstation: str, at: datetime | None = None) -> list[int]:
    """Rows [(cart id, product id, change, ledger id)] as one statement (one JSON array
    on SQLite, column arrays on PostgreSQL), inserted in the order given; their ids in
    that order. The caller decided which carts hear (as `enqueue` would)."""
    if not rows:
        return []
    session.flush()
    raw = Raw(session)
    at = raw.value(_S.c.created_at, at or utcnow())
    ids = insert_rows(raw, _S, ("cart_id", "product_id", "change", "ledger_id"), rows,
                      _new_row_values(workstation, at))
    mark_enqueued(session)
    return ids


def enqueue_selected(session: Session, source: str, params: Mapping[str, Any], *,
                     workstation: str, at: datetime | None = None) -> int:
    """Rows chosen by a query of the caller: `source` is a SELECT (`:name` parameters,
    `params`) giving columns cid, pid, d (the change), lid (the ledger row) and an order,
    as a subquery "s" (e.g. "SELECT ... ) s ORDER BY s.n"); inserted in one statement.
    How many were added."""
    raw = Raw(session)
    new = _new_row_values(workstation, raw.value(_S.c.created_at, at or utcnow()))
    n = raw.named(f"INSERT INTO web_stack (cart_id, product_id, change, ledger_id, "
                  f"{', '.join(new)}) SELECT s.cid, s.pid, s.d, s.lid, "
                  f"{', '.join(f':_o_{c}' for c in new)} FROM {source}",
                  {**params, **{f"_o_{c}": v for c, v in new.items()}}).rowcount
    if n:
        mark_enqueued(session)
    return n


def wake(session: Session, *, cart_id: int, product_ids: Iterable[int] | Any) -> None:
    """The cart's own change to these products is learnt (an order imported, its QOH
    pulled): its rows for them that wait for an order import go back to pending, and its
    failed ones are due, both now. `product_ids`: ids, or a SELECT of them."""
    held = select(_S.c.id).where(_S.c.cart_id == cart_id,
                                 _S.c.state.in_((FAILED, WAITING))).limit(1)
    if session.execute(held).first() is None:
        return
    now = utcnow()
    pids = product_ids if hasattr(product_ids, "subquery") else sorted(set(product_ids))
    parts = [pids] if hasattr(pids, "subquery") else [pids[i:i + 900]
                                                      for i in range(0, len(pids), 900)]
    for part in parts:
        mine = (_S.c.cart_id == cart_id, _S.c.product_id.in_(part))
        move(session, WAITING, PENDING, *mine, values={"next_attempt_at": now})
        session.execute(_S.update().where(_S.c.state == FAILED, *mine)
                        .values(next_attempt_at=now, updated_at=now))

