"""The shared stack controller's lease: one holder at a time, kept alive by a heartbeat.
Every workstation can read who holds it, since when, and whether it went stale. A lease
whose controller is known dead (stack/holders.py: its process gone, seen from its own
workstation, or its heartbeat 3 beats silent) is free before it expires."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seom_desktop import logs
from seom_desktop.stack import holders
from seom_desktop.store.engine import Store
from seom_desktop.store.models import ControllerLease, utcnow
from seom_desktop.store.params import get_param

SHARED = "shared"
log = logging.getLogger(__name__)


class LeaseRefused(RuntimeError):
    """This workstation may not (or cannot now) be the shared stack controller."""


@dataclass(frozen=True)
class LeaseInfo:
    holder: str
    acquired_at: datetime | None
    heartbeat_at: datetime | None
    expires_at: datetime | None
    designated: str
    now: datetime

    @property
    def held(self) -> bool:
        return bool(self.holder) and self.expires_at is not None and self.expires_at >= self.now

    @property
    def stale(self) -> bool:
        """Someone held it and its heartbeat stopped."""
        return bool(self.holder) and not self.held

    def describe(self) -> str:
        if not self.designated:
            return "local stack: each workstation sends its own changes"
        if not self.holder:
            return f"shared stack controller {self.designated}: not running"
        since = self.acquired_at.strftime("%Y-%m-%d %H:%M:%S") if self.acquired_at else "?"
        beat = self.heartbeat_at.strftime("%H:%M:%S") if self.heartbeat_at else "?"
        state = "STALE: its heartbeat stopped" if self.stale else "running"
        return f"shared stack controller {self.holder} since {since} UTC, last heartbeat {beat} ({state})"


def lease_info(session: Session) -> LeaseInfo:
    row = session.get(ControllerLease, SHARED)
    designated = get_param(session, "SharedStackController")
    now = utcnow()
    if row is None:
        return LeaseInfo("", None, None, None, designated, now)
    return LeaseInfo(row.holder, row.acquired_at, row.heartbeat_at, row.expires_at, designated, now)


def _row_for_update(session: Session) -> ControllerLease:
    row = session.scalar(select(ControllerLease).where(ControllerLease.name == SHARED)
                         .with_for_update())
    if row is None:
        row = ControllerLease(name=SHARED, holder="", token="")
        session.add(row)
        session.flush()
    return row


def acquire(store: Store, *, workstation: str, token: str) -> LeaseInfo:
    """Take or renew the lease; raises LeaseRefused naming the reason."""
    with store.write() as s:
        designated = get_param(s, "SharedStackController")
        failover = get_param(s, "StackFailoverWorkstation")
        ttl = get_param(s, "StackLeaseSeconds")
        if not designated:
            raise LeaseRefused("no shared stack controller is set (parameter SharedStackController)")
        if workstation not in (designated, failover):
            raise LeaseRefused(f"the shared stack controller is {designated}, not {workstation}")
        try:
            row = _row_for_update(s)
        except Exception:  # noqa: BLE001 - two first-ever acquirers raced on the insert
            raise LeaseRefused("another controller is taking the lease right now") from None
        now = utcnow()
        alive = (row.token and row.expires_at is not None and row.expires_at >= now
                 and not _holder_dead(s, row, workstation, now))
        if alive and row.token != token:
            raise LeaseRefused(f"the shared stack controller lease is held by {row.holder} "
                               f"(last heartbeat {row.heartbeat_at:%H:%M:%S} UTC)")
        if workstation != designated and row.token != token and not (row.holder and not alive):
            raise LeaseRefused(f"{workstation} takes over only when the heartbeat of the "
                               f"shared stack controller {designated} stops")
        if row.token != token:
            logs.on_commit(s, log, logging.INFO, "%s took the shared stack controller lease%s",
                           workstation, f" (from {row.holder}, whose heartbeat stopped)"
                           if row.holder else "")
            row.holder, row.token, row.acquired_at = workstation, token, now
        row.heartbeat_at = now
        row.expires_at = now + timedelta(seconds=ttl)
        s.flush()
        return LeaseInfo(row.holder, row.acquired_at, row.heartbeat_at, row.expires_at,
                         designated, now)


def _holder_dead(session: Session, row: ControllerLease, workstation: str, now) -> bool:
    known = holders.holders(session, [holders.claimer_of(row.holder, row.token)])
    return any(h.dead(now, workstation=workstation) for h in known.values())


def release(store: Store, *, token: str) -> None:
    with store.write() as s:
        row = _row_for_update(s)
        if row.token == token:
            logs.on_commit(s, log, logging.INFO, "%s released the shared stack controller lease",
                           row.holder)
            row.holder, row.token, row.expires_at = "", "", None
