"""Waking the stack controller as soon as a change that queued web stack rows commits
in this process (the inventory operations set session.info["stack_rows_added"]).

Several waiters hear each wake-up: the controller's loop between passes and each cart's
thread during a pass (a row committed while a drain runs is claimed between two of its
batches). Each waiter names itself (`key`) and sees every wake-up since its last look."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker


class Wakeup:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._count = 0  # wake-ups so far
        self._seen: dict[Hashable, int] = {}  # waiter -> the count at its last look

    def set(self) -> None:
        with self._cond:
            self._count += 1
            self._cond.notify_all()

    @property
    def count(self) -> int:
        """Wake-ups so far: a waiter that starts later passes it to `look_from`."""
        with self._cond:
            return self._count

    def look_from(self, key: Hashable, count: int) -> None:
        """`key` has seen the wake-ups up to `count` (those its work already covers)."""
        with self._cond:
            self._seen[key] = count

    def wait(self, timeout: float, key: Hashable = "loop") -> bool:
        """True at once if a wake-up came since `key`'s last look, else when one comes
        within `timeout` seconds; False when none came."""
        with self._cond:
            fired = self._cond.wait_for(lambda: self._count != self._seen.get(key, 0),
                                        max(0.0, timeout))
            self._seen[key] = self._count
            return fired


def listen_for_commits(sessions: sessionmaker[Session], wakeup: Wakeup) -> Callable[[], None]:
    """Fire `wakeup` after every commit of a session from `sessions` that queued rows;
    returns what stops it. Each listener only reads the session's marks, so that every
    controller of the process hears the commit (the window starts a new one when the
    clerk switches between local and shared, and the first one's listener once took the
    mark for itself: the new controller then waited for its poll); one listener per
    `sessions` clears the marks when the session's outermost transaction ends."""

    def after_commit(session: Session) -> None:
        if session.info.get("stack_rows_added"):
            wakeup.set()

    if not event.contains(sessions, "after_transaction_end", _forget_marks):
        event.listen(sessions, "after_transaction_end", _forget_marks)
    event.listen(sessions, "after_commit", after_commit)
    return lambda: event.remove(sessions, "after_commit", after_commit)


def _forget_marks(session: Session, transaction) -> None:
    if transaction.parent is None:  # (a savepoint's end is not the commit)
        session.info.pop("stack_rows_added", None)
        session.info.pop("stack_notified", None)
