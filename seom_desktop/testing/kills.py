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
from dataclasses import dataclass
from pathlib import Path

from seom_desktop.stack.progress import ANSWERED, CLAIMED, ENV_FILE, ENV_HOLD, REQUEST

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
