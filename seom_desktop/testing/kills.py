"""Killing a controller process at a known point of its pass, for the crash tests and the
recovery bench: after its claim before any request, while the cart holds its write
request, after the cart's answer before it is recorded.

The controller reports its stages in a file (stack/progress.py) and, for the first and
the last, waits there to be killed. "While the cart holds the write" is caught on the
cart's side: `HeldWrites` makes an emulator hold each write request until released, the
way a slow cart does; the write is applied after the kill, its answer lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from seom_desktop.stack.progress import ANSWERED, CLAIMED, ENV_FILE, ENV_HOLD, REQUEST
from seom_desktop.store.models import NOT_SENT, SENDING, StackRow

KILL_POINTS = (CLAIMED, REQUEST, ANSWERED)


def is_write(req) -> bool:
    """A quantity write: a WooCommerce batch or PUT, a Shopify GraphQL mutation."""
    if req.method == "GET":
        return False
    return "/batch" in req.path or req.method in ("PUT", "PATCH") or b"mutation" in req.body


class HeldWrites:
    """While installed, the emulator holds every write request it receives until
    `release()`: `arrived` is set when the first one is in its hands."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.arrived = threading.Event()
        self.released = threading.Event()
        self._pending = 0
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._original = emulator.handle

    def __enter__(self) -> HeldWrites:
        original = self._original

        def handle(req):
            if not is_write(req):
                return original(req)
            with self._lock:
                self._pending += 1
                self._idle.clear()
            self.arrived.set()
            try:
                self.released.wait(60)
                return original(req)
            finally:
                with self._lock:
                    self._pending -= 1
                    if not self._pending:
                        self._idle.set()

        self.emulator.handle = handle  # an instance attribute: the class's is untouched
        return self

    def release(self, timeout: float = 30) -> bool:
        """Let the held writes through; True once every one of them was applied."""
        self.released.set()
        return self._idle.wait(timeout)

    def __exit__(self, *exc: object) -> None:
        self.release()
        del self.emulator.handle


@dataclass
class Controller:
    proc: subprocess.Popen
    progress: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stages(self) -> list[str]:
        """The stages this process reported, in order."""
        if not self.progress.exists():
            return []
        mine = str(self.pid)
        return [line.split()[0] for line in self.progress.read_text().splitlines()
                if len(line.split()) == 3 and line.split()[1] == mine]

    def wait_for(self, stage: str, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if stage in self.stages():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.005)
        return False

    def kill(self) -> float:
        """SIGKILL; the monotonic time of the kill."""
        self.proc.send_signal(signal.SIGKILL)
        at = time.monotonic()
        self.proc.wait(10)
        return at

    def log(self) -> str:
        path = self.progress.with_suffix(".log")
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)


def start_controller(url: str, workstation: str, progress: Path, *, hold: str = "",
                     shared: bool = False, claim_ttl: float = 120, poll: float = 0.1,
                     heartbeat: float = 5.0) -> Controller:
    """`seom-desktop controller` in a process of its own, reporting to `progress` and,
    with `hold`, waiting at that stage to be killed."""
    env = dict(os.environ)
    env[ENV_FILE] = str(progress)
    if hold:
        env[ENV_HOLD] = hold
    else:
        env.pop(ENV_HOLD, None)
    cmd = [sys.executable, "-m", "seom_desktop", "--store", url, "--workstation", workstation,
           "controller", "--poll", str(poll), "--claim-ttl", str(claim_ttl),
           "--heartbeat", str(heartbeat)] + (["--shared"] if shared else [])
    with open(progress.with_suffix(".log"), "a") as log:  # its log; a pipe could fill up
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=env)
    return Controller(proc, progress)


@dataclass
class Landing:
    """Where a kill landed."""

    point: str
    stages: list[str]
    sending: int  # rows in `sending` held by the killed process at the kill
    writes_applied: int  # writes the carts applied this round before the kill
    killed_at: float = 0.0  # time.monotonic() of the kill


def applied(shop):
    return {name: dict(e.applied) for name, e in shop.emulators().items()}


def _writes_since(shop, before):
    return sum(n - before[name].get(sku, 0) for name, e in shop.emulators().items()
               for sku, n in e.applied.items())


def held_rows(shop) -> int:
    with shop.store.read() as s:
        return s.scalar(select(func.count()).select_from(StackRow)
                        .where(StackRow.state == SENDING, NOT_SENT, StackRow.claimed_by != ""))


def kill_at(shop, point: str, progress: Path, *, workstation: str, shared: bool = False,
            heartbeat: float = 5.0, claim_ttl: float = 120.0) -> Landing:
    """Start a controller process of `workstation` and SIGKILL it at `point` (one of
    KILL_POINTS); what was seen at the kill. The held writes are applied after it."""
    before = applied(shop)
    with ExitStack() as stack:
        held = [stack.enter_context(HeldWrites(e)) for e in shop.emulators().values()
                ] if point == REQUEST else []
        ctl = start_controller(shop.url, workstation, progress,
                               hold="" if point == REQUEST else point, shared=shared,
                               claim_ttl=claim_ttl, heartbeat=heartbeat)
        try:
            if held:
                reached = _first(h.arrived for h in held)
            else:
                reached = ctl.wait_for(point)
            assert reached, f"never reached {point}: {ctl.log()[-2000:]}"
            landing = Landing(point, ctl.stages(), held_rows(shop), _writes_since(shop, before))
        finally:
            killed_at = ctl.kill()
        landing.killed_at = killed_at
        # leaving the block lets the held writes through: applied, their answers lost
    return landing


def _first(events, timeout=60.0) -> bool:
    events = list(events)
    waited = 0.0
    while waited < timeout:
        if any(e.is_set() for e in events):
            return True
        events[0].wait(0.01)
        waited += 0.01
    return False


def assert_landed(landing: Landing) -> None:
    """The kill landed mid-drain, at the point asked for."""
    assert landing.sending > 0, landing  # rows were held by the process when it died
    if landing.point == CLAIMED:  # it waited before handing the rows to the carts
        assert landing.stages == [CLAIMED] and landing.writes_applied == 0, landing
    elif landing.point == REQUEST:  # both carts hold the writes: no answer came back
        assert REQUEST in landing.stages and ANSWERED not in landing.stages, landing
        assert landing.writes_applied == 0, landing
    else:  # a cart answered; the other cart's thread may have gone on to its request
        assert ANSWERED in landing.stages and landing.writes_applied > 0, landing


