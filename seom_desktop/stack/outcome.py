"""Recording what became of each row: sent; failed with attempts + 1, the next attempt
after back-off and a Last Response a clerk can read; bypassed after StackMaxAttempts;
bypassed at once, attempts untouched, when the cart sets the item's quantity itself (a
Shopify bundle parent: `mark_managed`), which a clerk still sees and can Retry."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from seom_desktop.stack.backoff import next_attempt
from seom_desktop.stack.states import BYPASSED, FAILED, PENDING, SENDING, SENT, WAITING, move
from seom_desktop.store.models import StackRow, utcnow

MAX_RESPONSE = 1000
TABLE_ORDER_CHUNK = 900  # ids a chunk of mark_sent_many (also the most an IN list holds)


@dataclass(frozen=True)
class Settings:
    max_attempts: int = 10
    retry_seconds: float = 30.0


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0
    bypassed: int = 0
    managed: int = 0  # of `bypassed`: items the cart sets itself (never sent)
    released: int = 0
    requests: int = 0
    writes: int = 0
    items_written: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("sent", "failed", "bypassed", "managed", "released", "requests",
                     "writes", "items_written"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


def still_sending(state):
    """`state = 'sending'` for statements that pick rows by id. Written `state || ''`
    so that SQLite looks the ids up by primary key: given a plain `state = ?` it chose
    the (state, next_attempt_at) index and walked every row being sent, 50,000 of them
    in a big pass, for each statement (SQLite documents `|| ''` as the way to keep a
    term from using an index; PostgreSQL plans by the ids either way)."""
    return state.concat("") == SENDING


def _clip(text: str) -> str:
    return text if len(text) <= MAX_RESPONSE else text[: MAX_RESPONSE - 1] + "…"


def mark_sent(session: Session, ids: Sequence[int], response: str, tally: Tally,
              now: datetime | None = None) -> None:
    now = now or utcnow()
    for i in range(0, len(ids), 900):
        res = move(session, SENDING, SENT, StackRow.id.in_(ids[i:i + 900]), by_id=True,
                   values=dict(attempts=StackRow.attempts + 1, sent_at=now,
                               last_response=_clip(response), claimed_by="",
                               claimed_until=None, updated_at=now))
        tally.sent += res.rowcount  # rows still being sent (not those taken back meanwhile)


def mark_sent_many(session: Session, sent: Sequence[tuple[Sequence[int], str]], tally: Tally,
                   now: datetime | None = None, *, chunk: int = TABLE_ORDER_CHUNK) -> None:
    """`mark_sent` for many groups of rows at once: [(row ids, response)]. The rows are
    marked in table order, `chunk` ids at a time (neighbouring rows share pages:
    a chunk's statements stay on the pages it names, where groups taken one by one each
    walked the whole claim, a page a row once the table passes the page cache:
    bench/README.md, issue 23). In a chunk, rows that share a response go in one
    `id IN (...)` statement (a drain has a few dozen distinct responses such as "cart
    already shows 52"), the rest by executemany. Counts the rows updated: a row no longer
    being sent (released, or claimed by another controller after its claim ran out) is
    not counted as sent."""
    now = now or utcnow()
    rows = sorted((i, _clip(resp)) for ids, resp in sent for i in ids)
    t = StackRow.__table__
    values = dict(attempts=t.c.attempts + 1, sent_at=now, claimed_by="",
                  claimed_until=None, updated_at=now)
    for k in range(0, len(rows), chunk):
        by_response: dict[str, list[int]] = {}
        for i, resp in rows[k:k + chunk]:
            by_response.setdefault(resp, []).append(i)
        single = [{"b_id": ids[0], "b_resp": resp} for resp, ids in by_response.items()
                  if len(ids) == 1]
        if single:  # executemany: rowcount is the total (SQLite and psycopg both report it)
            tally.sent += move(session, SENDING, SENT, t.c.id == bindparam("b_id"),
                               values=dict(last_response=bindparam("b_resp"), **values),
                               params=single).rowcount
        for resp, ids in by_response.items():
            if len(ids) > 1:
                tally.sent += move(session, SENDING, SENT, t.c.id.in_(ids), by_id=True,
                                   values=dict(last_response=resp, **values)).rowcount


def mark_failed(session: Session, ids: Sequence[int], response: str, settings: Settings,
                tally: Tally, *, count_attempt: bool = True, wait: float = 0.0,
                rng: random.Random | None = None, waiting: bool = False) -> None:
    """Each row: attempts + 1 (unless the cart only asked us to wait), then failed with
    its next attempt, or bypassed once attempts reach StackMaxAttempts. `waiting`: the
    cart shows a sale not imported yet; the row waits for an order import (`waiting`,
    counted in `tally.failed`), looked at again after the back-off meanwhile."""
    now = utcnow()
    rows = session.execute(select(StackRow.id, StackRow.attempts)
                           .where(StackRow.id.in_(list(ids)), still_sending(StackRow.state))).all()
    for row_id, attempts in rows:
        n = attempts + 1 if count_attempt else attempts
        values = dict(attempts=n, last_response=_clip(response), claimed_by="",
                      claimed_until=None, updated_at=now)
        if count_attempt and n >= settings.max_attempts:
            to = BYPASSED
            tally.bypassed += 1
        else:
            to = WAITING if waiting else FAILED
            values["next_attempt_at"] = next_attempt(now, max(n, 1), settings.retry_seconds,
                                                     at_least=wait, rng=rng)
            tally.failed += 1
        move(session, SENDING, to, StackRow.id == row_id, values=values)


def mark_managed(session: Session, ids: Sequence[int], response: str, tally: Tally) -> None:
    """Rows of an item the cart sets itself: bypassed now, not an attempt (nothing was
    sent or ever will be), so no retry and no count towards StackMaxAttempts."""
    now = utcnow()
    for i in range(0, len(ids), 900):
        res = move(session, SENDING, BYPASSED, StackRow.id.in_(ids[i:i + 900]), by_id=True,
                   values=dict(last_response=_clip(response), claimed_by="",
                               claimed_until=None, updated_at=now))
        tally.bypassed += res.rowcount
        tally.managed += res.rowcount


def release(session: Session, ids: Sequence[int], tally: Tally, *, wait: float = 0.0) -> None:
    """Give rows back untouched (the controller is stopping before sending them, or the
    cart asked to wait `wait` seconds)."""
    now = utcnow()
    for i in range(0, len(ids), 900):
        res = move(session, SENDING, PENDING, StackRow.id.in_(ids[i:i + 900]), by_id=True,
                   values=dict(claimed_by="", claimed_until=None,
                               next_attempt_at=now + timedelta(seconds=max(wait, 0.0))))
        tally.released += res.rowcount
