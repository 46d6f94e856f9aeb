"""The states of a web stack row and the one table of the moves between them. Every
change of `web_stack.state` goes through `move`, which checks each (from, to) pair
against TRANSITIONS before it issues one set-based UPDATE; a pair not in the table
raises IllegalTransition and nothing is written. Rows are born `pending`
(stack/outbox.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from seom_desktop.store.models import (
    BYPASSED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    STATES,
    WAITING,
    StackRow,
    utcnow,
)

__all__ = ["BYPASSED", "FAILED", "INITIAL", "PENDING", "SENDING", "SENT", "STATES",
           "TRANSITIONS", "WAITING", "IllegalTransition", "check", "move"]

INITIAL = PENDING  # the state every row is created in

# (from, to): when it happens. The only moves a row can make.
TRANSITIONS: Mapping[tuple[str, str], str] = {
    (PENDING, SENDING): "a controller claims it (due)",
    (FAILED, SENDING): "a controller claims it (its next attempt is due)",
    (WAITING, SENDING): "a controller claims it (its next look is due)",
    (SENDING, SENT): "the cart shows the quantity",
    (SENDING, FAILED): "the try failed; tried again after a back-off",
    (SENDING, WAITING): "the cart shows a sale not imported yet: waits for an order import",
    (SENDING, BYPASSED): "StackMaxAttempts reached, or the cart sets the quantity itself",
    (SENDING, PENDING): "released untried (stop, rate limit) or its holder died",
    (WAITING, PENDING): "an order import (or Get QOH) of its cart for its product wakes it",
    (PENDING, PENDING): "a clerk's Retry: attempts back to 0, due now",
    (FAILED, PENDING): "a clerk's Retry",
    (BYPASSED, PENDING): "a clerk's Retry",
    (PENDING, BYPASSED): "a clerk's Bypass",
    (FAILED, BYPASSED): "a clerk's Bypass",
    (WAITING, BYPASSED): "a clerk's Bypass",
}


class IllegalTransition(ValueError):
    """A move of a stack row's state that TRANSITIONS does not allow."""


def check(from_states: Iterable[str], to: str) -> tuple[str, ...]:
    """The from-states as a tuple, once every (from, `to`) pair is in TRANSITIONS."""
    froms = (from_states,) if isinstance(from_states, str) else tuple(from_states)
    if not froms:
        raise IllegalTransition(f"a move to {to!r} names no state to move from")
    for f in froms:
        if (f, to) not in TRANSITIONS:
            known = f if f in STATES else f"{f!r} (not a state)"
            raise IllegalTransition(f"a web stack row cannot go from {known} to {to!r}")
    return froms


def move(session: Session, from_states: Iterable[str] | str, to: str, *where: Any,
         values: Mapping[str, Any] | None = None, by_id: bool = False,
         returning: Sequence[Any] = (), params: list[dict] | None = None):
    """UPDATE web_stack SET state = `to`, `values` WHERE state IN `from_states` AND
    `where`; the statement's result (its rowcount; the `returning` columns). `by_id`:
    the rows are picked by id, so the state term is written not to use the state index
    (see outcome.still_sending). `params`: executemany over these bound values.
    `updated_at` is set to now unless `values` gives it."""
    froms = check(from_states, to)
    t = StackRow.__table__
    state = t.c.state.concat("") if by_id else t.c.state
    cond = state == froms[0] if len(froms) == 1 else state.in_(froms)
    vals = {"updated_at": utcnow(), **(values or {}), "state": to}
    stmt = t.update().where(cond, *where).values(**vals)
    if returning:
        stmt = stmt.returning(*returning)
    return session.execute(stmt, params) if params else session.execute(stmt)
