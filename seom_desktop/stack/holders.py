"""Who holds the rows being sent, and whether it is still alive.

Each controller process that claims rows registers as a holder (table stack_holders:
workstation, host, pid, the process's start time, its heartbeat interval) and beats a
heartbeat (every HEARTBEAT_SECONDS by default), from a thread while a pass runs, so that
a slow request in flight keeps its rows. Before each claim, the rows of dead holders go back to pending at once
(through the in-doubt read-back like any retry, so nothing is applied twice):
- a holder of this workstation on this host whose process is gone (the pid is not
  running, or runs a process started at another time: the pid was reused);
- any holder that missed STALE_BEATS heartbeats (another workstation's controller
  that died, or lost the store): 15 s at the default interval;
- rows of a claimer that never registered (a store written before this table) when
  their `claimed_until` ran out, as before.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from seom_desktop.stack.states import PENDING, SENDING, move
from seom_desktop.store.engine import Store
from seom_desktop.store.models import NOT_SENT, StackHolder, StackRow, utcnow

HEARTBEAT_SECONDS = 5.0
STALE_BEATS = 3  # a holder silent this many of its intervals is taken for dead
log = logging.getLogger(__name__)


def claimer_of(workstation: str, token: str) -> str:
    """What a controller writes in `claimed_by` (and registers as a holder)."""
    return f"{workstation}:{token[:12]}"


def process_start(pid: int) -> str:
    """What tells this process from a later one given the same pid: the boot and the
    start time in clock ticks since boot (Linux /proc). "" where it cannot be read (then
    only the heartbeat tells whether the holder is alive)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()
    except (OSError, IndexError):
        return ""
    if fields[0] in ("Z", "X"):  # a zombie has exited; only its exit status is left
        return ""
    return f"{boot[:8]}:{fields[19]}"


def process_alive(pid: int, start: str) -> bool | None:
    """True or False for a process of this host; None when this system cannot tell."""
    if not start or not sys.platform.startswith("linux"):
        return None
    return process_start(pid) == start


@dataclass(frozen=True)
class Holder:
    claimer: str
    workstation: str
    host: str
    pid: int
    process_start: str
    heartbeat_at: datetime
    heartbeat_seconds: float

    @property
    def stale_after(self) -> float:
        return STALE_BEATS * self.heartbeat_seconds

    def silent_for(self, now: datetime) -> float:
        return max(0.0, (now - self.heartbeat_at).total_seconds())

    def dead(self, now: datetime, *, workstation: str | None = None,
             host: str | None = None) -> bool:
        """Dead when its heartbeat stopped, or (asked from its own workstation and host)
        when its process is gone."""
        if self.silent_for(now) > self.stale_after:
            return True
        if workstation == self.workstation and (host or socket.gethostname()) == self.host:
            return process_alive(self.pid, self.process_start) is False
        return False


def holders(session: Session, claimers: list[str] | None = None) -> dict[str, Holder]:
    q = select(StackHolder.claimer, StackHolder.workstation, StackHolder.host,
               StackHolder.pid, StackHolder.process_start, StackHolder.heartbeat_at,
               StackHolder.heartbeat_seconds)
    if claimers is not None:
        if not claimers:
            return {}
        q = q.where(StackHolder.claimer.in_(claimers))
    return {r[0]: Holder(*r) for r in session.execute(q)}


def dead_holder_notes(session: Session, claimers: list[str], *, workstation: str | None = None,
                      now: datetime | None = None) -> dict[str, str]:
    """For each of `claimers` known dead, what to tell the clerk: "held by WS2's
    controller, which stopped responding 12 s ago" (its rows go back on the next pass)."""
    now = now or utcnow()
    return {c: (f"held by {h.workstation}'s controller, which stopped responding "
                f"{h.silent_for(now):.0f} s ago")
            for c, h in holders(session, sorted(set(claimers))).items()
            if h.dead(now, workstation=workstation)}


def beat(store: Store, claimer: str, workstation: str,
         every: float = HEARTBEAT_SECONDS) -> None:
    """Register this process as `claimer` beating every `every` seconds, or renew its
    heartbeat."""
    now = utcnow()
    with store.write() as s:
        res = s.execute(update(StackHolder).where(StackHolder.claimer == claimer)
                        .values(heartbeat_at=now))
        if res.rowcount == 0:
            pid = os.getpid()
            s.add(StackHolder(claimer=claimer, workstation=workstation,
                              host=socket.gethostname(), pid=pid,
                              process_start=process_start(pid), started_at=now,
                              heartbeat_at=now, heartbeat_seconds=every))


def forget(store: Store, claimer: str) -> None:
    with store.write() as s:
        s.execute(delete(StackHolder).where(StackHolder.claimer == claimer))


def requeue_orphans(store: Store, *, claimer: str, workstation: str,
                    now: datetime | None = None) -> int:
    """Rows in `sending` whose holder is dead go back to pending, due now; so do this
    controller's own rows left from a pass that failed half-way (`claimer`)."""
    now = now or utcnow()
    host = socket.gethostname()
    with store.write() as s:
        claimers = list(s.scalars(select(StackRow.claimed_by)
                                  .where(StackRow.state == SENDING, NOT_SENT).distinct()))
        if not claimers:
            return 0
        known = holders(s, claimers)
        dead = [c for c, h in known.items()
                if c != claimer and h.dead(now, workstation=workstation, host=host)]
        orphans = dead + ([claimer] if claimer in claimers else [])
        n = 0
        back = dict(claimed_by="", claimed_until=None, next_attempt_at=now)
        if orphans:
            n += move(s, SENDING, PENDING, StackRow.claimed_by.in_(orphans), NOT_SENT,
                      values=back).rowcount
        if dead:
            s.execute(delete(StackHolder).where(StackHolder.claimer.in_(dead)))
        unknown = [c for c in claimers if c not in known and c != claimer]
        if unknown:
            n += move(s, SENDING, PENDING, StackRow.claimed_by.in_(unknown),
                      StackRow.claimed_until < now, NOT_SENT, values=back).rowcount
        if n:
            log.info("requeued %d row(s) held by a controller that stopped (%s)", n,
                     ", ".join(sorted(dead)) or "claim ran out")
        return n


def forget_silent(store: Store, older_than: float = 86_400.0) -> None:
    """Drop holders silent for a day that hold nothing (controllers that were closed
    without saying so: a pass run by hand, a test)."""
    cutoff = utcnow() - timedelta(seconds=older_than)
    with store.write() as s:
        held = select(StackRow.claimed_by).where(StackRow.state == SENDING, NOT_SENT)
        s.execute(delete(StackHolder).where(StackHolder.heartbeat_at < cutoff,
                                            StackHolder.claimer.not_in(held)))


class Heartbeat:
    """Beats `claimer`'s heartbeat every HEARTBEAT_SECONDS on a thread of its own while
    a pass runs (`with Heartbeat(...)`): a request that takes long keeps its rows."""

    def __init__(self, store: Store, claimer: str, workstation: str,
                 every: float = HEARTBEAT_SECONDS):
        self.store, self.claimer, self.workstation, self.every = store, claimer, workstation, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        self._thread = threading.Thread(target=self._run, name="stack-heartbeat", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                beat(self.store, self.claimer, self.workstation, self.every)
            except Exception:  # noqa: BLE001 - the store may be briefly unreachable
                log.warning("stack controller heartbeat failed", exc_info=True)
