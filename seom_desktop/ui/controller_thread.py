"""The stack controller on its own QThread.

The thread runs `StackController.run(stop_event)` (stack/controller.py): the loop opens
its own sessions from the store on this thread, never the UI thread's. Each pass is
reported through `passed` carrying plain data (a dict of counts), never ORM objects.
`stop()` sets the event and waits: the request in flight finishes first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QThread, Signal

from seom_desktop.store.params import get_param


@dataclass(frozen=True)
class ControllerMode:
    """What this workstation's controller should be: none, local or shared."""

    run: bool
    shared: bool
    designated: str

    def describe(self, workstation: str) -> str:
        if not self.run:
            return f"shared stack controller is {self.designated}; this workstation sends nothing"
        if self.shared:
            return f"shared stack controller: this workstation ({workstation})"
        return "local stack controller: this workstation sends its own changes"


def controller_mode(store, workstation: str) -> ControllerMode:
    """The reference page's rule: by default each workstation sends its own changes (a
    local controller); when SharedStackController names a workstation, only that one
    runs, for everyone (shared)."""
    with store.read() as s:
        designated = get_param(s, "SharedStackController") or ""
    if not designated:
        return ControllerMode(True, False, "")
    if designated == workstation:
        return ControllerMode(True, True, designated)
    return ControllerMode(False, False, designated)


class ControllerThread(QThread):
    passed = Signal(dict)  # {"claimed","sent","failed","bypassed","requests","note"}
    failed = Signal(str)  # the loop itself stopped with an error

    def __init__(self, store, *, workstation: str, shared: bool = False,
                 poll_seconds: float = 1.0, parent=None, **controller_kw):
        super().__init__(parent)
        self.store = store
        self.workstation = workstation
        self.shared = shared
        self.poll_seconds = poll_seconds
        self.controller_kw = controller_kw
        self.stop_event = threading.Event()
        self.controller = None
        self._ready = threading.Event()
        self.setObjectName("stack-controller")

    def run(self) -> None:  # on the thread
        from seom_desktop.stack.controller import StackController

        try:
            self.controller = StackController(
                self.store, workstation=self.workstation, shared=self.shared,
                poll_seconds=self.poll_seconds, on_pass=self._on_pass, **self.controller_kw)
        except Exception as e:  # noqa: BLE001 - reported to the window
            self._ready.set()
            self.failed.emit(f"{type(e).__name__}: {e}")
            return
        self._ready.set()
        try:
            self.controller.run(self.stop_event)
        except Exception as e:  # noqa: BLE001
            self.failed.emit(f"{type(e).__name__}: {e}")

    def _on_pass(self, result) -> None:
        t = result.tally
        self.passed.emit({"claimed": result.claimed, "sent": t.sent, "failed": t.failed,
                          "bypassed": t.bypassed, "requests": t.requests,
                          "note": result.note})

    def wake(self) -> None:
        """Send now: the controller starts a pass at once instead of at its next poll."""
        if self.controller is not None:
            self.controller.wakeup.set()

    def stop(self, timeout_ms: int = 60_000) -> bool:
        """Ask the loop to stop and wait for it (the request in flight finishes)."""
        self.stop_event.set()
        if self.controller is not None:
            self.controller.wakeup.set()
        if not self.isRunning():
            return True
        return self.wait(timeout_ms)
