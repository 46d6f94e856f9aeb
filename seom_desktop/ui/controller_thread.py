"""The stack controller on its own QThread.

The thread runs `StackController.run(stop_event)` (stack/controller.py): the loop opens
its own sessions from the store on this thread, never the UI thread's. Each pass is
reported through `passed` carrying plain data (a dict of counts), never ORM objects.
Beside the loop, on a thread of its own, the scheduled reconciles run
(sync/reconcile_schedule.py, ReconcileMinutes); each finished run is reported through
`reconciled`. `stop()` sets the event and waits: the request in flight finishes first.
Which controller a workstation runs is app/controller_mode.py's (no store access here).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread, Signal

from seom_desktop.app.controller_mode import ControllerMode, controller_mode

__all__ = ["ControllerMode", "ControllerThread", "controller_mode"]


class ControllerThread(QThread):
    passed = Signal(dict)  # {"claimed","sent","failed","bypassed","requests","note"}
    failed = Signal(str)  # the loop itself stopped with an error
    reconciled = Signal(dict)  # {"cart","checked","different","fixed","error"}

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
        schedule = self._start_schedule()
        try:
            self.controller.run(self.stop_event)
        except Exception as e:  # noqa: BLE001
            self.failed.emit(f"{type(e).__name__}: {e}")
        finally:
            if schedule is not None:
                schedule.stop()

    def _start_schedule(self):
        """Scheduled reconciles beside the loop (never inside it), while this controller
        sends for the workstation."""
        from seom_desktop.sync.reconcile_schedule import (
            ReconcileSchedule,
            sends_for_this_workstation,
        )

        store, shared, token = self.store, self.shared, self.controller.token
        try:
            return ReconcileSchedule(
                store, workstation=self.workstation, on_run=self._on_reconcile,
                sends=lambda: sends_for_this_workstation(store, shared=shared, token=token),
            ).start()
        except Exception as e:  # noqa: BLE001 - the sending goes on without it
            self.failed.emit(f"scheduled reconciles did not start: {type(e).__name__}: {e}")
            return None

    def _on_reconcile(self, result) -> None:
        self.reconciled.emit({"cart": result.cart, "checked": result.checked,
                              "different": len(result.different), "fixed": result.fixed,
                              "error": result.error})

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
