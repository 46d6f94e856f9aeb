"""Reading the Web Stack and the clerk's actions on its rows (retry, bypass, delete). A
row being sent by a controller that died says so (`held_note`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seom_desktop.stack.holders import dead_holder_notes
from seom_desktop.stack.states import (
    BYPASSED,
    FAILED,
    PENDING,
    SENDING,
    STATES,
    WAITING,
    move,
)
from seom_desktop.store.models import NOT_SENT, SENT, Cart, Product, StackRow, utcnow


class StackInputError(ValueError):
    pass


@dataclass(frozen=True)
class StackRowView:
    id: int
    cart: str
    sku: str
    change: int
    state: str
    attempts: int
    last_response: str
    next_attempt_at: datetime | None
    origin_workstation: str
    created_at: datetime | None
    claimed_by: str = ""
    held_note: str = ""  # sending, but its controller died: "held by WS2's controller, ..."

    def as_json(self) -> dict:
        return {"id": self.id, "cart": self.cart, "sku": self.sku, "change": self.change,
                "state": self.state, "attempts": self.attempts,
                "last_response": self.last_response,
                "next_attempt": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
                "workstation": self.origin_workstation, "held_by_dead": self.held_note}


def check_state(state: str | None) -> str | None:
    if state is None:
        return None
    if state not in STATES:
        raise StackInputError(f"unknown state {state!r} (states: {', '.join(STATES)})")
    return state


def list_rows(session: Session, *, state: str | None = None, workstation: str | None = None,
              limit: int | None = None, offset: int = 0, newest_first: bool = False,
              viewer: str | None = None) -> list[StackRowView]:
    """The rows; `viewer` (the workstation asking) also sees its own dead controllers by
    their process, not only by their silent heartbeat."""
    q = (select(StackRow.id, Cart.name, Product.sku, StackRow.change, StackRow.state,
                StackRow.attempts, StackRow.last_response, StackRow.next_attempt_at,
                StackRow.origin_workstation, StackRow.created_at, StackRow.claimed_by)
         .join(Cart, Cart.id == StackRow.cart_id)
         .join(Product, Product.id == StackRow.product_id)
         .order_by(StackRow.id.desc() if newest_first else StackRow.id))
    if check_state(state):  # a state not sent: by the partial index (store/models.NOT_SENT)
        q = q.where(StackRow.state == state, *([NOT_SENT] if state != SENT else []))
    if workstation:
        q = q.where(StackRow.origin_workstation == workstation)
    if offset:
        q = q.offset(offset)
    if limit is not None:
        q = q.limit(limit)
    rows = [StackRowView(*r) for r in session.execute(q)]
    held = [r.claimed_by for r in rows if r.state == SENDING and r.claimed_by]
    notes = dead_holder_notes(session, held, workstation=viewer) if held else {}
    return [replace(r, held_note=notes[r.claimed_by]) if r.claimed_by in notes else r
            for r in rows]


def count_by_state(session: Session) -> dict[str, int]:
    """The rows in each state: those not sent counted in their partial index, the sent
    ones as all rows less those (a count of all rows walks the smallest whole index)."""
    counts = dict.fromkeys(STATES, 0)
    for state, n in session.execute(select(StackRow.state, func.count()).where(NOT_SENT)
                                    .group_by(StackRow.state)):
        counts[state] = n
    counts[SENT] = session.scalar(select(func.count()).select_from(StackRow)) - sum(counts.values())
    return counts


def _check_ids(session: Session, ids: Sequence[int]) -> list[int]:
    if not ids:
        raise StackInputError("no stack record ids given")
    wanted = sorted({int(i) for i in ids})
    found = set(session.scalars(select(StackRow.id).where(StackRow.id.in_(wanted))))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise StackInputError(f"no stack record with id {', '.join(map(str, missing))}")
    return wanted


def retry_rows(session: Session, ids: Sequence[int]) -> int:
    """Failed, waiting or bypassed rows go back to pending, due now, attempts reset."""
    wanted = _check_ids(session, ids)
    return move(session, (FAILED, BYPASSED, WAITING, PENDING), PENDING,
                StackRow.id.in_(wanted), values=dict(attempts=0, next_attempt_at=utcnow())
                ).rowcount


def bypass_rows(session: Session, ids: Sequence[int]) -> int:
    """The clerk gives up on these rows: they stay, bypassed, with their last response."""
    wanted = _check_ids(session, ids)
    return move(session, (PENDING, FAILED, WAITING), BYPASSED, StackRow.id.in_(wanted)).rowcount


def delete_rows(session: Session, ids: Sequence[int]) -> int:
    """Remove rows; a row being sent right now is refused."""
    wanted = _check_ids(session, ids)
    busy = list(session.scalars(select(StackRow.id).where(StackRow.id.in_(wanted),
                                                          StackRow.state == SENDING)))
    if busy:
        raise StackInputError(f"stack record {', '.join(map(str, busy))} is being sent now")
    rows = session.scalars(select(StackRow).where(StackRow.id.in_(wanted))).all()
    for r in rows:
        session.delete(r)
    session.flush()
    return len(rows)
