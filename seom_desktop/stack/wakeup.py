"""Waking the stack controller as soon as a change that queued web stack rows commits
in this process (the inventory operations set session.info["stack_rows_added"])."""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker


class Wakeup:
    def __init__(self) -> None:
        self.event = threading.Event()

    def set(self) -> None:
        self.event.set()

    def wait(self, timeout: float) -> bool:
        fired = self.event.wait(timeout)
        self.event.clear()
        return fired


def listen_for_commits(sessions: sessionmaker[Session], wakeup: Wakeup) -> None:
    """Fire `wakeup` after every commit of a session from `sessions` that queued rows."""

    def after_commit(session: Session) -> None:
        session.info.pop("stack_notified", None)
        if session.info.pop("stack_rows_added", False):
            wakeup.set()

    def after_rollback(session: Session) -> None:
        session.info.pop("stack_rows_added", None)
        session.info.pop("stack_notified", None)

    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)
