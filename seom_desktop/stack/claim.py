"""Claiming the rows that are due, so that one sender alone sends each row: FOR UPDATE
SKIP LOCKED on PostgreSQL, the BEGIN IMMEDIATE write lock on SQLite. A claim names its
holder (`claimed_by`, a registered holder: stack/holders.py), whose death or silent
heartbeat requeues the rows; `claimed_until` only counts for a holder not registered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text, update

from seom_desktop.stack.outcome import still_sending
from seom_desktop.stack.states import SENDING, move
from seom_desktop.store.engine import Store
from seom_desktop.store.models import CLAIMABLE, CLAIMABLE_SQL, Cart, StackHolder, StackRow, utcnow
from seom_desktop.store.params import get_param


@dataclass(frozen=True)
class ClaimedRow:
    id: int
    cart_id: int
    product_id: int
    change: int
    attempts: int


__all__ = ["CLAIMABLE", "ClaimedRow", "claim_due", "extend_claim"]  # CLAIMABLE: when due


def claim_due(store: Store, *, claimer: str, workstation: str | None, limit: int = 5000,
              ttl: float = 300.0, now: datetime | None = None,
              cart_id: int | None = None) -> list[ClaimedRow]:
    """Claim up to `limit` due rows of synced carts (of the one cart `cart_id` when
    given; all workstations' rows when `workstation` is None: the shared controller)
    and mark them `sending`
    (states.move). A waiting row is claimed too, at its next look; an order import of
    its cart wakes it sooner."""
    now = now or utcnow()
    with store.write() as s:
        if not get_param(s, "SynchQOH"):
            return []
        # The oldest due rows, found by walking ix_web_stack_claimable in id order: its
        # condition written as the index's (SQLite uses a partial index only for a query
        # that names its condition, in literals). By the (state, next_attempt_at) index
        # the claim sorted every due row by id each pass (quadratic in the backlog:
        # bench/README.md, issue 23).
        due = (select(StackRow.id)
               .join(Cart, Cart.id == StackRow.cart_id)
               .where(text(CLAIMABLE_SQL), StackRow.next_attempt_at <= now,
                      Cart.sync.is_(True))
               .order_by(StackRow.id).limit(limit))
        if workstation is not None:
            due = due.where(StackRow.origin_workstation == workstation)
        if cart_id is not None:
            due = due.where(StackRow.cart_id == cart_id)
        if s.bind.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True, of=StackRow)
        # One statement marks the rows and hands them back (RETURNING: SQLite 3.35+, PG).
        claimed = move(s, CLAIMABLE, SENDING, StackRow.id.in_(due.scalar_subquery()),
                       values=dict(claimed_by=claimer, claimed_until=now + timedelta(seconds=ttl)),
                       by_id=True, returning=(StackRow.id, StackRow.cart_id, StackRow.product_id,
                                  StackRow.change, StackRow.attempts))
        return sorted((ClaimedRow(*r) for r in claimed), key=lambda r: r.id)


def extend_claim(store: Store, claimer: str, ids: list[int], ttl: float) -> None:
    """Keep `ids` claimed `ttl` seconds more, for a claimer not registered as a holder:
    a registered one's rows go back only when it dies or its heartbeat stops
    (holders.requeue_orphans), whatever their `claimed_until`, so its claim needs no
    extending. Extending it anyway rewrote every row of each cart's claim every 10 s of
    a pass (PostgreSQL, 1,000,000 rows: 46.7 s of SQL; bench/README.md, issue 23)."""
    until = utcnow() + timedelta(seconds=ttl)
    with store.write() as s:
        if s.get(StackHolder, claimer) is not None:
            return
        for i in range(0, len(ids), 900):
            s.execute(update(StackRow)
                      .where(StackRow.id.in_(ids[i:i + 900]), StackRow.claimed_by == claimer,
                             still_sending(StackRow.state))
                      .values(claimed_until=until))
