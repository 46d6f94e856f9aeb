"""Scheduled reconciles: every `ReconcileMinutes` (0 = never), each synchronized cart is
reconciled with --fix, one cart at a time, on a thread of its own beside the stack
controller, never inside its send loop: a reconcile never holds up a change waiting to
be sent (its corrections join the web stack like any other row), and while the stack
has rows to send, the reconcile takes at most a twentieth of the time (`YieldToStack`).

Who reconciles: the stack controller that sends for this workstation, i.e. the shared
controller holding the lease when SharedStackController names one, else each local
controller. A cart is due when its last recorded run (by any workstation) started
`ReconcileMinutes` ago or more, or never ran; so several local controllers share the
work instead of each reconciling every cart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from seom_desktop.carts.base import PULL, PUSH
from seom_desktop.carts.registry import UnknownKindError, capabilities
from seom_desktop.inventory.actor import Actor
from seom_desktop.store.engine import Store
from seom_desktop.store.models import (
    NOT_SENT,
    PENDING,
    SENDING,
    Cart,
    ControllerLease,
    ReconcileRun,
    StackRow,
    utcnow,
)
from seom_desktop.store.params import get_param
from seom_desktop.sync.progress import CancelFlag
from seom_desktop.sync.reconcile import ReconcileResult, reconcile

log = logging.getLogger(__name__)

CHECK_SECONDS = 30.0  # how often the parameter and the controller's role are looked at
USER = "scheduled reconcile"


def sends_for_this_workstation(store: Store, *, shared: bool, token: str = "") -> bool:
    """Whether the controller (shared or local, `token` its lease token) is the one
    that sends for this workstation now."""
    with store.read() as s:
        designated = get_param(s, "SharedStackController")
        if not shared:
            return not designated
        lease = s.get(ControllerLease, "shared")
        return (lease is not None and bool(token) and lease.token == token
                and lease.expires_at is not None and lease.expires_at >= utcnow())


def next_due(store: Store, minutes: int, now: datetime | None = None) -> tuple[str, float] | None:
    """(cart name, seconds until it is due; 0 or less: now) of the synchronized cart due
    first, or None when no cart is to be reconciled."""
    now = now or utcnow()
    with store.read() as s:
        if not get_param(s, "SynchQOH"):
            return None
        last = dict(s.execute(select(ReconcileRun.cart_id, func.max(ReconcileRun.started_at))
                              .group_by(ReconcileRun.cart_id)).all())
        best: tuple[str, float] | None = None
        for cid, name, kind in s.execute(select(Cart.id, Cart.name, Cart.kind)
                                         .where(Cart.sync.is_(True)).order_by(Cart.name)):
            try:
                if not {PULL, PUSH} <= capabilities(kind):
                    continue
            except UnknownKindError:
                continue
            started = last.get(cid)
            wait = -1.0 if started is None else (
                started + timedelta(minutes=minutes) - now).total_seconds()
            if best is None or wait < best[1]:
                best = (name, wait)
        return best


def stack_busy(store: Store) -> bool:
    """The web stack has rows due to send now (or being sent)."""
    with store.read() as s:
        return s.scalar(select(StackRow.id).where(
            StackRow.state.in_((PENDING, SENDING)), NOT_SENT,
            StackRow.next_attempt_at <= utcnow())
            .limit(1)) is not None


class YieldToStack(CancelFlag):
    """The scheduled reconcile's progress. Each time the reconcile asks whether it is
    cancelled (between batches, and between the items of a listing) after `every`
    seconds of work, it pauses while the web stack has rows to send: 19 times as long
    as it worked (SHARE = 5 %), so real-time rows keep the interpreter and the store to
    themselves, and the reconcile still moves on. A cancel ends the pause at once."""

    SHARE = 0.05

    def __init__(self, busy: Callable[[], bool], every: float = 0.05):
        super().__init__()
        self.busy = busy
        self.every = every
        self.paused = 0.0  # seconds spent pausing, for the log
        self._since = time.monotonic()

    @property
    def cancelled(self) -> bool:
        if self._event.is_set():
            return True
        worked = time.monotonic() - self._since
        if worked >= self.every:
            if self.busy():
                pause = worked * (1 - self.SHARE) / self.SHARE
                self._event.wait(pause)
                self.paused += pause
            self._since = time.monotonic()
        return self._event.is_set()


class ReconcileSchedule:
    """The thread that reconciles due carts while `sends()` says this controller sends
    for the workstation. `on_run` hears each finished run (on this thread)."""

    def __init__(self, store: Store, *, workstation: str, sends: Callable[[], bool],
                 on_run: Callable[[ReconcileResult], None] | None = None,
                 check_seconds: float = CHECK_SECONDS):
        self.store = store
        self.actor = Actor(USER, workstation)
        self.sends = sends
        self.on_run = on_run
        self.check_seconds = check_seconds
        self.runs = 0
        self._stop = threading.Event()
        self._flag = YieldToStack(lambda: stack_busy(store))
        self._thread: threading.Thread | None = None

    def start(self) -> ReconcileSchedule:
        self._thread = threading.Thread(target=self.run, name="reconcile-schedule", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop: a reconcile in flight is cancelled at its next batch. True when the
        thread ended within `timeout`."""
        self._stop.set()
        self._flag.cancel()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def run(self) -> None:
        while not self._stop.is_set():
            wait = self.check_seconds
            try:
                wait = self._step()
            except Exception:  # noqa: BLE001 - the store may be briefly unreachable
                log.exception("scheduled reconcile failed")
            if wait > 0:
                self._stop.wait(min(wait, self.check_seconds))

    def _step(self) -> float:
        """Reconcile the cart due first, if one is due; the seconds to wait next."""
        with self.store.read() as s:
            minutes = get_param(s, "ReconcileMinutes")
        if not minutes or not self.sends():
            return self.check_seconds
        due = next_due(self.store, minutes)
        if due is None:
            return self.check_seconds
        name, wait = due
        if wait > 0:
            return wait
        result = reconcile(self.store, name, fix=True, progress=self._flag, actor=self.actor)
        self.runs += 1
        if self.on_run is not None:
            self.on_run(result)
        return 0.0
